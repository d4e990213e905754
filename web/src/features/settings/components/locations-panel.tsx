import { Alert, Button, Group, Image, Menu, Modal, Paper, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { EmptyState, QueryState } from '@/components/query-state';
import { errorMessage, fieldErrors, type Schemas } from '@/lib/api/client';
import { useDepartments } from '@/lib/lookups';
import { t, type MessageKey } from '@/i18n';
import { useCreateLocation, useDeleteLocation, useLocationQr, useUpdateLocation, type LocationNode } from '../api/org';
import { useLocationTree } from '../api/settings';
import { tone } from '@/lib/colors';

const KINDS: Schemas['LocationKind'][] = ['building', 'wing', 'floor', 'room', 'area'];
/** What is usually made inside a place of each kind. */
const CHILD_KIND: Record<Schemas['LocationKind'], Schemas['LocationKind']> = {
  building: 'floor',
  wing: 'floor',
  floor: 'room',
  room: 'area',
  area: 'area',
};

type Editing = { mode: 'new'; parent: LocationNode | null } | { mode: 'edit'; node: LocationNode; parentId: string | null };

/** The buildings, floors and rooms of a site as a tree: add, rename, move, remove, and print a
 * room's QR code for its fault-report page. */
export function LocationsPanel({ siteId, editable }: { siteId: string; editable: boolean }) {
  const tree = useLocationTree(siteId);
  const remove = useDeleteLocation();
  const qr = useLocationQr();
  const [editing, setEditing] = useState<Editing | null>(null);
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const toggle = (id: string) =>
    setExpanded((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });

  const render = (nodes: LocationNode[], parentId: string | null, level: number) => (
    <ul style={{ listStyle: 'none', margin: 0, paddingLeft: level ? 20 : 0 }} role={level ? 'group' : undefined}>
      {nodes.map((n) => (
        <li key={n.id}>
          <Group gap={4} wrap="nowrap" justify="space-between" py={2}>
            <Group gap={4} wrap="nowrap">
              {n.children.length > 0 ? (
                <Button
                  variant="subtle"
                  size="compact-sm"
                  onClick={() => toggle(n.id)}
                  aria-expanded={expanded.has(n.id)}
                  aria-label={t('org.expand', { name: n.name })}
                >
                  {expanded.has(n.id) ? '▾' : '▸'}
                </Button>
              ) : (
                <span style={{ width: 28, display: 'inline-block' }} />
              )}
              <Text size="sm">{n.name}</Text>
              <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                {n.code} · {t(`locationKind.${n.kind}` as MessageKey)}
              </Text>
            </Group>
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <Button size="compact-sm" variant="subtle" aria-label={t('org.actionsFor', { name: n.name })}>
                  {t('org.actions')}
                </Button>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Item onClick={() => qr.mutate(n.id)}>{t('org.qrFor', { name: n.name })}</Menu.Item>
                {editable && (
                  <>
                    <Menu.Item onClick={() => setEditing({ mode: 'new', parent: n })}>{t('org.addInside', { name: n.name })}</Menu.Item>
                    <Menu.Item onClick={() => setEditing({ mode: 'edit', node: n, parentId })}>{t('org.editNamed', { name: n.name })}</Menu.Item>
                    <Menu.Item color={tone.red} onClick={() => window.confirm(t('org.confirmDelete', { name: n.name })) && remove.mutate(n.id)}>
                      {t('org.deleteNamed', { name: n.name })}
                    </Menu.Item>
                  </>
                )}
              </Menu.Dropdown>
            </Menu>
          </Group>
          {expanded.has(n.id) && n.children.length > 0 && render(n.children, n.id, level + 1)}
        </li>
      ))}
    </ul>
  );

  return (
    <Paper withBorder p="md">
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h4">
          {t('org.locations')}
        </Title>
        {editable && (
          <Button size="xs" onClick={() => setEditing({ mode: 'new', parent: null })}>
            {t('org.addBuilding')}
          </Button>
        )}
      </Group>
      {remove.error && (
        <Alert color="red" role="alert" mb="xs" withCloseButton onClose={() => remove.reset()}>
          {errorMessage(remove.error)}
        </Alert>
      )}
      <QueryState isPending={tree.isPending} error={tree.error}>
        {(tree.data?.length ?? 0) === 0 ? (
          <EmptyState title={t('org.noLocations')} hint={editable ? t('org.noLocationsHint') : undefined} />
        ) : (
          <nav aria-label={t('org.locations')}>{render(tree.data!, null, 0)}</nav>
        )}
      </QueryState>
      {editing && <LocationDialog siteId={siteId} editing={editing} onClose={() => setEditing(null)} />}
      <Modal opened={!!qr.data} onClose={() => qr.reset()} title={qr.data?.label ?? ''}>
        {qr.data && (
          <Stack align="center">
            <Image src={`data:image/png;base64,${qr.data.pngBase64}`} alt={t('org.qrAlt', { name: qr.data.label })} w={240} h={240} />
            <Text size="xs" c="dimmed" ta="center" style={{ wordBreak: 'break-all' }}>
              {qr.data.url}
            </Text>
            <Button onClick={() => window.print()} variant="default">
              {t('assets.print')}
            </Button>
          </Stack>
        )}
      </Modal>
    </Paper>
  );
}

function LocationDialog({ siteId, editing, onClose }: { siteId: string; editing: Editing; onClose: () => void }) {
  const create = useCreateLocation();
  const update = useUpdateLocation();
  const departments = useDepartments();
  const node = editing.mode === 'edit' ? editing.node : null;
  const parent = editing.mode === 'new' ? editing.parent : null;
  const save = node ? update : create;
  const [name, setName] = useState(node?.name ?? '');
  const [code, setCode] = useState(node?.code ?? (parent ? `${parent.code}-` : ''));
  const [kind, setKind] = useState<Schemas['LocationKind']>(node?.kind ?? (parent ? CHILD_KIND[parent.kind] : 'building'));
  const [departmentId, setDepartmentId] = useState<string | null>(node?.departmentId ?? parent?.departmentId ?? null);
  const errors = fieldErrors(save.error);
  const submit = () => {
    const body = { name: name.trim(), code: code.trim(), kind, departmentId };
    if (node) update.mutate({ id: node.id, body }, { onSuccess: onClose });
    else create.mutate({ ...body, siteId, parentId: parent?.id ?? null }, { onSuccess: onClose });
  };
  const title = node ? t('org.editNamed', { name: node.name }) : parent ? t('org.addInside', { name: parent.name }) : t('org.addBuilding');
  return (
    <Modal opened onClose={onClose} title={title}>
      <Stack>
        {save.error && !Object.keys(errors).length && (
          <Alert color="red" role="alert">
            {errorMessage(save.error)}
          </Alert>
        )}
        <Select
          label={t('org.kind')}
          data={KINDS.map((k) => ({ value: k, label: t(`locationKind.${k}` as MessageKey) }))}
          value={kind}
          onChange={(v) => v && setKind(v as Schemas['LocationKind'])}
          allowDeselect={false}
        />
        <TextInput label={t('org.locationName')} value={name} onChange={(e) => setName(e.currentTarget.value)} required maxLength={160} error={errors.name} />
        <TextInput
          label={t('org.code')}
          description={t('org.locationCodeHint')}
          value={code}
          onChange={(e) => setCode(e.currentTarget.value)}
          required
          maxLength={32}
          error={errors.code}
        />
        <Select
          label={t('org.usedBy')}
          data={(departments.data?.items ?? []).filter((d) => d.siteId === siteId).map((d) => ({ value: d.id, label: d.name }))}
          value={departmentId}
          onChange={setDepartmentId}
          clearable
          searchable
          error={errors.departmentId}
        />
        <Button onClick={submit} loading={save.isPending} disabled={!name.trim() || !code.trim()}>
          {t('action.save')}
        </Button>
      </Stack>
    </Modal>
  );
}

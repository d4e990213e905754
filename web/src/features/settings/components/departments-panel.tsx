import { ActionIcon, Alert, Badge, Button, Group, Modal, Paper, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { EmptyState, QueryState } from '@/components/query-state';
import { errorMessage, fieldErrors } from '@/lib/api/client';
import { useDepartments, useUsers } from '@/lib/lookups';
import { t } from '@/i18n';
import { tone } from '@/lib/colors';
import {
  useCreateDepartment,
  useCreateSection,
  useDeleteDepartment,
  useDeleteSection,
  useSections,
  useUpdateDepartment,
  useUpdateSection,
  type Department,
  type Section,
} from '../api/org';

/** The departments of one site, each with its head and its sections. */
export function DepartmentsPanel({ siteId, editable }: { siteId: string; editable: boolean }) {
  const departments = useDepartments();
  const [editing, setEditing] = useState<Department | 'new' | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const remove = useDeleteDepartment();
  const list = (departments.data?.items ?? []).filter((d) => d.siteId === siteId);

  return (
    <Paper withBorder p="md">
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h4">
          {t('org.departments')}
        </Title>
        {editable && (
          <Button size="xs" onClick={() => setEditing('new')}>
            {t('org.addDepartment')}
          </Button>
        )}
      </Group>
      {remove.error && (
        <Alert color="red" role="alert" mb="xs" withCloseButton onClose={() => remove.reset()}>
          {errorMessage(remove.error)}
        </Alert>
      )}
      <QueryState isPending={departments.isPending} error={departments.error}>
        {list.length === 0 ? (
          <EmptyState title={t('org.noDepartments')} hint={editable ? t('org.noDepartmentsHint') : undefined} />
        ) : (
          <Stack gap={6}>
            {list.map((d) => (
              <div key={d.id}>
                <Group justify="space-between" wrap="nowrap">
                  <Button
                    variant="subtle"
                    size="compact-sm"
                    onClick={() => setOpen(open === d.id ? null : d.id)}
                    aria-expanded={open === d.id}
                    aria-label={t('org.showSections', { name: d.name })}
                  >
                    {open === d.id ? '▾' : '▸'} {d.name}
                  </Button>
                  <Group gap={4} wrap="nowrap">
                    <Badge variant="light" color="gray">
                      {d.code}
                    </Badge>
                    {editable && (
                      <>
                        <Button size="compact-xs" variant="subtle" onClick={() => setEditing(d)} aria-label={t('org.editNamed', { name: d.name })}>
                          {t('action.edit')}
                        </Button>
                        <Button
                          size="compact-xs"
                          variant="subtle"
                          color={tone.red}
                          aria-label={t('org.deleteNamed', { name: d.name })}
                          onClick={() => window.confirm(t('org.confirmDelete', { name: d.name })) && remove.mutate(d.id)}
                        >
                          {t('action.remove')}
                        </Button>
                      </>
                    )}
                  </Group>
                </Group>
                {open === d.id && <SectionsList department={d} editable={editable} />}
              </div>
            ))}
          </Stack>
        )}
      </QueryState>
      {editing && <DepartmentDialog siteId={siteId} department={editing === 'new' ? undefined : editing} onClose={() => setEditing(null)} />}
    </Paper>
  );
}

function DepartmentDialog({ siteId, department, onClose }: { siteId: string; department?: Department; onClose: () => void }) {
  const create = useCreateDepartment();
  const update = useUpdateDepartment();
  const save = department ? update : create;
  const users = useUsers();
  const [name, setName] = useState(department?.name ?? '');
  const [code, setCode] = useState(department?.code ?? '');
  const [head, setHead] = useState<string | null>(department?.headUserId ?? null);
  const errors = fieldErrors(save.error);
  const submit = () => {
    const body = { name: name.trim(), code: code.trim(), headUserId: head };
    if (department) update.mutate({ id: department.id, body: { ...body, version: department.version } }, { onSuccess: onClose });
    else create.mutate({ ...body, siteId }, { onSuccess: onClose });
  };
  return (
    <Modal opened onClose={onClose} title={department ? t('org.editNamed', { name: department.name }) : t('org.addDepartment')}>
      <Stack>
        {save.error && !Object.keys(errors).length && (
          <Alert color="red" role="alert">
            {errorMessage(save.error)}
          </Alert>
        )}
        <TextInput label={t('org.departmentName')} value={name} onChange={(e) => setName(e.currentTarget.value)} required maxLength={160} error={errors.name} />
        <TextInput label={t('org.code')} value={code} onChange={(e) => setCode(e.currentTarget.value)} required maxLength={32} error={errors.code} />
        <Select
          label={t('org.head')}
          description={t('org.headHint')}
          data={(users.data?.items ?? []).map((u) => ({ value: u.id, label: `${u.name} (${u.roleName})` }))}
          value={head}
          onChange={setHead}
          searchable
          clearable
          error={errors.headUserId}
        />
        <Button onClick={submit} loading={save.isPending} disabled={!name.trim() || !code.trim()}>
          {t('action.save')}
        </Button>
      </Stack>
    </Modal>
  );
}

function SectionsList({ department, editable }: { department: Department; editable: boolean }) {
  const sections = useSections(department.id);
  const create = useCreateSection();
  const update = useUpdateSection();
  const remove = useDeleteSection();
  const [name, setName] = useState('');
  const [code, setCode] = useState('');
  const [renaming, setRenaming] = useState<Section | null>(null);
  const failure = create.error ?? update.error ?? remove.error;
  const errors = fieldErrors(create.error);

  return (
    <Stack gap={4} pl="lg" py={4}>
      <QueryState isPending={sections.isPending} error={sections.error}>
        {(sections.data?.items ?? []).length === 0 && (
          <Text size="sm" c="dimmed">
            {t('org.noSections')}
          </Text>
        )}
        {(sections.data?.items ?? []).map((s) => (
          <Group key={s.id} justify="space-between" wrap="nowrap">
            <Text size="sm">
              {s.name}{' '}
              <Text span c="dimmed" size="xs">
                {s.code}
              </Text>
            </Text>
            {editable && (
              <Group gap={2} wrap="nowrap">
                <ActionIcon variant="subtle" size="sm" aria-label={t('org.editNamed', { name: s.name })} onClick={() => setRenaming(s)}>
                  ✎
                </ActionIcon>
                <ActionIcon
                  variant="subtle"
                  color={tone.red}
                  size="sm"
                  aria-label={t('org.deleteNamed', { name: s.name })}
                  onClick={() => window.confirm(t('org.confirmDelete', { name: s.name })) && remove.mutate(s.id)}
                >
                  ✕
                </ActionIcon>
              </Group>
            )}
          </Group>
        ))}
      </QueryState>
      {failure && (
        <Text size="xs" c={tone.red} role="alert">
          {errorMessage(failure)}
        </Text>
      )}
      {editable && (
        <Group gap="xs" align="end" wrap="nowrap">
          <TextInput size="xs" label={t('org.newSection')} value={name} onChange={(e) => setName(e.currentTarget.value)} error={errors.name} />
          <TextInput size="xs" label={t('org.code')} value={code} onChange={(e) => setCode(e.currentTarget.value)} w={100} error={errors.code} />
          <Button
            size="xs"
            variant="default"
            disabled={!name.trim() || !code.trim()}
            loading={create.isPending}
            onClick={() =>
              create.mutate(
                { departmentId: department.id, name: name.trim(), code: code.trim() },
                {
                  onSuccess: () => {
                    setName('');
                    setCode('');
                  },
                },
              )
            }
          >
            {t('org.addSection')}
          </Button>
        </Group>
      )}
      {renaming && (
        <RenameSection
          section={renaming}
          onClose={() => setRenaming(null)}
          save={(n, c) => update.mutateAsync({ id: renaming.id, body: { name: n, code: c, version: renaming.version } })}
        />
      )}
    </Stack>
  );
}

function RenameSection({ section, onClose, save }: { section: Section; onClose: () => void; save: (name: string, code: string) => Promise<unknown> }) {
  const [name, setName] = useState(section.name);
  const [code, setCode] = useState(section.code);
  const [error, setError] = useState<unknown>(null);
  return (
    <Modal opened onClose={onClose} title={t('org.editNamed', { name: section.name })}>
      <Stack>
        {error != null && (
          <Alert color="red" role="alert">
            {errorMessage(error)}
          </Alert>
        )}
        <TextInput label={t('org.sectionName')} value={name} onChange={(e) => setName(e.currentTarget.value)} required />
        <TextInput label={t('org.code')} value={code} onChange={(e) => setCode(e.currentTarget.value)} required />
        <Button disabled={!name.trim() || !code.trim()} onClick={() => save(name.trim(), code.trim()).then(onClose, setError)}>
          {t('action.save')}
        </Button>
      </Stack>
    </Modal>
  );
}

import { ActionIcon, Alert, Anchor, Button, Checkbox, Group, NumberInput, Paper, Select, Stack, Switch, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { QueryState } from '@/components/query-state';
import { errorMessage, fieldErrors, type Schemas } from '@/lib/api/client';
import { useMe } from '@/lib/auth/use-me';
import { tone } from '@/lib/colors';
import { formatDateTime } from '@/lib/format';
import { can } from '@/lib/permissions';
import { t, type MessageKey } from '@/i18n';
import { useCreateTemplate, useTemplate, useUpdateTemplate, type Item, type Template } from '../api/preventive';

const KINDS: Schemas['ItemKindDto'][] = ['pass_fail', 'number', 'text', 'photo', 'signature'];

/** A key from a label: `Protective earth resistance` → `protective-earth-resistance`. */
export function keyOf(label: string, taken: Set<string>): string {
  const base =
    label
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 48) || 'item';
  let key = base;
  for (let n = 2; taken.has(key); n++) key = `${base}-${n}`;
  return key;
}

export function ChecklistBuilderPage() {
  const { id } = useParams();
  const tpl = useTemplate(id);
  if (!id) return <Builder />;
  return (
    <QueryState isPending={tpl.isPending} error={tpl.error}>
      {tpl.data && <Builder key={tpl.data.version} template={tpl.data} />}
    </QueryState>
  );
}

function Builder({ template }: { template?: Template }) {
  const navigate = useNavigate();
  const me = useMe().data;
  const editable = can(me, 'preventive.manage');
  const create = useCreateTemplate();
  const update = useUpdateTemplate();
  const save = template ? update : create;
  const errors = fieldErrors(save.error);
  const [name, setName] = useState(template?.name ?? '');
  const [description, setDescription] = useState(template?.description ?? '');
  const [active, setActive] = useState(template?.active ?? true);
  const [items, setItems] = useState<Item[]>(
    template?.items ?? [{ key: 'visual', label: 'Visual inspection', kind: 'pass_fail', required: true, allowNa: false }],
  );
  const set = (i: number, patch: Partial<Item>) => setItems((xs) => xs.map((x, j) => (j === i ? { ...x, ...patch } : x)));
  const move = (i: number, by: number) =>
    setItems((xs) => {
      const j = i + by;
      if (j < 0 || j >= xs.length) return xs;
      const next = [...xs];
      [next[i], next[j]] = [next[j]!, next[i]!];
      return next;
    });
  const add = () =>
    setItems((xs) => [
      ...xs,
      { key: keyOf(`item ${xs.length + 1}`, new Set(xs.map((x) => x.key))), label: '', kind: 'pass_fail', required: true, allowNa: false },
    ]);

  const submit = () => {
    const clean = items.map((x) => ({
      ...x,
      label: x.label.trim(),
      unit: x.kind === 'number' ? x.unit || null : null,
      min: x.kind === 'number' ? (x.min ?? null) : null,
      max: x.kind === 'number' ? (x.max ?? null) : null,
      allowNa: x.kind === 'pass_fail' ? x.allowNa : false,
    }));
    if (template) {
      update.mutate(
        { id: template.id, body: { name: name.trim(), description: description.trim(), items: clean, active, version: template.version } },
        { onSuccess: (tp) => navigate(`/preventive/checklists/${tp.id}`, { replace: true }) },
      );
    } else {
      create.mutate(
        { name: name.trim(), description: description.trim() || null, items: clean },
        { onSuccess: (tp) => navigate(`/preventive/checklists/${tp.id}`, { replace: true }) },
      );
    }
  };

  return (
    <Stack maw={900}>
      <Anchor component={Link} to="/preventive/checklists" size="sm">
        ← {t('preventive.checklists')}
      </Anchor>
      <Title order={1} size="h2">
        {template ? template.name : t('checklist.new')}
      </Title>
      {template && (
        <Text size="sm" c="dimmed">
          {t('checklist.versionNote', { n: template.currentVersion })}
        </Text>
      )}
      {save.error && (
        <Alert color="red" role="alert">
          {Object.keys(errors).length
            ? Object.entries(errors)
                .map(([f, m]) => `${f}: ${m}`)
                .join('; ')
            : errorMessage(save.error)}
        </Alert>
      )}
      <Paper withBorder p="md">
        <Stack>
          <TextInput
            label={t('checklist.name')}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            required
            disabled={!editable}
            error={errors.name}
          />
          <Textarea
            label={t('checklist.description')}
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
            autosize
            disabled={!editable}
          />
          {template && <Switch label={t('checklist.active')} checked={active} onChange={(e) => setActive(e.currentTarget.checked)} disabled={!editable} />}
        </Stack>
      </Paper>
      {items.map((it, i) => (
        <Paper key={i} withBorder p="sm">
          <Stack gap="xs">
            <Group justify="space-between" wrap="nowrap">
              <Text fw={600} size="sm">
                {t('checklist.item', { n: i + 1 })}
              </Text>
              {editable && (
                <Group gap={2}>
                  <ActionIcon variant="subtle" aria-label={t('checklist.up')} onClick={() => move(i, -1)} disabled={i === 0}>
                    ↑
                  </ActionIcon>
                  <ActionIcon variant="subtle" aria-label={t('checklist.down')} onClick={() => move(i, 1)} disabled={i === items.length - 1}>
                    ↓
                  </ActionIcon>
                  <ActionIcon
                    variant="subtle"
                    color={tone.red}
                    aria-label={t('checklist.removeItem', { n: i + 1 })}
                    onClick={() => setItems((xs) => xs.filter((_, j) => j !== i))}
                  >
                    ✕
                  </ActionIcon>
                </Group>
              )}
            </Group>
            <Group align="end" wrap="wrap">
              <TextInput
                label={t('checklist.label')}
                value={it.label}
                onChange={(e) => {
                  const label = e.currentTarget.value;
                  // New items take their key from the label; saved items keep theirs.
                  const fresh = !template?.items.some((x) => x.key === it.key);
                  set(i, fresh ? { label, key: keyOf(label, new Set(items.filter((_, j) => j !== i).map((x) => x.key))) } : { label });
                }}
                w={360}
                disabled={!editable}
                error={errors[`items[${i}].label`]}
              />
              <Select
                label={t('checklist.kind')}
                data={KINDS.map((k) => ({ value: k, label: t(`checklist.kind.${k}` as MessageKey) }))}
                value={it.kind}
                onChange={(v) => v && set(i, { kind: v as Schemas['ItemKindDto'] })}
                allowDeselect={false}
                w={190}
                disabled={!editable}
              />
              <Checkbox
                label={t('checklist.required')}
                checked={it.required}
                onChange={(e) => set(i, { required: e.currentTarget.checked })}
                disabled={!editable}
              />
              {it.kind === 'pass_fail' && (
                <Checkbox
                  label={t('checklist.allowNa')}
                  checked={it.allowNa}
                  onChange={(e) => set(i, { allowNa: e.currentTarget.checked })}
                  disabled={!editable}
                />
              )}
            </Group>
            {it.kind === 'number' && (
              <Group align="end">
                <TextInput
                  label={t('checklist.unit')}
                  value={it.unit ?? ''}
                  onChange={(e) => set(i, { unit: e.currentTarget.value })}
                  w={110}
                  disabled={!editable}
                />
                <NumberInput
                  label={t('checklist.min')}
                  value={it.min ?? ''}
                  onChange={(v) => set(i, { min: v === '' ? null : Number(v) })}
                  w={130}
                  decimalScale={4}
                  disabled={!editable}
                  error={errors[`items[${i}].min`]}
                />
                <NumberInput
                  label={t('checklist.max')}
                  value={it.max ?? ''}
                  onChange={(v) => set(i, { max: v === '' ? null : Number(v) })}
                  w={130}
                  decimalScale={4}
                  disabled={!editable}
                />
                <Text size="xs" c="dimmed">
                  {t('checklist.rangeHint')}
                </Text>
              </Group>
            )}
            <TextInput
              label={t('checklist.guidance')}
              value={it.guidance ?? ''}
              onChange={(e) => set(i, { guidance: e.currentTarget.value })}
              disabled={!editable}
            />
            <Text size="xs" c="dimmed">
              {t('checklist.key', { key: it.key })}
            </Text>
          </Stack>
        </Paper>
      ))}
      {editable && (
        <Group>
          <Button variant="default" onClick={add}>
            {t('checklist.addItem')}
          </Button>
          <Button onClick={submit} loading={save.isPending} disabled={!name.trim() || items.length === 0 || items.some((x) => !x.label.trim())}>
            {template ? t('checklist.saveVersion') : t('checklist.create')}
          </Button>
        </Group>
      )}
      {template && (
        <Paper withBorder p="md">
          <Title order={2} size="h4" mb="xs">
            {t('checklist.versions')}
          </Title>
          <Stack gap={2}>
            {template.versions.map((v) => (
              <Text key={v.id} size="sm">
                v{v.number} · {t('checklist.itemCount', { n: v.itemCount })} · {formatDateTime(v.createdAt)}
              </Text>
            ))}
          </Stack>
        </Paper>
      )}
    </Stack>
  );
}

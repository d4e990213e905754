import { ActionIcon, Button, Group, Paper, Stack, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { QueryState } from '@/components/query-state';
import { api, errorMessage, fieldErrors, unwrap, type Schemas } from '@/lib/api/client';
import { useOrganization } from '@/lib/lookups';
import { tone } from '@/lib/colors';
import { t } from '@/i18n';
import { codeOf } from '../api/hold-reasons';

type HoldReason = Schemas['HoldReasonDto'];

/** The organization's hold reasons: renamed, switched off, added, and saved as one list. */
export function HoldReasonsSettings() {
  const org = useOrganization();
  const qc = useQueryClient();
  const [draft, setDraft] = useState<HoldReason[] | null>(null);
  const [newName, setNewName] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const saved = org.data?.holdReasons ?? [];
  const rows = draft ?? saved;
  const save = useMutation({
    mutationFn: (holdReasons: HoldReason[]) => unwrap(api.PATCH('/api/v1/organization', { body: { holdReasons, version: org.data?.version } })),
    onSuccess: (o) => {
      qc.setQueryData(['lookups', 'organization'], o);
      setDraft(null);
      setErrors({});
      notifications.show({ color: 'green', message: t('holdReasons.saved') });
    },
    onError: (e) => {
      setErrors(fieldErrors(e));
      notifications.show({ color: 'red', title: t('error.actionFailed'), message: errorMessage(e) });
    },
  });
  const change = (i: number, patch: Partial<HoldReason>) => setDraft(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const isNew = (r: HoldReason) => !saved.some((s) => s.code === r.code);

  return (
    <QueryState isPending={org.isPending} error={org.error}>
      <Paper withBorder p="md" maw={760}>
        <Stack>
          <div>
            <Title order={2} size="h4">
              {t('holdReasons.title')}
            </Title>
            <Text size="sm" c="dimmed">
              {t('holdReasons.hint')}
            </Text>
          </div>
          <Table data-testid="hold-reasons">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('holdReasons.name')}</Table.Th>
                <Table.Th>{t('holdReasons.code')}</Table.Th>
                <Table.Th>{t('holdReasons.active')}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((r, i) => (
                <Table.Tr key={r.code}>
                  <Table.Td>
                    <TextInput
                      aria-label={t('holdReasons.name')}
                      value={r.name}
                      onChange={(e) => change(i, { name: e.currentTarget.value })}
                      maxLength={80}
                      error={errors[`holdReasons[${i}].name`]}
                    />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" ff="monospace" c="dimmed">
                      {r.code}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Switch aria-label={t('holdReasons.active')} checked={r.active} onChange={(e) => change(i, { active: e.currentTarget.checked })} />
                  </Table.Td>
                  <Table.Td>
                    {isNew(r) && (
                      <ActionIcon
                        variant="subtle"
                        color={tone.red}
                        aria-label={t('holdReasons.remove', { name: r.name })}
                        onClick={() => setDraft(rows.filter((_, j) => j !== i))}
                      >
                        ✕
                      </ActionIcon>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Group align="end">
            <TextInput label={t('holdReasons.newName')} value={newName} onChange={(e) => setNewName(e.currentTarget.value)} maxLength={80} w={320} />
            <Button
              variant="default"
              disabled={!newName.trim() || rows.some((r) => r.code === codeOf(newName))}
              onClick={() => {
                setDraft([...rows, { code: codeOf(newName), name: newName.trim(), active: true }]);
                setNewName('');
              }}
            >
              {t('holdReasons.add')}
            </Button>
          </Group>
          <Group>
            <Button disabled={!draft} loading={save.isPending} onClick={() => draft && save.mutate(draft)}>
              {t('action.save')}
            </Button>
            {draft && (
              <Button variant="subtle" onClick={() => setDraft(null)}>
                {t('holdReasons.discard')}
              </Button>
            )}
          </Group>
        </Stack>
      </Paper>
    </QueryState>
  );
}

import { Alert, Button, Group, NumberInput, Paper, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { QueryState } from '@/components/query-state';
import { errorMessage, type Schemas } from '@/lib/api/client';
import { tone } from '@/lib/colors';
import { useSites } from '@/lib/lookups';
import { t, type MessageKey } from '@/i18n';
import { useEscalationChain, useMatrix, useSaveEscalationChain, useSaveSlaPolicies, useSlaPolicies } from '../api/settings';

type Policy = Schemas['SlaPolicyDto'];
type Step = Schemas['EscalationStepDto'];

/** Response and resolution times per priority, and who is told after a breach, per site. */
export function SlaSettings() {
  const sites = useSites();
  const [siteId, setSiteId] = useState<string | null>(null);
  const site = siteId ?? sites.data?.items[0]?.id ?? null;
  const policies = useSlaPolicies(site);
  const chain = useEscalationChain(site);

  return (
    <Stack>
      <Select
        label={t('org.site')}
        data={(sites.data?.items ?? []).map((s) => ({ value: s.id, label: `${s.name} (${s.code})` }))}
        value={site}
        onChange={setSiteId}
        w={320}
        allowDeselect={false}
      />
      <Paper withBorder p="md">
        <Title order={2} size="h4" mb="xs">
          {t('sla.policies')}
        </Title>
        <QueryState isPending={policies.isPending} error={policies.error}>
          {site && policies.data && <PoliciesEditor key={site} siteId={site} saved={policies.data} />}
        </QueryState>
      </Paper>
      <Paper withBorder p="md">
        <Title order={2} size="h4">
          {t('sla.escalation')}
        </Title>
        <Text size="sm" c="dimmed" mb="xs">
          {t('sla.escalationHint')}
        </Text>
        <QueryState isPending={chain.isPending} error={chain.error}>
          {site && chain.data && <ChainEditor key={site} siteId={site} saved={chain.data} />}
        </QueryState>
      </Paper>
    </Stack>
  );
}

/** Edits a copy of the site's policies; a save replaces them all. */
function PoliciesEditor({ siteId, saved }: { siteId: string; saved: Policy[] }) {
  const save = useSaveSlaPolicies(siteId);
  const [draft, setDraft] = useState(saved);
  const set = (i: number, patch: Partial<Policy>) => setDraft((d) => d.map((x, j) => (j === i ? { ...x, ...patch } : x)));
  return (
    <>
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('filter.priority')}</Table.Th>
            <Table.Th>{t('sla.response')}</Table.Th>
            <Table.Th>{t('sla.resolution')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {draft.map((p, i) => (
            <Table.Tr key={p.priority}>
              <Table.Td>{t(`priority.${p.priority}` as MessageKey)}</Table.Td>
              <Table.Td>
                <NumberInput
                  aria-label={t('sla.responseFor', { priority: p.priority })}
                  value={p.responseMinutes}
                  min={1}
                  onChange={(v) => set(i, { responseMinutes: Number(v) })}
                  w={140}
                />
              </Table.Td>
              <Table.Td>
                <NumberInput
                  aria-label={t('sla.resolutionFor', { priority: p.priority })}
                  value={p.resolutionMinutes}
                  min={1}
                  onChange={(v) => set(i, { resolutionMinutes: Number(v) })}
                  w={140}
                />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Group mt="sm">
        <Button onClick={() => save.mutate(draft)} loading={save.isPending}>
          {t('action.save')}
        </Button>
        {save.isSuccess && <span role="status">{t('common.saved')}</span>}
      </Group>
      {save.error && (
        <Alert color="red" role="alert" mt="sm">
          {errorMessage(save.error)}
        </Alert>
      )}
    </>
  );
}

/** Edits a copy of the site's escalation chain: levels in order, each a target and a delay. */
function ChainEditor({ siteId, saved }: { siteId: string; saved: Step[] }) {
  const save = useSaveEscalationChain(siteId);
  const [steps, setSteps] = useState(saved);
  const roles = useMatrix().data?.roles ?? [];
  const targets = [
    { value: 'assignee', label: t('sla.target.assignee') },
    { value: 'department_head', label: t('sla.target.departmentHead') },
    ...roles.map((r) => ({ value: r.key, label: t('sla.target.role', { role: r.name }) })),
  ];
  const set = (i: number, patch: Partial<Step>) => setSteps((d) => d.map((x, j) => (j === i ? { ...x, ...patch } : x)));
  return (
    <Stack gap="xs">
      {steps.map((s, i) => (
        <Group key={i} align="end">
          <Select
            label={t('sla.level', { n: s.level })}
            data={targets}
            value={s.notify}
            onChange={(notify) => notify && set(i, { notify })}
            allowDeselect={false}
            w={240}
          />
          <NumberInput label={t('sla.delay')} value={s.delayMinutes} min={0} onChange={(v) => set(i, { delayMinutes: Number(v) })} w={160} />
          <Button variant="subtle" color={tone.red} onClick={() => setSteps((d) => d.filter((_, j) => j !== i).map((x, j) => ({ ...x, level: j + 1 })))}>
            {t('action.remove')}
          </Button>
        </Group>
      ))}
      <Group>
        <Button
          variant="default"
          onClick={() => setSteps((d) => [...d, { level: d.length + 1, notify: 'admin', delayMinutes: d.at(-1)?.delayMinutes ?? 0 }])}
          disabled={steps.length >= 10}
        >
          {t('sla.addLevel')}
        </Button>
        <Button onClick={() => save.mutate(steps)} loading={save.isPending}>
          {t('action.save')}
        </Button>
        {save.isSuccess && <span role="status">{t('common.saved')}</span>}
      </Group>
      {save.error && (
        <Alert color="red" role="alert">
          {errorMessage(save.error)}
        </Alert>
      )}
    </Stack>
  );
}

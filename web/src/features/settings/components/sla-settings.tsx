import { Alert, Button, Group, NumberInput, Paper, Select, Stack, Table, TextInput, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { QueryState } from '@/components/query-state';
import { errorMessage, type Schemas } from '@/lib/api/client';
import { useSites } from '@/lib/lookups';
import { t, type MessageKey } from '@/i18n';
import { useEscalationChain, useSaveEscalationChain, useSaveSlaPolicies, useSlaPolicies } from '../api/settings';

/** Response and resolution times per priority, and who is told after a breach, per site. */
export function SlaSettings() {
  const sites = useSites();
  const [siteId, setSiteId] = useState<string | null>(null);
  const site = siteId ?? sites.data?.items[0]?.id ?? null;
  const policies = useSlaPolicies(site);
  const chain = useEscalationChain(site);
  const savePolicies = useSaveSlaPolicies(site);
  const saveChain = useSaveEscalationChain(site);
  const [draft, setDraft] = useState<Schemas['SlaPolicyDto'][]>([]);
  const [steps, setSteps] = useState<Schemas['EscalationStepDto'][]>([]);
  useEffect(() => setDraft(policies.data ?? []), [policies.data]);
  useEffect(() => setSteps(chain.data ?? []), [chain.data]);

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
                      onChange={(v) => setDraft((d) => d.map((x, j) => (j === i ? { ...x, responseMinutes: Number(v) } : x)))}
                      w={140}
                    />
                  </Table.Td>
                  <Table.Td>
                    <NumberInput
                      aria-label={t('sla.resolutionFor', { priority: p.priority })}
                      value={p.resolutionMinutes}
                      min={1}
                      onChange={(v) => setDraft((d) => d.map((x, j) => (j === i ? { ...x, resolutionMinutes: Number(v) } : x)))}
                      w={140}
                    />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Group mt="sm">
            <Button onClick={() => savePolicies.mutate(draft)} loading={savePolicies.isPending}>
              {t('action.save')}
            </Button>
            {savePolicies.isSuccess && <span role="status">{t('common.saved')}</span>}
          </Group>
          {savePolicies.error && (
            <Alert color="red" role="alert" mt="sm">
              {errorMessage(savePolicies.error)}
            </Alert>
          )}
        </QueryState>
      </Paper>
      <Paper withBorder p="md">
        <Title order={2} size="h4" mb="xs">
          {t('sla.escalation')}
        </Title>
        <QueryState isPending={chain.isPending} error={chain.error}>
          <Stack gap="xs">
            {steps.map((s, i) => (
              <Group key={i} align="end">
                <TextInput label={t('sla.level', { n: s.level })} value={s.notify} onChange={(e) => {
                  const notify = e.currentTarget.value;
                  setSteps((d) => d.map((x, j) => (j === i ? { ...x, notify } : x)));
                }} w={220} />
                <NumberInput label={t('sla.delay')} value={s.delayMinutes} min={0} onChange={(v) => setSteps((d) => d.map((x, j) => (j === i ? { ...x, delayMinutes: Number(v) } : x)))} w={160} />
                <Button variant="subtle" color="red.8" onClick={() => setSteps((d) => d.filter((_, j) => j !== i).map((x, j) => ({ ...x, level: j + 1 })))}>
                  {t('action.remove')}
                </Button>
              </Group>
            ))}
            <Group>
              <Button variant="default" onClick={() => setSteps((d) => [...d, { level: d.length + 1, notify: 'admin', delayMinutes: 60 }])} disabled={steps.length >= 10}>
                {t('sla.addLevel')}
              </Button>
              <Button onClick={() => saveChain.mutate(steps)} loading={saveChain.isPending}>
                {t('action.save')}
              </Button>
              {saveChain.isSuccess && <span role="status">{t('common.saved')}</span>}
            </Group>
            {saveChain.error && (
              <Alert color="red" role="alert">
                {errorMessage(saveChain.error)}
              </Alert>
            )}
          </Stack>
        </QueryState>
      </Paper>
    </Stack>
  );
}

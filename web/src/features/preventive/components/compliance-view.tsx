import { Alert, Anchor, Badge, Button, Card, Group, Paper, Progress, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import { EmptyState, QueryState } from '@/components/query-state';
import { errorMessage, type Schemas } from '@/lib/api/client';
import { useMe } from '@/lib/auth/use-me';
import { tone } from '@/lib/colors';
import { downloadAuthed } from '@/lib/download';
import { formatDate } from '@/lib/format';
import { useSites } from '@/lib/lookups';
import { can } from '@/lib/permissions';
import { t, type MessageKey } from '@/i18n';
import { useCompliance, useUpdateInstance } from '../api/preventive';

const PERIODS = { '30': 30, '90': 90, '365': 365 } as const;

function Pct({ value }: { value: number | null | undefined }) {
  if (value == null) return <>—</>;
  const color = value >= 100 ? tone.green : value >= 90 ? tone.amber : tone.red;
  return (
    <Text span fw={700} c={color}>
      {value.toFixed(1)}%
    </Text>
  );
}

function TallyRow({ label, tally }: { label: string; tally: Schemas['TallyDto'] }) {
  return (
    <Table.Tr>
      <Table.Td>{label}</Table.Td>
      <Table.Td>{tally.scheduled}</Table.Td>
      <Table.Td>{tally.completedOnTime}</Table.Td>
      <Table.Td>{tally.completedLate}</Table.Td>
      <Table.Td>{tally.missed}</Table.Td>
      <Table.Td>{tally.overdue}</Table.Td>
      <Table.Td>{tally.open}</Table.Td>
      <Table.Td data-figure>
        <Pct value={tally.compliancePercent} />
      </Table.Td>
    </Table.Tr>
  );
}

function TallyTable({ title, rows }: { title: string; rows: { label: string; tally: Schemas['TallyDto'] }[] }) {
  return (
    <Paper withBorder p="md">
      <Title order={3} size="h4" mb="xs">
        {title}
      </Title>
      {/* Holds no links, so the keyboard reaches its horizontal scroll through the viewport. */}
      <Table.ScrollContainer minWidth={620} scrollAreaProps={{ viewportProps: { tabIndex: 0, role: 'region', 'aria-label': title } }}>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th />
              <Table.Th>{t('compliance.scheduled')}</Table.Th>
              <Table.Th>{t('compliance.onTime')}</Table.Th>
              <Table.Th>{t('compliance.late')}</Table.Th>
              <Table.Th>{t('compliance.missed')}</Table.Th>
              <Table.Th>{t('compliance.overdue')}</Table.Th>
              <Table.Th>{t('compliance.open')}</Table.Th>
              <Table.Th>{t('compliance.percent')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((r) => (
              <TallyRow key={r.label} {...r} />
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}

/** What a surveyor reads: compliance for a period, by risk class and strategy, and every
 * exception with its reason. */
export function ComplianceView() {
  const me = useMe().data;
  const sites = useSites();
  const [days, setDays] = useState<keyof typeof PERIODS>('365');
  const [siteId, setSiteId] = useState<string | null>(null);
  const [riskClass, setRiskClass] = useState<string | null>(null);
  const [now] = useState(() => Date.now());
  const from = new Date(now - PERIODS[days] * 24 * 3600_000).toISOString();
  const to = new Date(now).toISOString();
  const report = useCompliance({ from, to, siteId, riskClass });
  const r = report.data;
  const query = new URLSearchParams({ from, to, ...(siteId ? { siteId } : {}), ...(riskClass ? { riskClass } : {}) });

  return (
    <Stack>
      <Group align="end" wrap="wrap">
        <Select
          label={t('compliance.period')}
          data={[
            { value: '30', label: t('compliance.last30') },
            { value: '90', label: t('compliance.last90') },
            { value: '365', label: t('compliance.last365') },
          ]}
          value={days}
          onChange={(v) => v && setDays(v as keyof typeof PERIODS)}
          allowDeselect={false}
          w={180}
        />
        <Select
          label={t('org.site')}
          placeholder={t('calendar.allSites')}
          data={(sites.data?.items ?? []).map((s) => ({ value: s.id, label: s.name }))}
          value={siteId}
          onChange={setSiteId}
          clearable
          w={240}
        />
        <Select
          label={t('assets.risk')}
          placeholder={t('compliance.allRisk')}
          data={['high', 'medium', 'low'].map((x) => ({ value: x, label: t(`risk.${x}` as MessageKey) }))}
          value={riskClass}
          onChange={setRiskClass}
          clearable
          w={160}
        />
        <Button variant="default" onClick={() => void downloadAuthed(`/api/v1/preventive/compliance.csv?${query}`, 'pm-compliance.csv')}>
          {t('compliance.export')}
        </Button>
      </Group>
      <QueryState isPending={report.isPending} error={report.error} retry={() => void report.refetch()}>
        {r && r.overall.scheduled === 0 ? (
          <EmptyState title={t('compliance.nothing')} hint={t('compliance.nothingHint')} />
        ) : (
          r && (
            <>
              <SimpleGrid cols={{ base: 2, md: 4 }}>
                <Card withBorder>
                  <Text size="sm" c="dimmed">
                    {t('compliance.overall')}
                  </Text>
                  <Text fz={30}>
                    <Pct value={r.overall.compliancePercent} />
                  </Text>
                  <Text size="xs" c="dimmed">
                    {t('compliance.ofDecided', { n: r.overall.completedOnTime, of: r.overall.scheduled - r.overall.open })}
                  </Text>
                </Card>
                <Card withBorder>
                  <Text size="sm" c="dimmed">
                    {t('compliance.critical')}
                  </Text>
                  <Text fz={30}>
                    <Pct value={r.highRiskAndLifeSupport.compliancePercent} />
                  </Text>
                  <Text size="xs" c="dimmed">
                    {t('compliance.target100')}
                  </Text>
                </Card>
                <Card withBorder>
                  <Text size="sm" c="dimmed">
                    {t('compliance.completion')}
                  </Text>
                  <Text fz={30}>
                    <Pct value={r.overall.completionPercent} />
                  </Text>
                </Card>
                <Card withBorder>
                  <Text size="sm" c="dimmed">
                    {t('compliance.exceptions')}
                  </Text>
                  <Text fz={30} fw={700} c={r.overall.missed + r.overall.overdue ? tone.red : undefined}>
                    {r.overall.missed + r.overall.overdue + r.overall.completedLate}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {t('compliance.exceptionsHint', { missed: r.overall.missed, overdue: r.overall.overdue, late: r.overall.completedLate })}
                  </Text>
                </Card>
              </SimpleGrid>
              <Progress.Root size="xl" aria-hidden>
                <Progress.Section value={(100 * r.overall.completedOnTime) / Math.max(1, r.overall.scheduled)} color={tone.green} />
                <Progress.Section value={(100 * r.overall.completedLate) / Math.max(1, r.overall.scheduled)} color={tone.orange} />
                <Progress.Section value={(100 * (r.overall.missed + r.overall.overdue)) / Math.max(1, r.overall.scheduled)} color={tone.red} />
              </Progress.Root>
              {/* One above the other: side by side, the compliance column fell outside each. */}
              <TallyTable title={t('compliance.byRisk')} rows={r.byRiskClass.map((g) => ({ label: t(`risk.${g.key}` as MessageKey), tally: g }))} />
              <TallyTable title={t('compliance.byStrategy')} rows={r.byStrategy.map((g) => ({ label: t(`strategy.${g.key}` as MessageKey), tally: g }))} />
              <Exceptions list={r.exceptions} editable={can(me, 'preventive.manage')} />
            </>
          )
        )}
      </QueryState>
    </Stack>
  );
}

function Exceptions({ list, editable }: { list: Schemas['Exception'][]; editable: boolean }) {
  const update = useUpdateInstance();
  const [editing, setEditing] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  return (
    <Paper withBorder p="md">
      <Title order={3} size="h4" mb="xs">
        {t('compliance.exceptionsTitle')}
      </Title>
      {update.error && (
        <Alert color="red" role="alert" mb="xs">
          {errorMessage(update.error)}
        </Alert>
      )}
      {list.length === 0 ? (
        <EmptyState title={t('compliance.noExceptions')} />
      ) : (
        <Table.ScrollContainer minWidth={900}>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('plan.due')}</Table.Th>
                <Table.Th>{t('workOrder.asset')}</Table.Th>
                <Table.Th>{t('plan.name')}</Table.Th>
                <Table.Th>{t('compliance.outcome')}</Table.Th>
                <Table.Th>{t('plan.reason')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.map((e) => (
                <Table.Tr key={e.instanceId}>
                  <Table.Td>{formatDate(e.dueAt)}</Table.Td>
                  <Table.Td>
                    {e.assetName}{' '}
                    <Text span size="xs" c="dimmed">
                      {e.assetTag}
                    </Text>
                    {e.lifeSupport && (
                      <Badge size="xs" color={tone.red} ml={4}>
                        {t('assets.lifeSupportShort')}
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>{e.workOrderId ? <Link to={`/work-orders/${e.workOrderId}`}>{e.planName}</Link> : e.planName}</Table.Td>
                  <Table.Td>{t(`compliance.outcome.${e.outcome}` as MessageKey)}</Table.Td>
                  <Table.Td>
                    {editing === e.instanceId ? (
                      <Group gap="xs" wrap="nowrap">
                        <TextInput aria-label={t('plan.reason')} value={reason} onChange={(x) => setReason(x.currentTarget.value)} size="xs" w={260} />
                        <Button
                          size="compact-xs"
                          loading={update.isPending}
                          onClick={() =>
                            update.mutate({ id: e.instanceId, body: { missReason: reason.trim() || null } }, { onSuccess: () => setEditing(null) })
                          }
                        >
                          {t('action.save')}
                        </Button>
                      </Group>
                    ) : (
                      <Group gap="xs" wrap="nowrap">
                        <Text size="sm">
                          {e.reason ?? (
                            <Text span c={tone.red} size="sm">
                              {t('compliance.noReason')}
                            </Text>
                          )}
                        </Text>
                        {editable && (
                          <Anchor
                            component="button"
                            size="xs"
                            onClick={() => {
                              setEditing(e.instanceId);
                              setReason(e.reason ?? '');
                            }}
                          >
                            {t('compliance.explain')}
                          </Anchor>
                        )}
                      </Group>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Paper>
  );
}

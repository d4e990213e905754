import { ActionIcon, Anchor, Card, Group, Popover, Select, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';
import { QueryState } from '@/components/query-state';
import { t, type MessageKey } from '@/i18n';
import { useMe } from '@/lib/auth/use-me';
import { formatDate, formatDecimal, formatMoney, formatMoneyWhole } from '@/lib/format';
import { useClasses, useDepartments, useSites } from '@/lib/lookups';
import { DownloadButton, localDay } from './download-button';
import { BreakdownTable } from './breakdown-table';
import { useKpis, type Figure, type KpiFilters, type Kpis } from '../api/kpis';
import { COMPARISONS, PERIODS, comparedWith, rangeOf, type Comparison, type Period, type Range } from '../api/periods';

function formatValue(f: Figure | undefined, currency: string): string {
  if (!f || f.value === null || f.value === undefined) return '—';
  switch (f.unit) {
    case 'hours':
      return t('reports.hours', { value: formatDecimal(f.value) });
    case 'percent':
      return `${formatDecimal(f.value)} %`;
    case 'money':
      return formatMoneyWhole(f.value, currency);
    default:
      return String(Math.round(f.value));
  }
}

/** A work-order list showing what a figure counted, where the list can select it. */
function drillDown(key: string, q: KpiFilters): string | undefined {
  // The work-order list cannot select work by its equipment's class or risk.
  if (q.classId || q.riskClass) return undefined;
  const p = new URLSearchParams();
  if (q.departmentId) p.set('departmentId', q.departmentId);
  if (q.siteId) p.set('siteId', q.siteId);
  if (key === 'backlog') {
    p.set('open', 'true');
    p.set('sort', 'createdAt');
  } else if (key === 'mttr' || key === 'first_time_fix') {
    p.set('type', 'corrective');
    p.set('completedFrom', q.from);
    p.set('completedTo', q.to);
  } else if (['downtime', 'sla_response', 'sla_resolution', 'maintenance_cost'].includes(key)) {
    p.set('completedFrom', q.from);
    p.set('completedTo', q.to);
  } else if (key === 'time_on_hold' || key.startsWith('hold:')) {
    p.set('completedFrom', q.from);
    p.set('completedTo', q.to);
    if (key.startsWith('hold:')) p.set('holdReason', key.slice(5));
    else p.set('held', 'true');
  } else if (key === 'repeat_failures' || key === 'mtbf') {
    p.set('type', 'corrective');
    p.set('createdFrom', q.from);
    p.set('createdTo', q.to);
  } else if (key === 'mean_time_to_respond') {
    p.set('createdFrom', q.from);
    p.set('createdTo', q.to);
  } else {
    return undefined;
  }
  return `/work-orders?${p.toString()}`;
}

function FigureCard({ f, before, currency, link }: { f: Figure; before?: Figure; currency: string; link?: string }) {
  const value = formatValue(f, currency);
  return (
    <Card withBorder padding="md" data-testid={`kpi-${f.key}`}>
      <Group justify="space-between" align="flex-start" wrap="nowrap" gap="xs">
        <Text size="sm" c="dimmed">
          {f.name}
        </Text>
        <Popover width={300} position="bottom-end" withArrow shadow="md">
          <Popover.Target>
            <ActionIcon variant="subtle" size="sm" aria-label={t('reports.howCounted', { name: f.name })}>
              ?
            </ActionIcon>
          </Popover.Target>
          <Popover.Dropdown>
            <Text size="sm" fw={600}>
              {f.name}
            </Text>
            <Text size="sm">{f.formula}</Text>
            <Text size="xs" c="dimmed" mt={4}>
              {t('reports.counts', { rule: f.periodRule })}
            </Text>
          </Popover.Dropdown>
        </Popover>
      </Group>
      <Text fz={26} fw={700} data-figure style={{ overflowWrap: 'anywhere' }}>
        {link ? (
          <Anchor component={Link} to={link} inherit>
            {value}
          </Anchor>
        ) : (
          value
        )}
      </Text>
      <Text size="xs" c="dimmed">
        {t('reports.counted', { count: f.counted })}
        {before && ` · ${t('reports.before', { value: formatValue(before, currency) })}`}
      </Text>
    </Card>
  );
}

function SlaTable({ k }: { k: Kpis }) {
  if (k.slaByPriority.length === 0) return <Text c="dimmed">{t('reports.noneCompleted')}</Text>;
  return (
    <Table.ScrollContainer minWidth={340}>
      <Table striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('filter.priority')}</Table.Th>
            <Table.Th ta="right">{t('reports.completed')}</Table.Th>
            <Table.Th ta="right">{t('reports.responseMet')}</Table.Th>
            <Table.Th ta="right">{t('reports.resolutionMet')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {k.slaByPriority.map((s) => (
            <Table.Tr key={s.priority}>
              <Table.Td>{t(`priority.${s.priority}` as MessageKey)}</Table.Td>
              <Table.Td ta="right">{s.completed}</Table.Td>
              <Table.Td ta="right">{s.responsePercent === null || s.responsePercent === undefined ? '—' : `${s.responsePercent.toFixed(1)} %`}</Table.Td>
              <Table.Td ta="right">{s.resolutionPercent === null || s.resolutionPercent === undefined ? '—' : `${s.resolutionPercent.toFixed(1)} %`}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function BacklogTable({ k, q }: { k: Kpis; q: KpiFilters }) {
  if (k.backlog.length === 0) return <Text c="dimmed">{t('reports.noBacklog')}</Text>;
  return (
    <Table.ScrollContainer minWidth={520}>
      <Table striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('filter.department')}</Table.Th>
            <Table.Th ta="right">{t('reports.open')}</Table.Th>
            {k.ageBuckets.map((b) => (
              <Table.Th key={b} ta="right">
                {t('reports.days', { range: b })}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {k.backlog.map((b) => {
            const p = new URLSearchParams({ open: 'true', sort: 'createdAt' });
            if (b.departmentId) p.set('departmentId', b.departmentId);
            else if (q.departmentId) p.set('departmentId', q.departmentId);
            return (
              <Table.Tr key={b.departmentId ?? 'none'}>
                <Table.Td>{b.departmentName ?? t('reports.noDepartment')}</Table.Td>
                <Table.Td ta="right">
                  {b.departmentId ? (
                    <Anchor component={Link} to={`/work-orders?${p.toString()}`}>
                      {b.open}
                    </Anchor>
                  ) : (
                    b.open
                  )}
                </Table.Td>
                {b.byAge.map((n, i) => (
                  <Table.Td key={k.ageBuckets[i]} ta="right">
                    {n}
                  </Table.Td>
                ))}
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function CostTable({ k }: { k: Kpis }) {
  const rows: [string, number][] = [
    [t('reports.labour'), k.cost.labourMinor],
    [t('reports.parts'), k.cost.partsMinor],
    [t('reports.vendor'), k.cost.vendorMinor],
  ];
  return (
    <Table>
      <Table.Tbody>
        {rows.map(([label, v]) => (
          <Table.Tr key={label}>
            <Table.Td>{label}</Table.Td>
            <Table.Td ta="right">{formatMoney(v, k.currency)}</Table.Td>
          </Table.Tr>
        ))}
        <Table.Tr>
          <Table.Td fw={700}>{t('reports.total')}</Table.Td>
          <Table.Td ta="right" fw={700}>
            {formatMoney(k.cost.totalMinor, k.currency)}
          </Table.Td>
        </Table.Tr>
      </Table.Tbody>
    </Table>
  );
}

/** Why the completed work waited: hours on hold per the reason it last waited for. */
function DelaysTable({ k, q }: { k: Kpis; q: KpiFilters }) {
  if (k.delays.length === 0) return <Text c="dimmed">{t('reports.noDelays')}</Text>;
  return (
    <Table data-testid="delays">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t('reports.delayReason')}</Table.Th>
          <Table.Th ta="right">{t('reports.delayWork')}</Table.Th>
          <Table.Th ta="right">{t('reports.delayHours')}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {k.delays.map((d) => (
          <Table.Tr key={d.reason ?? ''}>
            <Table.Td>{d.name}</Table.Td>
            <Table.Td ta="right">
              {(() => {
                const link = d.reason ? drillDown(`hold:${d.reason}`, q) : undefined;
                return link ? (
                  <Anchor component={Link} to={link} aria-label={t('reports.delayList', { reason: d.name })}>
                    {d.workOrders}
                  </Anchor>
                ) : (
                  d.workOrders
                );
              })()}
            </Table.Td>
            <Table.Td ta="right">{d.hours.toFixed(1)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

const iso = (r: Range | undefined, extra: Omit<KpiFilters, 'from' | 'to'>): KpiFilters | undefined =>
  r && { from: r.from.toISOString(), to: r.to.toISOString(), ...extra };

/** Key figures of a period, each with its definition, compared with another period. */
export function ReportsPage() {
  const me = useMe().data;
  const [params, setParams] = useSearchParams();
  const period = (PERIODS as readonly string[]).includes(params.get('period') ?? '') ? (params.get('period') as Period) : 'this_month';
  const comparison = (COMPARISONS as readonly string[]).includes(params.get('compare') ?? '') ? (params.get('compare') as Comparison) : 'previous';
  const siteId = params.get('siteId') ?? undefined;
  const departmentId = params.get('departmentId') ?? undefined;
  const classId = params.get('classId') ?? undefined;
  const riskClass = params.get('riskClass') ?? undefined;
  const classes = useClasses().data ?? [];
  const sites = useSites().data?.items ?? [];
  const departments = (useDepartments().data?.items ?? []).filter((d) => !siteId || d.siteId === siteId);

  const range = useMemo(() => rangeOf(period), [period]);
  const place = { siteId, departmentId, classId, riskClass };
  const current = useKpis(iso(range, place));
  const before = useKpis(iso(comparedWith(range, comparison), place));
  const set = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    if (key === 'siteId') next.delete('departmentId');
    setParams(next, { replace: true });
  };
  const k = current.data;
  const q = iso(range, place)!;
  const last = new Date(range.to.getTime() - 1);

  return (
    <Stack>
      <Group justify="space-between" align="center">
        <Title order={1} size="h2">
          {t('reports.title')}
        </Title>
        <Group gap="xs">
          <DownloadButton path="kpis.pdf" query={q} fileName={`key-figures-${localDay(q.from)}.pdf`} label={t('reports.downloadFiguresPdf')} />
          <DownloadButton path="kpis.xlsx" query={q} fileName={`key-figures-${localDay(q.from)}.xlsx`} label={t('reports.downloadFigures')} />
        </Group>
      </Group>
      <Group align="flex-end" gap="sm">
        <Select
          label={t('reports.period')}
          data={PERIODS.map((p) => ({ value: p, label: t(`reports.period.${p}` as MessageKey) }))}
          value={period}
          onChange={(v) => set('period', v)}
          allowDeselect={false}
          w={180}
        />
        <Select
          label={t('reports.compare')}
          data={COMPARISONS.map((c) => ({ value: c, label: t(`reports.compare.${c}` as MessageKey) }))}
          value={comparison}
          onChange={(v) => set('compare', v)}
          allowDeselect={false}
          w={200}
        />
        {sites.length > 1 && (
          <Select
            label={t('reports.site')}
            placeholder={t('reports.allSites')}
            data={sites.map((s) => ({ value: s.id, label: s.name }))}
            value={siteId ?? null}
            onChange={(v) => set('siteId', v)}
            clearable
            w={220}
          />
        )}
        <Select
          label={t('filter.department')}
          placeholder={t('reports.allDepartments')}
          data={departments.map((d) => ({ value: d.id, label: d.name }))}
          value={departmentId ?? null}
          onChange={(v) => set('departmentId', v)}
          clearable
          searchable
          w={220}
        />
        <Select
          label={t('reports.class')}
          placeholder={t('reports.allClasses')}
          data={classes.map((c) => ({ value: c.id, label: c.name }))}
          value={classId ?? null}
          onChange={(v) => set('classId', v)}
          clearable
          searchable
          w={220}
        />
        <Select
          label={t('reports.risk')}
          placeholder={t('reports.anyRisk')}
          data={['high', 'medium', 'low'].map((r) => ({ value: r, label: t(`risk.${r}` as MessageKey) }))}
          value={riskClass ?? null}
          onChange={(v) => set('riskClass', v)}
          clearable
          w={160}
        />
      </Group>
      <Text size="sm" c="dimmed">
        {t('reports.range', { from: formatDate(range.from.toISOString()), to: formatDate(last.toISOString()) })}
      </Text>
      <QueryState isPending={current.isPending} error={current.error} retry={() => void current.refetch()}>
        {k && (
          <>
            <SimpleGrid cols={{ base: 1, xs: 2, md: 3, lg: 4 }}>
              {k.figures.map((f) => (
                <FigureCard
                  key={f.key}
                  f={f}
                  // The backlog is open work now: another period has the same.
                  before={f.key === 'backlog' ? undefined : before.data?.figures.find((b) => b.key === f.key)}
                  currency={k.currency || me?.currency || ''}
                  link={drillDown(f.key, q)}
                />
              ))}
            </SimpleGrid>
            <SimpleGrid cols={{ base: 1, lg: 2 }}>
              <Card withBorder>
                <Title order={2} size="h4" mb="sm">
                  {t('reports.slaTitle')}
                </Title>
                <SlaTable k={k} />
              </Card>
              <Card withBorder>
                <Title order={2} size="h4" mb="sm">
                  {t('reports.costTitle')}
                </Title>
                <CostTable k={k} />
              </Card>
              <Card withBorder>
                <Title order={2} size="h4" mb="sm">
                  {t('reports.delaysTitle')}
                </Title>
                <DelaysTable k={k} q={q} />
              </Card>
            </SimpleGrid>
            <BreakdownTable filters={q} />
            <Card withBorder>
              <Title order={2} size="h4" mb="sm">
                {t('reports.backlogTitle')}
              </Title>
              <BacklogTable k={k} q={q} />
            </Card>
          </>
        )}
      </QueryState>
    </Stack>
  );
}

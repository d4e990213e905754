import { Button, Card, Group, Select, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { QueryState } from '@/components/query-state';
import { t } from '@/i18n';
import { formatDecimal, formatMoney } from '@/lib/format';
import { useBreakdown, type GroupBy, type KpiFilters } from '../api/kpis';
import { DownloadButton, localDay } from './download-button';

const GROUPS: GroupBy[] = ['department', 'site', 'class', 'asset'];
/** Rows shown before "Show all": the costliest, which are what a manager reads first. */
const FIRST = 15;
const dash = (v: number | null | undefined, unit = '') => (v === null || v === undefined ? '—' : `${formatDecimal(v)}${unit}`);

/** Repairs, reliability and cost of the period per department, hospital, class or asset. */
export function BreakdownTable({ filters }: { filters: KpiFilters }) {
  const [by, setBy] = useState<GroupBy>('department');
  const [all, setAll] = useState(false);
  const q = useBreakdown(filters, by);
  const every = q.data?.rows ?? [];
  const rows = all ? every : every.slice(0, FIRST);
  const none = { department: t('reports.noDepartment'), site: '—', class: t('reports.noClass'), asset: t('reports.noEquipment') }[by];
  return (
    <Card withBorder>
      <Group justify="space-between" align="flex-end" mb="sm" gap="xs">
        <Title order={2} size="h4">
          {t('reports.breakdownTitle')}
        </Title>
        <Group gap="xs" align="flex-end">
          <Select
            label={t('reports.breakdownBy')}
            value={by}
            onChange={(v) => {
              if (!v) return;
              setBy(v as GroupBy);
              setAll(false);
            }}
            data={GROUPS.map((g) => ({ value: g, label: t(`reports.by.${g}`) }))}
            allowDeselect={false}
            w={200}
          />
          <DownloadButton
            path="breakdown.pdf"
            query={{ ...filters, by }}
            fileName={`breakdown-${by}-${localDay(filters.from)}.pdf`}
            label={t('reports.downloadPdf')}
          />
          <DownloadButton
            path="breakdown.xlsx"
            query={{ ...filters, by }}
            fileName={`breakdown-${by}-${localDay(filters.from)}.xlsx`}
            label={t('reports.downloadXlsx')}
          />
          <DownloadButton
            path="breakdown.csv"
            query={{ ...filters, by }}
            fileName={`breakdown-${by}-${localDay(filters.from)}.csv`}
            label={t('reports.downloadCsv')}
          />
        </Group>
      </Group>
      <QueryState isPending={q.isPending} error={q.error} retry={() => void q.refetch()}>
        {every.length === 0 ? (
          <Text c="dimmed">{t('reports.noneInBreakdown')}</Text>
        ) : (
          <Table.ScrollContainer minWidth={860}>
            <Table striped data-testid="breakdown">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t(`reports.by.${by}`)}</Table.Th>
                  <Table.Th ta="right">{t('reports.col.repairs')}</Table.Th>
                  <Table.Th ta="right">{t('reports.col.mttr')}</Table.Th>
                  <Table.Th ta="right">{t('reports.col.failures')}</Table.Th>
                  <Table.Th ta="right">{t('reports.col.mtbf')}</Table.Th>
                  <Table.Th ta="right">{t('reports.col.downtime')}</Table.Th>
                  <Table.Th ta="right">{t('reports.col.availability')}</Table.Th>
                  <Table.Th ta="right">{t('reports.col.cost')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((r) => (
                  <Table.Tr key={r.id ?? 'none'}>
                    <Table.Td>{r.name ?? none}</Table.Td>
                    <Table.Td ta="right">{r.repairs}</Table.Td>
                    <Table.Td ta="right">{dash(r.mttrHours, ' h')}</Table.Td>
                    <Table.Td ta="right">{r.failures}</Table.Td>
                    <Table.Td ta="right">{dash(r.mtbfHours, ' h')}</Table.Td>
                    <Table.Td ta="right">{dash(r.downtimeHours, ' h')}</Table.Td>
                    <Table.Td ta="right">{dash(r.availabilityPercent, ' %')}</Table.Td>
                    <Table.Td ta="right">{formatMoney(r.costMinor, q.data?.currency)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            {every.length > rows.length && (
              <Button variant="subtle" size="xs" mt="xs" onClick={() => setAll(true)}>
                {t('reports.showAll', { count: every.length })}
              </Button>
            )}
          </Table.ScrollContainer>
        )}
      </QueryState>
    </Card>
  );
}

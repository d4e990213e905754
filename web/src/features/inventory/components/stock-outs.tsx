import { Anchor, Badge, Button, Group, SegmentedControl, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import { EmptyState, QueryState } from '@/components/query-state';
import { t } from '@/i18n';
import { tone } from '@/lib/colors';
import { formatDateTime } from '@/lib/format';
import { quantityLabel, useStockOuts } from '../api/inventory';

const PERIODS = ['30', '90', '365', 'all'] as const;
type Period = (typeof PERIODS)[number];

/** The start of the period, to the minute so the query key stays put while the page is open. */
function since(period: Period): string | undefined {
  if (period === 'all') return undefined;
  const d = new Date(Date.now() - Number(period) * 86_400_000);
  d.setSeconds(0, 0);
  return d.toISOString();
}

/** Stock-outs: each time work asked a bin for a part it did not have, newest first. */
export function StockOuts() {
  const [period, setPeriod] = useState<Period>('90');
  const [from] = useState(() => Object.fromEntries(PERIODS.map((p) => [p, since(p)])) as Record<Period, string | undefined>);
  const list = useStockOuts(from[period]);
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const total = list.data?.pages[0]?.total ?? 0;
  return (
    <Stack gap="sm">
      <Group justify="space-between" align="end">
        <Text size="sm" c="dimmed" maw={640}>
          {t('parts.outsHint')}
        </Text>
        <SegmentedControl
          aria-label={t('parts.outsPeriod')}
          value={period}
          onChange={(v) => setPeriod(v as Period)}
          data={PERIODS.map((p) => ({ value: p, label: p === 'all' ? t('parts.outsAll') : t('parts.outsDays', { n: p }) }))}
        />
      </Group>
      <QueryState isPending={list.isPending} error={list.error} retry={() => void list.refetch()}>
        {items.length === 0 ? (
          <EmptyState title={t('parts.outsEmpty')} hint={t('parts.outsEmptyHint')} />
        ) : (
          <>
            <Text fw={700} data-figure data-testid="stock-outs-total">
              {t('parts.outsTotal', { n: total })}
            </Text>
            <Table.ScrollContainer minWidth={820}>
              <Table striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('parts.when')}</Table.Th>
                    <Table.Th>{t('parts.number')}</Table.Th>
                    <Table.Th>{t('parts.name')}</Table.Th>
                    <Table.Th>{t('parts.where')}</Table.Th>
                    <Table.Th ta="right">{t('parts.outsAsked')}</Table.Th>
                    <Table.Th ta="right">{t('parts.outsHeld')}</Table.Th>
                    <Table.Th>{t('parts.workOrder')}</Table.Th>
                    <Table.Th>{t('parts.by')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((o) => (
                    <Table.Tr key={o.id}>
                      <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(o.createdAt)}</Table.Td>
                      <Table.Td style={{ whiteSpace: 'nowrap' }}>
                        <Anchor component={Link} to={`/parts/${o.partId}`}>
                          {o.partNumber}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>
                        {o.partName}{' '}
                        {o.critical && (
                          <Badge size="xs" color={tone.red}>
                            {t('parts.critical')}
                          </Badge>
                        )}
                      </Table.Td>
                      <Table.Td style={{ whiteSpace: 'nowrap' }}>
                        {o.storeCode} · {o.binCode}
                      </Table.Td>
                      <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                        {quantityLabel(o.requested, o.unit)}
                      </Table.Td>
                      <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                        {quantityLabel(o.onHand, o.unit)}
                      </Table.Td>
                      <Table.Td>
                        {o.workOrderId ? (
                          <Anchor component={Link} to={`/work-orders/${o.workOrderId}`} size="sm">
                            {o.workOrderCode ?? t('parts.workOrder')}
                          </Anchor>
                        ) : (
                          '—'
                        )}
                      </Table.Td>
                      <Table.Td>{o.actorName}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </>
        )}
        {list.hasNextPage && (
          <Button variant="default" onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage} mx="auto">
            {t('action.loadMore')}
          </Button>
        )}
      </QueryState>
    </Stack>
  );
}

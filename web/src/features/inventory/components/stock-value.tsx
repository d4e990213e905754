import { Group, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { EmptyState, QueryState } from '@/components/query-state';
import { t } from '@/i18n';
import { useMe } from '@/lib/auth/use-me';
import { formatMoney } from '@/lib/format';
import { useStockValue } from '../api/inventory';

/** Share of the total as a whole percentage ("<1%" for a sliver, so nothing reads as 0). */
function share(value: number, total: number): string {
  if (total <= 0 || value <= 0) return '—';
  const pct = (value * 100) / total;
  return pct < 1 ? '<1%' : `${Math.round(pct)}%`;
}

/** Value on hand by store and by category, at moving average cost, for the stores the reader reaches. */
export function StockValue() {
  const currency = useMe().data?.currency;
  const value = useStockValue();
  const v = value.data;
  return (
    <QueryState isPending={value.isPending} error={value.error} retry={() => void value.refetch()}>
      {v && (
        <Stack>
          <Group align="baseline" gap="sm">
            <Text size="sm" c="dimmed">
              {t('parts.valueTotal')}
            </Text>
            <Text fw={700} size="xl" data-testid="stock-value-total" data-figure>
              {formatMoney(v.totalMinor, currency)}
            </Text>
          </Group>
          <Text size="sm" c="dimmed">
            {t('parts.valueHint')}
          </Text>
          {v.stores.length === 0 ? (
            <EmptyState title={t('parts.valueNoStores')} hint={t('parts.valueNoStoresHint')} />
          ) : (
            <SimpleGrid cols={{ base: 1, lg: 2 }}>
              <Paper withBorder p={{ base: 'xs', sm: 'md' }}>
                <Title order={2} size="h4" mb="xs">
                  {t('parts.valueByStore')}
                </Title>

                <Table>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('parts.store')}</Table.Th>
                      <Table.Th ta="right">{t('parts.valueParts')}</Table.Th>
                      <Table.Th ta="right">{t('parts.value')}</Table.Th>
                      <Table.Th ta="right" visibleFrom="sm">
                        {t('parts.valueShare')}
                      </Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {v.stores.map((s) => (
                      <Table.Tr key={s.storeId}>
                        <Table.Td>
                          {s.storeName}
                          <Text size="xs" c="dimmed">
                            {s.storeCode}
                          </Text>
                        </Table.Td>
                        <Table.Td ta="right">{s.parts}</Table.Td>
                        <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }} data-figure>
                          {formatMoney(s.valueMinor, currency)}
                        </Table.Td>
                        <Table.Td ta="right" visibleFrom="sm">
                          {share(s.valueMinor, v.totalMinor)}
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Paper>
              <Paper withBorder p={{ base: 'xs', sm: 'md' }}>
                <Title order={2} size="h4" mb="xs">
                  {t('parts.valueByCategory')}
                </Title>
                {v.categories.length === 0 ? (
                  <Text size="sm" c="dimmed">
                    {t('parts.valueNothing')}
                  </Text>
                ) : (
                  <Table>
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>{t('parts.category')}</Table.Th>
                        <Table.Th ta="right">{t('parts.valueParts')}</Table.Th>
                        <Table.Th ta="right">{t('parts.value')}</Table.Th>
                        <Table.Th ta="right" visibleFrom="sm">
                          {t('parts.valueShare')}
                        </Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {v.categories.map((c) => (
                        <Table.Tr key={c.category ?? ''}>
                          <Table.Td>{c.category ?? t('parts.noCategory')}</Table.Td>
                          <Table.Td ta="right">{c.parts}</Table.Td>
                          <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }} data-figure>
                            {formatMoney(c.valueMinor, currency)}
                          </Table.Td>
                          <Table.Td ta="right" visibleFrom="sm">
                            {share(c.valueMinor, v.totalMinor)}
                          </Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                )}
              </Paper>
            </SimpleGrid>
          )}
        </Stack>
      )}
    </QueryState>
  );
}

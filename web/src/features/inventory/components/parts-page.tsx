import { Anchor, Badge, Button, Checkbox, Group, Stack, Table, Tabs, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ImportDialog, type SheetImport } from '@/components/import-dialog';
import { EmptyState, QueryState } from '@/components/query-state';
import { t } from '@/i18n';
import { useMe } from '@/lib/auth/use-me';
import { tone } from '@/lib/colors';
import { downloadAuthed } from '@/lib/download';
import { formatMoney } from '@/lib/format';
import { can } from '@/lib/permissions';
import { quantityLabel, useParts, useReorderList, type PartFilters } from '../api/inventory';
import { NewPartDialog } from './new-part-dialog';
import { StockOuts } from './stock-outs';
import { StockValue } from './stock-value';

const VIEWS = ['all', 'low', 'reorder', 'outs', 'value'] as const;
type View = (typeof VIEWS)[number];

/** The stock book's sheet (messages read at render, in the user's language). */
const partsSheet = (): SheetImport => ({
  title: t('parts.importTitle'),
  hint: t('parts.importHint'),
  importPath: '/parts/import',
  templatePath: '/parts/import-template.csv',
  templateName: 'parts-template.csv',
  invalidates: ['inventory'],
});

/** Spare parts: the catalogue with stock, what is low, and what to order. */
export function PartsPage() {
  const me = useMe().data;
  const navigate = useNavigate();
  const { view: raw } = useParams();
  const view: View = VIEWS.includes(raw as View) ? (raw as View) : 'all';
  const [creating, setCreating] = useState(false);
  const [importing, setImporting] = useState(false);
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">
          {t('parts.title')}
        </Title>
        <Group gap="xs">
          <Button variant="default" onClick={() => void downloadAuthed('/api/v1/parts/export.csv', 'parts.csv')}>
            {t('parts.export')}
          </Button>
          {can(me, 'inventory.adjust') && (
            <>
              <Button variant="default" onClick={() => setImporting(true)}>
                {t('parts.import')}
              </Button>
              <Button onClick={() => setCreating(true)}>{t('parts.new')}</Button>
            </>
          )}
        </Group>
      </Group>
      <Tabs value={view} onChange={(v) => navigate(v === 'all' ? '/parts' : `/parts/view/${v}`)} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="all">{t('parts.viewAll')}</Tabs.Tab>
          <Tabs.Tab value="low">{t('parts.viewLow')}</Tabs.Tab>
          <Tabs.Tab value="reorder">{t('parts.viewReorder')}</Tabs.Tab>
          <Tabs.Tab value="outs">{t('parts.viewOuts')}</Tabs.Tab>
          <Tabs.Tab value="value">{t('parts.viewValue')}</Tabs.Tab>
        </Tabs.List>
      </Tabs>
      {view === 'reorder' ? <ReorderList /> : view === 'outs' ? <StockOuts /> : view === 'value' ? <StockValue /> : <Catalogue low={view === 'low'} />}
      <ImportDialog opened={importing} onClose={() => setImporting(false)} sheet={partsSheet()} />
      <NewPartDialog opened={creating} onClose={() => setCreating(false)} onCreated={(id) => navigate(`/parts/${id}`)} />
    </Stack>
  );
}

function Catalogue({ low }: { low: boolean }) {
  const me = useMe().data;
  const [text, setText] = useState('');
  const [q] = useDebouncedValue(text.trim(), 300);
  const [critical, setCritical] = useState(false);
  const [inactive, setInactive] = useState(false);
  const filters: PartFilters = { q: q || undefined, critical: critical || undefined, low: low || undefined, active: inactive ? undefined : true };
  const list = useParts(filters);
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <>
      <Group align="end" gap="sm" role="search">
        <TextInput label={t('filter.search')} placeholder={t('parts.searchHint')} value={text} onChange={(e) => setText(e.currentTarget.value)} w={260} />
        <Checkbox label={t('parts.criticalOnly')} checked={critical} onChange={(e) => setCritical(e.currentTarget.checked)} />
        <Checkbox label={t('parts.showObsolete')} checked={inactive} onChange={(e) => setInactive(e.currentTarget.checked)} />
      </Group>
      <QueryState isPending={list.isPending} error={list.error} retry={() => void list.refetch()}>
        {items.length === 0 ? (
          <EmptyState title={low ? t('parts.emptyLow') : t('parts.empty')} hint={low ? t('parts.emptyLowHint') : t('parts.emptyHint')} />
        ) : (
          <Table.ScrollContainer minWidth={760}>
            <Table striped highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('parts.number')}</Table.Th>
                  <Table.Th>{t('parts.name')}</Table.Th>
                  <Table.Th>{t('parts.category')}</Table.Th>
                  <Table.Th ta="right">{t('parts.onHand')}</Table.Th>
                  <Table.Th ta="right">{t('parts.value')}</Table.Th>
                  <Table.Th>{t('filter.status')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((p) => (
                  <Table.Tr key={p.id}>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      <Anchor component={Link} to={`/parts/${p.id}`}>
                        {p.partNumber}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      {p.name}{' '}
                      {p.critical && (
                        <Badge size="xs" color={tone.red}>
                          {t('parts.critical')}
                        </Badge>
                      )}
                    </Table.Td>
                    <Table.Td>{p.category ?? '—'}</Table.Td>
                    <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                      {quantityLabel(p.onHand, p.unit)}
                    </Table.Td>
                    <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                      {formatMoney(p.valueMinor, me?.currency)}
                    </Table.Td>
                    <Table.Td>
                      {!p.active ? (
                        <Badge color="gray.7">{t('parts.obsolete')}</Badge>
                      ) : p.low ? (
                        <Badge color={tone.orange}>{t('parts.low')}</Badge>
                      ) : p.onHand === '0' ? (
                        <Badge color={tone.red}>{t('parts.out')}</Badge>
                      ) : (
                        <Badge color={tone.green} variant="outline">
                          {t('parts.inStock')}
                        </Badge>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {list.hasNextPage && (
          <Button variant="default" onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage} mx="auto">
            {t('action.loadMore')}
          </Button>
        )}
      </QueryState>
    </>
  );
}

/** Parts at or below their reorder point, per store, with what to order to reach the maximum. */
function ReorderList() {
  const list = useReorderList();
  const items = list.data?.items ?? [];
  return (
    <QueryState isPending={list.isPending} error={list.error} retry={() => void list.refetch()}>
      {items.length === 0 ? (
        <EmptyState title={t('parts.reorderEmpty')} hint={t('parts.reorderEmptyHint')} />
      ) : (
        <Stack gap="xs">
          <Text size="sm" c="dimmed">
            {t('parts.reorderHint')}
          </Text>
          <Table.ScrollContainer minWidth={820}>
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('parts.number')}</Table.Th>
                  <Table.Th>{t('parts.name')}</Table.Th>
                  <Table.Th>{t('parts.store')}</Table.Th>
                  <Table.Th ta="right">{t('parts.available')}</Table.Th>
                  <Table.Th ta="right">{t('parts.reorderPoint')}</Table.Th>
                  <Table.Th ta="right">{t('parts.maximum')}</Table.Th>
                  <Table.Th ta="right">{t('parts.suggested')}</Table.Th>
                  <Table.Th ta="right">{t('parts.leadTime')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((r) => (
                  <Table.Tr key={`${r.partId}-${r.storeId}`}>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      <Anchor component={Link} to={`/parts/${r.partId}`}>
                        {r.partNumber}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      {r.partName}{' '}
                      {r.critical && (
                        <Badge size="xs" color={tone.red}>
                          {t('parts.critical')}
                        </Badge>
                      )}
                    </Table.Td>
                    <Table.Td>{r.storeName}</Table.Td>
                    <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                      {quantityLabel(r.available, r.unit)}
                    </Table.Td>
                    <Table.Td ta="right">{r.reorderPoint}</Table.Td>
                    <Table.Td ta="right">{r.maximum}</Table.Td>
                    <Table.Td ta="right" fw={700} style={{ whiteSpace: 'nowrap' }}>
                      {quantityLabel(r.suggestedQuantity, r.unit)}
                    </Table.Td>
                    <Table.Td ta="right">{r.leadTimeDays != null ? t('parts.days', { n: r.leadTimeDays }) : '—'}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Stack>
      )}
    </QueryState>
  );
}

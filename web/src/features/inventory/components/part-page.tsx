import { Alert, Anchor, Badge, Button, Group, Modal, Paper, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { EmptyState, QueryState } from '@/components/query-state';
import { errorMessage, fieldErrors } from '@/lib/api/client';
import { useMe } from '@/lib/auth/use-me';
import { tone } from '@/lib/colors';
import { formatDateTime, formatMoney } from '@/lib/format';
import { can } from '@/lib/permissions';
import { t, type MessageKey } from '@/i18n';
import { quantityLabel, usePart, usePartLedger, usePartStock, useSetLevels, type MovementKind, type PartStock, type SparePart } from '../api/inventory';
import { MovementDialog } from './movement-dialog';

const ACTIONS: MovementKind[] = ['receipt', 'issue', 'return', 'transfer', 'adjustment', 'count', 'write_off'];

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={700} size="lg" style={{ whiteSpace: 'nowrap' }}>
        {value}
      </Text>
    </div>
  );
}

/** One part: what it is, where it is and how much, and every movement that made it so. */
export function PartPage() {
  const { id = '' } = useParams();
  const part = usePart(id);
  return (
    <QueryState isPending={part.isPending} error={part.error} retry={() => void part.refetch()}>
      {part.data && <Detail part={part.data} />}
    </QueryState>
  );
}

function Detail({ part }: { part: SparePart }) {
  const me = useMe().data;
  const stock = usePartStock(part.id);
  const [moving, setMoving] = useState<MovementKind | null>(null);
  const [levelsFor, setLevelsFor] = useState<PartStock['stores'][number] | null>(null);
  const s = stock.data;
  const keeper = can(me, 'inventory.adjust');
  const avg = s && Number(s.onHand) > 0 ? Math.round(s.valueMinor / Number(s.onHand)) : null;

  return (
    <Stack>
      <Anchor component={Link} to="/parts" size="sm">
        ← {t('parts.title')}
      </Anchor>
      <Group justify="space-between" align="start">
        <div>
          <Text c="dimmed" size="sm">
            {part.partNumber}
            {part.category && ` · ${part.category}`}
          </Text>
          <Title order={1} size="h2">
            {part.name}
          </Title>
          <Text size="sm">{[part.manufacturer, part.manufacturerPartNumber].filter(Boolean).join(' · ')}</Text>
          {part.description && (
            <Text size="sm" c="dimmed" maw={640}>
              {part.description}
            </Text>
          )}
        </div>
        <Group gap="xs">
          {part.critical && <Badge color={tone.red}>{t('parts.critical')}</Badge>}
          {!part.active && <Badge color="gray.7">{t('parts.obsolete')}</Badge>}
          {part.low && <Badge color={tone.orange}>{t('parts.low')}</Badge>}
        </Group>
      </Group>
      <Paper withBorder p="md">
        <SimpleGrid cols={{ base: 2, sm: 4 }}>
          <Figure label={t('parts.onHand')} value={s ? quantityLabel(s.onHand, s.unit) : '…'} />
          <Figure label={t('parts.available')} value={s ? quantityLabel(s.available, s.unit) : '…'} />
          <Figure label={t('parts.value')} value={s ? formatMoney(s.valueMinor, me?.currency) : '…'} />
          <Figure label={t('parts.averageCost')} value={avg != null ? formatMoney(avg, me?.currency) : '—'} />
        </SimpleGrid>
      </Paper>
      {keeper && part.active && (
        <Group gap="xs">
          {/* Issues and returns name a work order, which only those who read work orders can choose. */}
          {ACTIONS.filter((k) => can(me, 'work_order.read') || (k !== 'issue' && k !== 'return')).map((k) => (
            <Button key={k} variant={k === 'receipt' || k === 'issue' ? 'filled' : 'default'} onClick={() => setMoving(k)}>
              {t(`movement.action.${k}` as MessageKey)}
            </Button>
          ))}
        </Group>
      )}
      <Paper withBorder p="md">
        <Title order={2} size="h4" mb="xs">
          {t('parts.stockByStore')}
        </Title>
        <QueryState isPending={stock.isPending} error={stock.error} retry={() => void stock.refetch()}>
          {s && s.stores.length === 0 ? (
            <EmptyState title={t('parts.noStock')} hint={keeper ? t('parts.noStockHint') : undefined} />
          ) : (
            <Table.ScrollContainer minWidth={720}>
              <Table>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('parts.store')}</Table.Th>
                    <Table.Th>{t('parts.bin')}</Table.Th>
                    <Table.Th ta="right">{t('parts.onHand')}</Table.Th>
                    <Table.Th ta="right">{t('parts.value')}</Table.Th>
                    <Table.Th ta="right">{t('parts.reorderPoint')}</Table.Th>
                    <Table.Th ta="right">{t('parts.maximum')}</Table.Th>
                    <Table.Th />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {(s?.stores ?? []).map((st) => (
                    <StoreRows
                      key={st.storeId}
                      store={st}
                      unit={s?.unit ?? ''}
                      currency={me?.currency}
                      onLevels={keeper ? () => setLevelsFor(st) : undefined}
                    />
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </QueryState>
      </Paper>
      <Ledger part={part} stock={s} />
      <MovementDialog part={part} stock={s} kind={moving} onClose={() => setMoving(null)} />
      <LevelsDialog part={part} store={levelsFor} onClose={() => setLevelsFor(null)} />
    </Stack>
  );
}

function StoreRows({ store, unit, currency, onLevels }: { store: PartStock['stores'][number]; unit: string; currency?: string; onLevels?: () => void }) {
  const bins = store.bins.length ? store.bins : [null];
  return (
    <>
      {bins.map((b, i) => (
        <Table.Tr key={b?.binId ?? 'none'}>
          <Table.Td>
            {i === 0 && (
              <Group gap={6} wrap="nowrap">
                <Text size="sm" fw={600}>
                  {store.storeName}
                </Text>
                {store.low && (
                  <Badge size="sm" color={tone.orange}>
                    {t('parts.low')}
                  </Badge>
                )}
              </Group>
            )}
          </Table.Td>
          <Table.Td style={{ whiteSpace: 'nowrap' }}>{b?.binCode ?? '—'}</Table.Td>
          <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
            {quantityLabel(b?.onHand ?? store.onHand, unit)}
          </Table.Td>
          <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
            {formatMoney(b?.valueMinor ?? store.valueMinor, currency)}
          </Table.Td>
          <Table.Td ta="right">{i === 0 ? (store.reorderPoint ?? '—') : ''}</Table.Td>
          <Table.Td ta="right">{i === 0 ? (store.maximum ?? '—') : ''}</Table.Td>
          <Table.Td ta="right">
            {i === 0 && onLevels && (
              <Button size="compact-sm" variant="subtle" onClick={onLevels}>
                {t('parts.setLevels')}
              </Button>
            )}
          </Table.Td>
        </Table.Tr>
      ))}
    </>
  );
}

function Ledger({ part, stock }: { part: SparePart; stock: PartStock | undefined }) {
  const me = useMe().data;
  const [storeId, setStoreId] = useState<string | null>(null);
  const ledger = usePartLedger(part.id, storeId ?? undefined);
  const items = ledger.data?.pages.flatMap((p) => p.items) ?? [];
  const stores = new Map((stock?.stores ?? []).map((s) => [s.storeId, s.storeName]));
  return (
    <Paper withBorder p="md">
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h4">
          {t('parts.ledger')}
        </Title>
        <Select
          aria-label={t('parts.ledgerStore')}
          placeholder={t('parts.allStores')}
          data={(stock?.stores ?? []).map((s) => ({ value: s.storeId, label: s.storeName }))}
          value={storeId}
          onChange={setStoreId}
          clearable
          w={240}
        />
      </Group>
      <Text size="xs" c="dimmed" mb="xs">
        {t('parts.ledgerHint')}
      </Text>
      <QueryState isPending={ledger.isPending} error={ledger.error} retry={() => void ledger.refetch()}>
        {items.length === 0 ? (
          <EmptyState title={t('parts.ledgerEmpty')} />
        ) : (
          <Table.ScrollContainer minWidth={900}>
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('parts.when')}</Table.Th>
                  <Table.Th>{t('parts.movement')}</Table.Th>
                  <Table.Th>{t('parts.where')}</Table.Th>
                  <Table.Th ta="right">{t('parts.quantity')}</Table.Th>
                  <Table.Th ta="right">{t('parts.balance')}</Table.Th>
                  <Table.Th ta="right">{t('parts.value')}</Table.Th>
                  <Table.Th>{t('parts.for')}</Table.Th>
                  <Table.Th>{t('parts.by')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((e) => (
                  <Table.Tr key={e.id}>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(e.createdAt)}</Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>{t(`entryKind.${e.kind}` as MessageKey)}</Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      {stores.get(e.storeId) ?? ''} · {e.binCode}
                    </Table.Td>
                    <Table.Td ta="right" c={e.quantity.startsWith('-') ? tone.red : tone.green} fw={600} style={{ whiteSpace: 'nowrap' }}>
                      {e.quantity.startsWith('-') ? e.quantity.replace('-', '−') : `+${e.quantity}`}
                    </Table.Td>
                    <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                      {quantityLabel(e.onHandAfter, part.unit)}
                    </Table.Td>
                    <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                      {formatMoney(e.valueMinor, me?.currency)}
                    </Table.Td>
                    <Table.Td>
                      {e.workOrderId ? (
                        <Anchor component={Link} to={`/work-orders/${e.workOrderId}`} size="sm">
                          {e.workOrderCode ?? t('parts.workOrder')}
                        </Anchor>
                      ) : (
                        <Text size="sm">{[e.reference, e.reason, e.note].filter(Boolean).join(' · ') || '—'}</Text>
                      )}
                    </Table.Td>
                    <Table.Td>{e.actorName}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {ledger.hasNextPage && (
          <Button variant="default" onClick={() => void ledger.fetchNextPage()} loading={ledger.isFetchingNextPage} mx="auto" display="block" mt="sm">
            {t('action.loadMore')}
          </Button>
        )}
      </QueryState>
    </Paper>
  );
}

/** Reorder point, maximum and lead time of the part in one store. */
function LevelsDialog({ part, store, onClose }: { part: SparePart; store: PartStock['stores'][number] | null; onClose: () => void }) {
  return (
    <Modal opened={store !== null} onClose={onClose} title={store ? t('parts.levelsTitle', { store: store.storeName }) : ''}>
      {store && <LevelsForm key={store.storeId} part={part} store={store} onDone={onClose} />}
    </Modal>
  );
}

function LevelsForm({ part, store, onDone }: { part: SparePart; store: PartStock['stores'][number]; onDone: () => void }) {
  const save = useSetLevels(part.id);
  const [point, setPoint] = useState(store.reorderPoint ?? '');
  const [max, setMax] = useState(store.maximum ?? '');
  const [lead, setLead] = useState(store.leadTimeDays != null ? String(store.leadTimeDays) : '');
  const errors = fieldErrors(save.error);
  const submit = () =>
    save.mutate(
      { storeId: store.storeId, body: { reorderPoint: point.trim(), maximum: max.trim(), leadTimeDays: lead.trim() ? Number(lead) : null } },
      { onSuccess: onDone },
    );
  return (
    <Stack>
      {save.error && !Object.keys(errors).length && (
        <Alert color="red" role="alert">
          {errorMessage(save.error)}
        </Alert>
      )}
      <TextInput
        label={t('parts.reorderPoint')}
        description={t('parts.reorderPointHint', { unit: part.unit })}
        inputMode="decimal"
        value={point}
        onChange={(e) => setPoint(e.currentTarget.value)}
        required
        error={errors.reorderPoint}
      />
      <TextInput
        label={t('parts.maximum')}
        description={t('parts.maximumHint')}
        inputMode="decimal"
        value={max}
        onChange={(e) => setMax(e.currentTarget.value)}
        required
        error={errors.maximum}
      />
      <TextInput
        label={t('parts.leadTimeDays')}
        inputMode="numeric"
        value={lead}
        onChange={(e) => setLead(e.currentTarget.value)}
        error={errors.leadTimeDays}
      />
      <Button onClick={submit} loading={save.isPending} disabled={!point.trim() || !max.trim()}>
        {t('action.save')}
      </Button>
    </Stack>
  );
}

import { Alert, Button, Group, Modal, Paper, Radio, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { EmptyState, QueryState } from '@/components/query-state';
import type { Schemas } from '@/lib/api/client';
import { useMe } from '@/lib/auth/use-me';
import { tone } from '@/lib/colors';
import { formatDateTime, formatMoney } from '@/lib/format';
import type { QueuedMutation } from '@/lib/offline/db';
import { t, type MessageKey } from '@/i18n';
import { usePartSearch, usePartStockForWork, useStoresForWork, useWorkOrderStock, type WorkOrder } from '../api/work-orders';

type Part = Schemas['SparePartDto'];

/** Every part this device has seen in a search: what can be chosen without signal. */
function useKnownParts(): Map<string, Part> {
  const qc = useQueryClient();
  const known = new Map<string, Part>();
  for (const [, data] of qc.getQueriesData<Schemas['SparePartPage']>({ queryKey: ['work-orders', 'part-search'] })) {
    for (const p of data?.items ?? []) known.set(p.id, p);
  }
  return known;
}

/**
 * The parts a work order used, from the stock ledger (net of returns, at the ledger's cost),
 * the issues still waiting on this device, and — for the person doing the work — taking a part
 * from a store bin, which goes through the offline queue like every other field change.
 */
export function PartsUsedPanel({
  wo,
  canIssue,
  waiting,
  onIssue,
}: {
  wo: WorkOrder;
  canIssue: boolean;
  waiting: QueuedMutation[];
  onIssue: (partId: string, binId: string, quantity: string) => Promise<void>;
}) {
  const me = useMe().data;
  const stock = useWorkOrderStock(wo.id, true);
  const known = useKnownParts();
  const [open, setOpen] = useState(false);
  const used = stock.data?.used.filter((u) => u.quantity !== '0') ?? [];

  return (
    <Stack>
      {canIssue && (
        <Button onClick={() => setOpen(true)} w="fit-content">
          {t('partsUsed.use')}
        </Button>
      )}
      {waiting.length > 0 && (
        <Alert color="orange" title={t('partsUsed.waitingTitle')} role="status">
          <Stack gap={2}>
            {waiting.map((m) => {
              const body = m.body as { partId: string; quantity: string };
              const p = known.get(body.partId);
              return (
                <Text key={m.id} size="sm">
                  {body.quantity} {p?.unit ?? ''} · {p ? `${p.partNumber} ${p.name}` : t('partsUsed.aPart')}
                </Text>
              );
            })}
          </Stack>
        </Alert>
      )}
      <QueryState isPending={stock.isPending} error={stock.error} retry={() => void stock.refetch()}>
        {used.length === 0 ? (
          <EmptyState title={t('partsUsed.empty')} hint={canIssue ? t('partsUsed.emptyHint') : undefined} />
        ) : (
          <Paper withBorder p="sm">
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('partsUsed.part')}</Table.Th>
                  <Table.Th ta="right">{t('partsUsed.quantity')}</Table.Th>
                  <Table.Th ta="right">{t('partsUsed.cost')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {used.map((u) => (
                  <Table.Tr key={u.partId}>
                    <Table.Td>
                      <Text size="sm" fw={600}>
                        {u.partNumber}
                      </Text>
                      <Text size="sm">{u.partName}</Text>
                    </Table.Td>
                    <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                      {u.quantity} {u.unit}
                    </Table.Td>
                    <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                      {formatMoney(u.valueMinor, me?.currency)}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            <Text size="sm" ta="right" mt="xs" fw={600}>
              {t('partsUsed.total', { cost: formatMoney(stock.data?.valueMinor ?? 0, me?.currency) })}
            </Text>
          </Paper>
        )}
        {(stock.data?.entries.length ?? 0) > 0 && (
          <Stack gap={2}>
            {stock.data!.entries.map((e) => (
              <Text key={e.id} size="xs" c="dimmed">
                {formatDateTime(e.createdAt)} · {t(`entryKind.${e.kind}` as MessageKey)} {e.quantity.replace('-', '')} {e.unit} {e.partNumber} · {e.storeName}{' '}
                {e.binCode} · {e.actorName}
              </Text>
            ))}
          </Stack>
        )}
      </QueryState>
      <Modal opened={open} onClose={() => setOpen(false)} title={t('partsUsed.use')}>
        {open && <UsePartForm wo={wo} onIssue={onIssue} onDone={() => setOpen(false)} />}
      </Modal>
    </Stack>
  );
}

function UsePartForm({
  wo,
  onIssue,
  onDone,
}: {
  wo: WorkOrder;
  onIssue: (partId: string, binId: string, quantity: string) => Promise<void>;
  onDone: () => void;
}) {
  const [text, setText] = useState('');
  const [q] = useDebouncedValue(text.trim(), 300);
  const search = usePartSearch(q);
  const stores = useStoresForWork();
  const known = useKnownParts();
  const [partId, setPartId] = useState<string | null>(null);
  const [binId, setBinId] = useState<string | null>(null);
  const [quantity, setQuantity] = useState('1');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // Offline, the search answers from every part seen before.
  const options = useMemo(() => {
    if (search.data) return search.data.items;
    const needle = q.toLowerCase();
    return [...known.values()].filter((p) => !needle || `${p.partNumber} ${p.name}`.toLowerCase().includes(needle)).slice(0, 30);
  }, [search.data, known, q]);
  const part = options.find((p) => p.id === partId) ?? (partId ? known.get(partId) : undefined);
  const where = usePartStockForWork(partId);
  const held = new Map<string, string>();
  for (const s of where.data?.stores ?? []) for (const b of s.bins) held.set(b.binId, b.onHand);
  // Parts come from a store at the work order's hospital; bins that hold the part say how many.
  const bins = (stores.data?.items ?? [])
    .filter((s) => s.siteId === wo.siteId)
    .map((s) => ({
      group: s.name,
      items: s.bins.map((b) => ({
        value: b.id,
        label: `${s.code} · ${b.code}${held.has(b.id) ? ` — ${t('movement.onHandIn', { n: held.get(b.id) ?? '0', unit: part?.unit ?? '' })}` : ''}`,
      })),
    }));
  const choosePart = (id: string) => {
    setPartId(id);
    setBinId(null);
  };
  // Offer the bin at this hospital that holds the most of the chosen part.
  const fullest = [...held.entries()]
    .filter(([id]) => bins.some((g) => g.items.some((i) => i.value === id)))
    .sort((a, b) => Number(b[1]) - Number(a[1]))[0]?.[0];
  const bin = binId ?? (fullest && Number(held.get(fullest)) > 0 ? fullest : null);

  const submit = async () => {
    if (!partId || !bin) return;
    setBusy(true);
    setError(null);
    try {
      await onIssue(partId, bin, quantity.trim());
      onDone();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack>
      {error && (
        <Alert color="red" role="alert">
          {error}
        </Alert>
      )}
      <TextInput label={t('partsUsed.find')} placeholder={t('parts.searchHint')} value={text} onChange={(e) => setText(e.currentTarget.value)} />
      <Radio.Group label={t('partsUsed.part')} value={partId} onChange={choosePart}>
        <Stack gap={6} mt={4} mah={260} style={{ overflowY: 'auto' }}>
          {options.length === 0 && (
            <Text size="sm" c="dimmed">
              {t('partsUsed.noParts')}
            </Text>
          )}
          {options.map((p) => (
            <Radio
              key={p.id}
              value={p.id}
              label={`${p.partNumber} · ${p.name}`}
              description={t('partsUsed.inStock', { n: p.onHand, unit: p.unit })}
              styles={{ description: { color: p.onHand === '0' ? tone.red : undefined } }}
            />
          ))}
        </Stack>
      </Radio.Group>
      <Select label={t('partsUsed.from')} data={bins} value={bin} onChange={setBinId} required nothingFoundMessage={t('movement.noBins')} />
      <Group grow>
        <TextInput
          label={t('movement.quantity', { unit: part?.unit ?? '' })}
          inputMode="decimal"
          value={quantity}
          onChange={(e) => setQuantity(e.currentTarget.value)}
          required
        />
      </Group>
      <Button size="md" onClick={() => void submit()} loading={busy} disabled={!partId || !bin || !quantity.trim()}>
        {t('partsUsed.take')}
      </Button>
      <Text size="xs" c="dimmed">
        {t('partsUsed.offlineHint')}
      </Text>
    </Stack>
  );
}

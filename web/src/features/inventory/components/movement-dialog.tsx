import { Alert, Button, Modal, Select, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMemo, useState } from 'react';
import { errorMessage, fieldErrors, type Schemas } from '@/lib/api/client';
import { useMe } from '@/lib/auth/use-me';
import { uuidv7 } from '@/lib/offline/uuid';
import { t, type MessageKey } from '@/i18n';
import { useMoveStock, useOpenWorkOrders, useStores, type MovementKind, type PartStock, type SparePart } from '../api/inventory';

type WriteOffReason = NonNullable<Schemas['CreateMovement']['writeOffReason']>;
const WRITE_OFF: WriteOffReason[] = ['damaged', 'expired', 'recalled', 'lost'];

/** Minor units in one unit of the currency (100 for KES, 1 for JPY). */
function minorPerUnit(currency: string | undefined): number {
  if (!currency) return 100;
  const digits = new Intl.NumberFormat(undefined, { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return 10 ** digits;
}

/** `"1,250.50"` in currency units to minor units, or undefined when it is not a price. */
export function toMinor(raw: string, perUnit: number): number | undefined {
  const v = raw.replace(/[\s,]/g, '');
  if (!/^\d+(\.\d+)?$/.test(v)) return undefined;
  return Math.round(Number(v) * perUnit);
}

/**
 * One stock movement of one part: receive, issue to a work order, return from one, transfer
 * between bins, adjust, count or write off. Each asks only what its kind needs; the server checks
 * it all again and says which field is wrong.
 */
export function MovementDialog({
  part,
  stock,
  kind,
  onClose,
}: {
  part: SparePart;
  stock: PartStock | undefined;
  kind: MovementKind | null;
  onClose: () => void;
}) {
  return (
    <Modal opened={kind !== null} onClose={onClose} title={kind ? t(`movement.title.${kind}` as MessageKey, { part: part.partNumber }) : ''}>
      {/* Remounted per opening: a fresh form and a fresh idempotency key each time. */}
      {kind && <MovementForm key={kind} part={part} stock={stock} kind={kind} onDone={onClose} />}
    </Modal>
  );
}

function MovementForm({ part, stock, kind, onDone }: { part: SparePart; stock: PartStock | undefined; kind: MovementKind; onDone: () => void }) {
  const me = useMe().data;
  const stores = useStores();
  const move = useMoveStock();
  const [key] = useState(() => uuidv7());
  const [binId, setBinId] = useState<string | null>(null);
  const [toBinId, setToBinId] = useState<string | null>(null);
  const [quantity, setQuantity] = useState('');
  const [unitCost, setUnitCost] = useState('');
  const [reason, setReason] = useState('');
  const [writeOff, setWriteOff] = useState<string | null>(null);
  const [reference, setReference] = useState('');
  const [note, setNote] = useState('');
  const [workOrderId, setWorkOrderId] = useState<string | null>(null);
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const toWork = kind === 'issue' || kind === 'return';
  const work = useOpenWorkOrders(q, toWork);
  const errors = fieldErrors(move.error);
  const perUnit = minorPerUnit(me?.currency);

  const onHand = useMemo(() => {
    const m = new Map<string, string>();
    for (const s of stock?.stores ?? []) for (const b of s.bins) m.set(b.binId, b.onHand);
    return m;
  }, [stock]);
  const bins = (stores.data?.items ?? []).map((s) => ({
    group: `${s.name} (${s.code})`,
    items: s.bins.map((b) => ({
      value: b.id,
      label: `${s.code} · ${b.code}${onHand.has(b.id) ? ` — ${t('movement.onHandIn', { n: onHand.get(b.id) ?? '0', unit: part.unit })}` : ''}`,
    })),
  }));
  const workOptions = (work.data?.items ?? []).map((w) => ({ value: w.id, label: `${w.code} · ${w.title}` }));

  const submit = () => {
    const body: Schemas['CreateMovement'] = {
      kind,
      partId: part.id,
      binId: binId ?? '',
      note: note.trim() || null,
    };
    if (kind === 'count') body.countedQuantity = quantity.trim();
    else body.quantity = quantity.trim();
    if (kind === 'receipt') {
      body.unitCostMinor = toMinor(unitCost, perUnit) ?? null;
      body.reference = reference.trim() || null;
    }
    if (toWork) body.workOrderId = workOrderId;
    if (kind === 'transfer') body.toBinId = toBinId;
    if (kind === 'adjustment') body.reason = reason.trim() || null;
    if (kind === 'write_off') body.writeOffReason = (writeOff ?? undefined) as WriteOffReason | undefined;
    move.mutate({ body, key }, { onSuccess: onDone });
  };
  const costMissing = kind === 'receipt' && toMinor(unitCost, perUnit) === undefined;

  return (
    <Stack>
      {move.error && !Object.keys(errors).length && (
        <Alert color="red" role="alert">
          {errorMessage(move.error)}
        </Alert>
      )}
      <Select
        label={kind === 'transfer' ? t('movement.fromBin') : kind === 'receipt' || kind === 'return' ? t('movement.intoBin') : t('movement.bin')}
        data={bins}
        value={binId}
        onChange={setBinId}
        searchable
        required
        error={errors.binId}
        nothingFoundMessage={t('movement.noBins')}
      />
      {kind === 'transfer' && (
        <Select label={t('movement.toBin')} data={bins} value={toBinId} onChange={setToBinId} searchable required error={errors.toBinId} />
      )}
      {toWork && (
        <Select
          label={t('movement.workOrder')}
          placeholder={t('movement.workOrderHint')}
          data={workOptions}
          value={workOrderId}
          onChange={setWorkOrderId}
          searchable
          searchValue={search}
          onSearchChange={setSearch}
          filter={({ options }) => options}
          required
          error={errors.workOrderId}
          nothingFoundMessage={t('movement.noWorkOrders')}
        />
      )}
      <TextInput
        label={kind === 'count' ? t('movement.counted', { unit: part.unit }) : t('movement.quantity', { unit: part.unit })}
        description={kind === 'adjustment' ? t('movement.adjustHint') : part.decimals > 0 ? t('movement.decimalsHint', { n: part.decimals }) : undefined}
        inputMode={kind === 'adjustment' ? 'text' : 'decimal'}
        value={quantity}
        onChange={(e) => setQuantity(e.currentTarget.value)}
        required
        error={errors.quantity ?? errors.countedQuantity}
      />
      {kind === 'receipt' && (
        <>
          <TextInput
            label={t('movement.unitCost', { currency: me?.currency ?? '' })}
            inputMode="decimal"
            value={unitCost}
            onChange={(e) => setUnitCost(e.currentTarget.value)}
            required
            error={errors.unitCostMinor ?? (unitCost && costMissing ? t('movement.costInvalid') : undefined)}
          />
          <TextInput
            label={t('movement.reference')}
            description={t('movement.referenceHint')}
            value={reference}
            onChange={(e) => setReference(e.currentTarget.value)}
            maxLength={120}
            error={errors.reference}
          />
        </>
      )}
      {kind === 'adjustment' && (
        <TextInput
          label={t('movement.reason')}
          value={reason}
          onChange={(e) => setReason(e.currentTarget.value)}
          required
          maxLength={500}
          error={errors.reason}
        />
      )}
      {kind === 'write_off' && (
        <Select
          label={t('movement.writeOffReason')}
          data={WRITE_OFF.map((r) => ({ value: r, label: t(`writeOff.${r}` as MessageKey) }))}
          value={writeOff}
          onChange={setWriteOff}
          required
          error={errors.writeOffReason}
        />
      )}
      {kind === 'count' && (
        <Text size="sm" c="dimmed">
          {t('movement.countHint')}
        </Text>
      )}
      <Textarea
        label={t('movement.note')}
        value={note}
        onChange={(e) => setNote(e.currentTarget.value)}
        autosize
        minRows={1}
        maxLength={2000}
        error={errors.note}
      />
      <Button onClick={submit} loading={move.isPending} disabled={!binId || !quantity.trim() || costMissing || (toWork && !workOrderId)}>
        {t(`movement.submit.${kind}` as MessageKey)}
      </Button>
    </Stack>
  );
}

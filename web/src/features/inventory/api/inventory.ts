import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '@/lib/api/client';
import type { paths } from '@/lib/api/schema';

export type SparePart = Schemas['SparePartDto'];
export type Store = Schemas['StoreDto'];
export type StockEntry = Schemas['StockEntryDto'];
export type PartStock = Schemas['PartStockDto'];
export type ReorderLine = Schemas['ReorderLineDto'];
export type Movement = Schemas['CreateMovement'];
export type MovementKind = Schemas['MovementRequestKind'];
export type PartFilters = NonNullable<paths['/api/v1/parts']['get']['parameters']['query']>;

export const inventoryKeys = {
  all: ['inventory'] as const,
  parts: (f: PartFilters) => ['inventory', 'parts', f] as const,
  part: (id: string) => ['inventory', 'part', id] as const,
  stock: (id: string) => ['inventory', 'stock', id] as const,
  ledger: (id: string, storeId?: string) => ['inventory', 'ledger', id, storeId ?? null] as const,
  stores: ['inventory', 'stores'] as const,
  reorder: ['inventory', 'reorder'] as const,
  value: ['inventory', 'value'] as const,
  outs: (from?: string) => ['inventory', 'outs', from ?? null] as const,
};

/** The catalogue, 50 parts a page, each with its stock over every store. */
export function useParts(filters: PartFilters) {
  return useInfiniteQuery({
    queryKey: inventoryKeys.parts(filters),
    queryFn: ({ pageParam }) => unwrap(api.GET('/api/v1/parts', { params: { query: { limit: 50, ...filters, cursor: pageParam } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

export function usePart(id: string) {
  return useQuery({ queryKey: inventoryKeys.part(id), queryFn: () => unwrap(api.GET('/api/v1/parts/{id}', { params: { path: { id } } })) });
}

export function usePartStock(id: string) {
  return useQuery({ queryKey: inventoryKeys.stock(id), queryFn: () => unwrap(api.GET('/api/v1/parts/{id}/stock', { params: { path: { id } } })) });
}

/** A part's ledger, newest first, each entry with the balance after it. */
export function usePartLedger(id: string, storeId?: string) {
  return useInfiniteQuery({
    queryKey: inventoryKeys.ledger(id, storeId),
    queryFn: ({ pageParam }) => unwrap(api.GET('/api/v1/parts/{id}/ledger', { params: { path: { id }, query: { limit: 50, storeId, cursor: pageParam } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useStores(enabled = true) {
  return useQuery({
    queryKey: inventoryKeys.stores,
    queryFn: () => unwrap(api.GET('/api/v1/stores', { params: { query: { active: true } } })),
    enabled,
    staleTime: 60_000,
  });
}

export function useReorderList(enabled = true) {
  return useQuery({ queryKey: inventoryKeys.reorder, queryFn: () => unwrap(api.GET('/api/v1/stock/reorder')), enabled });
}

/** What the stock in the stores the reader reaches is worth, by store and by category. */
export function useStockValue() {
  return useQuery({ queryKey: inventoryKeys.value, queryFn: () => unwrap(api.GET('/api/v1/stock/value')) });
}

/** Stock-outs (issues refused for want of stock) since `from`, newest first, with their total. */
export function useStockOuts(from?: string) {
  return useInfiniteQuery({
    queryKey: inventoryKeys.outs(from),
    queryFn: ({ pageParam }) => unwrap(api.GET('/api/v1/stock/outs', { params: { query: { limit: 50, from, cursor: pageParam } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

/** Open work orders matching `q`, for choosing the one parts are issued to or returned from. */
export function useOpenWorkOrders(q: string, enabled: boolean) {
  return useQuery({
    queryKey: ['inventory', 'work-orders', q],
    queryFn: () => unwrap(api.GET('/api/v1/work-orders', { params: { query: { open: true, q: q || undefined, limit: 20 } } })),
    enabled,
    placeholderData: keepPreviousData,
  });
}

export function useCreatePart() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas['CreateSparePart']) => unwrap(api.POST('/api/v1/parts', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: inventoryKeys.all }),
  });
}

export function useSetLevels(partId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ storeId, body }: { storeId: string; body: Schemas['SetLevels'] }) =>
      unwrap(api.PUT('/api/v1/parts/{id}/levels/{store_id}', { params: { path: { id: partId, store_id: storeId } }, body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: inventoryKeys.all }),
  });
}

/**
 * Posts one movement; every stock figure on screen is refreshed from the ledger after it. `key`
 * is made once per dialog, so sending again after a lost answer cannot post the movement twice.
 */
export function useMoveStock() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ body, key }: { body: Movement; key: string }) => unwrap(api.POST('/api/v1/stock-movements', { body, headers: { 'Idempotency-Key': key } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: inventoryKeys.all }),
  });
}

/** `"12.5"` in the part's unit, e.g. `12.5 m`; whole units read `3 each`. */
export function quantityLabel(quantity: string, unit: string): string {
  return `${quantity} ${unit}`;
}

import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '@/lib/api/client';
import type { paths } from '@/lib/api/schema';

export type WorkOrder = Schemas['WorkOrderDto'];
export type Status = Schemas['StatusDto'];
export type Priority = Schemas['PriorityDto'];
export type WorkType = Schemas['TypeDto'];
export type WorkOrderFilters = NonNullable<paths['/api/v1/work-orders']['get']['parameters']['query']>;

export const STATUSES: Status[] = ['pending', 'assigned', 'in_progress', 'on_hold', 'completed', 'closed', 'cancelled'];
export const PRIORITIES: Priority[] = ['critical', 'high', 'medium', 'low'];
export const TYPES: WorkType[] = ['corrective', 'preventive', 'inspection', 'calibration', 'safety_test', 'installation'];

/** Who does the work, as the list shows it: the person, else the vendor company. */
export function assigneeLabel(wo: WorkOrder): string | null {
  return wo.names?.assignee ?? wo.names?.vendorCompany ?? null;
}

export const keys = {
  all: ['work-orders'] as const,
  list: (f: WorkOrderFilters) => ['work-orders', 'list', f] as const,
  one: (id: string) => ['work-orders', 'one', id] as const,
  history: (id: string) => ['work-orders', 'history', id] as const,
  notes: (id: string) => ['work-orders', 'notes', id] as const,
  time: (id: string) => ['work-orders', 'time', id] as const,
  attachments: (id: string) => ['work-orders', 'attachments', id] as const,
  checklist: (id: string) => ['work-orders', 'checklist', id] as const,
  stock: (id: string) => ['work-orders', 'stock', id] as const,
  partSearch: (q: string) => ['work-orders', 'part-search', q] as const,
  stores: ['work-orders', 'stores'] as const,
  partStock: (id: string) => ['work-orders', 'part-stock', id] as const,
};

/** Where a part is and how much, to take it from a bin that holds it (kept on the device). */
export function usePartStockForWork(partId: string | null) {
  return useQuery({
    queryKey: keys.partStock(partId ?? ''),
    queryFn: () => unwrap(api.GET('/api/v1/parts/{id}/stock', { params: { path: { id: partId ?? '' } } })),
    enabled: !!partId,
  });
}

/** The parts this work order took from the stores and gave back, from the stock ledger. */
export function useWorkOrderStock(id: string, enabled: boolean) {
  return useQuery({
    queryKey: keys.stock(id),
    queryFn: () => unwrap(api.GET('/api/v1/work-orders/{id}/stock', { params: { path: { id } } })),
    enabled,
  });
}

/** Active catalogue parts matching `q`. Every answer is kept on the device, so a technician
 * without signal can still find any part they have seen. */
export function usePartSearch(q: string) {
  return useQuery({
    queryKey: keys.partSearch(q),
    queryFn: () => unwrap(api.GET('/api/v1/parts', { params: { query: { q: q || undefined, active: true, limit: 30 } } })),
    placeholderData: keepPreviousData,
  });
}

/** The stores (and their bins) the caller may take parts from; kept on the device too. */
export function useStoresForWork() {
  return useQuery({
    queryKey: keys.stores,
    queryFn: () => unwrap(api.GET('/api/v1/stores', { params: { query: { active: true } } })),
    staleTime: 5 * 60_000,
  });
}

/** Work orders matching the filters, 50 per page, pages fetched as the user asks for more. */
export function useWorkOrders(filters: WorkOrderFilters) {
  return useInfiniteQuery({
    queryKey: keys.list(filters),
    queryFn: ({ pageParam }) => unwrap(api.GET('/api/v1/work-orders', { params: { query: { limit: 50, ...filters, cursor: pageParam } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

export function useWorkOrder(id: string) {
  return useQuery({
    queryKey: keys.one(id),
    queryFn: () => unwrap(api.GET('/api/v1/work-orders/{id}', { params: { path: { id } } })),
  });
}

export function useHistory(id: string) {
  return useQuery({
    queryKey: keys.history(id),
    queryFn: () => unwrap(api.GET('/api/v1/work-orders/{id}/history', { params: { path: { id } } })),
  });
}

export function useNotes(id: string) {
  return useQuery({
    queryKey: keys.notes(id),
    queryFn: () => unwrap(api.GET('/api/v1/work-orders/{id}/notes', { params: { path: { id } } })),
  });
}

export function useTimeLogs(id: string) {
  return useQuery({
    queryKey: keys.time(id),
    queryFn: () => unwrap(api.GET('/api/v1/work-orders/{id}/time-logs', { params: { path: { id } } })),
  });
}

export function useAttachments(id: string) {
  return useQuery({
    queryKey: keys.attachments(id),
    queryFn: () => unwrap(api.GET('/api/v1/work-orders/{id}/attachments', { params: { path: { id } } })),
  });
}

/** The work order's checklist, if it has one (preventive work). */
export function useChecklist(id: string, enabled: boolean) {
  return useQuery({
    queryKey: keys.checklist(id),
    queryFn: () => unwrap(api.GET('/api/v1/work-orders/{id}/checklist', { params: { path: { id } } })),
    enabled,
  });
}

/** Refetches everything about one work order (and the lists it appears in). */
export function useRefreshWorkOrder() {
  const qc = useQueryClient();
  return (id: string) => {
    void qc.invalidateQueries({ queryKey: keys.all });
    void qc.invalidateQueries({ queryKey: ['dashboard'] });
    void qc.invalidateQueries({ queryKey: keys.one(id) });
  };
}

export function useCreateWorkOrder() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas['CreateWorkOrder']) => unwrap(api.POST('/api/v1/work-orders', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.all }),
  });
}

/** Manager actions (desk, online): field changes, assignment, approval, rejection. */
export function useUpdateWorkOrder(id: string) {
  const refresh = useRefreshWorkOrder();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas['UpdateWorkOrder']) => unwrap(api.PATCH('/api/v1/work-orders/{id}', { params: { path: { id } }, body })),
    onSuccess: (wo) => {
      qc.setQueryData(keys.one(id), wo);
      refresh(id);
    },
  });
}

export function useApproveClose(id: string) {
  const refresh = useRefreshWorkOrder();
  return useMutation({
    mutationFn: (version: number) => unwrap(api.POST('/api/v1/work-orders/{id}/approve-close', { params: { path: { id } }, body: { version } })),
    onSuccess: () => refresh(id),
  });
}

export function useRejectCompletion(id: string) {
  const refresh = useRefreshWorkOrder();
  return useMutation({
    mutationFn: (body: Schemas['RejectCompletion']) => unwrap(api.POST('/api/v1/work-orders/{id}/reject', { params: { path: { id } }, body })),
    onSuccess: () => refresh(id),
  });
}

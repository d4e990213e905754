import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api/client';
import type { Me } from '@/lib/auth/use-me';
import { myWork } from '@/lib/my-work';

export function useSummary() {
  return useQuery({
    queryKey: ['dashboard', 'summary'],
    queryFn: () => unwrap(api.GET('/api/v1/work-orders/summary')),
    refetchInterval: 60_000,
  });
}

/** Unread notifications: what needs the caller's attention (escalations, approvals, new work). */
export function useAlerts() {
  return useQuery({
    queryKey: ['notifications', 'dashboard'],
    queryFn: () => unwrap(api.GET('/api/v1/notifications', { params: { query: { limit: 6, unread: true } } })),
  });
}

/** The caller's open assignments, soonest due first. */
export function useMyWork(me: Me | undefined) {
  return useQuery({
    queryKey: ['dashboard', 'mine', me?.user.id],
    queryFn: () => unwrap(api.GET('/api/v1/work-orders', { params: { query: { ...myWork(me), open: true, sort: 'dueAt', limit: 10 } } })),
    enabled: !!me,
  });
}

/** Open work closest to (or past) its deadline. */
/** Open work whose deadline is still ahead, soonest first: what to do next before it breaches
 * (work already past its deadline is behind the breached figure). */
export function useAtRisk() {
  return useQuery({
    queryKey: ['dashboard', 'due'],
    queryFn: () => unwrap(api.GET('/api/v1/work-orders', { params: { query: { open: true, dueFrom: new Date().toISOString(), sort: 'dueAt', limit: 8 } } })),
    refetchInterval: 60_000,
  });
}

/** Parts at or below their reorder point, for those who read stock. */
export function useReorderCount(enabled: boolean) {
  return useQuery({
    queryKey: ['inventory', 'reorder'],
    queryFn: () => unwrap(api.GET('/api/v1/stock/reorder')),
    select: (d) => d.items.length,
    enabled,
    refetchInterval: 60_000,
  });
}

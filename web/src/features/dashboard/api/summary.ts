import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api/client';

export function useSummary() {
  return useQuery({
    queryKey: ['dashboard', 'summary'],
    queryFn: () => unwrap(api.GET('/api/v1/work-orders/summary')),
    refetchInterval: 60_000,
  });
}

/** The caller's open assignments, soonest due first. */
export function useMyWork(userId: string | undefined) {
  return useQuery({
    queryKey: ['dashboard', 'mine', userId],
    queryFn: () =>
      unwrap(api.GET('/api/v1/work-orders', { params: { query: { assignedTo: userId, open: true, sort: 'dueAt', limit: 10 } } })),
    enabled: !!userId,
  });
}

/** Open work closest to (or past) its deadline. */
export function useAtRisk() {
  return useQuery({
    queryKey: ['dashboard', 'due'],
    queryFn: () => unwrap(api.GET('/api/v1/work-orders', { params: { query: { open: true, sort: 'dueAt', limit: 8 } } })),
  });
}

import { useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from './api/client';

/** People the signed-in user may see (for names and assignment); one page of 200. */
export function useUsers(enabled = true) {
  return useQuery({
    queryKey: ['lookups', 'users'],
    queryFn: () => unwrap(api.GET('/api/v1/users', { params: { query: { limit: 200, status: 'active' } } })),
    staleTime: 5 * 60_000,
    enabled,
  });
}

export function useDepartments(enabled = true) {
  return useQuery({
    queryKey: ['lookups', 'departments'],
    queryFn: () => unwrap(api.GET('/api/v1/departments', { params: { query: { limit: 200 } } })),
    staleTime: 5 * 60_000,
    enabled,
  });
}

export function useSites(enabled = true) {
  return useQuery({
    queryKey: ['lookups', 'sites'],
    queryFn: () => unwrap(api.GET('/api/v1/sites', { params: { query: { limit: 200 } } })),
    staleTime: 5 * 60_000,
    enabled,
  });
}

/** Equipment classes (a tree: each names its parent), for filters and plans. */
export function useClasses() {
  return useQuery({
    queryKey: ['lookups', 'classes'],
    queryFn: () => unwrap(api.GET('/api/v1/equipment-classes')),
    staleTime: 5 * 60_000,
  });
}

/** id → display name, for ids the lists return. */
export function nameMap<T extends { id: string; name: string }>(items: T[] | undefined): Map<string, string> {
  return new Map((items ?? []).map((i) => [i.id, i.name]));
}

export type User = Schemas['UserDto'];

/** The organization (its currency, labour rate and hold reasons). Loaded with a technician's work
 * so the hold reasons are on the phone before the signal goes. */
export function useOrganization(enabled = true) {
  return useQuery({
    queryKey: ['lookups', 'organization'],
    queryFn: () => unwrap(api.GET('/api/v1/organization')),
    staleTime: 5 * 60_000,
    enabled,
  });
}

/** The reasons work may be put on hold for, active ones first as listed. */
export function useHoldReasons(enabled = true) {
  const org = useOrganization(enabled);
  return { ...org, data: org.data?.holdReasons };
}

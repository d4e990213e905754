import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '@/lib/api/client';

export function useUserList(q: string) {
  return useQuery({
    queryKey: ['settings', 'users', q],
    queryFn: () => unwrap(api.GET('/api/v1/users', { params: { query: { q: q || undefined, limit: 100 } } })),
    meta: { persist: false },
  });
}

export function useCreateUser() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas['CreateUser']) => unwrap(api.POST('/api/v1/users', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['settings', 'users'] }),
  });
}

export function useUpdateUser() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: Schemas['UpdateUser'] }) => unwrap(api.PATCH('/api/v1/users/{id}', { params: { path: { id } }, body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['settings', 'users'] }),
  });
}

export function useMatrix() {
  return useQuery({
    queryKey: ['settings', 'matrix'],
    queryFn: () => unwrap(api.GET('/api/v1/roles/permissions')),
    meta: { persist: false },
  });
}

export function useUpdateRole() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: Schemas['UpdateRole'] }) => unwrap(api.PATCH('/api/v1/roles/{id}', { params: { path: { id } }, body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['settings', 'matrix'] }),
  });
}

export function useLocationTree(siteId: string | null) {
  return useQuery({
    queryKey: ['settings', 'locations', siteId],
    queryFn: () => unwrap(api.GET('/api/v1/locations/tree', { params: { query: { siteId: siteId! } } })),
    enabled: !!siteId,
    meta: { persist: false },
  });
}

export function useSlaPolicies(siteId: string | null) {
  return useQuery({
    queryKey: ['settings', 'sla', siteId],
    queryFn: () => unwrap(api.GET('/api/v1/sites/{id}/sla-policies', { params: { path: { id: siteId! } } })),
    enabled: !!siteId,
    meta: { persist: false },
  });
}

export function useSaveSlaPolicies(siteId: string | null) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas['SlaPolicyDto'][]) => unwrap(api.PUT('/api/v1/sites/{id}/sla-policies', { params: { path: { id: siteId! } }, body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['settings', 'sla', siteId] }),
  });
}

export function useEscalationChain(siteId: string | null) {
  return useQuery({
    queryKey: ['settings', 'escalation', siteId],
    queryFn: () => unwrap(api.GET('/api/v1/sites/{id}/escalation-chain', { params: { path: { id: siteId! } } })),
    enabled: !!siteId,
    meta: { persist: false },
  });
}

export function useSaveEscalationChain(siteId: string | null) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas['EscalationStepDto'][]) => unwrap(api.PUT('/api/v1/sites/{id}/escalation-chain', { params: { path: { id: siteId! } }, body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['settings', 'escalation', siteId] }),
  });
}

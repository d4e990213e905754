import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '@/lib/api/client';

export type Site = Schemas['SiteDto'];
export type Department = Schemas['DepartmentDto'];
export type Section = Schemas['SectionDto'];
export type LocationNode = Schemas['LocationNode'];

/** After a change to the organization's structure, every list of it is stale (the lookups the
 * other screens use included). */
function useOrgMutation<A, R>(fn: (a: A) => Promise<R>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['lookups'] });
      void qc.invalidateQueries({ queryKey: ['settings'] });
    },
  });
}

export function useCreateSite() {
  return useOrgMutation((body: Schemas['CreateSite']) => unwrap(api.POST('/api/v1/sites', { body })));
}

export function useUpdateSite() {
  return useOrgMutation(({ id, body }: { id: string; body: Schemas['UpdateSite'] }) =>
    unwrap(api.PATCH('/api/v1/sites/{id}', { params: { path: { id } }, body })),
  );
}

export function useCreateDepartment() {
  return useOrgMutation((body: Schemas['CreateDepartment']) => unwrap(api.POST('/api/v1/departments', { body })));
}

export function useUpdateDepartment() {
  return useOrgMutation(({ id, body }: { id: string; body: Schemas['UpdateDepartment'] }) =>
    unwrap(api.PATCH('/api/v1/departments/{id}', { params: { path: { id } }, body })),
  );
}

export function useDeleteDepartment() {
  return useOrgMutation((id: string) => unwrap(api.DELETE('/api/v1/departments/{id}', { params: { path: { id } } })));
}

export function useSections(departmentId: string | null) {
  return useQuery({
    queryKey: ['settings', 'sections', departmentId],
    queryFn: () => unwrap(api.GET('/api/v1/sections', { params: { query: { departmentId: departmentId!, limit: 200 } } })),
    enabled: !!departmentId,
    meta: { persist: false },
  });
}

export function useCreateSection() {
  return useOrgMutation((body: Schemas['CreateSection']) => unwrap(api.POST('/api/v1/sections', { body })));
}

export function useUpdateSection() {
  return useOrgMutation(({ id, body }: { id: string; body: Schemas['UpdateSection'] }) =>
    unwrap(api.PATCH('/api/v1/sections/{id}', { params: { path: { id } }, body })),
  );
}

export function useDeleteSection() {
  return useOrgMutation((id: string) => unwrap(api.DELETE('/api/v1/sections/{id}', { params: { path: { id } } })));
}

export function useCreateLocation() {
  return useOrgMutation((body: Schemas['CreateLocation']) => unwrap(api.POST('/api/v1/locations', { body })));
}

export function useUpdateLocation() {
  return useOrgMutation(({ id, body }: { id: string; body: Schemas['UpdateLocation'] }) =>
    unwrap(api.PATCH('/api/v1/locations/{id}', { params: { path: { id } }, body })),
  );
}

export function useDeleteLocation() {
  return useOrgMutation((id: string) => unwrap(api.DELETE('/api/v1/locations/{id}', { params: { path: { id } } })));
}

/** The printable QR code of a room (its public fault-report page). */
export function useLocationQr() {
  return useMutation({
    mutationFn: (id: string) => unwrap(api.POST('/api/v1/locations/{id}/qr', { params: { path: { id } } })),
  });
}

import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '@/lib/api/client';

export type Plan = Schemas['PlanDto'];
export type Template = Schemas['TemplateDto'];
export type Item = Schemas['ItemDto'];
export type Instance = Schemas['InstanceDto'];
export type CalendarEntry = Schemas['CalendarEntry'];
export type ComplianceReport = Schemas['ComplianceReport'];

const keys = {
  plans: (f: object) => ['preventive', 'plans', f] as const,
  plan: (id: string) => ['preventive', 'plan', id] as const,
  templates: ['preventive', 'templates'] as const,
  template: (id: string) => ['preventive', 'template', id] as const,
  instances: (f: object) => ['preventive', 'instances', f] as const,
  calendar: (from: string, to: string, site?: string | null) => ['preventive', 'calendar', from, to, site] as const,
  compliance: (f: object) => ['preventive', 'compliance', f] as const,
  feeds: ['preventive', 'feeds'] as const,
};

/** Plans, by name (one page of 200: a hospital's plans fit). */
export function usePlans(filters: { active?: boolean; siteId?: string; q?: string }) {
  return useQuery({
    queryKey: keys.plans(filters),
    queryFn: () => unwrap(api.GET('/api/v1/preventive/plans', { params: { query: { ...filters, limit: 200 } } })),
    placeholderData: keepPreviousData,
  });
}

export function usePlan(id: string | undefined) {
  return useQuery({
    queryKey: keys.plan(id ?? ''),
    queryFn: () => unwrap(api.GET('/api/v1/preventive/plans/{id}', { params: { path: { id: id! } } })),
    enabled: !!id,
  });
}

function useInvalidating<A, R>(fn: (a: A) => Promise<R>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['preventive'] });
      void qc.invalidateQueries({ queryKey: ['work-orders'] });
    },
  });
}

export function useCreatePlan() {
  return useInvalidating((body: Schemas['CreatePlan']) => unwrap(api.POST('/api/v1/preventive/plans', { body })));
}

export function useUpdatePlan() {
  return useInvalidating(({ id, body }: { id: string; body: Schemas['UpdatePlan'] }) =>
    unwrap(api.PATCH('/api/v1/preventive/plans/{id}', { params: { path: { id } }, body })),
  );
}

export function useRunGenerator() {
  return useInvalidating(() => unwrap(api.POST('/api/v1/preventive/run-generator')));
}

/** The next occurrences a schedule gives (debounced by the caller). */
export function useSchedulePreview(body: Schemas['SchedulePreviewRequest'] | null) {
  return useQuery({
    queryKey: ['preventive', 'preview', body],
    queryFn: () => unwrap(api.POST('/api/v1/preventive/schedule-preview', { body: body! })),
    enabled: !!body,
    retry: false,
    meta: { persist: false },
  });
}

export function useTemplates() {
  return useQuery({
    queryKey: keys.templates,
    queryFn: () => unwrap(api.GET('/api/v1/preventive/checklists')),
  });
}

export function useTemplate(id: string | undefined) {
  return useQuery({
    queryKey: keys.template(id ?? ''),
    queryFn: () => unwrap(api.GET('/api/v1/preventive/checklists/{id}', { params: { path: { id: id! } } })),
    enabled: !!id,
  });
}

export function useCreateTemplate() {
  return useInvalidating((body: Schemas['CreateTemplate']) => unwrap(api.POST('/api/v1/preventive/checklists', { body })));
}

export function useUpdateTemplate() {
  return useInvalidating(({ id, body }: { id: string; body: Schemas['UpdateTemplate'] }) =>
    unwrap(api.PUT('/api/v1/preventive/checklists/{id}', { params: { path: { id } }, body })),
  );
}

export function useInstances(filters: { planId?: string; status?: Schemas['InstanceStatusDto']; limit?: number }) {
  return useQuery({
    queryKey: keys.instances(filters),
    queryFn: () => unwrap(api.GET('/api/v1/preventive/instances', { params: { query: { limit: 50, ...filters } } })),
  });
}

export function useUpdateInstance() {
  return useInvalidating(({ id, body }: { id: string; body: Schemas['UpdateInstance'] }) =>
    unwrap(api.PATCH('/api/v1/preventive/instances/{id}', { params: { path: { id } }, body })),
  );
}

export function useCalendar(from: string, to: string, siteId?: string | null) {
  return useQuery({
    queryKey: keys.calendar(from, to, siteId),
    queryFn: () => unwrap(api.GET('/api/v1/preventive/calendar', { params: { query: { from, to, siteId: siteId ?? undefined } } })),
    placeholderData: keepPreviousData,
  });
}

export function useCompliance(q: { from: string; to: string; siteId?: string | null; riskClass?: string | null }) {
  return useQuery({
    queryKey: keys.compliance(q),
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/preventive/compliance', {
          params: { query: { from: q.from, to: q.to, siteId: q.siteId ?? undefined, riskClass: q.riskClass ?? undefined } },
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

export function useFeeds() {
  return useQuery({ queryKey: keys.feeds, queryFn: () => unwrap(api.GET('/api/v1/preventive/calendar-feeds')), meta: { persist: false } });
}

export function useCreateFeed() {
  return useInvalidating((body: Schemas['CreateFeed']) => unwrap(api.POST('/api/v1/preventive/calendar-feeds', { body })));
}

export function useRevokeFeed() {
  return useInvalidating((id: string) => unwrap(api.DELETE('/api/v1/preventive/calendar-feeds/{id}', { params: { path: { id } } })));
}

/** Equipment matching a search, for plans that cover one asset. */
export function useAssetSearch(q: string) {
  return useQuery({
    queryKey: ['preventive', 'asset-search', q],
    // Retired and disposed equipment needs no maintenance: the server refuses a plan for it.
    queryFn: async () => {
      const page = await unwrap(api.GET('/api/v1/assets', { params: { query: { q: q || undefined, limit: 20 } } }));
      return page.items.filter((a) => a.status !== 'retired' && a.status !== 'disposed');
    },
    placeholderData: keepPreviousData,
    meta: { persist: false },
  });
}

/** The asset a plan is for, to name it in the editor. */
export function usePlanAsset(id: string | null | undefined) {
  return useQuery({
    queryKey: ['assets', 'one', id],
    queryFn: () => unwrap(api.GET('/api/v1/assets/{id}', { params: { path: { id: id ?? '' } } })),
    enabled: !!id,
  });
}

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '@/lib/api/client';

export type Kpis = Schemas['Kpis'];
export type Figure = Schemas['FigureDto'];

export interface KpiFilters {
  from: string;
  to: string;
  siteId?: string;
  departmentId?: string;
  classId?: string;
  riskClass?: string;
}

/** The key figures of a period (none while `filters` is absent, e.g. no comparison chosen). */
export function useKpis(filters: KpiFilters | undefined) {
  return useQuery({
    queryKey: ['reports', 'kpis', filters],
    queryFn: () => unwrap(api.GET('/api/v1/reports/kpis', { params: { query: filters! } })),
    enabled: !!filters,
    placeholderData: keepPreviousData,
  });
}

export type GroupBy = Schemas['GroupBy'];
export type Breakdown = Schemas['Breakdown'];

/** The period's figures per site, department, equipment class or asset. */
export function useBreakdown(filters: KpiFilters, by: GroupBy) {
  return useQuery({
    queryKey: ['reports', 'breakdown', filters, by],
    queryFn: () => unwrap(api.GET('/api/v1/reports/breakdown', { params: { query: { ...filters, by } } })),
    placeholderData: keepPreviousData,
  });
}

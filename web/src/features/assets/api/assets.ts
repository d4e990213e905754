import { keepPreviousData, useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import { ApiError, api, unwrap, type Schemas } from '@/lib/api/client';
import type { paths } from '@/lib/api/schema';

export type Asset = Schemas['AssetDto'];
export type AssetFilters = NonNullable<paths['/api/v1/assets']['get']['parameters']['query']>;

export function useAssets(filters: AssetFilters) {
  return useInfiniteQuery({
    queryKey: ['assets', 'list', filters],
    queryFn: ({ pageParam }) => unwrap(api.GET('/api/v1/assets', { params: { query: { limit: 50, ...filters, cursor: pageParam } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

export function useAsset(id: string) {
  return useQuery({ queryKey: ['assets', 'one', id], queryFn: () => unwrap(api.GET('/api/v1/assets/{id}', { params: { path: { id } } })) });
}

export function useAssetHistory(id: string) {
  return useQuery({
    queryKey: ['assets', 'history', id],
    queryFn: () => unwrap(api.GET('/api/v1/assets/{id}/history', { params: { path: { id } } })),
  });
}

export function useReliability(id: string) {
  return useQuery({
    queryKey: ['assets', 'reliability', id],
    queryFn: () => unwrap(api.GET('/api/v1/assets/{id}/reliability', { params: { path: { id } } })),
  });
}

export function useQrCode(id: string) {
  return useMutation({ mutationFn: () => unwrap(api.POST('/api/v1/assets/{id}/qr', { params: { path: { id } } })) });
}

/** Downloads a PDF sheet of labels for the chosen assets. */
export function useLabels() {
  return useMutation({
    mutationFn: async (body: Schemas['LabelRequest']) => {
      const res = await api.POST('/api/v1/assets/qr-labels', { body, parseAs: 'blob' });
      if (!res.response.ok) throw new ApiError(res.response.status, res.error as Schemas['Problem']);
      return res.data as unknown as Blob;
    },
  });
}

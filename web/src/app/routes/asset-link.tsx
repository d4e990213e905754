import { useQuery } from '@tanstack/react-query';
import { Navigate, useParams } from 'react-router';
import { QueryState } from '@/components/query-state';
import { api, unwrap } from '@/lib/api/client';

/** `/a/{tag}`, what an equipment label's QR code holds: opens that asset. */
export function AssetLinkPage() {
  const { tag = '' } = useParams();
  const found = useQuery({
    queryKey: ['scan', tag],
    queryFn: () => unwrap(api.GET('/api/v1/scan/{code}', { params: { path: { code: tag } } })),
  });
  return (
    <QueryState isPending={found.isPending} error={found.error}>
      {found.data && <Navigate to={`/assets/${found.data.id}`} replace />}
    </QueryState>
  );
}

import { Text, Timeline } from '@mantine/core';
import { EmptyState, QueryState } from '@/components/query-state';
import { formatDateTime } from '@/lib/format';
import { t, type MessageKey } from '@/i18n';
import { useHistory } from '../api/work-orders';

export function HistoryTimeline({ workOrderId }: { workOrderId: string }) {
  const history = useHistory(workOrderId);
  return (
    <QueryState isPending={history.isPending} error={history.error}>
      {(history.data ?? []).length === 0 ? (
        <EmptyState title={t('history.empty')} />
      ) : (
        <Timeline bulletSize={14} lineWidth={2} active={history.data!.length}>
          {history.data!.map((h) => (
            <Timeline.Item
              key={h.id}
              title={
                h.kind === 'status' && h.toStatus
                  ? t('history.status', {
                      from: h.fromStatus ? t(`status.${h.fromStatus}` as MessageKey) : '—',
                      to: t(`status.${h.toStatus}` as MessageKey),
                    })
                  : t(`history.${h.kind}` as MessageKey)
              }
            >
              <Text size="xs" c="dimmed">
                {h.actorName ?? t('common.system')} · {formatDateTime(h.createdAt)}
              </Text>
            </Timeline.Item>
          ))}
        </Timeline>
      )}
    </QueryState>
  );
}

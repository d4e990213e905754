import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { followEvents } from '@/lib/live/events';
import { onConfirmed, onReplayed } from '@/lib/offline/sync';

/** Keeps what is on screen current: live events and confirmed offline changes refetch the
 * queries they affect. */
export function useLiveUpdates() {
  const qc = useQueryClient();
  useEffect(() => {
    const stop = followEvents((m) => {
      const data = m.data as { entityType?: string; entityId?: string } | null;
      if (data?.entityType === 'work_order' || m.type.startsWith('WORK_ORDER') || m.type.startsWith('SLA')) {
        void qc.invalidateQueries({ queryKey: ['work-orders'] });
        void qc.invalidateQueries({ queryKey: ['dashboard'] });
      }
      if (data?.entityType === 'asset') void qc.invalidateQueries({ queryKey: ['assets'] });
      void qc.invalidateQueries({ queryKey: ['notifications'] });
    });
    const off = onReplayed(() => {
      void qc.invalidateQueries({ queryKey: ['work-orders'] });
      void qc.invalidateQueries({ queryKey: ['dashboard'] });
    });
    // The server's answer to a status change or completion is the work order as it is now:
    // show it at once, so the next action carries the current version.
    const offConfirmed = onConfirmed((m, answer) => {
      if ((m.kind === 'status' || m.kind === 'complete') && answer && typeof answer === 'object') {
        qc.setQueryData(['work-orders', 'one', m.workOrderId], answer);
      }
    });
    return () => {
      stop();
      off();
      offConfirmed();
    };
  }, [qc]);
}

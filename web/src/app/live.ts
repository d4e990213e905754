import { useQueryClient, type QueryKey } from '@tanstack/react-query';
import { useEffect } from 'react';
import { followEvents } from '@/lib/live/events';
import { onConfirmed, onReplayed } from '@/lib/offline/sync';

/** How long invalidations are gathered before queries refetch: a burst of events (a replay
 * after a night offline) costs one refetch per query, not one per event. */
const BATCH_MS = 250;

/** Keeps what is on screen current: live events and confirmed offline changes refetch the
 * queries they affect. */
export function useLiveUpdates() {
  const qc = useQueryClient();
  useEffect(() => {
    const due = new Map<string, QueryKey>();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const invalidate = (...keys: QueryKey[]) => {
      for (const k of keys) due.set(JSON.stringify(k), k);
      timer ??= setTimeout(() => {
        timer = undefined;
        const batch = [...due.values()];
        due.clear();
        for (const queryKey of batch) void qc.invalidateQueries({ queryKey });
      }, BATCH_MS);
    };
    const stop = followEvents(
      (m) => {
        const data = m.data as { entityType?: string; entityId?: string } | null;
        if (data?.entityType === 'work_order' || m.type.startsWith('WORK_ORDER') || m.type.startsWith('SLA')) {
          invalidate(['work-orders'], ['dashboard']);
        }
        if (data?.entityType === 'asset') invalidate(['assets']);
        invalidate(['notifications']);
      },
      (live, resumed) => {
        // A fresh stream cannot replay what happened before it opened: what this page shows
        // from the copy kept on the device (read before the page loaded) may be old.
        if (live && !resumed) {
          void qc.invalidateQueries({ predicate: (q) => q.state.dataUpdatedAt < performance.timeOrigin });
        }
      },
    );
    const off = onReplayed(() => invalidate(['work-orders'], ['dashboard']));
    // The server's answer to a status change or completion is the work order as it is now:
    // show it at once, so the next action carries the current version.
    const offConfirmed = onConfirmed((m, answer) => {
      if ((m.kind === 'status' || m.kind === 'complete') && answer && typeof answer === 'object') {
        qc.setQueryData(['work-orders', 'one', m.workOrderId], answer);
      }
    });
    return () => {
      clearTimeout(timer);
      stop();
      off();
      offConfirmed();
    };
  }, [qc]);
}

import { SegmentedControl, Stack, Title } from '@mantine/core';
import { useState } from 'react';
import { EmptyState, QueryState } from '@/components/query-state';
import { useMe } from '@/lib/auth/use-me';
import { t } from '@/i18n';
import { useOrganization } from '@/lib/lookups';
import { myWork } from '@/lib/my-work';
import { useNow } from '@/lib/use-now';
import { useWorkOrders } from '../api/work-orders';
import { WorkOrderCard } from './work-order-list-page';

type View = 'today' | 'overdue' | 'all';

/** The technician's home: open work assigned to them, due today, overdue, or all. */
export function AssignedPage() {
  const me = useMe().data;
  // The hold reasons, kept on the phone for putting work on hold without signal.
  useOrganization();
  const [view, setView] = useState<View>('today');
  const list = useWorkOrders({ ...myWork(me), open: true, sort: 'dueAt' });
  const now = useNow();
  const startOfDay = new Date(now);
  startOfDay.setHours(0, 0, 0, 0);
  const endOfDay = new Date(now);
  endOfDay.setHours(23, 59, 59, 999);
  const items = (list.data?.pages.flatMap((p) => p.items) ?? []).filter((wo) => {
    const due = new Date(wo.slaResolutionDueAt).getTime();
    if (view === 'overdue') return due < now;
    if (view === 'today') return due >= startOfDay.getTime() && due <= endOfDay.getTime();
    return true;
  });

  return (
    <Stack>
      <Title order={1} size="h3">
        {t('assigned.title')}
      </Title>
      <SegmentedControl
        fullWidth
        value={view}
        onChange={(v) => setView(v as View)}
        data={[
          { value: 'today', label: t('assigned.today') },
          { value: 'overdue', label: t('assigned.overdue') },
          { value: 'all', label: t('assigned.all') },
        ]}
        aria-label={t('assigned.view')}
      />
      <QueryState isPending={list.isPending} error={list.error} retry={() => void list.refetch()}>
        {items.length === 0 ? (
          <EmptyState title={t(view === 'overdue' ? 'assigned.noneOverdue' : 'assigned.none')} hint={t('assigned.noneHint')} />
        ) : (
          <Stack gap="sm">
            {items.map((wo) => (
              <WorkOrderCard key={wo.id} wo={wo} />
            ))}
          </Stack>
        )}
      </QueryState>
    </Stack>
  );
}

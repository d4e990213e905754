import { Button, Card, Checkbox, Group, Menu, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue, useMediaQuery } from '@mantine/hooks';
import { useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { EmptyState, QueryState } from '@/components/query-state';
import { useMe, type Me } from '@/lib/auth/use-me';
import { formatDateTime, formatRelative } from '@/lib/format';
import { useDepartments, useHoldReasons } from '@/lib/lookups';
import { myWork } from '@/lib/my-work';
import { can } from '@/lib/permissions';
import { t, type MessageKey } from '@/i18n';
import { PRIORITIES, STATUSES, TYPES, assigneeLabel, useWorkOrders, type WorkOrder, type WorkOrderFilters } from '../api/work-orders';
import { PriorityBadge, SlaBadge, StatusBadge } from './badges';
import { deleteFilter, loadSavedFilters, saveFilter } from './saved-filters';
import { tone } from '@/lib/colors';

const SORTS = ['-createdAt', 'createdAt', 'dueAt', '-dueAt'] as const;

/** Periods a link may narrow the list to (a report's figure), each shown as a chip to clear. */
const PERIOD_FILTERS = [
  ['createdFrom', 'createdTo', 'filter.reportedBetween', 'filter.clearReported'],
  ['completedFrom', 'completedTo', 'filter.completedBetween', 'filter.clearCompleted'],
] as const;

function filtersFrom(params: URLSearchParams, q: string, me: Me | undefined): WorkOrderFilters {
  const f: WorkOrderFilters = {};
  const status = params.get('status');
  if (status) f.status = status as WorkOrderFilters['status'];
  const priority = params.get('priority');
  if (priority) f.priority = priority as WorkOrderFilters['priority'];
  const type = params.get('type');
  if (type) f.type = type as WorkOrderFilters['type'];
  const dep = params.get('departmentId');
  if (dep) f.departmentId = dep;
  // Links from an asset, a scanned room or a vendor's page narrow the list to it.
  for (const key of ['assetId', 'locationId', 'vendorCompanyId', 'siteId', 'createdFrom', 'createdTo', 'completedFrom', 'completedTo'] as const) {
    const v = params.get(key);
    if (v) f[key] = v;
  }
  const assignee = params.get('assignedTo');
  if (assignee === 'me') Object.assign(f, myWork(me));
  else if (assignee) f.assignedTo = assignee;
  if (params.get('open') === 'true') f.open = true;
  // A report's time on hold links here: the work that waited, or waited for one reason.
  if (params.get('held') === 'true') f.held = true;
  // The dashboard's "SLA at risk" links here.
  const sla = params.get('slaStatus');
  if (sla) f.slaStatus = sla as WorkOrderFilters['slaStatus'];
  const holdReason = params.get('holdReason');
  if (holdReason) f.holdReason = holdReason;
  // "Past its deadline at this moment": the dashboard's breached figure links here.
  const dueTo = params.get('dueTo');
  if (dueTo) f.dueTo = dueTo;
  if (q) f.q = q;
  f.sort = params.get('sort') ?? '-createdAt';
  return f;
}

export function WorkOrderListPage() {
  const [params, setParams] = useSearchParams();
  const me = useMe().data;
  const [text, setText] = useState(params.get('q') ?? '');
  const [q] = useDebouncedValue(text.trim(), 300);
  const filters = useMemo(() => filtersFrom(params, q, me), [params, q, me]);
  const list = useWorkOrders(filters);
  const departments = useDepartments();
  const holdReasons = useHoldReasons(Boolean(params.get('holdReason')));
  const phone = useMediaQuery('(max-width: 48em)');
  const [saved, setSaved] = useState(loadSavedFilters);

  const set = (key: string, value: string | null | boolean) => {
    const next = new URLSearchParams(params);
    if (value === null || value === false || value === '') next.delete(key);
    else next.set(key, String(value));
    setParams(next, { replace: true });
  };
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const option = (prefix: string) => (v: string) => ({ value: v, label: t(`${prefix}.${v}` as MessageKey) });

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">
          {t('workOrders.title')}
        </Title>
        <Group>
          <Menu>
            <Menu.Target>
              <Button variant="default">{t('workOrders.savedFilters')}</Button>
            </Menu.Target>
            <Menu.Dropdown>
              {saved.length === 0 && <Menu.Label>{t('workOrders.noSavedFilters')}</Menu.Label>}
              {saved.map((f) => (
                <Menu.Item
                  key={f.name}
                  onClick={() => setParams(new URLSearchParams(f.query))}
                  rightSection={
                    <Text
                      size="xs"
                      c={tone.red}
                      component="span"
                      role="button"
                      aria-label={t('workOrders.deleteFilter', { name: f.name })}
                      onClick={(e) => {
                        e.stopPropagation();
                        setSaved(deleteFilter(f.name));
                      }}
                    >
                      ✕
                    </Text>
                  }
                >
                  {f.name}
                </Menu.Item>
              ))}
              <Menu.Divider />
              <Menu.Item
                onClick={() => {
                  const name = window.prompt(t('workOrders.saveFilterPrompt'));
                  if (name?.trim()) setSaved(saveFilter(name.trim(), params.toString()));
                }}
              >
                {t('workOrders.saveFilter')}
              </Menu.Item>
            </Menu.Dropdown>
          </Menu>
          {(can(me, 'work_order.request') || can(me, 'work_order.create')) && (
            <Button component={Link} to="/work-orders/new">
              {t('workOrders.new')}
            </Button>
          )}
        </Group>
      </Group>

      <Group align="end" wrap="wrap" gap="sm" role="search">
        <TextInput
          label={t('filter.search')}
          placeholder={t('filter.searchHint')}
          value={text}
          onChange={(e) => {
            setText(e.currentTarget.value);
            set('q', e.currentTarget.value.trim());
          }}
          w={220}
        />
        <Select
          label={t('filter.status')}
          data={STATUSES.map(option('status'))}
          value={params.get('status')}
          onChange={(v) => set('status', v)}
          clearable
          w={150}
        />
        <Select
          label={t('filter.priority')}
          data={PRIORITIES.map(option('priority'))}
          value={params.get('priority')}
          onChange={(v) => set('priority', v)}
          clearable
          w={130}
        />
        <Select label={t('filter.type')} data={TYPES.map(option('type'))} value={params.get('type')} onChange={(v) => set('type', v)} clearable w={150} />
        <Select
          label={t('filter.department')}
          data={(departments.data?.items ?? []).map((d) => ({ value: d.id, label: d.name }))}
          value={params.get('departmentId')}
          onChange={(v) => set('departmentId', v)}
          clearable
          searchable
          w={180}
        />
        <Select
          label={t('filter.sort')}
          data={SORTS.map((s) => ({ value: s, label: t(`sort.${s}` as MessageKey) }))}
          value={params.get('sort') ?? '-createdAt'}
          onChange={(v) => set('sort', v)}
          w={170}
          allowDeselect={false}
        />
        <Checkbox
          label={t('filter.mine')}
          checked={params.get('assignedTo') === 'me'}
          onChange={(e) => set('assignedTo', e.currentTarget.checked ? 'me' : null)}
        />
        <Checkbox label={t('filter.openOnly')} checked={params.get('open') === 'true'} onChange={(e) => set('open', e.currentTarget.checked)} />
        {PERIOD_FILTERS.map(([from, to, label, clear]) => {
          const start = params.get(from);
          const end = params.get(to);
          if (!start || !end) return null;
          return (
            <Button
              key={from}
              variant="light"
              rightSection="×"
              onClick={() => {
                const next = new URLSearchParams(params);
                next.delete(from);
                next.delete(to);
                setParams(next, { replace: true });
              }}
              aria-label={t(clear)}
            >
              {t(label, { from: formatDateTime(start), to: formatDateTime(end) })}
            </Button>
          );
        })}
        {params.get('slaStatus') && (
          <Button variant="light" color={tone.orange} rightSection="×" onClick={() => set('slaStatus', null)} aria-label={t('filter.clearSla')}>
            {t('filter.sla', { state: t(`sla.${params.get('slaStatus')}` as MessageKey) })}
          </Button>
        )}
        {(params.get('held') === 'true' || params.get('holdReason')) && (
          <Button
            variant="light"
            color={tone.orange}
            rightSection="×"
            onClick={() => {
              const next = new URLSearchParams(params);
              next.delete('held');
              next.delete('holdReason');
              setParams(next, { replace: true });
            }}
            aria-label={t('filter.clearHeld')}
          >
            {params.get('holdReason')
              ? t('filter.heldFor', { reason: holdReasons.data?.find((r) => r.code === params.get('holdReason'))?.name ?? params.get('holdReason') ?? '' })
              : t('filter.held')}
          </Button>
        )}
        {params.get('dueTo') && (
          <Button variant="light" color={tone.red} rightSection="×" onClick={() => set('dueTo', null)} aria-label={t('filter.clearDueBefore')}>
            {t('filter.dueBefore', { when: formatDateTime(params.get('dueTo')) })}
          </Button>
        )}
      </Group>

      <QueryState isPending={list.isPending} error={list.error} retry={() => void list.refetch()}>
        {items.length === 0 ? (
          <EmptyState title={t('workOrders.empty')} hint={t('workOrders.emptyHint')} />
        ) : phone ? (
          <Stack gap="sm">
            {items.map((wo) => (
              <WorkOrderCard key={wo.id} wo={wo} />
            ))}
          </Stack>
        ) : (
          <Table.ScrollContainer minWidth={900}>
            <Table striped highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('workOrder.code')}</Table.Th>
                  <Table.Th>{t('workOrder.title')}</Table.Th>
                  <Table.Th>{t('filter.status')}</Table.Th>
                  <Table.Th>{t('filter.priority')}</Table.Th>
                  <Table.Th>{t('workOrder.sla')}</Table.Th>
                  <Table.Th>{t('workOrder.assignee')}</Table.Th>
                  <Table.Th>{t('workOrder.due')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((wo) => (
                  <Table.Tr key={wo.id}>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      <Link to={`/work-orders/${wo.id}`}>{wo.code}</Link>
                    </Table.Td>
                    <Table.Td>{wo.title}</Table.Td>
                    <Table.Td>
                      <StatusBadge status={wo.status} />
                    </Table.Td>
                    <Table.Td>
                      <PriorityBadge priority={wo.priority} />
                    </Table.Td>
                    <Table.Td>
                      <SlaBadge sla={wo.slaStatus} />
                    </Table.Td>
                    <Table.Td>
                      {assigneeLabel(wo) ?? (
                        <Text c="dimmed" size="sm">
                          {t('workOrder.unassigned')}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td title={formatDateTime(wo.slaResolutionDueAt)}>{formatRelative(wo.slaResolutionDueAt)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {list.hasNextPage && (
          <Button variant="default" onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage} mx="auto">
            {t('action.loadMore')}
          </Button>
        )}
      </QueryState>
    </Stack>
  );
}

export function WorkOrderCard({ wo }: { wo: WorkOrder }) {
  return (
    <Card withBorder component={Link} to={`/work-orders/${wo.id}`} padding="sm" style={{ textDecoration: 'none' }}>
      <Group justify="space-between" wrap="nowrap">
        <Text fw={600} size="sm">
          {wo.code}
        </Text>
        <Group gap={4}>
          <PriorityBadge priority={wo.priority} />
          <StatusBadge status={wo.status} />
        </Group>
      </Group>
      <Text mt={4}>{wo.title}</Text>
      <Group justify="space-between" mt={4}>
        <SlaBadge sla={wo.slaStatus} />
        <Text size="xs" c="dimmed">
          {t('workOrder.dueIn', { when: formatRelative(wo.slaResolutionDueAt) })}
        </Text>
      </Group>
    </Card>
  );
}

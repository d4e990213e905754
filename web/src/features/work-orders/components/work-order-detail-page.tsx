import { useState } from 'react';
import { Alert, Anchor, Badge, Grid, Group, Paper, SimpleGrid, Stack, Tabs, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { Link, useParams } from 'react-router';
import { QueryState } from '@/components/query-state';
import { errorMessage } from '@/lib/api/client';
import { useMe } from '@/lib/auth/use-me';
import { formatDateTime, formatMinutes, formatMoney, formatRelative } from '@/lib/format';
import { can } from '@/lib/permissions';
import { useSync } from '@/lib/offline/sync';
import { t, type MessageKey } from '@/i18n';
import { useFieldActions } from '../api/field-actions';
import { assigneeLabel, useChecklist, useWorkOrder, type WorkOrder } from '../api/work-orders';
import { ChecklistPanel } from './checklist-panel';
import { CompletionSummary } from './completion-summary';
import { missingItems } from './checklist-rules';
import { AttachmentsPanel } from './attachments-panel';
import { PriorityBadge, SlaBadge, StatusBadge } from './badges';
import { HistoryTimeline } from './history-timeline';
import { NotesPanel } from './notes-panel';
import { PartsUsedPanel } from './parts-used-panel';
import { TimePanel } from './time-panel';
import { WorkOrderActions } from './work-order-actions';
import { tone } from '@/lib/colors';

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm">{children}</Text>
    </div>
  );
}

export function WorkOrderDetailPage() {
  const { id = '' } = useParams();
  const wo = useWorkOrder(id);
  return (
    <QueryState isPending={wo.isPending} error={wo.error} retry={() => void wo.refetch()}>
      {wo.data && <Detail wo={wo.data} />}
    </QueryState>
  );
}

function Detail({ wo }: { wo: WorkOrder }) {
  const me = useMe().data;
  const sync = useSync();
  const checklist = useChecklist(wo.id, !!wo.pmInstanceId);
  const field = useFieldActions(wo, me);
  const waiting = sync.pending.filter((m) => m.workOrderId === wo.id);
  const fail = (e: unknown) => {
    notifications.show({ color: 'red', title: t('error.actionFailed'), message: errorMessage(e) });
  };
  const mine = wo.assigneeId === me?.user.id || (!!wo.vendorCompanyId && wo.vendorCompanyId === me?.user.vendorCompanyId);
  const working = can(me, 'work_order.execute') && mine && !['closed', 'cancelled'].includes(wo.status);
  // Preventive work comes with a checklist (404 when the plan has none).
  const preventive = !!wo.pmInstanceId && checklist.isSuccess;
  const missing = checklist.data ? missingItems(checklist.data.items, checklist.data.answers).length : 0;
  // The checklist arrives after the page; until someone picks a tab, open it on the checklist.
  const [tab, setTab] = useState<string | null>(null);
  const mayNote = (can(me, 'work_order.execute') || can(me, 'work_order.assign')) && !['closed', 'cancelled'].includes(wo.status);

  return (
    <Stack>
      <Anchor component={Link} to="/work-orders" size="sm">
        ← {t('workOrders.title')}
      </Anchor>
      <Group justify="space-between" align="start">
        <div>
          <Text c="dimmed" size="sm">
            {wo.code} · {t(`type.${wo.type}` as MessageKey)}
          </Text>
          <Title order={1} size="h2">
            {wo.title}
          </Title>
        </div>
        <Group gap="xs">
          <StatusBadge status={wo.status} />
          <PriorityBadge priority={wo.priority} />
          <SlaBadge sla={wo.slaStatus} />
          {wo.escalationLevel > 0 && <Badge color={tone.red}>{t('workOrder.escalated', { level: wo.escalationLevel })}</Badge>}
        </Group>
      </Group>

      {waiting.length > 0 && (
        <Alert color="orange" role="status" title={t('sync.waitingTitle')}>
          {t('sync.waitingOnThis', { count: waiting.length })}
        </Alert>
      )}
      {wo.status === 'on_hold' && (
        <Alert color="orange" title={t('hold.onHold', { reason: wo.names?.holdReason ?? wo.holdReason ?? '—' })}>
          {wo.onHoldSince ? t('hold.since', { when: formatDateTime(wo.onHoldSince) }) : null}
        </Alert>
      )}
      {wo.rejectionReason && wo.status !== 'closed' && (
        <Alert color="red" title={t('workOrder.rejected')}>
          {wo.rejectionReason}
        </Alert>
      )}

      {/* Read before approving: the report comes first, the approve and reject buttons after it. */}
      {(wo.status === 'completed' || wo.status === 'closed') && <CompletionSummary wo={wo} preventive={preventive} />}
      <WorkOrderActions wo={wo} field={field} checklistMissing={preventive ? missing : 0} />

      <Grid>
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Paper withBorder p="md">
            <Text style={{ whiteSpace: 'pre-wrap' }}>{wo.description || t('workOrder.noDescription')}</Text>
          </Paper>
          <Tabs value={tab ?? (preventive ? 'checklist' : 'notes')} onChange={setTab} mt="md" keepMounted={false}>
            <Tabs.List>
              {preventive && <Tabs.Tab value="checklist">{t('checklist.tab')}</Tabs.Tab>}
              <Tabs.Tab value="notes">{t('notes.title')}</Tabs.Tab>
              <Tabs.Tab value="time">{t('time.title')}</Tabs.Tab>
              <Tabs.Tab value="photos">{t('photos.title')}</Tabs.Tab>
              {can(me, 'inventory.read') && <Tabs.Tab value="parts">{t('partsUsed.tab')}</Tabs.Tab>}
              <Tabs.Tab value="history">{t('history.title')}</Tabs.Tab>
            </Tabs.List>
            {preventive && (
              <Tabs.Panel value="checklist" pt="md">
                <ChecklistPanel workOrderId={wo.id} canWrite={working} onSave={(a) => field.saveChecklist(a).catch(fail)} />
              </Tabs.Panel>
            )}
            <Tabs.Panel value="notes" pt="md">
              <NotesPanel workOrderId={wo.id} canWrite={mayNote} onAdd={(b) => field.addNote(b).catch(fail)} />
            </Tabs.Panel>
            <Tabs.Panel value="time" pt="md">
              <TimePanel
                workOrderId={wo.id}
                userId={me?.user.id}
                canWrite={working}
                onStart={() => field.startTimer().catch(fail)}
                onStop={() => field.stopTimer().catch(fail)}
                onLog={(m, n) => field.logTime(m, n).catch(fail)}
              />
            </Tabs.Panel>
            <Tabs.Panel value="photos" pt="md">
              <AttachmentsPanel
                workOrderId={wo.id}
                canWrite={working}
                waiting={waiting.filter((m) => m.kind === 'photo').length}
                onAdd={(f) => field.addFile(f, f.name, f.type === 'application/pdf' ? 'document' : 'photo').catch(fail)}
              />
            </Tabs.Panel>
            {can(me, 'inventory.read') && (
              <Tabs.Panel value="parts" pt="md">
                <PartsUsedPanel
                  wo={wo}
                  canIssue={working && ['assigned', 'in_progress', 'on_hold'].includes(wo.status)}
                  waiting={waiting.filter((m) => m.kind === 'stock_issue')}
                  onIssue={(part, bin, quantity) => field.issuePart(part, bin, quantity)}
                />
              </Tabs.Panel>
            )}
            <Tabs.Panel value="history" pt="md">
              <HistoryTimeline workOrderId={wo.id} />
            </Tabs.Panel>
          </Tabs>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Paper withBorder p="md">
            <SimpleGrid cols={2} spacing="sm">
              <Field label={t('workOrder.assignee')}>{assigneeLabel(wo) ?? t('workOrder.unassigned')}</Field>
              <Field label={t('workOrder.requester')}>{wo.names?.requester ?? '—'}</Field>
              <Field label={t('filter.department')}>{wo.names?.department ?? '—'}</Field>
              {wo.names?.location && <Field label={t('workOrder.location')}>{wo.names.location}</Field>}
              <Field label={t('workOrder.created')}>{formatDateTime(wo.createdAt)}</Field>
              <Field label={t('workOrder.responseDue')}>{formatDateTime(wo.slaResponseDueAt)}</Field>
              <Field label={t('workOrder.due')}>
                {formatDateTime(wo.slaResolutionDueAt)} ({formatRelative(wo.slaResolutionDueAt)})
              </Field>
              <Field label={t('workOrder.started')}>{formatDateTime(wo.startedAt)}</Field>
              <Field label={t('workOrder.completed')}>{formatDateTime(wo.completedAt)}</Field>
              <Field label={t('workOrder.labour')}>{formatMinutes(wo.labourMinutes)}</Field>
              {wo.holdMinutes > 0 && (
                <Field label={t('hold.time')}>
                  {formatMinutes(wo.holdMinutes)}
                  {wo.names?.holdReason ? ` · ${wo.names.holdReason}` : ''}
                </Field>
              )}
              <Field label={t('workOrder.totalCost')}>{formatMoney(wo.totalCostMinor, me?.currency)}</Field>
              {wo.downtimeMinutes != null && <Field label={t('summary.downtime')}>{formatMinutes(wo.downtimeMinutes)}</Field>}
              {wo.resolutionCategory && (
                <Field label={t('complete.category')}>{t(`resolution.${wo.resolutionCategory}` as MessageKey) ?? wo.resolutionCategory}</Field>
              )}
              {wo.signatureRequired && <Field label={t('workOrder.signature')}>{t('workOrder.signatureRequired')}</Field>}
              {wo.assetId && (
                <Field label={t('workOrder.asset')}>
                  <Anchor component={Link} to={`/assets/${wo.assetId}`}>
                    {wo.names?.asset ?? t('workOrder.openAsset')}
                  </Anchor>
                </Field>
              )}
            </SimpleGrid>
          </Paper>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

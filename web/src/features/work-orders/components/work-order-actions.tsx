import { Button, Group, Modal, Select, Stack, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { errorMessage } from '@/lib/api/client';
import { useMe } from '@/lib/auth/use-me';
import { useHoldReasons, useUsers } from '@/lib/lookups';
import { can } from '@/lib/permissions';
import { t } from '@/i18n';
import { useApproveClose, useRejectCompletion, useUpdateWorkOrder, type Status, type WorkOrder } from '../api/work-orders';
import { CompleteDialog } from './complete-dialog';
import type { useFieldActions } from '../api/field-actions';
import { tone } from '@/lib/colors';

const STEP_LABEL: Partial<Record<Status, Parameters<typeof t>[0]>> = {
  in_progress: 'action.start',
  on_hold: 'action.hold',
  cancelled: 'action.cancel',
};

/** The buttons a user sees are the steps the server says they may take now. */
export function WorkOrderActions({
  wo,
  field,
  checklistMissing = 0,
}: {
  wo: WorkOrder;
  field: ReturnType<typeof useFieldActions>;
  /** Required checklist items still unanswered: completion waits for them. */
  checklistMissing?: number;
}) {
  const me = useMe().data;
  const assign = useUpdateWorkOrder(wo.id);
  const approve = useApproveClose(wo.id);
  const reject = useRejectCompletion(wo.id);
  const mayAssign = can(me, 'work_order.assign') && !['completed', 'closed', 'cancelled'].includes(wo.status);
  const users = useUsers(mayAssign);
  const [assignee, setAssignee] = useState<string | null>(wo.assigneeId ?? null);
  const [completing, setCompleting] = useState(false);
  const [rejecting, setRejecting] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const [holding, setHolding] = useState(false);
  const [holdReason, setHoldReason] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  // Loaded with the job, so the reasons are there when the signal is not.
  const holdReasons = useHoldReasons(wo.allowedTransitions.includes('on_hold'));
  const choosable = (holdReasons.data ?? []).filter((r) => r.active);

  const fail = (e: unknown) => {
    notifications.show({ color: 'red', title: t('error.actionFailed'), message: errorMessage(e) });
  };
  const reviewing = wo.status === 'completed' && can(me, 'work_order.approve_close');
  const steps = wo.allowedTransitions.filter((s) => !(reviewing && (s === 'closed' || s === 'in_progress')));
  const resume = wo.status === 'on_hold' || wo.status === 'completed';

  const technicians = (users.data?.items ?? []).filter((u) => u.role === 'technician' || u.role === 'vendor');

  return (
    <Stack gap="sm">
      <Group gap="sm">
        {steps.map((s) =>
          s === 'completed' ? (
            <Button key={s} size="lg" color={tone.teal} onClick={() => setCompleting(true)}>
              {t('action.complete')}
            </Button>
          ) : s === 'cancelled' ? (
            <Button key={s} size="lg" variant="outline" color={tone.red} onClick={() => setCancelling(true)}>
              {t('action.cancel')}
            </Button>
          ) : s === 'on_hold' ? (
            <Button key={s} size="lg" variant="default" onClick={() => setHolding(true)}>
              {t('action.hold')}
            </Button>
          ) : s === 'assigned' || s === 'closed' || s === 'pending' ? null : (
            <Button key={s} size="lg" onClick={() => void field.changeStatus(s).catch(fail)}>
              {s === 'in_progress' && resume ? t('action.resume') : t(STEP_LABEL[s] ?? 'action.start')}
            </Button>
          ),
        )}
        {reviewing && (
          <>
            <Button size="lg" color={tone.green} loading={approve.isPending} onClick={() => approve.mutate(wo.version, { onError: fail })}>
              {t('action.approve')}
            </Button>
            <Button size="lg" variant="outline" color={tone.red} onClick={() => setRejecting(true)}>
              {t('action.reject')}
            </Button>
          </>
        )}
      </Group>

      {mayAssign && (
        <Group align="end" gap="sm">
          <Select
            label={t('workOrder.assignTo')}
            data={technicians.map((u) => ({ value: u.id, label: `${u.name} (${u.roleName})` }))}
            value={assignee}
            onChange={setAssignee}
            searchable
            w={280}
            nothingFoundMessage={t('workOrder.noTechnicians')}
          />
          <Button
            disabled={!assignee || assignee === wo.assigneeId}
            loading={assign.isPending}
            onClick={() => assign.mutate({ assigneeId: assignee, version: wo.version }, { onError: fail })}
          >
            {t('action.assign')}
          </Button>
        </Group>
      )}

      <CompleteDialog
        opened={completing}
        onClose={() => setCompleting(false)}
        signatureRequired={wo.signatureRequired}
        checklistMissing={checklistMissing}
        onComplete={async (report, signature) => {
          if (signature) await field.addFile(signature, 'signature.png', 'signature');
          await field.complete(report);
        }}
      />
      <Modal opened={holding} onClose={() => setHolding(false)} title={t('hold.title')}>
        <Stack>
          <Select
            label={t('hold.reason')}
            placeholder={t('hold.pick')}
            data={choosable.map((r) => ({ value: r.code, label: r.name }))}
            value={holdReason}
            onChange={setHoldReason}
            required
            allowDeselect={false}
            nothingFoundMessage={t('hold.noReasons')}
            comboboxProps={{ withinPortal: true }}
          />
          <Button
            disabled={!holdReason}
            onClick={() => {
              const chosen = choosable.find((r) => r.code === holdReason);
              if (!chosen) return;
              setHolding(false);
              void field.changeStatus('on_hold', { code: chosen.code, name: chosen.name }).catch(fail);
            }}
          >
            {t('action.hold')}
          </Button>
        </Stack>
      </Modal>
      <Modal opened={rejecting} onClose={() => setRejecting(false)} title={t('reject.title')}>
        <Stack>
          <Textarea label={t('reject.reason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} required autosize minRows={3} />
          <Button
            color={tone.red}
            disabled={!reason.trim()}
            loading={reject.isPending}
            onClick={() => reject.mutate({ reason: reason.trim(), version: wo.version }, { onSuccess: () => setRejecting(false), onError: fail })}
          >
            {t('reject.submit')}
          </Button>
        </Stack>
      </Modal>
      <Modal opened={cancelling} onClose={() => setCancelling(false)} title={t('cancel.title')}>
        <Stack>
          <Textarea label={t('cancel.reason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} autosize minRows={3} />
          <Button
            color={tone.red}
            loading={assign.isPending}
            onClick={() =>
              assign.mutate(
                { status: 'cancelled', reason: reason.trim() || null, version: wo.version },
                { onSuccess: () => setCancelling(false), onError: fail },
              )
            }
          >
            {t('cancel.submit')}
          </Button>
        </Stack>
      </Modal>
    </Stack>
  );
}

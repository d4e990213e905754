import { useQueryClient } from '@tanstack/react-query';
import type { Schemas } from '@/lib/api/client';
import type { Me } from '@/lib/auth/use-me';
import { submit } from '@/lib/offline/sync';
import { keys, type Status, type WorkOrder } from './work-orders';

const base = (id: string) => `/api/v1/work-orders/${id}`;

/**
 * The steps the person doing the work may take next, as the server's state machine has them
 * (`hmms_domain::work_orders::may` with execute rights). Offline there is no server to ask, and
 * a technician who starts the work without signal must still be able to finish it.
 */
export const FIELD_NEXT: Partial<Record<Status, Status[]>> = {
  assigned: ['in_progress'],
  in_progress: ['on_hold', 'completed'],
  on_hold: ['in_progress'],
  completed: [],
};

/**
 * What a technician does to a work order, through the offline queue: each change is stored on
 * the device first, shown at once, and sent (now, or when the signal is back) with its own
 * idempotency key. A change the server refuses comes back as a conflict in the sync panel.
 */
export function useFieldActions(wo: WorkOrder, me: Me | undefined) {
  const userId = me?.user.id;
  const userName = me?.user.name;
  const qc = useQueryClient();
  const patchLocal = (patch: Partial<WorkOrder> & { status: Status }) =>
    qc.setQueryData<WorkOrder>(keys.one(wo.id), (old) => (old ? { ...old, ...patch, allowedTransitions: FIELD_NEXT[patch.status] ?? [] } : old));

  return {
    /** A status step; a step onto hold names its reason (one of the organization's). */
    changeStatus: async (to: Status, hold?: { code: string; name: string }) => {
      const body = hold ? { status: to, holdReason: hold.code, version: wo.version } : { status: to, version: wo.version };
      await submit({ kind: 'status', workOrderId: wo.id, method: 'PATCH', path: base(wo.id), body });
      patchLocal(
        hold ? { status: to, holdReason: hold.code, onHoldSince: new Date().toISOString(), names: { ...wo.names, holdReason: hold.name } } : { status: to },
      );
    },
    complete: async (report: Schemas['CompleteWorkOrder']) => {
      await submit({
        kind: 'complete',
        workOrderId: wo.id,
        method: 'POST',
        path: `${base(wo.id)}/complete`,
        body: { ...report, version: wo.version },
      });
      patchLocal({ status: 'completed', resolutionCategory: report.resolutionCategory });
    },
    addNote: async (body: string) => {
      const m = await submit({ kind: 'note', workOrderId: wo.id, method: 'POST', path: `${base(wo.id)}/notes`, body: { body } });
      qc.setQueryData<Schemas['NoteDto'][]>(keys.notes(wo.id), (old) => [
        ...(old ?? []),
        { id: m.id, body, authorId: userId ?? '', authorName: userName, createdAt: new Date(m.createdAt).toISOString() },
      ]);
    },
    startTimer: async () => {
      await submit({ kind: 'timer_start', workOrderId: wo.id, method: 'POST', path: `${base(wo.id)}/timer/start` });
      qc.setQueryData<Schemas['TimeLogList']>(keys.time(wo.id), (old) => ({
        totalMinutes: old?.totalMinutes ?? 0,
        items: [...(old?.items ?? []), { id: 'local', userId: userId ?? '', userName, startedAt: new Date().toISOString() }],
      }));
    },
    stopTimer: async () => {
      await submit({ kind: 'timer_stop', workOrderId: wo.id, method: 'POST', path: `${base(wo.id)}/timer/stop` });
      qc.setQueryData<Schemas['TimeLogList']>(keys.time(wo.id), (old) =>
        old
          ? {
              ...old,
              items: old.items.map((l) => (l.endedAt || l.userId !== userId ? l : { ...l, endedAt: new Date().toISOString() })),
            }
          : old,
      );
    },
    logTime: async (minutes: number, note: string) => {
      await submit({
        kind: 'time_log',
        workOrderId: wo.id,
        method: 'POST',
        path: `${base(wo.id)}/time-logs`,
        body: { minutes, note: note || null },
      });
      qc.setQueryData<Schemas['TimeLogList']>(keys.time(wo.id), (old) => ({
        totalMinutes: (old?.totalMinutes ?? 0) + minutes,
        items: [
          ...(old?.items ?? []),
          { id: `local-${Date.now()}`, userId: userId ?? '', userName, startedAt: new Date().toISOString(), endedAt: new Date().toISOString(), minutes, note },
        ],
      }));
    },
    /** Saves the checklist's answers so far (they replace the previous ones, so replaying is
     * harmless); shown at once. */
    saveChecklist: async (answers: Schemas['AnswerDto'][]) => {
      await submit({ kind: 'checklist', workOrderId: wo.id, method: 'PUT', path: `${base(wo.id)}/checklist`, body: { answers } });
      qc.setQueryData<Schemas['ChecklistDto']>(keys.checklist(wo.id), (old) => (old ? { ...old, answers } : old));
    },
    /** Takes a part from a store bin for this work; sent once, now or when the signal is back. */
    issuePart: async (partId: string, binId: string, quantity: string) => {
      await submit({
        kind: 'stock_issue',
        workOrderId: wo.id,
        method: 'POST',
        path: '/api/v1/stock-movements',
        body: { kind: 'issue', partId, binId, quantity, workOrderId: wo.id },
      });
    },
    addFile: async (blob: Blob, name: string, kind: 'photo' | 'signature' | 'document') => {
      await submit({
        kind: 'photo',
        workOrderId: wo.id,
        method: 'POST',
        path: `${base(wo.id)}/attachments`,
        file: { blob, name, kind },
      });
    },
  };
}

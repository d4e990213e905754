import { useSyncExternalStore } from 'react';
import { liveQuery } from 'dexie';
import { db, type QueuedMutation } from './db';
import { MutationQueue, type NewMutation } from './queue';
import { session } from '../auth/session';
import { sendMutation } from './transport';

const confirmed = new Set<(m: QueuedMutation, answer: unknown) => void>();

export const queue = new MutationQueue(
  db,
  sendMutation,
  Date.now,
  (m, outcome) => {
    for (const l of confirmed) l(m, outcome.data);
  },
  () => session.userId(),
);

/** Called with each change the server accepted and its answer (e.g. the updated work order). */
export function onConfirmed(l: (m: QueuedMutation, answer: unknown) => void): () => void {
  confirmed.add(l);
  return () => confirmed.delete(l);
}

export interface SyncState {
  online: boolean;
  syncing: boolean;
  pending: QueuedMutation[];
  conflicts: QueuedMutation[];
}

let state: SyncState = {
  online: typeof navigator === 'undefined' ? true : navigator.onLine,
  syncing: false,
  pending: [],
  conflicts: [],
};
const listeners = new Set<() => void>();
const replayed = new Set<(workOrderId: string) => void>();
let timer: ReturnType<typeof setTimeout> | undefined;

function set(patch: Partial<SyncState>) {
  state = { ...state, ...patch };
  for (const l of listeners) l();
}

/** Replays what waits, then schedules the next attempt if some are still waiting. */
export async function flush(): Promise<void> {
  if (!state.online) return;
  clearTimeout(timer);
  set({ syncing: true });
  const before = new Set(state.pending.map((m) => m.workOrderId));
  try {
    const report = await queue.replay();
    if (report.retryAt !== undefined) {
      timer = setTimeout(() => void flush(), Math.max(250, report.retryAt - Date.now()));
    }
  } finally {
    set({ syncing: false });
    for (const id of before) for (const l of replayed) l(id);
  }
}

/** Starts watching the queue and the connection. Called once by the app. */
export function startSync(): () => void {
  // The signed-in person's own changes; another person signing in on this device sees theirs.
  const watch = () =>
    liveQuery(() => Promise.all([queue.pending(), queue.conflicts()])).subscribe({
      next: ([pending, conflicts]) => set({ pending, conflicts }),
    });
  let sub = watch();
  const offSession = session.subscribe(() => {
    sub.unsubscribe();
    sub = watch();
    void flush();
  });
  const up = () => {
    set({ online: true });
    void flush();
  };
  const down = () => set({ online: false });
  window.addEventListener('online', up);
  window.addEventListener('offline', down);
  void flush();
  return () => {
    sub.unsubscribe();
    offSession();
    window.removeEventListener('online', up);
    window.removeEventListener('offline', down);
  };
}

/** Called with a work order's id after its queued changes were sent (to refetch it). */
export function onReplayed(l: (workOrderId: string) => void): () => void {
  replayed.add(l);
  return () => replayed.delete(l);
}

/** Queues a change and sends it at once when online. Resolves when it is safely stored. */
export async function submit(m: NewMutation): Promise<QueuedMutation> {
  const record = await queue.enqueue(m);
  void flush();
  return record;
}

export function useSync(): SyncState {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => state,
  );
}

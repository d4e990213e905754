import type { OfflineDb, QueuedMutation } from './db';
import { uuidv7 } from './uuid';

/** How the server answered one queued change. */
export type Outcome =
  | { kind: 'ok'; version?: number; data?: unknown }
  /** Refused for a reason the technician must see: a rejected transition (409), a stale
   * version (412), invalid input (422), or not allowed any more (403/404). */
  | { kind: 'conflict'; message: string; allowed?: string[] }
  /** Not reached, or the server failed: try again later, in order. */
  | { kind: 'retry' };

export type Transport = (m: QueuedMutation) => Promise<Outcome>;

export type NewMutation = Omit<QueuedMutation, 'seq' | 'id' | 'userId' | 'chainVersion' | 'createdAt' | 'attempts' | 'nextAttemptAt' | 'state'>;

/** Changes whose answer is the work order itself (with its new `version`). */
const WORK_ORDER_ANSWERS = new Set<QueuedMutation['kind']>(['status', 'complete']);

const BASE_DELAY_MS = 1_000;
const MAX_DELAY_MS = 60_000;

/** Delay before attempt `n + 1` after `n` failed ones: doubling from 1 s, at most a minute. */
export function backoff(attempts: number): number {
  return Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, attempts - 1));
}

/**
 * The offline mutation queue. Changes are stored in IndexedDB before anything is sent, replayed
 * strictly in order, retried with backoff while the server is out of reach, and kept — marked as
 * a conflict — when the server refuses them, until the technician has seen and dismissed them.
 */
export class MutationQueue {
  private running: Promise<ReplayReport> | null = null;

  constructor(
    private readonly db: OfflineDb,
    private readonly send: Transport,
    private readonly now: () => number = Date.now,
    /** Told about each change the server accepted, with its answer. */
    private readonly onSent?: (m: QueuedMutation, outcome: Outcome & { kind: 'ok' }) => void,
    /** Who is signed in now: only their changes are stored and sent. */
    private readonly currentUser: () => string | null = () => 'anyone',
  ) {}

  /** Stores a change; a change to a work order that already has changes waiting takes its
   * version from theirs when replayed. */
  async enqueue(m: NewMutation): Promise<QueuedMutation> {
    const userId = this.currentUser();
    if (!userId) throw new Error('Sign in to make changes.');
    const waiting = await this.db.mutations
      .where('workOrderId')
      .equals(m.workOrderId)
      .filter((x) => x.state === 'pending' && x.userId === userId)
      .count();
    const t = this.now();
    const record: QueuedMutation = {
      ...m,
      id: uuidv7(t),
      userId,
      chainVersion: waiting > 0,
      createdAt: t,
      attempts: 0,
      nextAttemptAt: t,
      state: 'pending',
    };
    record.seq = await this.db.mutations.add(record);
    return record;
  }

  /** The signed-in person's changes that wait to be sent, in order. */
  pending(): Promise<QueuedMutation[]> {
    const user = this.currentUser();
    return this.db.mutations
      .where('state')
      .equals('pending')
      .filter((m) => m.userId === user)
      .sortBy('seq');
  }

  /** The signed-in person's changes the server refused (and, for anyone, unattributable ones). */
  conflicts(): Promise<QueuedMutation[]> {
    const user = this.currentUser();
    return this.db.mutations
      .where('state')
      .anyOf('conflict', 'failed')
      .filter((m) => m.userId === user || m.userId === '')
      .sortBy('seq');
  }

  /** The technician has read the conflict; forget the change. */
  async dismiss(id: string): Promise<void> {
    await this.db.mutations.where('id').equals(id).delete();
  }

  /** Sends waiting changes in order. Concurrent calls share one run, so nothing is sent twice. */
  replay(): Promise<ReplayReport> {
    this.running ??= this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async run(): Promise<ReplayReport> {
    const report: ReplayReport = { sent: 0, conflicts: 0, waiting: 0 };
    const versions = new Map<string, number>();
    // A change queued while this run is sending joins it (a concurrent replay shares this run
    // and would otherwise leave it waiting until the next trigger): read what waits until empty.
    for (let batch = await this.pending(); batch.length > 0; batch = await this.pending()) {
      for (const m of batch) {
        if (m.nextAttemptAt > this.now()) {
          report.waiting = (await this.pending()).length;
          report.retryAt = m.nextAttemptAt;
          return report;
        }
        // Only a change that names the work order's version takes it from the change before it
        // (a note or a checklist has no such field, and would be refused with one).
        const chained = m.chainVersion && m.body && 'version' in m.body ? versions.get(m.workOrderId) : undefined;
        const toSend = chained !== undefined && m.body ? { ...m, body: { ...m.body, version: chained } } : m;
        let outcome: Outcome;
        try {
          outcome = await this.send(toSend);
        } catch {
          outcome = { kind: 'retry' };
        }
        if (outcome.kind === 'retry') {
          const attempts = m.attempts + 1;
          const nextAttemptAt = this.now() + backoff(attempts);
          await this.db.mutations.update(m.seq!, { attempts, nextAttemptAt });
          report.waiting = (await this.pending()).length;
          report.retryAt = nextAttemptAt;
          return report;
        }
        if (outcome.kind === 'ok') {
          // The work order's version comes back from its status steps; a checklist's or a note's
          // answer carries a version of something else.
          if (outcome.version !== undefined && WORK_ORDER_ANSWERS.has(m.kind)) versions.set(m.workOrderId, outcome.version);
          await this.db.mutations.delete(m.seq!);
          report.sent++;
          this.onSent?.(m, outcome);
        } else {
          await this.db.mutations.update(m.seq!, { state: 'conflict', error: outcome.message, allowed: outcome.allowed });
          report.conflicts++;
        }
      }
    }
    return report;
  }
}

export interface ReplayReport {
  sent: number;
  conflicts: number;
  /** Changes still waiting (the server was out of reach). */
  waiting: number;
  /** When the next attempt is due, if any are waiting. */
  retryAt?: number;
}

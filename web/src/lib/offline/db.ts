import Dexie, { type EntityTable } from 'dexie';

/** What kind of change a queued mutation makes (shown to the technician). */
export type MutationKind = 'status' | 'complete' | 'note' | 'time_log' | 'photo' | 'timer_start' | 'timer_stop' | 'checklist' | 'stock_issue';

export type MutationState = 'pending' | 'conflict' | 'failed';

/** A change made on this device that the server has not confirmed yet. */
export interface QueuedMutation {
  /** Order of entry; replay follows it. */
  seq?: number;
  /** UUIDv7, sent as the `Idempotency-Key`: a replay of a change the server already has returns
   * the stored answer instead of applying it again. */
  id: string;
  /** Who made the change: it is sent only while they are signed in on this device, never
   * under someone else's session. */
  userId: string;
  kind: MutationKind;
  workOrderId: string;
  method: 'POST' | 'PATCH' | 'PUT';
  path: string;
  /** JSON body, or for photos the file and its kind (sent as multipart). */
  body?: Record<string, unknown>;
  file?: { blob: Blob; name: string; kind: string };
  /** Take `version` from the answer to the previous change of the same work order in this
   * replay (changes queued one after another must not conflict with each other). */
  chainVersion: boolean;
  createdAt: number;
  attempts: number;
  nextAttemptAt: number;
  state: MutationState;
  /** The server's explanation when it refused the change. */
  error?: string;
  /** For `409`: the states the server would have accepted. */
  allowed?: string[];
}

export interface KeyValue {
  key: string;
  value: string;
}

class OfflineDb extends Dexie {
  mutations!: EntityTable<QueuedMutation, 'seq'>;
  kv!: EntityTable<KeyValue, 'key'>;

  constructor(name: string) {
    super(name);
    this.version(1).stores({
      mutations: '++seq, &id, workOrderId, state',
      kv: '&key',
    });
    // Changes queued before they carried their author cannot be attributed: keep them out of
    // every replay (they show as conflicts to dismiss) rather than send them as someone else.
    this.version(2)
      .stores({ mutations: '++seq, &id, workOrderId, state, userId', kv: '&key' })
      .upgrade((tx) =>
        tx
          .table('mutations')
          .toCollection()
          .modify((m: QueuedMutation) => {
            if (!m.userId) {
              m.userId = '';
              m.state = 'failed';
              m.error = 'Queued by an older version of the app; make the change again.';
            }
          }),
      );
  }
}

export const db = new OfflineDb('hmms');

/** A fresh database under another name (unit tests). */
export function openDb(name: string): OfflineDb {
  return new OfflineDb(name);
}

export type { OfflineDb };

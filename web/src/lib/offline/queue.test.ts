import { describe, expect, it } from 'vitest';
import { openDb, type QueuedMutation } from './db';
import { backoff, MutationQueue, type Outcome } from './queue';

let n = 0;
function fresh() {
  return openDb(`queue-test-${++n}`);
}

/** A server stand-in that records what reached it, keyed by Idempotency-Key like the real one. */
function server(answer: (m: QueuedMutation, seen: number) => Outcome) {
  const received: QueuedMutation[] = [];
  const byKey = new Map<string, Outcome>();
  const send = async (m: QueuedMutation): Promise<Outcome> => {
    const stored = byKey.get(m.id);
    if (stored) return stored;
    received.push(m);
    const outcome = answer(m, received.length);
    if (outcome.kind !== 'retry') byKey.set(m.id, outcome);
    return outcome;
  };
  return { received, send };
}

const note = (wo: string, body: string) => ({
  kind: 'note' as const,
  workOrderId: wo,
  method: 'POST' as const,
  path: `/api/v1/work-orders/${wo}/notes`,
  body: { body },
});
const status = (wo: string, to: string, version: number) => ({
  kind: 'status' as const,
  workOrderId: wo,
  method: 'PATCH' as const,
  path: `/api/v1/work-orders/${wo}`,
  body: { status: to, version },
});

describe('offline mutation queue', () => {
  it('replays changes in the order they were made, each once, and empties', async () => {
    const s = server(() => ({ kind: 'ok' }));
    const q = new MutationQueue(fresh(), s.send);
    await q.enqueue(note('a', 'first'));
    await q.enqueue(note('b', 'second'));
    await q.enqueue(note('a', 'third'));
    const report = await q.replay();
    expect(report).toMatchObject({ sent: 3, conflicts: 0, waiting: 0 });
    expect(s.received.map((m) => m.body?.body)).toEqual(['first', 'second', 'third']);
    expect(await q.pending()).toEqual([]);
    await q.replay();
    expect(s.received).toHaveLength(3);
  });

  it('gives every change its own idempotency key, stable across retries', async () => {
    let up = false;
    const keys: string[] = [];
    const store = fresh();
    const q = new MutationQueue(
      store,
      async (m) => {
        keys.push(m.id);
        return up ? { kind: 'ok' } : { kind: 'retry' };
      },
      () => 0,
    );
    await q.enqueue(note('a', 'x'));
    await q.enqueue(note('a', 'y'));
    await q.replay();
    up = true;
    // A reload: a new queue over the same IndexedDB, long after the backoff.
    const q2 = new MutationQueue(
      store,
      async (m) => {
        keys.push(m.id);
        return { kind: 'ok' };
      },
      () => 10 ** 12,
    );
    await q2.replay();
    expect(keys).toHaveLength(3);
    expect(keys[0]).toBe(keys[1]);
    expect(keys[2]).not.toBe(keys[0]);
    expect(keys[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('stops at the first unreachable change and keeps the rest in order, backing off', async () => {
    let clock = 1_000;
    const s = server((_, seen) => (seen === 1 ? { kind: 'ok' } : { kind: 'retry' }));
    const q = new MutationQueue(fresh(), s.send, () => clock);
    await q.enqueue(note('a', '1'));
    await q.enqueue(note('a', '2'));
    await q.enqueue(note('a', '3'));
    const first = await q.replay();
    expect(first).toMatchObject({ sent: 1, waiting: 2, retryAt: 1_000 + backoff(1) });
    // Not due yet: nothing is sent.
    await q.replay();
    expect(s.received).toHaveLength(2);
    clock += backoff(1);
    const second = await q.replay();
    expect(second.retryAt).toBe(clock + backoff(2));
    expect((await q.pending()).map((m) => m.body?.body)).toEqual(['2', '3']);
  });

  it('doubles the delay up to a minute', () => {
    expect([1, 2, 3, 4, 8].map(backoff)).toEqual([1_000, 2_000, 4_000, 8_000, 60_000]);
  });

  it('keeps a refused change as a conflict with the server reason, and goes on', async () => {
    const s = server((m) => (m.kind === 'status' ? { kind: 'conflict', message: 'Work order is closed', allowed: [] } : { kind: 'ok' }));
    const q = new MutationQueue(fresh(), s.send);
    await q.enqueue(status('a', 'in_progress', 3));
    await q.enqueue(note('a', 'after'));
    const report = await q.replay();
    expect(report).toMatchObject({ sent: 1, conflicts: 1 });
    const conflicts = await q.conflicts();
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({ kind: 'status', state: 'conflict', error: 'Work order is closed' });
    // A conflict is never sent again on its own, and stays until dismissed.
    await q.replay();
    expect(s.received).toHaveLength(2);
    await q.dismiss(conflicts[0]!.id);
    expect(await q.conflicts()).toEqual([]);
  });

  it('chains versions of changes queued one after another on the same work order', async () => {
    let version = 3;
    const s = server((m) => {
      if (m.body?.version !== undefined && m.body.version !== version) return { kind: 'conflict', message: 'stale' };
      version++;
      return { kind: 'ok', version };
    });
    const q = new MutationQueue(fresh(), s.send);
    await q.enqueue(status('a', 'in_progress', 3));
    await q.enqueue({ ...status('a', 'completed', 3), kind: 'complete', method: 'POST', path: '/complete' });
    const report = await q.replay();
    expect(report).toMatchObject({ sent: 2, conflicts: 0 });
    expect(s.received.map((m) => m.body?.version)).toEqual([3, 4]);
  });

  it('runs one replay at a time, so concurrent calls send nothing twice', async () => {
    const s = server(() => ({ kind: 'ok' }));
    const q = new MutationQueue(fresh(), async (m) => {
      await new Promise((r) => setTimeout(r, 5));
      return s.send(m);
    });
    await q.enqueue(note('a', 'once'));
    await Promise.all([q.replay(), q.replay(), q.replay()]);
    expect(s.received).toHaveLength(1);
  });

  it('sends a change made while a replay is sending in that same replay', async () => {
    // The technician completes a job while the photo before it is still uploading: the
    // completion must not wait for the next trigger (there may be none until the app reloads).
    const s = server(() => ({ kind: 'ok' }));
    let queuedDuring: Promise<unknown> | undefined;
    const q: MutationQueue = new MutationQueue(fresh(), async (m) => {
      if (m.body?.body === 'photo') queuedDuring = q.enqueue(note('a', 'complete'));
      await queuedDuring;
      return s.send(m);
    });
    await q.enqueue(note('a', 'photo'));
    const first = q.replay();
    const second = q.replay();
    await Promise.all([first, second]);
    expect(s.received.map((m) => m.body?.body)).toEqual(['photo', 'complete']);
    expect(await q.pending()).toEqual([]);
  });

  it('sends a change only while the person who made it is signed in', async () => {
    const s = server(() => ({ kind: 'ok' }));
    let who: string | null = 'technician-a';
    const store = fresh();
    const q = new MutationQueue(store, s.send, Date.now, undefined, () => who);
    who = null;
    await expect(q.enqueue(note('w', 'nobody'))).rejects.toThrow(/Sign in/);
    who = 'technician-a';
    await q.enqueue(note('w', 'by A'));
    // A signs out offline; B signs in on the same phone: A's note is not B's to send.
    who = 'technician-b';
    expect(await q.pending()).toEqual([]);
    expect(await q.replay()).toMatchObject({ sent: 0 });
    await q.enqueue(note('w', 'by B'));
    await q.replay();
    expect(s.received.map((m) => [m.userId, m.body?.body])).toEqual([['technician-b', 'by B']]);
    // A signs in again: A's note goes out, under A.
    who = 'technician-a';
    await q.replay();
    expect(s.received.map((m) => [m.userId, m.body?.body])).toEqual([
      ['technician-b', 'by B'],
      ['technician-a', 'by A'],
    ]);
  });

  it('gives a chained version only to changes that name one, from answers that are the work order', async () => {
    let woVersion = 3;
    let checklistVersion = 40;
    const s = server((m) => {
      if (m.kind === 'checklist') return { kind: 'ok', version: ++checklistVersion };
      if (m.kind === 'note') {
        // The server refuses fields it does not know (deny_unknown_fields).
        return m.body && 'version' in m.body ? { kind: 'conflict', message: 'unknown field version' } : { kind: 'ok' };
      }
      if (m.body?.version !== woVersion) return { kind: 'conflict', message: 'stale' };
      return { kind: 'ok', version: ++woVersion };
    });
    const q = new MutationQueue(fresh(), s.send);
    await q.enqueue(status('a', 'in_progress', 3));
    await q.enqueue(note('a', 'started'));
    await q.enqueue({ kind: 'checklist', workOrderId: 'a', method: 'PUT', path: '/checklist', body: { answers: [] } });
    await q.enqueue({ ...status('a', 'completed', 3), kind: 'complete', method: 'POST', path: '/complete' });
    const report = await q.replay();
    expect(report).toMatchObject({ sent: 4, conflicts: 0 });
    expect(s.received.map((m) => [m.kind, m.body?.version])).toEqual([
      ['status', 3],
      ['note', undefined],
      ['checklist', undefined],
      ['complete', 4],
    ]);
  });
});

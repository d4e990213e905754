import type { QueuedMutation } from './db';
import type { Outcome } from './queue';
import { session } from '../auth/session';

/** Statuses that mean "the server will not take this change as it is": shown, never retried. */
const REFUSED = new Set([400, 403, 404, 409, 412, 413, 415, 422]);

/** Sends one queued change to the server with its `Idempotency-Key`. */
export async function sendMutation(m: QueuedMutation): Promise<Outcome> {
  const token = await session.accessToken();
  const headers: Record<string, string> = { 'Idempotency-Key': m.id };
  if (token) headers.Authorization = `Bearer ${token}`;
  let body: BodyInit | undefined;
  if (m.file) {
    const form = new FormData();
    form.append('kind', m.file.kind);
    form.append('file', m.file.blob, m.file.name);
    body = form;
  } else if (m.body) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(m.body);
  }
  let res: Response;
  try {
    res = await fetch(m.path, { method: m.method, headers, body });
  } catch {
    return { kind: 'retry' };
  }
  if (res.ok) {
    const data = (await res.json().catch(() => null)) as { version?: unknown } | null;
    return { kind: 'ok', version: typeof data?.version === 'number' ? data.version : undefined, data };
  }
  if (res.status === 401) {
    // Signed out meanwhile: keep the change until the technician signs in again.
    return { kind: 'retry' };
  }
  if (res.status === 409 && res.headers.has('Retry-After')) {
    // The same change (same key) is still being handled from an earlier attempt: ask again
    // later for its answer.
    return { kind: 'retry' };
  }
  if (REFUSED.has(res.status)) {
    const problem = (await res.json().catch(() => null)) as { detail?: string; title?: string; allowed?: string[] } | null;
    return {
      kind: 'conflict',
      message: problem?.detail ?? problem?.title ?? `Refused (${res.status})`,
      allowed: problem?.allowed ?? undefined,
    };
  }
  return { kind: 'retry' };
}

import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';
import { session } from '../auth/session';

export type Schemas = components['schemas'];
export type Problem = Schemas['Problem'];

/** An API answer that was not a success, carrying the server's problem+json. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
  ) {
    super(problem?.detail ?? problem?.title ?? `Request failed (${status})`);
  }
}

/** The network was unreachable: the request may be queued and retried. */
export class OfflineError extends Error {
  constructor() {
    super('offline');
  }
}

const auth: Middleware = {
  async onRequest({ request }) {
    const token = await session.accessToken();
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
  async onResponse({ response }) {
    if (response.status === 401) session.expired();
    return response;
  },
};

/** The typed client for `/api/v1`, generated from the server's OpenAPI document. */
export const api = createClient<paths>({ baseUrl: '/' });
api.use(auth);

/** Unwraps an openapi-fetch result: data on success, an ApiError otherwise. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call;
  } catch (e) {
    if (e instanceof TypeError) throw new OfflineError();
    throw e;
  }
  if (result.response.ok) return result.data as T;
  throw new ApiError(result.response.status, result.error as Problem | undefined);
}

/** The message to show for an error, with field errors joined. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) {
    const fields = e.problem?.errors?.map((f) => `${f.field}: ${f.message}`).join('; ');
    return fields ? `${e.message} (${fields})` : e.message;
  }
  if (e instanceof OfflineError) return 'You are offline.';
  return e instanceof Error ? e.message : String(e);
}

/** The server's per-field messages of a 422, by field name (camelCase as sent). */
export function fieldErrors(e: unknown): Record<string, string> {
  if (!(e instanceof ApiError)) return {};
  return Object.fromEntries((e.problem?.errors ?? []).map((f) => [f.field, f.message]));
}

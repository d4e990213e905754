import { api } from '../api/client';
import { db } from '../offline/db';
import { session } from './session';

/** Signs out here and on the server, and forgets this user's offline copy. Changes still
 * waiting to be sent are kept: they carry their own idempotency keys and go out at the next
 * sign-in. */
export async function signOut(clearCache: () => void) {
  const refreshToken = session.refreshToken();
  if (refreshToken) {
    await api.POST('/api/v1/auth/logout', { body: { refreshToken } }).catch(() => undefined);
  }
  session.clear();
  clearCache();
  await db.kv.clear();
}

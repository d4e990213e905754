import type { components } from '../api/schema';

type TokenPair = components['schemas']['TokenPair'];

interface Stored {
  accessToken: string;
  refreshToken: string;
  /** Epoch milliseconds when the access token stops working. */
  expiresAt: number;
}

const KEY = 'hmms.session';
const listeners = new Set<() => void>();

function read(): Stored | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Stored) : null;
  } catch {
    return null;
  }
}

let current: Stored | null = typeof localStorage === 'undefined' ? null : read();
let refreshing: Promise<string | null> | null = null;

function notify() {
  for (const l of listeners) l();
}

async function refresh(s: Stored): Promise<string | null> {
  let res: Response;
  try {
    res = await fetch('/api/v1/auth/refresh', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refreshToken: s.refreshToken }),
    });
  } catch {
    // Offline: keep the session; requests will be queued and retried.
    return s.accessToken;
  }
  if (!res.ok) {
    session.clear();
    return null;
  }
  session.set((await res.json()) as TokenPair);
  return current?.accessToken ?? null;
}

/**
 * The signed-in session: tokens kept in localStorage so the technician stays signed in
 * through a reload without signal; the access token is refreshed shortly before it expires.
 */
export const session = {
  signedIn(): boolean {
    return current !== null;
  },
  set(t: TokenPair) {
    current = {
      accessToken: t.accessToken,
      refreshToken: t.refreshToken,
      expiresAt: Date.now() + t.expiresIn * 1000,
    };
    localStorage.setItem(KEY, JSON.stringify(current));
    notify();
  },
  clear() {
    current = null;
    localStorage.removeItem(KEY);
    notify();
  },
  /**
   * The server said 401 to the access token. The refresh token decides: if the sign-in still
   * holds (e.g. a token from before a server upgrade) it is renewed, otherwise the session is
   * over (signed out elsewhere, password changed, revoked or too old) and is cleared.
   */
  expired() {
    const s = current;
    if (refreshing || !s) return;
    refreshing = refresh(s).finally(() => {
      refreshing = null;
    });
  },
  refreshToken(): string | null {
    return current?.refreshToken ?? null;
  },
  /** Who is signed in: the access token's subject (read without verifying; the server does). */
  userId(): string | null {
    const payload = current?.accessToken.split('.')[1];
    if (!payload) return null;
    try {
      const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
      return (JSON.parse(json) as { sub?: string }).sub ?? null;
    } catch {
      return null;
    }
  },
  async accessToken(): Promise<string | null> {
    const s = current;
    if (!s) return null;
    if (s.expiresAt - Date.now() > 60_000) return s.accessToken;
    refreshing ??= refresh(s).finally(() => {
      refreshing = null;
    });
    return refreshing;
  },
  subscribe(l: () => void): () => void {
    listeners.add(l);
    return () => listeners.delete(l);
  },
};

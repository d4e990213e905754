// The API as the tests check it: the same endpoints the app uses, with a person's token.
import { freshTotp } from './totp.mjs';

export const PASSWORD = 'demo-password-2026';
export const TOTP_SECRET = 'JBSWY3DPEHPK3PXP';
export const EMAIL = {
  admin: 'admin@demo.hmms',
  manager: 'manager@demo.hmms',
  technician: 'technician@demo.hmms',
  staff: 'staff@demo.hmms',
  procurement: 'procurement@demo.hmms',
  vendor: 'vendor@demo.hmms',
  it: 'it@demo.hmms',
};

async function call(server, method, path, { token, body } = {}) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(server.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let data;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  return { status: res.status, data };
}

/** Signs `who` in through the API (with a TOTP code where the role needs one). */
export async function signIn(server, who) {
  const login = await call(server, 'POST', '/api/v1/auth/login', { body: { email: EMAIL[who], password: PASSWORD } });
  if (login.status !== 200) throw new Error(`login ${who}: ${login.status} ${JSON.stringify(login.data)}`);
  let answer = login.data;
  if (answer.status === 'otp_required') {
    const code = await freshTotp(TOTP_SECRET, who);
    const v = await call(server, 'POST', '/api/v1/auth/verify-otp', { body: { challengeToken: answer.challengeToken, code } });
    if (v.status !== 200) throw new Error(`otp ${who}: ${v.status} ${JSON.stringify(v.data)}`);
    answer = v.data;
  }
  return answer.tokens;
}

/** A client for one person: `get(path)`, `post(path, body)`, … answering `{status, data}`. */
export async function as(server, who) {
  const { accessToken } = await signIn(server, who);
  const c = (method) => (path, body) => call(server, method, path, { token: accessToken, body });
  return { token: accessToken, get: c('GET'), post: c('POST'), patch: c('PATCH'), put: c('PUT'), del: c('DELETE') };
}

// RFC 6238 codes for the demo's TOTP secret, so the tests sign in as a manager the way a
// person with an authenticator app does.
import { createHmac } from 'node:crypto';

function base32(secret) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '').toUpperCase()) {
    const v = alphabet.indexOf(c);
    if (v < 0) throw new Error(`not base32: ${c}`);
    bits += v.toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The code for `step` (30-second steps since the epoch). */
export function totp(secret, step = Math.floor(Date.now() / 30_000)) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const n = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(n).padStart(6, '0');
}

// The server refuses a code whose step it has seen (replay protection), so each sign-in of the
// same person takes a later step: the next one is accepted early (one step of clock skew), and
// after that we wait for the clock.
const used = new Map();
export async function freshTotp(secret, who) {
  for (;;) {
    const now = Math.floor(Date.now() / 30_000);
    const last = used.get(who) ?? -Infinity;
    const step = Math.max(now, last + 1);
    if (step <= now + 1) {
      used.set(who, step);
      return totp(secret, step);
    }
    await new Promise((r) => setTimeout(r, (now + 1) * 30_000 - Date.now() + 50));
  }
}

// What every browser test shares: the databases to run on, and a fresh server plus browser
// per test, torn down (and the server's log shown) however the test ends.
import { launch, shot } from './browser.mjs';
import { postgresAvailable, startServer } from './server.mjs';

/** SQLite always; PostgreSQL when it answers, and it must when HMMS_REQUIRE_POSTGRES=1. */
export function backends() {
  const list = ['sqlite'];
  if (postgresAvailable()) list.push('postgres');
  else if (process.env.HMMS_REQUIRE_POSTGRES === '1') throw new Error('PostgreSQL is required (HMMS_REQUIRE_POSTGRES=1) but does not answer');
  else console.warn('# PostgreSQL does not answer: browser tests run on SQLite only');
  return list;
}

/** Runs `fn({ server, browser })` against a fresh server on `backend` with the demo hospital. */
export async function withApp(backend, fn, options = {}) {
  const server = await startServer({ backend, ...options });
  const browser = await launch();
  try {
    await fn({ server, browser });
  } catch (e) {
    // What each device showed when it failed.
    let n = 0;
    for (const c of browser.contexts()) for (const p of c.pages()) await shot(p, server, `failed-${++n}`).catch(() => {});
    console.error(`--- hmms log (${backend}) ---\n${server.log().slice(-6000)}`);
    throw e;
  } finally {
    await browser.close();
    await server.stop();
  }
}

// Cold load of the web app from the release binary: how long until the sign-in page can be
// used, and until a signed-in manager's dashboard shows its figures, in a fresh browser (no
// cache, no service worker) — on loopback and on a throttled "slow 4G" phone connection.
//
// Usage: node bench/web_cold_load.mjs [--runs 10]
// Needs `cargo build --release -p hmms`, the web app's node_modules, and /usr/bin/chromium.
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const web = resolve(import.meta.dirname, '../web');
process.env.HMMS_BIN ??= resolve(import.meta.dirname, '../target/release/hmms');
const { startServer } = await import(`${web}/e2e/lib/server.mjs`);
const { launch } = await import(`${web}/e2e/lib/browser.mjs`);
const { signIn } = await import(`${web}/e2e/lib/api.mjs`);
createRequire(`${web}/package.json`); // playwright-core resolves from web/

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 10;
const NETWORKS = {
  loopback: null,
  // Chrome DevTools' "Slow 4G": 150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up.
  'slow 4G': { offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 },
};

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

const server = await startServer({ backend: 'sqlite' });
const browser = await launch();
try {
  const tokens = await signIn(server, 'manager');
  const results = {};
  for (const [name, conditions] of Object.entries(NETWORKS)) {
    const signInMs = [];
    const dashboardMs = [];
    for (let i = 0; i < runs; i++) {
      for (const target of ['sign-in', 'dashboard']) {
        const context = await browser.newContext({ serviceWorkers: 'block', viewport: { width: 1366, height: 850 } });
        const page = await context.newPage();
        const cdp = await context.newCDPSession(page);
        await cdp.send('Network.enable');
        await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
        if (conditions) await cdp.send('Network.emulateNetworkConditions', conditions);
        if (target === 'dashboard') {
          const session = JSON.stringify({ accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: Date.now() + 600_000 });
          await context.addInitScript((s) => localStorage.setItem('hmms.session', s), session);
        }
        const t0 = Date.now();
        if (target === 'sign-in') {
          await page.goto(`${server.url}/sign-in`);
          await page.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: 60_000 });
          signInMs.push(Date.now() - t0);
        } else {
          await page.goto(`${server.url}/`);
          await page.getByText('MTTR this month').waitFor({ timeout: 60_000 });
          dashboardMs.push(Date.now() - t0);
        }
        await context.close();
      }
    }
    results[name] = {
      signIn: { p50: pct(signInMs, 50), p95: pct(signInMs, 95) },
      dashboard: { p50: pct(dashboardMs, 50), p95: pct(dashboardMs, 95) },
    };
  }
  console.log(JSON.stringify({ runs, results }, null, 2));
} finally {
  await browser.close();
  await server.stop();
}

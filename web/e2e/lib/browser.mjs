// Debian's Chromium driven by playwright-core (no browser download), with the flags this
// closed network needs.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EMAIL, PASSWORD, TOTP_SECRET } from './api.mjs';
import { freshTotp } from './totp.mjs';

export const CHROMIUM = process.env.HMMS_CHROMIUM ?? '/usr/bin/chromium';
export const SHOTS = resolve(import.meta.dirname, '../../../test-output/screenshots');

export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

export const DESKTOP = { viewport: { width: 1366, height: 850 } };
export const PHONE = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36',
};

/** A new browser context (its own storage, like another person's device) on the server. */
export async function device(browser, server, kind = DESKTOP, extra = {}) {
  const context = await browser.newContext({ ...kind, baseURL: server.url, locale: 'en-GB', timezoneId: 'Africa/Nairobi', ...extra });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.errors = errors;
  return { context, page };
}

/** Saves a full-page screenshot as `<backend>-<name>.png` under test-output/screenshots. */
export async function shot(page, server, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${server.backend}-${name}.png`), fullPage: true });
}

/** Signs `who` in through the sign-in page as a person does (password, then the
 * authenticator code where the role needs one) and waits for the signed-in app. */
export async function signInUi(page, who) {
  await page.goto('/sign-in');
  await page.getByLabel('E-mail').fill(EMAIL[who]);
  await page.getByLabel(/^Password/).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  if (['admin', 'manager', 'it'].includes(who)) {
    await page.getByLabel('Authenticator code').fill(await freshTotp(TOTP_SECRET, who));
    await page.getByRole('button', { name: 'Verify' }).click();
  }
  await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
  await page.getByRole('navigation').first().waitFor();
}

// Every main screen, as the people who use it see it at a desk and on a phone: each is
// screenshotted under test-output/screenshots and scanned with axe-core, and none may have a
// serious or critical accessibility violation.
/* global document, axe -- inside page.evaluate, which runs in the browser */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { as } from './lib/api.mjs';
import { DESKTOP, PHONE, device, shot, signInUi } from './lib/browser.mjs';
import { backends, withApp } from './lib/fixture.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe on what the page shows and returns the serious and critical violations. */
async function violations(page) {
  // Through the debugging protocol, which the app's Content-Security-Policy does not govern.
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Opens `path`, waits until it has drawn its content, screenshots and scans it. */
async function visit(page, server, path, name, ready, found) {
  await page.goto(path);
  await ready(page);
  // Nothing still loading (the live event stream keeps the network busy, so not "network idle").
  await page.waitForFunction(() => document.querySelectorAll('[aria-busy="true"]').length === 0);
  await page.waitForTimeout(300);
  await shot(page, server, name);
  // At 1280 px and wider no badge (status, priority, SLA) or marked figure is cut off.
  if (page.viewportSize().width >= 1280) {
    const cut = await page.evaluate(() =>
      [...document.querySelectorAll('.mantine-Badge-label, .mantine-Badge-root, [data-figure]')]
        .filter((el) => {
          if (el.scrollWidth > el.clientWidth + 1) return true;
          // Nor pushed out of sight to the right of a scrolling table.
          const frame = el.closest('.mantine-ScrollArea-viewport, .mantine-Table-scrollContainer');
          return frame !== null && el.getBoundingClientRect().right > frame.getBoundingClientRect().right + 1;
        })
        .map((el) => el.textContent),
    );
    for (const text of cut) found.push(`${name}: "${text}" is cut off`);
  }
  for (const v of await violations(page)) found.push(`${name}: ${v.id} (${v.impact}) ${v.help} at ${v.nodes.join(', ')}`);
}

const heading = (name) => (page) => page.getByRole('heading', { name, level: 1 }).first().waitFor();

for (const backend of backends()) {
  test(`${backend}: main screens, desk and phone, without serious accessibility problems`, async () => {
    await withApp(backend, async ({ server, browser }) => {
      const found = [];
      const manager = await as(server, 'manager');
      const wo = (await manager.get('/api/v1/work-orders?limit=1&status=in_progress')).data.items[0];
      const asset = (await manager.get('/api/v1/assets?limit=1')).data.items[0];

      const anonymous = await device(browser, server, DESKTOP);
      await visit(anonymous.page, server, '/sign-in', 'sign-in-desktop', heading('HMMS'), found);
      const room = await device(browser, server, PHONE);
      await visit(room.page, server, '/l/SMGH/MB-1-01', 'public-request-phone', heading('Report a problem'), found);

      const desk = await device(browser, server, DESKTOP);
      await signInUi(desk.page, 'manager');
      await visit(desk.page, server, '/', 'dashboard-desktop', heading('Dashboard'), found);
      // Every dashboard figure leads to what it counts (issue 14, item 11): the breached figure
      // lists open work past its deadline, and a department's bar lists its open work.
      const breachedCard = desk.page.getByRole('link', { name: /^SLA breached/ });
      const breached = Number((await breachedCard.innerText()).match(/\d+/)[0]);
      assert.ok(breached > 0, 'the demo has breached work');
      await breachedCard.click();
      await desk.page.getByRole('button', { name: 'Show work whatever its deadline' }).waitFor();
      await desk.page.locator('tbody tr').first().waitFor();
      const rows = desk.page.locator('tbody tr');
      assert.ok((await rows.count()) >= Math.min(breached, 50), 'the list holds what the figure counts');
      assert.equal(await rows.filter({ hasNotText: 'Breached' }).count(), 0, 'only breached work is listed');
      await desk.page.goto('/');
      // "SLA at risk" lists the open work with three quarters of its time used, and only that.
      const riskCard = desk.page.getByRole('link', { name: /^SLA at risk/ });
      const atRisk = Number((await riskCard.innerText()).match(/\d+/)[0]);
      await riskCard.click();
      await desk.page.getByRole('button', { name: 'Show work whatever its SLA' }).getByText('SLA: At risk').waitFor();
      if (atRisk > 0) {
        await desk.page.locator('tbody tr').first().waitFor();
        assert.equal(await desk.page.locator('tbody tr').filter({ hasNotText: 'At risk' }).count(), 0, 'only work at risk is listed');
      }
      await desk.page.goto('/');
      // "Due soonest" is what to do before it breaches: every deadline there is still ahead.
      await desk.page.getByTestId('due-soon').first().waitFor();
      assert.equal(await desk.page.getByTestId('due-soon').filter({ hasText: / ago$/ }).count(), 0, 'due soonest lists no breached work');
      const icu = desk.page.getByRole('listitem').getByRole('link', { name: 'Intensive Care Unit' });
      await icu.click();
      await desk.page.waitForURL(/departmentId=/);
      await visit(desk.page, server, '/work-orders', 'work-orders-desktop', heading('Work orders'), found);
      await visit(desk.page, server, `/work-orders/${wo.id}`, 'work-order-desktop', heading(wo.title), found);
      await visit(desk.page, server, '/work-orders/new', 'new-work-order-desktop', heading('New work order'), found);
      await visit(desk.page, server, '/assets', 'equipment-desktop', heading('Equipment'), found);
      // Choosing equipment for a label sheet: each tick counts and none breaks the page (issue 14).
      const ticks = desk.page.locator('tbody input[type="checkbox"]');
      for (let i = 0; i < 4; i++) await ticks.nth(i).click();
      await ticks.nth(1).click();
      await desk.page.getByRole('button', { name: 'Print labels (3)' }).waitFor();
      assert.equal(await desk.page.getByTestId('route-error').count(), 0);
      assert.equal(await desk.page.locator('tbody input[type="checkbox"]:checked').count(), 3);
      await visit(desk.page, server, `/assets/${asset.id}`, 'equipment-detail-desktop', heading(asset.name), found);
      await visit(desk.page, server, '/notifications', 'notifications-desktop', heading('Notifications'), found);
      await visit(desk.page, server, '/parts', 'parts-desktop', heading('Spare parts'), found);
      await visit(desk.page, server, '/parts/view/reorder', 'parts-reorder-desktop', heading('Spare parts'), found);
      await visit(desk.page, server, '/parts/view/value', 'parts-value-desktop', (p) => p.getByTestId('stock-value-total').waitFor(), found);
      const worth = (await manager.get('/api/v1/stock/value')).data.totalMinor;
      // The figure is the ledger's, for the stores this manager looks after.
      assert.equal((await desk.page.getByTestId('stock-value-total').innerText()).replace(/[^\d.]/g, ''), (worth / 100).toFixed(2));
      const spare = (await manager.get('/api/v1/parts?limit=1&low=true')).data.items[0];
      await visit(desk.page, server, `/parts/${spare.id}`, 'part-desktop', heading(spare.name), found);
      for (const tab of ['', '/calendar', '/compliance', '/checklists']) {
        await visit(desk.page, server, `/preventive${tab}`, `preventive${tab.replace('/', '-') || '-plans'}-desktop`, heading('Preventive maintenance'), found);
      }
      const plan = (await manager.get('/api/v1/preventive/plans?limit=1')).data.items[0];
      await visit(desk.page, server, `/preventive/plans/${plan.id}`, 'preventive-plan-desktop', heading(plan.name), found);
      await visit(desk.page, server, '/preventive/plans/new', 'preventive-new-plan-desktop', heading('New plan'), found);
      const template = (await manager.get('/api/v1/preventive/checklists')).data[0];
      await visit(desk.page, server, `/preventive/checklists/${template.id}`, 'preventive-checklist-desktop', heading(template.name), found);

      const admin = await device(browser, server, DESKTOP);
      await signInUi(admin.page, 'admin');
      for (const tab of ['users', 'roles', 'organization', 'sla', 'work-orders']) {
        await visit(admin.page, server, `/settings/${tab}`, `settings-${tab}-desktop`, heading('Settings'), found);
      }
      // The hold reasons a technician chooses from, as the organization keeps them.
      const reasons = (await (await as(server, 'admin')).get('/api/v1/organization')).data.holdReasons;
      assert.ok(reasons.length >= 4);
      const table = admin.page.getByTestId('hold-reasons');
      await table.getByRole('textbox', { name: 'Name' }).first().waitFor();
      const shown = await table.getByRole('textbox', { name: 'Name' }).evaluateAll((inputs) => inputs.map((i) => i.value));
      assert.deepEqual(
        shown,
        reasons.map((r) => r.name),
      );
      // A screen that cannot load (here its code never arrives) shows our own error page inside
      // the app's frame, with a way back, never the router's developer message.
      const broken = await device(browser, server, DESKTOP, { serviceWorkers: 'block' });
      await signInUi(broken.page, 'admin');
      await broken.page.route(/audit-page-[^/]*\.js$/, (r) => r.abort());
      await visit(broken.page, server, '/audit', 'route-error-desktop', (page) => page.getByTestId('route-error').waitFor(), found);
      await broken.page.getByRole('link', { name: 'Back to the start' }).waitFor();
      await broken.page.getByRole('button', { name: 'Try again' }).waitFor();
      assert.equal(await broken.page.getByText('Unexpected Application Error').count(), 0);
      await visit(admin.page, server, '/audit', 'audit-desktop', heading('Audit trail'), found);
      await visit(admin.page, server, '/profile', 'profile-desktop', heading('My account'), found);

      const phone = await device(browser, server, PHONE);
      await signInUi(phone.page, 'technician');
      await visit(phone.page, server, '/assigned', 'assigned-phone', heading('My work'), found);
      const mine = (await (await as(server, 'technician')).get('/api/v1/work-orders?open=true&limit=1&sort=dueAt')).data.items[0];
      await visit(phone.page, server, `/work-orders/${mine.id}`, 'work-order-phone', heading(mine.title), found);
      await visit(phone.page, server, '/scan', 'scan-phone', heading('Scan a QR code'), found);
      await visit(phone.page, server, '/work-orders/new', 'report-phone', heading('Report a fault'), found);
      await visit(phone.page, server, '/notifications', 'notifications-phone', heading('Notifications'), found);
      await visit(phone.page, server, '/preventive/calendar', 'preventive-calendar-phone', heading('Preventive maintenance'), found);
      const pm = (await (await as(server, 'technician')).get('/api/v1/work-orders?open=true&type=preventive&limit=1')).data.items[0];
      await visit(phone.page, server, `/work-orders/${pm.id}`, 'pm-work-order-phone', heading(pm.title), found);
      await visit(phone.page, server, '/settings', 'not-allowed-phone', heading('Not allowed'), found);

      assert.deepEqual(found, [], `accessibility violations:\n${found.join('\n')}`);
      for (const d of [anonymous, room, desk, admin, phone]) assert.deepEqual(d.page.errors, []);
    });
  });
}

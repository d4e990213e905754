/* global document -- inside page.waitForFunction, which runs in the browser */
// The stores as people use them: procurement receives a delivery and the part page, its ledger
// and the manager's view show it at once; a movement the ledger refuses says why and changes
// nothing. A technician without signal takes a part for their job on the phone; back online it
// is issued once, and the manager sees the stock fall.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { as } from './lib/api.mjs';
import { DESKTOP, PHONE, device, shot, signInUi } from './lib/browser.mjs';
import { backends, withApp } from './lib/fixture.mjs';

/** Picks `option` in the Mantine select labelled `label`. */
async function choose(page, label, option) {
  await page.getByRole('dialog').getByLabel(label).click();
  await page.getByRole('option', { name: option }).first().click();
}

for (const backend of backends()) {
  test(`${backend}: procurement receives parts and everyone sees the stock the ledger holds`, async () => {
    await withApp(backend, async ({ server, browser }) => {
      const procurement = await as(server, 'procurement');
      const line = (await procurement.get('/api/v1/stock/reorder')).data.items[0];
      const part = (await procurement.get(`/api/v1/parts/${line.partId}`)).data;
      const before = Number(part.onHand);
      // The manager reaches St. Mary's stores only: stock the part has elsewhere is not theirs.
      const manager = await as(server, 'manager');
      const managerBefore = Number((await manager.get(`/api/v1/parts/${line.partId}`)).data.onHand);

      const desk = await device(browser, server, DESKTOP);
      await signInUi(desk.page, 'procurement');
      const page = desk.page;
      await page.getByRole('navigation').getByRole('link', { name: 'Spare parts' }).click();
      await page.getByRole('tab', { name: 'Reorder list' }).click();
      await page.getByRole('link', { name: part.partNumber }).click();
      await page.getByRole('heading', { name: part.name, level: 1 }).waitFor();

      // A delivery of five at KES 700.50 each into the main store's bin.
      await page.getByRole('button', { name: 'Receive', exact: true }).click();
      await choose(page, 'Into store and bin', /^SMGH-MAIN · /);
      await page
        .getByRole('dialog')
        .getByLabel(/^Quantity/)
        .fill('5');
      await page
        .getByRole('dialog')
        .getByLabel(/^Unit cost/)
        .fill('700.50');
      await page.getByRole('dialog').getByLabel('Reference').fill('DN-4471');
      await page.getByRole('button', { name: 'Receive into stock' }).click();
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      await page
        .getByText(`${before + 5} each`)
        .first()
        .waitFor();
      const first = page.getByRole('row').filter({ hasText: 'DN-4471' });
      await first.getByText('Received').waitFor();
      await first.getByText('+5').waitFor();
      await first.getByText('KES 3,502.50').waitFor();
      await shot(page, server, 'part-received-desktop');

      // Writing off more than the bin holds is refused with the reason, and nothing moves.
      await page.getByRole('button', { name: 'Write off' }).click();
      await choose(page, 'Store and bin', /^SMGH-MAIN · /);
      await page
        .getByRole('dialog')
        .getByLabel(/^Quantity/)
        .fill('999');
      await choose(page, 'Why', 'Damaged');
      await page.getByRole('dialog').getByRole('button', { name: 'Write off' }).click();
      await page.getByRole('dialog').getByRole('alert').waitFor();
      assert.match(await page.getByRole('dialog').getByRole('alert').innerText(), /Nothing was changed/);
      await page.keyboard.press('Escape');
      const after = (await procurement.get(`/api/v1/parts/${part.id}`)).data;
      assert.equal(Number(after.onHand), before + 5, 'the refused write-off changed nothing');

      // The manager reads the same ledger (the delivery into St. Mary's main store counts for
      // them too), and is offered no movements.
      const managerDesk = await device(browser, server, DESKTOP);
      await signInUi(managerDesk.page, 'manager');
      await managerDesk.page.goto(`/parts/${part.id}`);
      await managerDesk.page
        .getByText(`${managerBefore + 5} each`)
        .first()
        .waitFor();
      await managerDesk.page.getByRole('row').filter({ hasText: 'DN-4471' }).waitFor();
      assert.equal(await managerDesk.page.getByRole('button', { name: 'Receive', exact: true }).count(), 0);
      assert.equal(await managerDesk.page.getByRole('button', { name: 'Import CSV' }).count(), 0);

      // Procurement loads a new store's stock book from a sheet: a bad row is named by row and
      // column and nothing goes in; the corrected sheet opens the part's ledger.
      const sheet = (cost) =>
        'part_number,name,unit,store_code,bin_code,quantity,unit_cost,reorder_point,maximum\n' +
        `FLT-E2E-01,Suction filter,each,SMGH-MAIN,E-01,12,${cost},4,30\n`;
      await page.goto('/parts');
      await page.getByRole('button', { name: 'Import CSV' }).click();
      const dialog = page.getByRole('dialog', { name: 'Import parts and opening stock from CSV' });
      const upload = async (text) => {
        const chooser = page.waitForEvent('filechooser');
        await dialog.getByLabel('CSV file').click();
        await (await chooser).setFiles({ name: 'stock.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });
        await dialog.getByRole('button', { name: 'Import', exact: true }).click();
      };
      await upload(sheet(''));
      await dialog.getByRole('cell', { name: 'row 1: unit_cost' }).waitFor();
      await dialog.getByText('Nothing was imported').waitFor();
      assert.equal((await procurement.get('/api/v1/parts?q=FLT-E2E-01')).data.items.length, 0);
      await upload(sheet('85.00'));
      await dialog.getByText('Imported: 1 new, 0 updated, 0 skipped.').waitFor();
      await shot(page, server, 'parts-import-desktop');
      await page.keyboard.press('Escape');
      await page.getByLabel('Search').fill('FLT-E2E');
      await page.getByRole('link', { name: 'FLT-E2E-01' }).click();
      await page.getByText('12 each').first().waitFor();
      await page.getByRole('row').filter({ hasText: 'Opening balance' }).first().waitFor();
      for (const d of [desk, managerDesk]) assert.deepEqual(d.page.errors, []);
    });
  });
}

/** Waits until the part dialog offers a bin that holds the chosen part ("3 each here"). */
async function binOffered(page) {
  await page.waitForFunction(() => [...document.querySelectorAll('[role="dialog"] input')].some((i) => / each here$/.test(i.value)));
}

for (const backend of backends()) {
  test(`${backend}: a technician takes a part offline and it is issued once`, { timeout: 180_000 }, async () => {
    await withApp(backend, async ({ server, browser }) => {
      const manager = await as(server, 'manager');
      const tech = await as(server, 'technician');
      const me = (await tech.get('/api/v1/auth/me')).data;
      const wo = await manager.post('/api/v1/work-orders', { title: 'Infusion pump battery dead', priority: 'high', assigneeId: me.user.id });
      assert.equal(wo.status, 201, JSON.stringify(wo.data));
      const started = await tech.patch(`/api/v1/work-orders/${wo.data.id}`, { status: 'in_progress', version: wo.data.version });
      assert.equal(started.status, 200, JSON.stringify(started.data));
      const part = (await manager.get('/api/v1/parts?q=INF-0006')).data.items[0];
      const before = Number(part.onHand);

      const { context, page } = await device(browser, server, PHONE);
      await signInUi(page, 'technician');
      await page.evaluate(async () => {
        await navigator.serviceWorker.ready;
        if (!navigator.serviceWorker.controller) await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
      });
      await page.goto(`/work-orders/${wo.data.id}`);
      await page.getByRole('heading', { name: 'Infusion pump battery dead' }).waitFor();
      // Online, the technician looks the part up once: the phone keeps what it saw.
      await page.getByRole('tab', { name: 'Parts' }).click();
      await page.getByText('No parts used yet').waitFor();
      await page.getByRole('button', { name: 'Use a part' }).click();
      await page.getByRole('dialog').getByLabel('Find a part').fill('Braun Infusomat');
      await page.getByRole('radio', { name: /INF-0006/ }).check();
      // The bin that holds it is offered, with how many are there.
      await binOffered(page);
      await page.keyboard.press('Escape');
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      await page.waitForTimeout(2500);

      // No signal: the part is taken on the phone and waits.
      await context.setOffline(true);
      await page.reload();
      await page.getByRole('heading', { name: 'Infusion pump battery dead' }).waitFor();
      await page.getByRole('tab', { name: 'Parts' }).click();
      await page.getByRole('button', { name: 'Use a part' }).click();
      await page.getByRole('dialog').getByLabel('Find a part').fill('INF-0006');
      await page.getByRole('radio', { name: /INF-0006/ }).check();
      await binOffered(page);
      await page
        .getByRole('dialog')
        .getByLabel(/^Quantity/)
        .fill('1');
      await page.getByRole('button', { name: 'Take from stock' }).click();
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      await page.getByText('Waiting to send').waitFor();
      await page.getByText(/1 each · INF-0006/).waitFor();
      await shot(page, server, 'technician-part-offline-phone');
      assert.equal(Number((await manager.get(`/api/v1/parts/${part.id}`)).data.onHand), before, 'nothing issued while offline');

      // Signal again: issued once, shown on the job with its cost, and the stock has fallen.
      await context.setOffline(false);
      await page.getByTestId('sync-status').getByText('All saved').waitFor({ timeout: 30_000 });
      await page.getByRole('cell', { name: /INF-0006/ }).waitFor();
      await shot(page, server, 'technician-part-issued-phone');
      const used = (await tech.get(`/api/v1/work-orders/${wo.data.id}/stock`)).data;
      assert.equal(used.entries.length, 1, 'issued exactly once');
      assert.equal(used.used[0].quantity, '1');
      assert.equal(Number((await manager.get(`/api/v1/parts/${part.id}`)).data.onHand), before - 1);

      const desk = await device(browser, server, DESKTOP);
      await signInUi(desk.page, 'manager');
      await desk.page.goto(`/parts/${part.id}`);
      await desk.page
        .getByText(`${before - 1} each`)
        .first()
        .waitFor();
      await desk.page.getByRole('link', { name: started.data.code }).waitFor();

      // Asking the bin for more than it holds is refused — and the manager sees the stock-out.
      const bin = (await tech.get(`/api/v1/parts/${part.id}/stock`)).data.stores.flatMap((s) => s.bins).find((b) => Number(b.onHand) > 0);
      const ninetyDaysAgo = new Date(Date.now() - 90 * 86_400_000).toISOString();
      const outsBefore = (await manager.get(`/api/v1/stock/outs?from=${encodeURIComponent(ninetyDaysAgo)}`)).data.total;
      const refused = await tech.post('/api/v1/stock-movements', {
        kind: 'issue',
        partId: part.id,
        binId: bin.binId,
        quantity: '999',
        workOrderId: wo.data.id,
      });
      assert.equal(refused.status, 409, JSON.stringify(refused.data));
      await desk.page.goto('/parts/view/outs');
      const out = desk.page.getByRole('row').filter({ hasText: 'INF-0006' });
      await out.getByRole('link', { name: started.data.code }).waitFor();
      await out.getByText('999 each').waitFor();
      await desk.page
        .getByTestId('stock-outs-total')
        .getByText(`${outsBefore + 1} stock-out(s) in the period`)
        .waitFor();
      await shot(desk.page, server, 'stock-outs-desktop');
      for (const d of [page, desk.page]) assert.deepEqual(d.errors, []);
    });
  });
}

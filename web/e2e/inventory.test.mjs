// The stores as people use them: procurement receives a delivery and the part page, its ledger
// and the manager's view show it at once; a movement the ledger refuses says why and changes
// nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { as } from './lib/api.mjs';
import { DESKTOP, device, shot, signInUi } from './lib/browser.mjs';
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

      // The manager reads the same stock, and is offered no movements.
      const managerDesk = await device(browser, server, DESKTOP);
      await signInUi(managerDesk.page, 'manager');
      await managerDesk.page.goto(`/parts/${part.id}`);
      await managerDesk.page
        .getByText(`${before + 5} each`)
        .first()
        .waitFor();
      await managerDesk.page.getByRole('row').filter({ hasText: 'DN-4471' }).waitFor();
      assert.equal(await managerDesk.page.getByRole('button', { name: 'Receive', exact: true }).count(), 0);
      for (const d of [desk, managerDesk]) assert.deepEqual(d.page.errors, []);
    });
  });
}

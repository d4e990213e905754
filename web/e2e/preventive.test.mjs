// Preventive maintenance in the app: a manager builds a checklist and a plan (the recurrence
// builder previews the next ten dates), the work is generated at once, and the technician fills
// in the checklist on a phone without signal and completes it; back online the server has the
// answers, the completion and the corrective work the failed check opened.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { as } from './lib/api.mjs';
import { DESKTOP, PHONE, device, shot, signInUi } from './lib/browser.mjs';
import { backends, withApp } from './lib/fixture.mjs';

for (const backend of backends()) {
  test(`${backend}: a plan with a checklist, done on a phone offline`, { timeout: 240_000 }, async () => {
    await withApp(backend, async ({ server, browser }) => {
      const desk = await device(browser, server, DESKTOP);
      const p = desk.page;
      await signInUi(p, 'manager');
      await p.getByRole('link', { name: 'Preventive maintenance' }).click();
      await p.getByRole('tab', { name: 'Checklists' }).click();
      await p.getByRole('link', { name: 'New checklist' }).click();
      await p.getByLabel(/^Name/).fill('Suction unit PM');
      await p
        .getByLabel(/^What to check/)
        .first()
        .fill('Visual inspection of jar and tubing');
      await p.getByRole('button', { name: 'Add an item' }).click();
      await p
        .getByLabel(/^What to check/)
        .nth(1)
        .fill('Vacuum at full setting');
      await p.getByRole('combobox', { name: 'Answer' }).nth(1).click();
      await p.getByRole('option', { name: 'Measured value' }).click();
      await p.getByLabel('Unit').fill('kPa');
      await p.getByLabel('Lowest acceptable').fill('60');
      await p.getByRole('button', { name: 'Create checklist' }).click();
      await p.getByText(/^Version 1\./).waitFor();
      await shot(p, server, 'manager-checklist-builder-desktop');

      await p.goto('/preventive/plans/new');
      await p.getByLabel(/^Plan/).fill('Suction unit quarterly PM');
      const asset = p.getByRole('combobox', { name: /^Asset/ });
      await asset.click();
      await asset.fill('ED-SUCTION');
      await p.getByRole('option', { name: /SMGH-ED-SUCTION-002/ }).waitFor();
      assert.equal(await p.getByRole('option', { name: /SMGH-ED-SUCTION-001/ }).count(), 0, 'the retired unit is not offered');
      await p.getByRole('option', { name: /SMGH-ED-SUCTION-002/ }).click();
      await p.getByLabel('Every', { exact: true }).fill('3');
      const preview = p.getByTestId('schedule-preview');
      await preview.getByRole('listitem').nth(9).waitFor();
      assert.equal(await preview.getByRole('listitem').count(), 10, 'the next ten dates');
      await p.getByRole('combobox', { name: 'Checklist' }).click();
      await p.getByRole('option', { name: 'Suction unit PM' }).click();
      await p.getByRole('combobox', { name: 'Assign to' }).click();
      await p.getByRole('option', { name: /Grace Wanjiru/ }).click();
      await shot(p, server, 'manager-plan-editor-desktop');
      await p.getByRole('button', { name: 'Create plan' }).click();
      await p.waitForURL(/\/preventive\/plans\/[0-9a-f-]{36}$/);
      // Due tomorrow, fourteen days' lead: its work order is there at once.
      const row = p.getByRole('row', { name: /SMGH-ED-SUCTION-002/ });
      await row.getByText('Open').waitFor();
      const code = (await row.getByRole('link').textContent()).trim();
      await shot(p, server, 'manager-plan-desktop');

      // The technician, on a phone, opens it and loses signal.
      const phone = await device(browser, server, PHONE);
      const t = phone.page;
      await signInUi(t, 'technician');
      await t.evaluate(async () => {
        await navigator.serviceWorker.ready;
        if (!navigator.serviceWorker.controller) await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
      });
      await t.locator('label', { hasText: 'All open' }).click();
      await t.getByText(code).click();
      await t.getByRole('tab', { name: 'Checklist' }).waitFor();
      await t.getByText('Vacuum at full setting').waitFor();
      await t.waitForTimeout(2500); // the copy of what was read reaches IndexedDB
      await phone.context.setOffline(true);
      await t.reload();
      await t.getByText('Vacuum at full setting').waitFor();
      await t.getByRole('button', { name: 'Start work' }).click();
      await t.getByText('In progress', { exact: true }).first().waitFor();
      await t.getByRole('tab', { name: 'Checklist' }).click();
      await t.locator('label', { hasText: 'Pass' }).first().click();
      await t.getByLabel('Measured').fill('45');
      await t.getByText('Fail', { exact: true }).last().waitFor(); // judged on the phone: below 60 kPa
      await t.getByRole('button', { name: 'Save checklist' }).click();
      await t.getByText('Some checks failed').waitFor();
      await shot(t, server, 'technician-checklist-offline-phone');
      await t.getByRole('button', { name: 'Complete', exact: true }).click();
      const dialog = t.getByRole('dialog', { name: 'Complete the work' });
      await dialog.getByLabel('What was done').fill('Replaced the jar seal; pump still weak');
      await dialog.getByRole('button', { name: 'Complete', exact: true }).click();
      await t.getByTestId('sync-status').getByText('Offline · 3 waiting').waitFor();

      await phone.context.setOffline(false);
      await t.getByTestId('sync-status').getByText('All saved').waitFor({ timeout: 30_000 });
      const api = await as(server, 'manager');
      // The follow-up names this work order, so the search finds both.
      const wos = (await api.get(`/api/v1/work-orders?q=${code}`)).data.items.filter((w) => w.code === code);
      assert.equal(wos[0].status, 'completed');
      const checklist = (await api.get(`/api/v1/work-orders/${wos[0].id}/checklist`)).data;
      assert.equal(checklist.result, 'failed');
      assert.deepEqual(checklist.failed, ['vacuum-at-full-setting']);
      const follow = (await api.get(`/api/v1/work-orders?assetId=${wos[0].assetId}&type=corrective&limit=200`)).data.items.filter(
        (w) => w.followUpOf === wos[0].id,
      );
      assert.equal(follow.length, 1, 'one corrective work order follows it up');
      assert.match(follow[0].title, /Vacuum at full setting: 45 kPa/);
      const instances = (await api.get(`/api/v1/preventive/instances?status=completed_on_time&limit=200`)).data.items;
      assert.ok(instances.some((i) => i.workOrderId === wos[0].id));
      for (const d of [desk, phone]) assert.deepEqual(d.page.errors, []);
    });
  });
}

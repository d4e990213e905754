// (d) Reporting by QR code without signing in: the administrator finds a room's QR code in
// settings; a visitor who scans it (opens its address) reports a fault with a photo and gets a
// reference; the manager finds the request, pending, with its text and photo. An equipment
// label does the same for that piece of equipment, and a site that does not take QR reports
// says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { as } from './lib/api.mjs';
import { DESKTOP, PHONE, device, shot, signInUi } from './lib/browser.mjs';
import { backends, withApp } from './lib/fixture.mjs';
import { png } from './lib/png.mjs';

for (const backend of backends()) {
  test(`${backend}: a fault reported by QR code reaches the manager`, async () => {
    await withApp(backend, async ({ server, browser }) => {
      // The administrator opens the room's QR code in the location tree.
      const admin = await device(browser, server, DESKTOP);
      await signInUi(admin.page, 'admin');
      await admin.page.goto('/settings/organization');
      await admin.page.getByRole('combobox', { name: 'Hospital (site)' }).click();
      await admin.page.getByRole('option', { name: /St\. Mary/ }).click();
      await admin.page.getByRole('button', { name: 'Show what is inside Main Block' }).click();
      await admin.page.getByRole('button', { name: 'Show what is inside First Floor' }).click();
      await admin.page.getByRole('button', { name: 'More actions for ICU Bay A' }).click();
      await admin.page.getByRole('menuitem', { name: 'QR code of ICU Bay A' }).click();
      const qr = admin.page.getByRole('dialog');
      await qr.getByRole('img', { name: /QR code for/ }).waitFor();
      await shot(admin.page, server, 'admin-room-qr-desktop');
      const url = new URL((await qr.getByText(/\/l\/SMGH\/MB-1-01$/).textContent()).trim());
      assert.equal(url.pathname, '/l/SMGH/MB-1-01');
      await admin.page.keyboard.press('Escape');

      // A visitor scans it: no sign-in, a short form.
      const visitor = await device(browser, server, PHONE);
      await visitor.page.goto(url.pathname);
      await visitor.page.getByRole('heading', { name: 'Report a problem' }).waitFor();
      await visitor.page.getByText('ICU Bay A · St. Mary').waitFor();
      await visitor.page.getByLabel(/^What is wrong\?/).fill('Oxygen outlet at bed 3 hisses');
      await visitor.page.getByLabel(/^Your name/).fill('Mary, ward clerk');
      await visitor.page.getByLabel(/^Phone/).fill('+254 700 123456');
      const chooser = visitor.page.waitForEvent('filechooser');
      await visitor.page.getByRole('button', { name: /Photo/ }).click();
      await (await chooser).setFiles({ name: 'outlet.png', mimeType: 'image/png', buffer: png(80, 60) });
      await shot(visitor.page, server, 'public-request-filled-phone');
      await visitor.page.getByRole('button', { name: 'Send' }).click();
      await visitor.page.getByRole('heading', { name: 'Thank you' }).waitFor();
      const code = (await visitor.page.getByTestId('public-receipt').textContent()).trim();
      assert.match(code, /^WO-\d{4}-\d{6}$/);
      await shot(visitor.page, server, 'public-request-sent-phone');

      // The manager finds it among the requests to accept, with what was said and the photo.
      const manager = await as(server, 'manager');
      const found = (await manager.get(`/api/v1/work-orders?q=${code}`)).data.items;
      assert.equal(found.length, 1);
      const wo = found[0];
      assert.equal(wo.status, 'pending');
      assert.equal(wo.names.location, 'ICU Bay A');
      assert.match(wo.description, /Oxygen outlet at bed 3 hisses/);
      assert.match(wo.description, /Mary, ward clerk \(\+254 700 123456\)/);
      const files = (await manager.get(`/api/v1/work-orders/${wo.id}/attachments`)).data;
      assert.deepEqual(
        files.map((f) => [f.kind, f.fileName]),
        [['photo', 'outlet.png']],
      );
      const desk = await device(browser, server, DESKTOP);
      await signInUi(desk.page, 'manager');
      await desk.page.goto(`/work-orders/${wo.id}`);
      await desk.page.getByText('Oxygen outlet at bed 3 hisses', { exact: false }).first().waitFor();
      await desk.page.getByRole('tab', { name: 'Photos and files' }).click();
      await desk.page.getByRole('img', { name: 'Photo outlet.png' }).waitFor();

      // An equipment label: the report is about that piece of equipment.
      const asset = (await manager.get('/api/v1/assets?limit=1&status=in_service')).data.items[0];
      await visitor.page.goto(`/a/${asset.tag}`);
      await visitor.page.getByText(asset.tag).waitFor();
      await visitor.page.getByLabel(/^What is wrong\?/).fill('Screen flickers and goes dark');
      await visitor.page.getByLabel(/^Your name/).fill('Night nurse');
      await visitor.page.getByRole('button', { name: 'Send' }).click();
      await visitor.page.getByRole('heading', { name: 'Thank you' }).waitFor();
      const code2 = (await visitor.page.getByTestId('public-receipt').textContent()).trim();
      const onAsset = (await manager.get(`/api/v1/work-orders?q=${code2}`)).data.items[0];
      assert.equal(onAsset.assetId, asset.id);

      // The administrator turns QR reports off for Lakeside; its rooms' codes then say so.
      await admin.page.getByRole('combobox', { name: 'Hospital (site)' }).click();
      await admin.page.getByRole('option', { name: /Lakeside/ }).click();
      await admin.page.getByRole('button', { name: 'Change this site' }).click();
      const dialog = admin.page.getByRole('dialog');
      await dialog.getByRole('switch', { name: /report a fault by QR code/ }).uncheck();
      await dialog.getByRole('button', { name: 'Save' }).click();
      await admin.page.getByText('No QR-code reports').waitFor();
      await visitor.page.goto('/l/LDH/MAIN-G-01');
      await visitor.page.getByText('This QR code is not for a place that takes reports').waitFor();
      await shot(visitor.page, server, 'public-request-disabled-phone');
      for (const d of [admin, visitor, desk]) assert.deepEqual(d.page.errors, []);
    });
  });
}

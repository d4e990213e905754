// (b) A technician's navigation has no settings; a settings address shows a clear "not
// allowed" page; and the settings API refuses the technician whatever the page shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { as } from './lib/api.mjs';
import { DESKTOP, PHONE, device, shot, signInUi } from './lib/browser.mjs';
import { backends, withApp } from './lib/fixture.mjs';

for (const backend of backends()) {
  test(`${backend}: a technician sees no settings and the server refuses them`, async () => {
    await withApp(backend, async ({ server, browser }) => {
      // At a desk: the side navigation lists what a technician uses, and no settings.
      const desk = await device(browser, server, DESKTOP);
      await signInUi(desk.page, 'technician');
      const nav = desk.page.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('link', { name: 'Work orders' }).waitFor();
      const links = await nav.getByRole('link').allTextContents();
      assert.ok(links.includes('Equipment'), links.join(', '));
      for (const hidden of ['Settings', 'Audit trail']) assert.ok(!links.includes(hidden), `${hidden} in ${links.join(', ')}`);

      for (const path of ['/settings', '/settings/users', '/settings/sla', '/audit']) {
        await desk.page.goto(path);
        await desk.page.getByTestId('not-allowed').waitFor();
        await desk.page.getByRole('heading', { name: 'Not allowed' }).waitFor();
        await desk.page.getByText('ask an administrator').waitFor();
      }
      await shot(desk.page, server, 'technician-not-allowed-desktop');
      await desk.page.getByRole('link', { name: 'Back to the start' }).click();
      await desk.page.getByRole('heading', { name: 'Dashboard' }).waitFor();

      // On a phone: the bottom tabs, no settings either.
      const phone = await device(browser, server, PHONE);
      await signInUi(phone.page, 'technician');
      const tabs = await phone.page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
      // The Alerts tab carries the unread count (the demo's scheduled PM work is one).
      assert.deepEqual(
        tabs.map((t) => t.replace(/ \(\d+\)$/, '')),
        ['Assigned', 'Scan', 'Report', 'Alerts', 'Profile'],
      );

      // The server enforces it, whatever the page shows.
      const tech = await as(server, 'technician');
      const admin = await as(server, 'admin');
      const site = (await admin.get('/api/v1/sites')).data.items[0];
      const role = (await admin.get('/api/v1/roles/permissions')).data.roles.find((r) => r.key === 'technician');
      const attempts = [
        ['POST', '/api/v1/users', { name: 'Eve', email: 'eve@demo.hmms', role: 'admin' }],
        ['PATCH', `/api/v1/roles/${role.id}`, { permissions: ['user.manage'] }],
        ['PUT', `/api/v1/sites/${site.id}/sla-policies`, [{ priority: 'critical', responseMinutes: 600, resolutionMinutes: 6000 }]],
        ['PUT', `/api/v1/sites/${site.id}/escalation-chain`, [{ level: 1, notify: 'assignee', delayMinutes: 0 }]],
        ['PATCH', `/api/v1/sites/${site.id}`, { publicRequestsEnabled: false }],
        ['POST', '/api/v1/departments', { siteId: site.id, name: 'Shadow IT', code: 'SHD' }],
        ['GET', '/api/v1/audit', undefined],
      ];
      for (const [method, path, body] of attempts) {
        const res = await tech[method === 'GET' ? 'get' : method.toLowerCase()](path, body);
        assert.equal(res.status, 403, `${method} ${path}: ${JSON.stringify(res.data)}`);
        assert.equal(res.data.type, 'urn:hmms:problem:forbidden', `${method} ${path}`);
      }
      // Nothing changed.
      const after = (await admin.get(`/api/v1/sites/${site.id}`)).data;
      assert.equal(after.publicRequestsEnabled, site.publicRequestsEnabled);
      const eves = (await admin.get('/api/v1/users?q=eve')).data.items.filter((u) => u.email === 'eve@demo.hmms');
      assert.equal(eves.length, 0, 'no user was created');
      assert.deepEqual(desk.page.errors, []);
    });
  });
}

for (const backend of backends()) {
  test(`${backend}: procurement and vendors land on a home made from what they may do, never an error`, async () => {
    await withApp(backend, async ({ server, browser }) => {
      for (const [kind, size] of [
        ['desktop', DESKTOP],
        ['phone', PHONE],
      ]) {
        // Procurement reads no work orders: a start page of what it may open.
        const buyer = await device(browser, server, size);
        const refused = [];
        buyer.page.on('response', (r) => r.status() === 403 && refused.push(r.url()));
        await signInUi(buyer.page, 'procurement');
        await buyer.page.getByRole('heading', { name: /^Welcome, / }).waitFor();
        await buyer.page
          .getByRole('link', { name: /Equipment/ })
          .first()
          .waitFor();
        assert.equal(await buyer.page.getByTestId('not-allowed').count(), 0);
        await buyer.page.waitForTimeout(500);
        await shot(buyer.page, server, `procurement-home-${kind}`);
        assert.deepEqual(refused, [], 'no request of the home page is refused');

        // A vendor sees only their own jobs: My work, at a desk too.
        const vendor = await device(browser, server, size);
        const vendorRefused = [];
        vendor.page.on('response', (r) => r.status() === 403 && vendorRefused.push(r.url()));
        await signInUi(vendor.page, 'vendor');
        await vendor.page.waitForURL((u) => u.pathname === '/assigned');
        await vendor.page.getByRole('heading', { name: 'My work', level: 1 }).waitFor();
        await vendor.page.waitForTimeout(500);
        await shot(vendor.page, server, `vendor-home-${kind}`);
        assert.deepEqual(vendorRefused, [], 'no request of the home page is refused');
        assert.deepEqual([...buyer.page.errors, ...vendor.page.errors], []);
      }
    });
  });
}

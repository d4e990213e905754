// (c) Offline: the technician loses signal, opens the app from the phone's copy, completes a
// work order and adds a note; back online, the server holds each change exactly once — also
// when an answer is lost on the way back and the phone sends the change again. A change the
// server refuses on replay is shown to the technician, not dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { as } from './lib/api.mjs';
import { PHONE, device, shot, signInUi } from './lib/browser.mjs';
import { backends, withApp } from './lib/fixture.mjs';
import { startProxy } from './lib/proxy.mjs';

async function newJob(server, title) {
  const manager = await as(server, 'manager');
  const tech = await as(server, 'technician');
  const me = (await tech.get('/api/v1/auth/me')).data;
  const wo = await manager.post('/api/v1/work-orders', { title, priority: 'high', assigneeId: me.user.id });
  assert.equal(wo.status, 201, JSON.stringify(wo.data));
  const started = await tech.patch(`/api/v1/work-orders/${wo.data.id}`, { status: 'in_progress', version: wo.data.version });
  assert.equal(started.status, 200, JSON.stringify(started.data));
  return { id: wo.data.id, manager, tech };
}

const sync = (page) => page.getByTestId('sync-status');

for (const backend of backends()) {
  test(`${backend}: changes made offline reach the server once`, { timeout: 180_000 }, async () => {
    await withApp(backend, async ({ server, browser }) => {
      const { id, tech } = await newJob(server, 'Suction unit weak in theatre 2');
      // The phone reaches the server through a proxy that can lose an answer on the way back;
      // a fault there cannot be routed around by the page or its service worker.
      const proxy = await startProxy(server.url);
      const { context, page } = await device(browser, { ...server, url: proxy.url }, PHONE);
      await signInUi(page, 'technician');
      // The service worker holds the app shell once it controls the page.
      await page.evaluate(async () => {
        await navigator.serviceWorker.ready;
        if (!navigator.serviceWorker.controller) await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
      });
      await page.goto(`/work-orders/${id}`);
      await page.getByRole('heading', { name: 'Suction unit weak in theatre 2' }).waitFor();
      await page.getByRole('tab', { name: 'Notes' }).click();
      await page.getByText('No notes yet.').waitFor();
      // Let the copy of what was read reach IndexedDB (written at most every two seconds).
      await page.waitForTimeout(2500);

      // No signal. The app still opens, from the phone.
      await context.setOffline(true);
      await page.reload();
      await page.getByRole('heading', { name: 'Suction unit weak in theatre 2' }).waitFor();
      await assert.doesNotReject(sync(page).getByText('Offline').waitFor());

      await page.getByRole('tab', { name: 'Notes' }).click();
      await page.getByLabel('Add a note').fill('Filter was blocked; replaced it. Suction back to 80 kPa.');
      await page.getByRole('button', { name: 'Save note' }).click();
      await page.getByText('Filter was blocked; replaced it.').waitFor();
      await page.getByRole('button', { name: 'Complete', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Complete the work' });
      await dialog.getByLabel('What was done').fill('Replaced the inlet filter');
      await dialog.getByRole('button', { name: 'Complete', exact: true }).click();
      await page.getByText('Completed', { exact: true }).first().waitFor();
      await sync(page).getByText('Offline · 2 waiting').waitFor();
      await page.getByText('2 change(s) to this work order will be sent when the connection is back.').waitFor();
      await shot(page, server, 'technician-offline-waiting-phone');
      // The server has none of it yet.
      assert.equal((await tech.get(`/api/v1/work-orders/${id}`)).data.status, 'in_progress');

      // Signal again: the queue sends both, in order.
      await context.setOffline(false);
      await sync(page).getByText('All saved').waitFor({ timeout: 30_000 });
      await shot(page, server, 'technician-back-online-phone');
      const wo = (await tech.get(`/api/v1/work-orders/${id}`)).data;
      assert.equal(wo.status, 'completed');
      assert.equal(wo.failureRemedy, 'Replaced the inlet filter');
      let notes = (await tech.get(`/api/v1/work-orders/${id}/notes`)).data;
      assert.deepEqual(
        notes.map((n) => n.body),
        ['Filter was blocked; replaced it. Suction back to 80 kPa.'],
      );

      // An answer lost on the way back: the server wrote the note, the phone saw a broken
      // connection and sends it again with the same idempotency key. One note, not two.
      const second = await newJob(server, 'Nurse call bell silent in ward 5');
      await page.goto(`/work-orders/${second.id}`);
      await page.getByRole('heading', { name: 'Nurse call bell silent in ward 5' }).waitFor();
      const notePost = (r) => r.method === 'POST' && /^\/api\/v1\/work-orders\/[^/]+\/notes$/.test(r.url);
      const seen = proxy.log.length;
      const notePosts = () => proxy.log.slice(seen).filter(notePost);
      proxy.loseNextAnswer(notePost);
      await page.getByLabel('Add a note').fill('Bell wiring loose at the nurse station.');
      await page.getByRole('button', { name: 'Save note' }).click();
      // The first answer is lost; the phone sends the note again and this time hears back.
      await proxy.until(() => notePosts().some((r) => !r.lost));
      assert.equal(proxy.dropped, 1, 'the first answer was lost on the way back');
      assert.deepEqual(
        notePosts().map((r) => r.lost),
        [true, false],
        'sent twice: the lost one, then the replay',
      );
      await sync(page).getByText('All saved').waitFor({ timeout: 30_000 });
      notes = (await tech.get(`/api/v1/work-orders/${second.id}/notes`)).data;
      assert.deepEqual(
        notes.map((n) => n.body),
        ['Bell wiring loose at the nurse station.'],
      );
      const history = (await tech.get(`/api/v1/work-orders/${second.id}/history`)).data;
      assert.equal(history.filter((h) => h.kind === 'note').length, 1);

      // Refused on replay: while the phone was offline the manager changed the job, so the
      // technician's "on hold" carries a stale version. It is kept and shown, not dropped.
      await context.setOffline(true);
      // Offline, the reasons to wait for are the ones the phone kept.
      await page.getByRole('button', { name: 'Put on hold' }).click();
      const holdDialog = page.getByRole('dialog', { name: 'Put the work on hold' });
      await holdDialog.getByRole('combobox', { name: 'What is it waiting for?' }).click();
      await page.getByRole('option', { name: 'Awaiting parts' }).click();
      await shot(page, server, 'technician-hold-reason-phone');
      await holdDialog.getByRole('button', { name: 'Put on hold' }).click();
      await sync(page).getByText('Offline · 1 waiting').waitFor();
      const current = (await second.manager.get(`/api/v1/work-orders/${second.id}`)).data;
      const bumped = await second.manager.patch(`/api/v1/work-orders/${second.id}`, { priority: 'critical', version: current.version });
      assert.equal(bumped.status, 200);
      await context.setOffline(false);
      await sync(page).getByText('1 need attention').waitFor({ timeout: 30_000 });
      await sync(page).click();
      const conflict = page.getByTestId('sync-conflict');
      await conflict.getByText('Status change refused').waitFor();
      await shot(page, server, 'technician-conflict-phone');
      assert.equal((await tech.get(`/api/v1/work-orders/${second.id}`)).data.status, 'in_progress');
      await conflict.getByRole('button', { name: 'Dismiss' }).click();
      await sync(page).getByText('All saved').waitFor();
      assert.deepEqual(page.errors, []);
      await proxy.close();
    });
  });
}

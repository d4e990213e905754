// Reports (issue 15): the manager reads the key figures of the period, each with how it is
// counted, narrows them to a department, and follows a figure to the work it counts; procurement
// reads them on a phone. Every figure shown is the server's for that period and place.
/* global document -- inside page.evaluate, which runs in the browser */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { as } from './lib/api.mjs';
import { DESKTOP, PHONE, device, shot, signInUi } from './lib/browser.mjs';
import { backends, withApp } from './lib/fixture.mjs';

/** What the page asked the server for after `action`: the period shown (with the place), once
 * its figures and the comparison's have arrived. A comparison is always the earlier period. */
async function requested(page, action) {
  const seen = [];
  const on = (r) => {
    if (r.url().includes('/api/v1/reports/kpis') && r.status() === 200) seen.push(new URL(r.url()).searchParams);
  };
  page.on('response', on);
  await action();
  const deadline = Date.now() + 15_000;
  while (seen.length < 2 && Date.now() < deadline) await page.waitForTimeout(100);
  page.off('response', on);
  assert.equal(seen.length, 2, 'the period and the one it is compared with');
  return seen.sort((a, b) => new Date(b.get('from')) - new Date(a.get('from')))[0];
}

/** Waits until the figure `key` reads `text` (the previous figures stay while new ones load). */
async function reads(page, key, text) {
  const figure = page.getByTestId(`kpi-${key}`).locator('[data-figure]');
  const deadline = Date.now() + 15_000;
  let last;
  while (Date.now() < deadline) {
    last = await figure.innerText().catch(() => undefined);
    if (last === text) return;
    await page.waitForTimeout(100);
  }
  assert.equal(last, text, `${key} as the server counts it`);
}

/** Waits for the work-order list to show `n` rows (it loads after the page changes). */
async function listed(page, n, message) {
  await page.getByRole('heading', { name: 'Work orders', level: 1 }).waitFor();
  const rows = page.locator('tbody tr');
  const deadline = Date.now() + 15_000;
  while ((await rows.count()) !== n && Date.now() < deadline) await page.waitForTimeout(100);
  assert.equal(await rows.count(), n, message);
}

/** A PDF's text as Debian's `pdftotext` reads it (poppler-utils). */
function pdfText(bytes) {
  return execFileSync('pdftotext', ['-layout', '-', '-'], { input: bytes }).toString('utf8');
}

/** The file a click downloads: its suggested name and contents. */
async function downloaded(page, click) {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), click()]);
  return { name: download.suggestedFilename(), bytes: await readFile(await download.path()) };
}

const decimal = (v) => v.toLocaleString('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** Figures cut off or pushed out of their card. */
async function cutOff(page) {
  return page.evaluate(() => [...document.querySelectorAll('[data-figure]')].filter((el) => el.scrollWidth > el.clientWidth + 1).map((el) => el.textContent));
}

for (const backend of backends()) {
  test(`${backend}: a manager reads the month's key figures, narrows them and follows one`, async () => {
    await withApp(backend, async ({ server, browser }) => {
      const manager = await as(server, 'manager');
      const desk = await device(browser, server, DESKTOP);
      await signInUi(desk.page, 'manager');
      const first = await requested(desk.page, () => desk.page.getByRole('link', { name: 'Reports' }).click());
      // The page asks for the last 12 months from a link, this month by default.
      // In the hospital's time (the devices are in Nairobi, UTC+3): midnight on the 1st.
      const local = new Date(new Date(first.get('from')).getTime() + 3 * 3600_000);
      assert.deepEqual([local.getUTCDate(), local.getUTCHours()], [1, 0], 'a month starts at midnight on the 1st');
      const api = (q) => manager.get(`/api/v1/reports/kpis?${q.toString()}`).then((r) => r.data);
      const month = await api(first);
      const of = (k, key) => k.figures.find((x) => x.key === key).value;
      await reads(desk.page, 'backlog', String(of(month, 'backlog')));
      await reads(desk.page, 'mttr', of(month, 'mttr') === null ? '—' : `${decimal(of(month, 'mttr'))} h`);

      // A year of figures, each with its definition a click away.
      const year = await requested(desk.page, async () => {
        await desk.page.getByRole('combobox', { name: 'Period' }).click();
        await desk.page.getByRole('option', { name: 'Last 12 months' }).click();
      });
      const figures = await api(year);
      const mttr = figures.figures.find((f) => f.key === 'mttr');
      assert.ok(mttr.counted > 0, 'the demo year has repairs');
      await reads(desk.page, 'mttr', `${decimal(mttr.value)} h`);
      await desk.page.getByRole('button', { name: 'How Mean time to repair is counted' }).click();
      await desk.page.getByText(mttr.formula).waitFor();
      // Why the year's work waited: the held repairs by reason, as the server sums them.
      assert.ok(figures.delays.length > 0, 'some of the demo year waited on hold');
      const delayRows = desk.page.getByTestId('delays').locator('tbody tr');
      await delayRows.first().getByText(figures.delays[0].name).waitFor();
      assert.equal(await delayRows.count(), figures.delays.length);
      assert.ok((await delayRows.first().innerText()).includes(figures.delays[0].hours.toFixed(1)));
      await desk.page.getByText(`Counts: ${mttr.periodRule}.`).waitFor();
      await shot(desk.page, server, 'reports-desktop');
      assert.deepEqual(await cutOff(desk.page), [], 'no figure is cut off at a desk');
      await desk.page.keyboard.press('Escape');

      // The same figures by department, then by equipment: the costliest first, as the server has them.
      for (const [label, by] of [
        ['Department', 'department'],
        ['Equipment', 'asset'],
      ]) {
        await desk.page.getByRole('combobox', { name: 'Group by' }).click();
        await desk.page.getByRole('option', { name: label, exact: true }).click();
        const rows = (await manager.get(`/api/v1/reports/breakdown?${year.toString()}&by=${by}`)).data.rows;
        assert.ok(rows.length > 0, `the year has figures by ${by}`);
        await desk.page.getByTestId('breakdown').locator('tbody tr').first().getByRole('cell').first().filter({ hasText: rows[0].name }).waitFor();
      }
      await shot(desk.page, server, 'reports-breakdown-desktop');
      // The table as a file: the CSV's first row is the costliest piece of equipment on screen.
      const costliest = (await manager.get(`/api/v1/reports/breakdown?${year.toString()}&by=asset`)).data.rows[0];
      const csvFile = await downloaded(desk.page, () => desk.page.getByRole('button', { name: 'CSV', exact: true }).click());
      // Named for the hospital's first day of the period (Nairobi, UTC+3), not the UTC day before.
      const firstDay = new Date(new Date(year.get('from')).getTime() + 3 * 3600_000).toISOString().slice(0, 10);
      assert.equal(csvFile.name, `breakdown-asset-${firstDay}.csv`);
      const csv = csvFile.bytes.toString('utf8');
      const [header, firstRow] = csv.split('\r\n');
      assert.ok(header.startsWith('Equipment,Completed,Repairs,MTTR (h)'), header);
      assert.ok(firstRow.includes(costliest.name), `${firstRow} is ${costliest.name}`);
      // And the figures as a workbook: a figures, SLA, backlog and cost sheet.
      const { name: bookName, bytes: book } = await downloaded(desk.page, () => desk.page.getByRole('button', { name: 'Download Excel' }).click());
      assert.equal(bookName, `key-figures-${firstDay}.xlsx`);
      assert.equal(book.subarray(0, 2).toString('latin1'), 'PK', 'an XLSX (zip) file');
      assert.ok(book.includes('xl/worksheets/sheet5.xml') && !book.includes('xl/worksheets/sheet6.xml'), 'five sheets: figures, SLA, backlog, cost, delays');
      // And on paper: the key figures and the breakdown as PDFs, read back as text.
      const figuresPdf = await downloaded(desk.page, () => desk.page.getByRole('button', { name: 'Download PDF' }).click());
      assert.equal(figuresPdf.name, `key-figures-${firstDay}.pdf`);
      const figuresText = pdfText(figuresPdf.bytes);
      for (const expected of ['Key figures', 'Mean time to repair', 'SLA by priority', 'Peter Kamau', 'Page 1 of']) {
        assert.ok(figuresText.includes(expected), `${expected} in the key figures PDF`);
      }
      const breakdownPdf = await downloaded(desk.page, () => desk.page.getByRole('button', { name: 'PDF', exact: true }).click());
      assert.equal(breakdownPdf.name, `breakdown-asset-${firstDay}.pdf`);
      assert.ok(pdfText(breakdownPdf.bytes).includes(costliest.name), `${costliest.name} in the breakdown PDF`);

      // One department: the figures are the server's for it.
      const icu = await requested(desk.page, async () => {
        await desk.page.getByRole('combobox', { name: 'Department' }).click();
        await desk.page.getByRole('option', { name: 'Intensive Care Unit' }).click();
      });
      assert.ok(icu.get('departmentId'));
      const ward = await api(icu);
      const backlog = ward.figures.find((f) => f.key === 'backlog').value;
      assert.ok(backlog > 0, 'the ICU has open work');
      await reads(desk.page, 'backlog', String(backlog));
      assert.ok(backlog < figures.figures.find((f) => f.key === 'backlog').value, 'a department holds less than the hospital');

      // The backlog figure lists the open work it counts.
      await desk.page.getByTestId('kpi-backlog').getByRole('link').click();
      await desk.page.waitForURL(/\/work-orders\?.*open=true/);
      await listed(desk.page, Math.min(backlog, 50), 'the list holds what the figure counts');
      // And MTTR lists the repairs it averaged: corrective work completed in the period.
      await desk.page.goBack();
      const repairs = ward.figures.find((f) => f.key === 'mttr').counted;
      assert.ok(repairs > 0, 'the ICU had repairs this year');
      await desk.page.getByTestId('kpi-mttr').getByRole('link').click();
      await desk.page.waitForURL(/completedFrom=.*type=corrective|type=corrective.*completedFrom=/);
      await desk.page.getByRole('button', { name: 'Show work whenever it was completed' }).waitFor();
      await listed(desk.page, Math.min(repairs, 50), 'the list holds the repairs the figure counts');
      await shot(desk.page, server, 'reports-drill-down-desktop');
      // And a reason for delay lists the work that last waited for it.
      await desk.page.goBack();
      const delay = ward.delays[0];
      assert.ok(delay, "some of the ICU's completed work waited");
      await desk.page.getByRole('link', { name: `The work that last waited for ${delay.name}` }).click();
      await desk.page.waitForURL(/holdReason=/);
      await desk.page.getByRole('button', { name: 'Show work whether or not it waited' }).getByText(`Last waited for: ${delay.name}`).waitFor();
      await listed(desk.page, Math.min(delay.workOrders, 50), 'the list holds the work the reason counts');

      // Procurement on a phone: the same page, no figure cut off.
      const phone = await device(browser, server, PHONE);
      await signInUi(phone.page, 'procurement');
      await requested(phone.page, () => phone.page.goto('/reports'));
      await shot(phone.page, server, 'reports-procurement-phone');
      assert.deepEqual(await cutOff(phone.page), [], 'no figure is cut off on a phone');
      for (const d of [desk, phone]) assert.deepEqual(d.page.errors, []);
    });
  });
}

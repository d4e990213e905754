// Weighs the built app (web/dist): what the browser downloads for sign-in and the dashboard
// (the entry script, what index.html preloads, the stylesheet), and every other chunk, raw and
// gzipped. `--max-kb N` fails when the first load is heavier than N KB gzipped.
import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';

const dist = new URL('../dist/', import.meta.url).pathname;
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const initial = new Set([...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]));
const kb = (n) => (n / 1024).toFixed(1);

const rows = readdirSync(join(dist, 'assets'))
  .filter((f) => /\.(js|css)$/.test(f))
  .map((f) => {
    const bytes = readFileSync(join(dist, 'assets', f));
    return { file: `assets/${f}`, raw: bytes.length, gz: gzipSync(bytes, { level: 9 }).length };
  })
  .sort((a, b) => b.gz - a.gz);

const first = rows.filter((r) => initial.has(r.file));
const total = (list, k) => list.reduce((s, r) => s + r[k], 0);
console.log('| file | loaded | raw KB | gzip KB |');
console.log('|---|---|---:|---:|');
for (const r of rows)
  console.log(`| ${r.file.replace(/-[\w-]{8}\./, '.')} | ${initial.has(r.file) ? 'first load' : 'on demand'} | ${kb(r.raw)} | ${kb(r.gz)} |`);
console.log(`| **sign-in + dashboard** | | **${kb(total(first, 'raw'))}** | **${kb(total(first, 'gz'))}** |`);
const js = first.filter((r) => r.file.endsWith('.js'));
console.log(`\nJavaScript for sign-in + dashboard: ${kb(total(js, 'gz'))} KB gzipped (${js.length} files); with CSS ${kb(total(first, 'gz'))} KB.`);

const max = process.argv.indexOf('--max-kb');
if (max > 0 && total(js, 'gz') / 1024 > Number(process.argv[max + 1])) {
  console.error(`First-load JavaScript is over ${process.argv[max + 1]} KB gzipped.`);
  process.exit(1);
}

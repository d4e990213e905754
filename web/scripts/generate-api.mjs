// Generates src/lib/api/schema.d.ts from openapi.json (written by `hmms openapi`).
// With --check, fails when the committed file differs from what would be generated: the
// client is stale and a renamed field would only break at run time.
import openapiTS, { astToString } from 'openapi-typescript';
import { readFile, writeFile } from 'node:fs/promises';

const source = new URL('../openapi.json', import.meta.url);
const target = new URL('../src/lib/api/schema.d.ts', import.meta.url);
const header = '// Generated from openapi.json by scripts/generate-api.mjs. Do not edit.\n';

const ast = await openapiTS(JSON.parse(await readFile(source, 'utf8')));
const generated = header + astToString(ast);

if (process.argv.includes('--check')) {
  const current = await readFile(target, 'utf8').catch(() => '');
  if (current !== generated) {
    console.error('src/lib/api/schema.d.ts is stale. Run: cargo run -p hmms -- openapi > web/openapi.json && npm --prefix web run api:generate');
    process.exit(1);
  }
  console.log('API client is up to date with openapi.json');
} else {
  await writeFile(target, generated);
  console.log(`wrote ${target.pathname}`);
}

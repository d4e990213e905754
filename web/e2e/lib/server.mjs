// Starts the real `hmms` binary on a fresh database (a SQLite file in a new folder, or a new
// PostgreSQL database), loaded with the demo hospital, on a free port.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';

const root = resolve(import.meta.dirname, '../../..');
export const BIN = process.env.HMMS_BIN ?? join(root, 'target/debug/hmms');
const PG = process.env.HMMS_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function psql(sql) {
  execFileSync('psql', [PG, '-v', 'ON_ERROR_STOP=1', '-q', '-c', sql], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Whether PostgreSQL answers at HMMS_TEST_POSTGRES_URL. */
export function postgresAvailable() {
  try {
    psql('SELECT 1');
    return true;
  } catch {
    return false;
  }
}

/**
 * A running server: `{ url, stop() }`. `backend` is `sqlite` or `postgres`; `demo` loads the
 * demo hospital (the default); `env` adds settings.
 */
export async function startServer({ backend = 'sqlite', demo = true, env = {} } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'hmms-e2e-'));
  let database = `sqlite://${join(dir, 'hmms.db')}`;
  let pgName = null;
  if (backend === 'postgres') {
    pgName = `hmms_e2e_${randomUUID().replaceAll('-', '')}`;
    psql(`CREATE DATABASE "${pgName}"`);
    const u = new URL(PG);
    u.pathname = `/${pgName}`;
    database = u.toString();
  }
  const args = ['serve', '--listen', '127.0.0.1:0', ...(demo ? ['--demo'] : [])];
  const child = spawn(BIN, args, {
    cwd: dir,
    env: {
      ...process.env,
      HMMS_DATA_DIR: join(dir, 'data'),
      HMMS_DATABASE_URL: database,
      HMMS_LOG_FORMAT: 'json',
      HMMS_LOG: process.env.HMMS_LOG ?? 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`hmms did not start within 120 s:\n${output}`)), 120_000);
    const read = (chunk) => {
      output += chunk;
      const m = /listening on (http:\/\/[\d.:]+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`hmms exited with ${code} before listening:\n${output}`));
    });
  });
  return {
    url,
    backend,
    log: () => output,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      if (pgName) psql(`DROP DATABASE IF EXISTS "${pgName}" WITH (FORCE)`);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

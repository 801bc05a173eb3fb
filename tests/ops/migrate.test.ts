import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { handler } from '../../functions/ops/migrate';
import { prepareDatabase } from '../../lib/dev/postgres';
import { migrations } from '../../migrations';
import { buildBundle } from '../bench/bundles';
import { ROOT } from '../helpers/functions';
import { dropDatabases, onServer, withClient } from '../helpers/scratch-db';

/*
 * The migrate function (functions/ops/migrate.ts) against real PostgreSQL: the test database for a
 * read-only status, and scratch databases on the same server for everything that changes a schema
 * (other test files use the test database meanwhile).
 */
jest.setTimeout(180_000);

const server = process.env.TEST_SERVER_URL!;
const scratch = `reflexo_migrate_${process.pid}`;
const bundled = `reflexo_migrate_bundle_${process.pid}`;
const role = `reflexo_api_migrate_${process.pid}`;
const saved = { STAGE: process.env.STAGE, DATABASE_URL: process.env.DATABASE_URL, MIGRATE_DATABASE_URL: process.env.MIGRATE_DATABASE_URL };
const all = Object.keys(migrations);
let scratchUrl: string;

const asStage = async <T>(stage: string, fn: () => Promise<T>): Promise<T> => {
  process.env.STAGE = stage;
  try {
    return await fn();
  } finally {
    process.env.STAGE = saved.STAGE;
  }
};

beforeAll(async () => {
  scratchUrl = await prepareDatabase(server, scratch, { recreate: true });
  const api = new URL(scratchUrl);
  api.username = role;
  api.password = 'pw-of-the-migrate-test';
  process.env.DATABASE_URL = api.toString();
  process.env.MIGRATE_DATABASE_URL = scratchUrl;
});

afterAll(async () => {
  Object.assign(process.env, saved);
  for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
  await dropDatabases(scratch, bundled); // before the role: the role owns objects in them
  await onServer((c) => c.query(`DROP ROLE IF EXISTS "${role}"`));
});

it('status on the test database: everything applied, nothing pending, nothing changed', async () => {
  process.env.MIGRATE_DATABASE_URL = process.env.TEST_OWNER_URL;
  try {
    const report = await handler({ action: 'status' });
    expect(report).toMatchObject({ stage: 'test', action: 'status', ran: [], applied: all, pending: [], apiLogin: null });
    expect(report.database.version).toMatch(/^\d+\.\d+/);
    expect(report.database.maxConnections).toBeGreaterThan(0);
  } finally {
    process.env.MIGRATE_DATABASE_URL = scratchUrl;
  }
});

it('up on an empty database: runs every migration in order, creates the API login, reports it', async () => {
  const report = await asStage('staging', () => handler({}));
  expect(report.ran).toEqual(all.map((n) => `up ${n}`));
  expect(report.applied).toEqual(all);
  expect(report.pending).toEqual([]);
  expect(report.apiLogin).toEqual({ role, created: true });
  expect(report.ownerBypassesRls).toBe(true);
  // the login works, as a member of reflexo_app, and row-level security applies to it
  await withClient(process.env.DATABASE_URL!, async (c) => {
    const { rows } = await c.query(`SELECT pg_has_role(current_user, 'reflexo_app', 'member') AS member, r.rolbypassrls FROM pg_roles r WHERE r.rolname = current_user`);
    expect(rows[0]).toEqual({ member: true, rolbypassrls: false });
    await expect(c.query('SELECT count(*)::int AS n FROM tenants')).resolves.toMatchObject({ rows: [{ n: 0 }] });
  });
});

it('up again: nothing to run; the login keeps working (its password is set again from the secret)', async () => {
  const report = await asStage('staging', () => handler(''));
  expect(report.ran).toEqual([]);
  expect(report.apiLogin).toEqual({ role, created: false });
});

it('prod refuses a rollback without allowProdRollback, and changes nothing', async () => {
  await expect(asStage('prod', () => handler({ action: 'down', steps: 1 }))).rejects.toThrow(/refusing to roll back prod.*allowProdRollback/);
  await expect(asStage('prod', () => handler({ action: 'down', steps: 1, allowProdRollback: 'yes' as unknown as boolean }))).rejects.toThrow(/refusing to roll back prod/);
  const report = await asStage('prod', () => handler({ action: 'status' }));
  expect(report.applied).toEqual(all);
});

it('a rollback elsewhere reports what it undid, and up re-applies it', async () => {
  const last = all[all.length - 1];
  const down = await asStage('staging', () => handler(JSON.stringify({ action: 'down', steps: 1 })));
  expect(down).toMatchObject({ action: 'down', ran: [`down ${last}`], pending: [last], apiLogin: null });
  const up = await asStage('staging', () => handler({ action: 'up' }));
  expect(up.ran).toEqual([`up ${last}`]);
});

it('prod rolls back with the explicit flag', async () => {
  const last = all[all.length - 1];
  const down = await asStage('prod', () => handler({ action: 'down', steps: 1, allowProdRollback: true }));
  expect(down.ran).toEqual([`down ${last}`]);
  await asStage('prod', () => handler({}));
});

it('refuses what it does not understand', async () => {
  await expect(handler({ action: 'drop' as 'up' })).rejects.toThrow(/unknown action/);
  await expect(handler({ action: 'down', steps: 0 })).rejects.toThrow(/steps must be a positive integer/);
  await expect(handler({ action: 'down', step: 3 } as never)).rejects.toThrow(/unknown field\(s\) step/);
});

it('the packaged bundle (esbuild as serverless.yml, CSVs where its package patterns put them) migrates a database', async () => {
  const url = await prepareDatabase(server, bundled, { recreate: true });
  const dir = join(ROOT, '.data', 'test', `migrate-bundle-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'functions/ops/data'), { recursive: true });
  await buildBundle(ROOT, join(ROOT, 'functions/ops/migrate.ts'), join(dir, 'functions/ops/migrate.js')); // serverless.yml's esbuild settings
  // serverless.yml: `functions/ops/data/ubigeo/*.csv` (functions/ops/data links to migrations/data)
  cpSync(join(ROOT, 'functions/ops/data/ubigeo'), join(dir, 'functions/ops/data/ubigeo'), { recursive: true, dereference: true });
  const script = `require(${JSON.stringify(join(dir, 'functions/ops/migrate.js'))}).handler({}).then((r) => process.stdout.write(JSON.stringify(r)), (e) => { console.error(e); process.exit(1); })`;
  const env: Record<string, string> = { ...(process.env as Record<string, string>), MIGRATE_DATABASE_URL: url, STAGE: 'dev', AWS_LAMBDA_FUNCTION_NAME: 'migrate' };
  delete env.DATABASE_URL;
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { cwd: dir, env });
    const report = JSON.parse(stdout);
    expect(report.applied).toEqual(all);
    expect(report.apiLogin).toBeNull();
    await withClient(url, async (c) => {
      const { rows } = await c.query('SELECT count(*)::int AS n FROM districts');
      expect(rows[0].n).toBeGreaterThan(1000);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

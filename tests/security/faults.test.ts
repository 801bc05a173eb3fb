import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import pg from 'pg';
import { sql } from 'kysely';
import { z } from 'zod';
import { signToken } from '../../lib/auth/tokens';
import { recordAudit } from '../../lib/domain/audit';
import { createHandler } from '../../lib/http/app';
import { defineGroup, route } from '../../lib/http/route';
import { createTenant, createUser, ownerKysely, type TestUser } from '../helpers/fixtures';
import type { CallOptions, CallResult, Handler } from '../helpers/http';
import { catalogIds, createRow, ownRows, routeTables, tenantTables } from './factories';
import { call, declaredRoutes, errorShapeProblem, fillPath, idHints, newTally, pathFor, reportTally, type RouteCase, sampleBody, useCatalogIds, WRITE_METHODS } from './harness';

/*
 * Faults. The database connection dies in the middle of a multi-step write; S3 or SES is down; a
 * statement outlives its budget. The client must get a clear 503 and the database must hold all of a
 * write or none of it, and never a row naming a file that is not in the bucket.
 *
 * "In the middle" is made exact with locks, not timing: the test holds a lock the request needs for
 * its later step, waits until PostgreSQL shows the request's backend waiting on it, and terminates
 * that backend. For real routes the lock is on audit_log, which every audited write touches after
 * its data writes.
 */
process.env.DB_STATEMENT_TIMEOUT_MS = '1500'; // read when this file's pool is created
// The pool names its connections after the function; a name of our own means the killer below can
// only ever hit this file's requests, never another test file's blocked on the same lock.
const APP_NAME = `security-faults-${process.pid}`;
process.env.AWS_LAMBDA_FUNCTION_NAME = APP_NAME;
// Generated over every declared route: the loop, not one request, is what the timeout bounds.
jest.setTimeout(300_000);
const tally = newTally('faults');
let tenantId: number;
let admin: TestUser;
const ownIds: Record<string, number> = {};
let routeTable = new Map<string, string | undefined>();

beforeAll(async () => {
  useCatalogIds(await catalogIds());
  tenantId = (await createTenant()).id;
  admin = await createUser({ reflexoId: tenantId, role: 'Admin', staff: true });
  Object.assign(ownIds, await ownRows(tenantId, 'Ft', declaredRoutes()));
  routeTable = await routeTables(declaredRoutes());
});
afterAll(() => reportTally(tally));

const ADVISORY_KEY = 770_077;
const probe = createHandler(
  defineGroup({
    name: 'fault-probe',
    prefixes: ['/api/test-faults'],
    tag: 'test',
    routes: [
      route({
        method: 'POST',
        path: '/api/test-faults/two-step/',
        access: 'user',
        summary: 'test only: write, wait on a lock the test holds, write again',
        body: z.object({ mark: z.string() }),
        response: z.object({ ok: z.literal(true) }),
        handler: async ({ db, body }) => {
          await recordAudit(db, { action: 'create', entity: 'fault_probe', entityId: `${body.mark}-1` });
          await sql`SELECT pg_advisory_xact_lock(${ADVISORY_KEY})`.execute(db);
          await recordAudit(db, { action: 'create', entity: 'fault_probe', entityId: `${body.mark}-2` });
          return { ok: true };
        },
      }),
      route({
        method: 'GET',
        path: '/api/test-faults/slow/',
        access: 'user',
        summary: 'test only: a statement longer than the budget',
        response: z.object({ ok: z.literal(true) }),
        handler: async ({ db }) => {
          await sql`SELECT pg_sleep(5)`.execute(db);
          return { ok: true };
        },
      }),
    ],
  }),
) as unknown as Handler;

/** Writes the issue says must be audited: patients, clinical records, appointments, tickets and payments, exports, sessions and credentials. */
const AUDITED = /\/patients\/patients\/|medical-records|histories|\/appointments\/appointments\/|tickets|payments|exports|\/login\/?$|\/logout\/?$|password\/(change|reset\/confirm)|email\/change\/confirm/;

const tokenOf = async (u: TestUser) => (await signToken('access', { id: u.id, reflexoId: u.reflexoId, isSuperuser: false })).token;

async function ownerClient(): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: process.env.TEST_OWNER_URL });
  c.on('error', () => {});
  await c.connect();
  return c;
}

/** Fires the request, waits until its backend is blocked on a lock, kills that backend. */
async function killWhileBlocked(owner: pg.Client, send: () => Promise<CallResult>): Promise<{ res: CallResult; killed: boolean }> {
  let settled = false;
  const pending = send().finally(() => (settled = true));
  let killed = false;
  for (let i = 0; i < 500 && !killed && !settled; i++) {
    const { rows } = await owner.query(
      `SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
      [APP_NAME],
    );
    for (const r of rows) {
      await owner.query('SELECT pg_terminate_backend($1)', [r.pid]);
      killed = true;
    }
    if (!killed) await new Promise((r) => setImmediate(r));
  }
  return { res: await pending, killed };
}

const auditMark = async () =>
  Number((await ownerKysely().selectFrom('audit_log').select((eb) => eb.fn.max('id').as('m')).where('reflexo_id', '=', tenantId).executeTakeFirst())?.m ?? 0);

let tables: string[] | undefined;
/** Rows per tenant table for the test clinic, in one round trip. */
async function tenantCounts(): Promise<Record<string, number>> {
  tables ??= await tenantTables();
  const union = tables.map((t) => `SELECT '${t}' AS t, count(*)::int AS n FROM ${t} WHERE reflexo_id = ${tenantId}`).join(' UNION ALL ');
  const { rows } = await sql.raw<{ t: string; n: number }>(union).execute(ownerKysely());
  return Object.fromEntries(rows.map((r) => [r.t, r.n]));
}

describe('the database connection dies in the middle of a write', () => {
  it('a two-step write killed between its steps → 503, and neither step is stored', async () => {
    const owner = await ownerClient();
    try {
      await owner.query('SELECT pg_advisory_lock($1)', [ADVISORY_KEY]);
      const mark = `m${Date.now()}`;
      const { res, killed } = await killWhileBlocked(owner, async () =>
        call(probe, { method: 'POST', path: '/api/test-faults/two-step/', token: await tokenOf(admin), json: { mark } }),
      );
      await owner.query('SELECT pg_advisory_unlock($1)', [ADVISORY_KEY]);
      expect(killed).toBe(true);
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ detail: 'Servicio no disponible temporalmente. Intente nuevamente.' });
      const rows = await ownerKysely().selectFrom('audit_log').select('entity_id').where('entity', '=', 'fault_probe').where('entity_id', 'like', `${mark}%`).execute();
      expect(rows).toEqual([]);
      // The pool recovers: the next request gets a healthy connection.
      const after = await call(probe, { method: 'POST', path: '/api/test-faults/two-step/', token: await tokenOf(admin), json: { mark: `${mark}b` } });
      expect(after.status).toBe(200);
      tally.cases += 2;
    } finally {
      await owner.end();
    }
  });

  it('every audited write route of the tables, killed at its audit step → 503 and all-or-nothing', async () => {
    const failures: string[] = [];
    const exercised: string[] = [];
    const writes = declaredRoutes().filter((r) => WRITE_METHODS.has(r.route.method) && r.route.access !== 'superuser' && !r.route.multipart);
    const owner = await ownerClient();
    try {
      for (const r of writes) {
        let caller = await createUser({ reflexoId: tenantId, role: 'Admin', staff: true });
        const build = async (): Promise<CallOptions> => {
          // A route may delete or log out its caller: those get a fresh one for the second call.
          if (r.route.method === 'DELETE' || /logout/.test(r.route.path)) caller = await createUser({ reflexoId: tenantId, role: 'Admin', staff: true });
          const table = routeTable.get(r.key);
          if (table) ownIds[table] = await createRow(table, tenantId, 'Ft').catch(() => ownIds[table]);
          const json = r.route.method === 'DELETE' ? undefined : sampleBody(r.route, { ...idHints(ownIds), ...(/auth|login|password/.test(r.route.path) ? { email: caller.email, password: caller.password } : {}) });
          return { method: r.route.method, path: pathFor(r, ownIds, routeTable), json, token: r.route.access === 'public' ? undefined : await tokenOf(caller) };
        };
        // A dry run finds the routes whose generated request really writes and audits (this clinic's entries only:
        // other test files write audit rows at the same time).
        const mark = await auditMark();
        const dry = await call(r.handler, await build());
        tally.cases++;
        const entries = await ownerKysely().selectFrom('audit_log').select(['changed_fields', 'entity_id']).where('reflexo_id', '=', tenantId).where('id', '>', mark).execute();
        if (dry.status < 300 && !entries.length && AUDITED.test(r.route.path)) {
          failures.push(`${r.key}: ${dry.status} without an audit entry (the issue asks for one on every write to this area)`);
        }
        {
          for (const e of entries) {
            const bad = (e.changed_fields ?? []).filter((f: string) => !/^[a-z_][a-z0-9_.]*$/i.test(f));
            if (bad.length) failures.push(`${r.key}: audit changed_fields must be field names, got ${JSON.stringify(bad).slice(0, 80)}`);
          }
        }
        if (dry.status >= 300 || !entries.length) continue;
        // Fresh rows to point at: the dry run may have used up its patient (one history each), its slot or its ticket.
        for (const t of await tenantTables()) if (t !== 'audit_log') ownIds[t] = await createRow(t, tenantId, 'Ft').catch(() => ownIds[t]);
        const opts = await build();
        const before = await tenantCounts();
        await owner.query('BEGIN');
        await owner.query('LOCK TABLE audit_log IN EXCLUSIVE MODE');
        const { res, killed } = await killWhileBlocked(owner, () => call(r.handler, opts));
        await owner.query('ROLLBACK');
        tally.cases++;
        exercised.push(r.key);
        tally.covered.push(r.key);
        const after = await tenantCounts();
        if (!killed && res.status < 300) failures.push(`${r.key}: succeeded while audit_log was locked, so its audit entry is not written in the request transaction`);
        else if (!killed) tally.exclusions.push(`${r.key}: inconclusive, the second generated request answered ${res.status} without reaching the audit step: ${res.raw.toString('utf8').slice(0, 100)}`);
        else if (res.status !== 503) failures.push(`${r.key}: killed mid-write answered ${res.status} ${res.raw.toString('utf8').slice(0, 120)}`);
        const shape = errorShapeProblem(opts.path, res);
        if (shape) failures.push(`${r.key}: ${shape}`);
        const changed = Object.keys(after).filter((t) => after[t] !== before[t]);
        if (changed.length) failures.push(`${r.key}: killed mid-write but rows changed in ${changed.join(', ')}`);
      }
    } finally {
      await owner.end();
    }
    // eslint-disable-next-line no-console
    console.log(`faults: ${exercised.length} audited write routes killed mid-write: ${exercised.join(', ')}`);
    tally.failures.push(...failures);
    expect(failures).toEqual([]);
  });
});

describe('password reset, killed mid-confirm', () => {
  const routes = declaredRoutes();
  const request = routes.find((r) => r.route.method === 'POST' && /\/password\/reset\/?$/.test(r.route.path));
  const confirm = routes.find((r) => r.route.method === 'POST' && /\/password\/reset\/confirm\/?$/.test(r.route.path));

  it('→ 503, the old password still works and the code can still be used', async () => {
    expect([Boolean(request), Boolean(confirm)]).toEqual([true, true]); // the reset routes exist: losing them fails, it does not skip
    const { mailsTo } = await import('../helpers/mail');
    const u = await createUser({ reflexoId: tenantId });
    expect((await call(request!.handler, { method: 'POST', path: request!.route.path, json: { email: u.email } })).status).toBeLessThan(300);
    const mail = (await mailsTo(u.email)).pop();
    const code = /\b\d{6}\b/.exec(`${mail?.subject} ${mail?.body.text}`)?.[0];
    expect(code).toBeDefined();
    const hashBefore = (await ownerKysely().selectFrom('users').select('password_hash').where('id', '=', u.id).executeTakeFirstOrThrow()).password_hash;
    const json = { email: u.email, code, new_password: 'Reset#Clave2027x', new_password_confirm: 'Reset#Clave2027x' };
    const owner = await ownerClient();
    try {
      await owner.query('BEGIN');
      await owner.query('LOCK TABLE audit_log IN EXCLUSIVE MODE');
      const { res, killed } = await killWhileBlocked(owner, () => call(confirm!.handler, { method: 'POST', path: confirm!.route.path, json }));
      await owner.query('ROLLBACK');
      expect(killed).toBe(true);
      expect(res.status).toBe(503);
    } finally {
      await owner.end();
    }
    const hashAfter = (await ownerKysely().selectFrom('users').select('password_hash').where('id', '=', u.id).executeTakeFirstOrThrow()).password_hash;
    expect(hashAfter).toBe(hashBefore);
    // Nothing was consumed: the same code completes the reset once the database is back.
    expect((await call(confirm!.handler, { method: 'POST', path: confirm!.route.path, json })).status).toBe(200);
    tally.cases += 3;
    tally.covered.push(confirm!.key);
  });
});

describe('statement budget', () => {
  it('serverless.yml: every SQL statement is cut before the function times out', () => {
    const doc = yaml.load(readFileSync(join(__dirname, '..', '..', 'serverless.yml'), 'utf8')) as any;
    const fnTimeoutMs = Number(doc.provider.timeout) * 1000;
    // Each stage may set the stage parameter the environment forwards; every stage's value must fit.
    const param = /^\$\{param:(\w+)\}$/.exec(doc.provider.environment.DB_STATEMENT_TIMEOUT_MS)?.[1];
    expect(param).toBeDefined();
    const perStage = Object.values<any>(doc.params).map((p) => p[param!]).filter((v) => v !== undefined);
    expect(perStage.length).toBeGreaterThan(0);
    for (const v of perStage) expect(Number(v)).toBeLessThan(fnTimeoutMs);
    const statementMs = Number(doc.params.default[param!]);
    expect(statementMs).toBeGreaterThan(0);
    expect(statementMs).toBeLessThan(fnTimeoutMs);
    for (const [name, fn] of Object.entries<any>(doc.functions)) {
      const own = fn.timeout ? Number(fn.timeout) * 1000 : fnTimeoutMs;
      const stmt = Number(fn.environment?.DB_STATEMENT_TIMEOUT_MS ?? statementMs);
      if (!(stmt < own)) throw new Error(`${name}: statement timeout ${stmt} ms is not below its function timeout ${own} ms`);
    }
    tally.cases++;
  });

  it('a statement longer than DB_STATEMENT_TIMEOUT_MS is cancelled → 503, well before the function timeout', async () => {
    const started = Date.now();
    const res = await call(probe, { path: '/api/test-faults/slow/', token: await tokenOf(await createUser({ reflexoId: tenantId })) });
    expect(res.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(4000);
    tally.cases++;
  });
});

describe('S3 and SES unavailable', () => {
  /** The registry's handlers, loaded afresh with a dead endpoint (the SDK clients are cached per module instance). */
  function withDeadEndpoint<T>(variable: 'S3_ENDPOINT' | 'SES_ENDPOINT', fn: (routes: RouteCase[]) => Promise<T>): Promise<T> {
    const saved = process.env[variable];
    process.env[variable] = 'http://127.0.0.1:9'; // discard port: nothing listens
    let fresh: RouteCase[] = [];
    let closeFreshPool = async () => {};
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      closeFreshPool = (require('../../lib/db/pool') as typeof import('../../lib/db/pool')).closePool;
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { groups } = require('../../functions/registry') as typeof import('../../functions/registry');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const app = require('../../lib/http/app') as typeof import('../../lib/http/app');
      fresh = groups.flatMap((group) => group.routes.map((r) => ({ group, route: r, handler: app.createHandler(group) as unknown as Handler, key: `${r.method} ${r.path}` })));
    });
    return fn(fresh).finally(async () => {
      process.env[variable] = saved;
      await closeFreshPool();
    });
  }

  /** Every stored key a tenant row names (columns ending in _key) must exist in the bucket. */
  async function danglingKeys(): Promise<string[]> {
    const sdk = await import('@aws-sdk/client-s3');
    const s3 = new sdk.S3Client({ region: 'us-east-1', endpoint: process.env.S3_ENDPOINT, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    const { rows } = await sql<{ table_name: string; column_name: string }>`SELECT table_name, column_name FROM information_schema.columns
      WHERE table_schema = 'public' AND column_name LIKE '%\\_key' ESCAPE '\\' AND data_type IN ('text', 'character varying')`.execute(ownerKysely());
    const missing: string[] = [];
    for (const { table_name, column_name } of rows) {
      const keys = await sql<{ k: string }>`SELECT ${sql.ref(column_name)} AS k FROM ${sql.table(table_name)} WHERE ${sql.ref(column_name)} LIKE 'tenants/%'`.execute(ownerKysely());
      for (const { k } of keys.rows) {
        try {
          await s3.send(new sdk.HeadObjectCommand({ Bucket: process.env.S3_BUCKET, Key: k }));
        } catch {
          missing.push(`${table_name}.${column_name} = ${k}`);
        }
      }
    }
    s3.destroy();
    return missing;
  }

  it('every multipart upload with S3 down → 503 with a clear message, and no row names a missing file', async () => {
    const failures: string[] = [];
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64, 1), Buffer.from([0xff, 0xd9])]);
    await withDeadEndpoint('S3_ENDPOINT', async (routes) => {
      for (const r of routes.filter((x) => x.route.multipart)) {
        const table = routeTable.get(r.key);
        if (table) ownIds[table] = await createRow(table, tenantId, 'Ft').catch(() => ownIds[table]);
        const fields: Record<string, string> = {};
        for (const [k, v] of Object.entries(sampleBody(r.route, idHints(ownIds)) ?? {})) fields[k] = typeof v === 'string' ? v : JSON.stringify(v);
        const path = pathFor(r, ownIds, routeTable);
        const user = r.route.access === 'superuser' ? await createUser({ superuser: true }) : admin;
        const token = (await signToken('access', { id: user.id, reflexoId: user.reflexoId, isSuperuser: r.route.access === 'superuser' })).token;
        const files = ['photo_file', 'logo', 'company_logo', 'photo', 'image', 'file'].slice(0, 5).map((field) => ({ field, filename: 'x.jpg', contentType: 'image/jpeg', data: jpeg }));
        const res = await call(r.handler, { method: r.route.method, path, token, multipart: { fields, files } });
        tally.cases++;
        tally.covered.push(r.key);
        if (res.status >= 500 && res.status !== 503) failures.push(`${r.key} with S3 down: ${res.status} ${res.raw.toString('utf8').slice(0, 120)}`);
        if (res.status === 503 && typeof res.body?.detail !== 'string') failures.push(`${r.key} with S3 down: 503 without a detail message`);
        if (res.status < 300) {
          // Accepted without touching S3 is only fine if nothing in the response names a stored file.
          const text = res.raw.toString('utf8');
          if (/tenants\/\d+\//.test(text)) failures.push(`${r.key} with S3 down: ${res.status} and the response names a stored file`);
        }
      }
    });
    failures.push(...(await danglingKeys()).map((k) => `row names a file that is not in the bucket: ${k}`));
    tally.failures.push(...failures);
    expect(failures).toEqual([]);
  });

  it('mail-sending routes with SES down answer as usual: their mail waits in the outbox, is retried, and leaves once SES is back', async () => {
    const failures: string[] = [];
    const { drainOutbox } = await import('../../lib/mail/outbox');
    const queued = async () => Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM mail_outbox WHERE status = 'pendiente'`.execute(ownerKysely())).rows[0].n);
    const before = await queued();
    let mailers = 0;
    await withDeadEndpoint('SES_ENDPOINT', async (routes) => {
      for (const r of routes.filter((x) => x.route.method === 'POST' && /reset|verification|verify|code|remind|send|mail/i.test(x.route.path) && x.route.access !== 'superuser')) {
        const user = await createUser({ reflexoId: tenantId });
        const json = sampleBody(r.route, { ...idHints(ownIds), email: user.email, new_email: `n${user.email}`, verification_type: 'email_verification' });
        const res = await call(r.handler, { method: 'POST', path: fillPath(r.route.path, {}), json, token: r.route.access === 'public' ? undefined : await tokenOf(user) });
        tally.cases++;
        tally.covered.push(r.key);
        if (res.status >= 500) failures.push(`${r.key} with SES down: ${res.status} ${res.raw.toString('utf8').slice(0, 120)}`);
        if (res.status < 300) mailers++;
      }
    });
    // The sender while SES is down: every message goes back to the queue with a backoff, none is lost.
    const down = await drainOutbox({ ratePerSecond: 1000, budgetMs: 5_000, send: async () => Promise.reject(new Error('SES down')) });
    if (down.sent || down.retried < mailers) failures.push(`with SES down the sender reported ${JSON.stringify(down)}`);
    const waiting = (await queued()) - before;
    if (waiting < mailers) failures.push(`${mailers} requests queued mail, ${waiting} messages wait in the outbox`);
    // SES is back: the retries fall due and go out.
    await sql`UPDATE mail_outbox SET next_attempt_at = now() WHERE status = 'pendiente'`.execute(ownerKysely());
    const report = await drainOutbox({ ratePerSecond: 1000 });
    if (report.sent < waiting) failures.push(`SES back: ${report.sent} of ${waiting} sent`);
    const leftover = await sql<{ n: number }>`SELECT count(*)::int AS n FROM mail_outbox WHERE purpose = 'code' AND status IN ('enviado', 'fallido') AND (text_body <> '' OR html_body <> '')`.execute(ownerKysely());
    if (leftover.rows[0].n) failures.push(`${leftover.rows[0].n} sent code mails still hold their code`);
    // eslint-disable-next-line no-console
    console.log(`faults: ${mailers} mail-sending requests answered with SES down; ${waiting} messages waited and left when it came back`);
    expect(mailers).toBeGreaterThan(2);
    tally.failures.push(...failures);
    expect(failures).toEqual([]);
  });
});

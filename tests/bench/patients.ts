import { join } from 'node:path';
import pg from 'pg';
import { migrateUp } from '../../lib/db/migrate';
import { LOCAL_JWT_SECRET, localDatabase } from '../../lib/dev/local-env';
import { bundledHandler } from './bundles';

/*
 * `npx tsx tests/bench/patients.ts`: the patients list (page 1) and search (?q=mar and two selective
 * searches) on a clinic with 100,000 patients (plus 20,000 in another clinic), invoked in-process
 * through the bundled handler, next to the same statements replayed through plain pg (the floor),
 * with the query plans, including the plan of the statement patient_search() runs inside.
 * Its own database under .data/bench-patients (seeded once, ~20 s). BENCH_CALLS (default 300).
 */
const ROOT = join(__dirname, '..', '..');
const FIRST = ['María', 'Mariana', 'Juan', 'José', 'Rosa', 'Carlos', 'Luis', 'Ana', 'Marco', 'Lucía', 'Pedro', 'Carmen', 'Jorge', 'Elena', 'Miguel', 'Sofía'];
const LAST = ['Quispe', 'Flores', 'Sánchez', 'Rodríguez', 'García', 'Rojas', 'Huamán', 'Mamani', 'Chávez', 'Vásquez', 'Ramírez', 'Torres', 'Mendoza', 'Martínez', 'Marín', 'Morales', 'Paredes', 'Cárdenas', 'Marquina'];

async function measure(fn: () => Promise<void>, n: number) {
  for (let i = 0; i < Math.min(20, n); i++) await fn();
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await fn();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return { p50: t[Math.floor(n * 0.5)], p99: t[Math.min(n - 1, Math.floor(n * 0.99))] };
}

async function seed(owner: pg.Client): Promise<number> {
  const found = (await owner.query(`SELECT id FROM tenants WHERE name = 'bench-patients'`)).rows[0]?.id;
  if (found) return found;
  const t0 = Date.now();
  const tenant = (await owner.query(`INSERT INTO tenants (name) VALUES ('bench-patients') RETURNING id`)).rows[0].id;
  await owner.query(
    `INSERT INTO patients (reflexo_id, document_type_id, document_number, name, paternal_lastname, maternal_lastname, email,
                           region_id, province_id, district_id, ocupation, health_condition)
     SELECT $1, 1, lpad(g::text, 8, '0'), ($2::text[])[1 + g % $4], ($3::text[])[1 + (g / 7) % $5], ($3::text[])[1 + (g / 3) % $5],
            'p' || g || '@example.com', 15, 1501, 150122, 'Docente', 'Sano'
       FROM generate_series(1, 100000) g`,
    [tenant, FIRST, LAST, FIRST.length, LAST.length],
  );
  const other = (await owner.query(`INSERT INTO tenants (name) VALUES ('bench-patients-other') RETURNING id`)).rows[0].id;
  await owner.query(
    `INSERT INTO patients (reflexo_id, document_number, name, paternal_lastname, email)
     SELECT $1, lpad(g::text, 8, '0'), 'Mario', 'Otro', 'o' || g || '@example.com' FROM generate_series(1, 20000) g`,
    [other],
  );
  // A live database has been vacuumed (visibility map) and analysed.
  await owner.query('VACUUM (ANALYZE) patients');
  console.log(`seeded 120,000 patients in ${Date.now() - t0} ms`);
  return tenant;
}

/*
 * Installed once, before any connection exists: lib/db/tenant.ts binds each client's query function
 * the first time it sees the client, so a patch applied later would miss reused clients.
 */
let sink: { text: string; values: unknown[] }[] | null = null;
const originalQuery = pg.Client.prototype.query;
(pg.Client.prototype as any).query = function (this: pg.Client, text: unknown, values?: unknown, ...rest: unknown[]) {
  if (sink && typeof text === 'string' && !/set_config|^(BEGIN|COMMIT|ROLLBACK)/.test(text)) sink.push({ text, values: (values as unknown[]) ?? [] });
  return (originalQuery as any).call(this, text, values, ...rest);
};

async function main() {
  const calls = Number(process.env.BENCH_CALLS ?? 300);
  const db = await localDatabase({ dataDir: join(ROOT, '.data', 'bench-patients'), port: Number(process.env.BENCH_PG_PORT ?? 16433), database: 'reflexo_bench_patients' });
  const owner = new pg.Client({ connectionString: db.ownerUrl });
  owner.on('error', () => {});
  const rawPool = new pg.Pool({ connectionString: db.appUrl, max: 1 });
  rawPool.on('error', () => {});
  try {
    await migrateUp(db.ownerUrl);
    Object.assign(process.env, { DATABASE_URL: db.appUrl, JWT_SECRET: process.env.JWT_SECRET ?? LOCAL_JWT_SECRET, LOG_LEVEL: 'silent', STAGE: 'bench' });
    await owner.connect();
    const tenant = await seed(owner);
    const user =
      (await owner.query(`SELECT id FROM users WHERE email = 'bench-patients@bench.reflexo.pe'`)).rows[0]?.id ??
      (await owner.query(`INSERT INTO users (email, user_name, password_hash, reflexo_id) VALUES ('bench-patients@bench.reflexo.pe', 'bench-patients', 'x', $1) RETURNING id`, [tenant])).rows[0].id;

    const handler = await bundledHandler(ROOT, 'patients-patients', { outDir: join(ROOT, '.data', 'bench-patients') });
    const { signToken } = await import('../../lib/auth/tokens');
    const { buildEvent } = await import('../helpers/http');
    const { withTenant } = await import('../../lib/db/tenant');
    const { selectPatientPage } = await import('../../lib/queries/patients');
    const token = (await signToken('access', { id: user, reflexoId: tenant, isSuperuser: false })).token;
    const scope = { reflexoId: tenant, global: false, userId: user };
    const inTenant = async <T>(fn: (c: pg.PoolClient) => Promise<T>) => {
      const c = await rawPool.connect();
      try {
        await c.query(`BEGIN; SELECT set_config('app.reflexo_id', '${tenant}', true)`);
        const v = await fn(c);
        await c.query('COMMIT');
        return v;
      } finally {
        c.release();
      }
    };

    for (const [label, path, q] of [
      ['GET /api/patients/patients/?page=1', '/api/patients/patients/', undefined],
      ['GET …/search/?q=mar', '/api/patients/patients/search/', 'mar'],
      ['GET …/search/?q=quispe maria', '/api/patients/patients/search/', 'quispe maria'],
      ['GET …/search/?q=00012345', '/api/patients/patients/search/', '00012345'],
    ] as const) {
      const query = q ? { q } : { page: 1 };
      const invoke = async () => {
        const res = (await handler(buildEvent({ path, query, token }), {} as never)) as { statusCode: number; body: string };
        if (res.statusCode !== 200) throw new Error(`${res.statusCode} ${res.body}`);
      };
      // The statements the route runs (captured once from the query layer), replayed through plain pg.
      const statements: { text: string; values: unknown[] }[] = [];
      sink = statements;
      try {
        await withTenant(scope, (tdb) => selectPatientPage(tdb, { reflexoId: tenant, q }, 1, 10));
      } finally {
        sink = null;
      }
      const raw = () => inTenant(async (c) => {
        for (const s of statements) await c.query(s.text, s.values);
      });
      const h = await measure(invoke, calls);
      const r = await measure(raw, calls);
      console.log(`\n${label}  (${calls} calls, concurrency 1)`);
      console.log(`  handler  p50 ${h.p50.toFixed(2)} ms  p99 ${h.p99.toFixed(2)} ms`);
      console.log(`  raw SQL  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms   ratio ${(h.p50 / r.p50).toFixed(2)}×`);
      const plans = await inTenant(async (c) => {
        const out: string[] = [];
        for (const s of statements) out.push(...(await c.query(`EXPLAIN ${s.text}`, s.values)).rows.map((x) => x['QUERY PLAN']));
        return out;
      });
      if (q) {
        // What patient_search() executes, as its owner (the function's search path past the RLS wall).
        const like = q.split(/\s+/).map((t) => `AND p.search_text LIKE '%${t}%'`).join(' ');
        const cond = `p.deleted_at IS NULL AND p.reflexo_id = ${tenant} ${like}`;
        for (const inner of [`SELECT count(*) FROM patients p WHERE ${cond}`, `SELECT p.id FROM patients p WHERE ${cond} ORDER BY p.id DESC LIMIT 10`]) {
          plans.push(`inside patient_search(): ${inner}`, ...(await owner.query(`EXPLAIN ${inner}`)).rows.map((x) => `  ${x['QUERY PLAN']}`));
        }
      }
      console.log(plans.map((l) => `    ${l}`).join('\n'));
    }
  } finally {
    await rawPool.end();
    await owner.end().catch(() => {});
    await db.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);

import { join } from 'node:path';
import pg from 'pg';
import { migrateUp } from '../../lib/db/migrate';
import { LOCAL_JWT_SECRET, localDatabase } from '../../lib/dev/local-env';
import { bundledHandler } from './bundles';
import { measureFor, ms } from './stats';

/*
 * `npx tsx tests/bench/scheduling.ts`: the scheduling module on ONE clinic with 200 therapists and
 * 1,000,000 appointments (each with its ticket), in-process, concurrency 1:
 *   - GET appointments page 1 with nested objects, and the number of SQL statements per request at
 *     page_size 20 and 100 (it must not grow with the page);
 *   - POST create (appointment + ticket, one transaction);
 *   - GET check_availability for one therapist, and for "any therapist" (scans the 200).
 * Own embedded PostgreSQL under .data/bench-scheduling (or DATABASE_URL / MIGRATE_DATABASE_URL); the
 * seed is kept between runs. Knobs: BENCH_APPOINTMENTS (default 1,000,000), BENCH_CALLS (default 500).
 */
const ROOT = join(__dirname, '..', '..');
const APPOINTMENTS = Number(process.env.BENCH_APPOINTMENTS ?? 1_000_000);
const THERAPISTS = 200;
const PATIENTS = 10_000;
const TENANT = 'Bench scheduling';

async function seed(ownerUrl: string): Promise<{ tenantId: number; userId: number }> {
  const pool = new pg.Pool({ connectionString: ownerUrl, max: 1 });
  const q = async (text: string, params: unknown[] = []) => (await pool.query(text, params)).rows as any[];
  try {
    const existing = await q(`SELECT id FROM tenants WHERE name = $1`, [TENANT]);
    let tenantId: number;
    if (existing.length) tenantId = existing[0].id;
    else tenantId = (await q(`INSERT INTO tenants (name) VALUES ($1) RETURNING id`, [TENANT]))[0].id;
    const admin = await q(
      `INSERT INTO users (email, user_name, password_hash, reflexo_id, role_id)
       VALUES ('bench-scheduling@bench.reflexo.pe', 'bench-scheduling', 'x', $1, NULL)
       ON CONFLICT (email) DO UPDATE SET reflexo_id = EXCLUDED.reflexo_id RETURNING id`,
      [tenantId],
    );
    const have = (await q(`SELECT count(*)::int AS n FROM appointments WHERE reflexo_id = $1`, [tenantId]))[0].n;
    if (have >= APPOINTMENTS) return { tenantId, userId: admin[0].id };
    const t0 = Date.now();
    console.log(`seeding ${THERAPISTS} therapists, ${PATIENTS} patients, ${APPOINTMENTS.toLocaleString('en')} appointments and tickets…`);
    await q(`DELETE FROM tickets WHERE reflexo_id = $1`, [tenantId]);
    await q(`DELETE FROM appointments WHERE reflexo_id = $1`, [tenantId]);
    await q(`DELETE FROM therapists WHERE reflexo_id = $1`, [tenantId]);
    await q(`DELETE FROM patients WHERE reflexo_id = $1`, [tenantId]);
    await q(
      `INSERT INTO therapists (reflexo_id, document_type_id, document_number, last_name_paternal, last_name_maternal, first_name, email, region_id, province_id, district_id)
       SELECT $1, 1, (70000000 + g)::text, 'Terapeuta', 'Bench', 'T' || g, 't' || g || '@gmail.com', 15, 1501, 150122 FROM generate_series(1, ${THERAPISTS}) g`,
      [tenantId],
    );
    await q(
      `INSERT INTO patients (reflexo_id, document_number, name, paternal_lastname, maternal_lastname)
       SELECT $1, (40000000 + g)::text, 'Paciente ' || g, 'Apellido', 'Bench' FROM generate_series(1, ${PATIENTS}) g`,
      [tenantId],
    );
    // Past days, 10 hourly slots × 200 therapists per day, each therapist in their own room: no overlaps.
    const perDay = THERAPISTS * 10;
    const days = Math.ceil(APPOINTMENTS / perDay);
    await q(
      `WITH t AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM therapists WHERE reflexo_id = $1),
            p AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM patients WHERE reflexo_id = $1)
       INSERT INTO appointments (reflexo_id, patient_id, therapist_id, appointment_date, hour, duration_minutes, appointment_status_id, room, ailments, payment, payment_type_id)
       SELECT $1, p.id, t.id, current_date - ${days + 1} + (g / ${perDay}), make_time(8 + (g % ${perDay}) / ${THERAPISTS}, 0, 0), 60,
              CASE WHEN g % 10 = 0 THEN 3 ELSE 2 END, 'Sala ' || t.k, 'Dolor lumbar', 80 + (g % 5) * 10, 1 + g % 3
       FROM generate_series(0, ${APPOINTMENTS - 1}) g
       JOIN t ON t.k = g % ${THERAPISTS}
       JOIN p ON p.k = (g::bigint * 7919) % ${PATIENTS}`,
      [tenantId],
    );
    await q(`UPDATE appointments SET cancelled_at = created_at WHERE reflexo_id = $1 AND appointment_status_id = 3`, [tenantId]);
    await q(
      `INSERT INTO tickets (reflexo_id, appointment_id, ticket_number, amount, payment_method, status, payment_date)
       SELECT $1, id, 'TKT-' || lpad((row_number() OVER (ORDER BY id))::text, 7, '0'), payment, 'cash',
              CASE WHEN cancelled_at IS NULL THEN 'paid' ELSE 'cancelled' END, CASE WHEN cancelled_at IS NULL THEN now() END
       FROM appointments WHERE reflexo_id = $1`,
      [tenantId],
    );
    await q(
      `INSERT INTO ticket_counters (reflexo_id, last_number) VALUES ($1, $2)
       ON CONFLICT (reflexo_id) DO UPDATE SET last_number = EXCLUDED.last_number`,
      [tenantId, APPOINTMENTS],
    );
    await q(`ANALYZE`);
    console.log(`seeded in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    return { tenantId, userId: admin[0].id };
  } finally {
    await pool.end();
  }
}

/*
 * Every statement any pg client sends, counted. Patched before the first connection exists: the
 * request transaction binds client.query once per pooled client, so a later patch would miss it.
 */
let sent = 0;
const originalQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  sent++;
  return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof originalQuery;

async function main() {
  const calls = Number(process.env.BENCH_CALLS ?? 500);
  const db = await localDatabase({ dataDir: join(ROOT, '.data', 'bench-scheduling'), port: Number(process.env.BENCH_PG_PORT ?? 16533), database: 'reflexo_bench_scheduling' });
  try {
    await migrateUp(db.ownerUrl);
    const { tenantId, userId } = await seed(db.ownerUrl);
    Object.assign(process.env, { DATABASE_URL: db.appUrl, JWT_SECRET: process.env.JWT_SECRET ?? LOCAL_JWT_SECRET, LOG_LEVEL: 'silent', STAGE: 'bench' });
    const { signToken } = await import('../../lib/auth/tokens');
    const { call } = await import('../helpers/http');
    // middy is ESM-only: run the function the way Lambda does, bundled by esbuild (pg left external so
    // this process can count the statements the handler sends).
    // pg left external so this process can count the statements the handler sends.
    const handler = await bundledHandler(ROOT, 'appointments-appointments', { countQueries: true });
    const token = (await signToken('access', { id: userId, reflexoId: tenantId, isSuperuser: false })).token;

    const owner = new pg.Pool({ connectionString: db.ownerUrl, max: 1 });
    const therapists = (await owner.query(`SELECT id FROM therapists WHERE reflexo_id = $1 ORDER BY id`, [tenantId])).rows.map((r) => r.id as number);
    const patient = (await owner.query(`SELECT id FROM patients WHERE reflexo_id = $1 ORDER BY id LIMIT 1`, [tenantId])).rows[0].id as number;
    const counts = (await owner.query(`SELECT (SELECT count(*) FROM appointments WHERE reflexo_id = $1)::int AS a, (SELECT count(*) FROM tickets WHERE reflexo_id = $1)::int AS t`, [tenantId])).rows[0];
    // Future bookings start after anything a previous run booked.
    const lastDay = (await owner.query(`SELECT greatest(max(appointment_date), current_date)::text AS d FROM appointments WHERE reflexo_id = $1`, [tenantId])).rows[0].d as string;
    await owner.end();
    console.log(`\nClinic ${tenantId}: ${therapists.length} therapists, ${counts.a.toLocaleString('en')} appointments, ${counts.t.toLocaleString('en')} tickets; ${calls} calls each, in-process, concurrency 1\n`);

    const statements = async (fn: () => Promise<unknown>) => {
      const before = sent;
      await fn();
      return sent - before;
    };
    const expectStatus = (status: number) => (r: { status: number; body: unknown }) => {
      if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
      return r;
    };

    const list = (page_size: number) => () => call(handler, { path: '/api/appointments/appointments/', query: { page: 1, page_size }, token }).then(expectStatus(200));
    const s20 = await statements(list(20));
    const s100 = await statements(list(100));
    const l = await measureFor(list(20), { calls, maxMs: 20_000 });
    console.log(`GET /api/appointments/appointments/?page=1 (nested patient, therapist, status, ticket)`);
    console.log(`  p50 ${ms(l.p50)}  p99 ${ms(l.p99)}  SQL statements per request: ${s20} at page_size 20, ${s100} at page_size 100 (BEGIN + caller probe, count, page with everything nested, COMMIT)`);

    let n = 0;
    const start = new Date(`${lastDay}T12:00:00Z`);
    const slot = () => {
      const i = n++;
      const d = new Date(start);
      d.setUTCDate(d.getUTCDate() + 1 + Math.floor(i / (THERAPISTS * 10)));
      return { appointment_date: d.toISOString().slice(0, 10), hour: `${String(8 + Math.floor((i % (THERAPISTS * 10)) / THERAPISTS)).padStart(2, '0')}:00`, therapist: therapists[i % THERAPISTS] };
    };
    const create = () =>
      call(handler, { method: 'POST', path: '/api/appointments/appointments/create/', token, json: { patient, ...slot(), payment: '90.00', ailments: 'Bench' } }).then(expectStatus(201));
    const sc = await statements(create);
    const c = await measureFor(create, { calls, maxMs: 20_000 });
    console.log(`POST /api/appointments/appointments/create/ (appointment + ticket in one transaction)`);
    console.log(`  p50 ${ms(c.p50)}  p99 ${ms(c.p99)}  SQL statements per request: ${sc}`);

    const ask = (query: Record<string, string | number>) => () =>
      call(handler, { path: '/api/appointments/appointments/check_availability/', token, query: { date: slot().appointment_date, hour: '10:00', ...query } }).then(expectStatus(200));
    const one = await measureFor(ask({ therapist: therapists[7] }), { calls, maxMs: 20_000 });
    const all = await measureFor(ask({}), { calls, maxMs: 20_000 });
    console.log(`GET /api/appointments/appointments/check_availability/`);
    console.log(`  one therapist:  p50 ${ms(one.p50)}  p99 ${ms(one.p99)}`);
    console.log(`  any of ${THERAPISTS}:     p50 ${ms(all.p50)}  p99 ${ms(all.p99)}`);
  } finally {
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

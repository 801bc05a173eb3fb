import pg from 'pg';
import { cpuSpent, pidsCpuMs, processCpu } from './stats';
import type { BenchContext } from './workloads';

/*
 * W5b's day (issue 17): the daily cash of a day with BIG_DAY_APPOINTMENTS paid appointments, whatever
 * the scale (the busiest seeded day, W5's, grows with it: about 2,100 payments at scale 10). A Sunday (the seed books none) about 400 days before the seed ran: outside the
 * month W8 and the reports read, the agenda W4 pages, the busy day and the free slots W6 and W14/W15
 * use, so adding it moves no other workload's figure.
 */
export const BIG_DAY_APPOINTMENTS = 1500;
const bigDaySql = (seededOn: string) => `to_char((${seededOn}::date - 400) - extract(dow FROM ${seededOn}::date - 400)::int, 'YYYY-MM-DD')`;

/* What the workloads need to know about a seeded database (read through the owner connection). */
export async function loadContext(ownerUrl: string): Promise<BenchContext> {
  const c = new pg.Client({ connectionString: ownerUrl });
  await c.connect();
  try {
    const q = async <T extends pg.QueryResultRow = any>(text: string, values: unknown[] = []) => (await c.query<T>(text, values)).rows;
    const [meta] = await q(`SELECT scale, to_char(seeded_on, 'YYYY-MM-DD') AS seeded_on, tenant_id, admin_email, password, seconds, counts FROM bench_meta`);
    const tenantId = meta.tenant_id as number;
    const [user] = await q(`SELECT id FROM users WHERE email = $1`, [meta.admin_email]);
    const therapistIds = (await q(`SELECT id FROM therapists WHERE reflexo_id = $1 AND deleted_at IS NULL ORDER BY id`, [tenantId])).map((r) => r.id as number);
    const patientIds = (await q(`SELECT id FROM patients WHERE reflexo_id = $1 AND deleted_at IS NULL ORDER BY id LIMIT 500`, [tenantId])).map((r) => r.id as number);
    const [big] = await q(`SELECT ${bigDaySql('$1')} AS day`, [meta.seeded_on]);
    // W5b's day is left out: once filled it would be the busiest, and W5, W9 and W13 keep their seeded day.
    const [busy] = await q(
      `SELECT to_char(appointment_date, 'YYYY-MM-DD') AS day, count(*)::int AS payments FROM appointments
        WHERE reflexo_id = $1 AND appointment_date < $2 AND appointment_date <> $3 AND payment IS NOT NULL AND deleted_at IS NULL
        GROUP BY appointment_date ORDER BY count(*) DESC, appointment_date DESC LIMIT 1`,
      [tenantId, meta.seeded_on, big.day],
    );
    const [month] = await q(
      `SELECT to_char(date_trunc('month', $1::date) - interval '1 month', 'YYYY-MM-DD') AS start,
              to_char(date_trunc('month', $1::date) - interval '1 day', 'YYYY-MM-DD') AS "end"`,
      [meta.seeded_on],
    );
    const [free] = await q(`SELECT to_char(max(appointment_date) + 1, 'YYYY-MM-DD') AS day FROM appointments WHERE reflexo_id = $1`, [tenantId]);
    const [pending] = await q(`SELECT id FROM appointment_statuses WHERE kind = 'pending'`);
    return {
      scale: Number(meta.scale),
      seedSeconds: Number(meta.seconds),
      counts: meta.counts,
      tenantId,
      userId: user.id,
      email: meta.admin_email,
      password: meta.password,
      therapistId: therapistIds[0],
      therapistIds,
      patientIds,
      busyDay: busy.day,
      busyDayPayments: busy.payments,
      bigDay: big.day,
      monthStart: month.start,
      monthEnd: month.end,
      freeFrom: free.day,
      pendingStatusId: pending.id,
    };
  } finally {
    await c.end();
  }
}

/**
 * Fills W5b's day of the largest clinic once (idempotent: a day that holds its appointments already is
 * left as it is): BIG_DAY_APPOINTMENTS completed appointments, each with its paid ticket, through the
 * owner connection, as the seed writes them (the tickets trigger puts the payments in the cash ledger
 * and its day totals). The clinic's therapists share the day in short back-to-back sessions from 07:00
 * (no therapist twice at once, the exclusion constraint checks it); no room, so rooms cannot collide;
 * patients spread over the register; ticket numbers continue the clinic's counter.
 */
export async function ensureBigDay(ownerUrl: string, log: (s: string) => void = () => {}): Promise<{ day: string; inserted: number }> {
  const c = new pg.Client({ connectionString: ownerUrl });
  await c.connect();
  try {
    await c.query('BEGIN');
    await c.query(`SELECT pg_advisory_xact_lock(hashtext('bench big day'))`);
    const [meta] = (await c.query(`SELECT tenant_id, ${bigDaySql('seeded_on')} AS day FROM bench_meta`)).rows;
    const tenantId = meta.tenant_id as number;
    const day = meta.day as string;
    const have = Number((await c.query(`SELECT count(*) AS n FROM appointments WHERE reflexo_id = $1 AND appointment_date = $2 AND deleted_at IS NULL`, [tenantId, day])).rows[0].n);
    if (have >= BIG_DAY_APPOINTMENTS) {
      await c.query('COMMIT');
      return { day, inserted: 0 };
    }
    if (have > 0) throw new Error(`W5b's day ${day} holds ${have} appointments, fewer than ${BIG_DAY_APPOINTMENTS}: not written by ensureBigDay (re-seed)`);
    const therapists = Number((await c.query(`SELECT count(*) AS n FROM therapists WHERE reflexo_id = $1 AND deleted_at IS NULL`, [tenantId])).rows[0].n);
    const perTherapist = Math.ceil(BIG_DAY_APPOINTMENTS / therapists);
    // 07:00 to 24:00 at most; appointments last at least 5 minutes (CHECK).
    const minutes = Math.min(10, Math.floor((17 * 60) / perTherapist));
    if (minutes < 5) throw new Error(`${therapists} therapists cannot hold ${BIG_DAY_APPOINTMENTS} appointments in one day`);
    const t0 = Date.now();
    await c.query(
      `INSERT INTO appointments (reflexo_id, patient_id, therapist_id, appointment_date, hour, duration_minutes, appointment_status_id, appointment_type,
                                 ailments, payment, payment_type_id, payment_status_id, created_at, updated_at)
       WITH t AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k, count(*) OVER () AS n FROM therapists WHERE reflexo_id = $1 AND deleted_at IS NULL),
            p AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k, count(*) OVER () AS n FROM patients WHERE reflexo_id = $1 AND deleted_at IS NULL),
            pt AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k, count(*) OVER () AS n FROM payment_types WHERE code IN ('cash', 'yape', 'card', 'plin', 'transfer')),
            g AS (SELECT g FROM generate_series(0, $3::int - 1) g)
       SELECT $1, p.id, t.id, $2::date, time '07:00' + make_interval(mins => $4::int * (g.g / t.n)::int), $4::int,
              (SELECT id FROM appointment_statuses WHERE kind = 'completed' ORDER BY id LIMIT 1), 'Sesión', 'Dolor lumbar',
              (ARRAY[50, 60, 80, 100, 120, 150])[1 + g.g % 6]::numeric(12, 2), pt.id,
              (SELECT id FROM payment_statuses WHERE code = 'paid' ORDER BY id LIMIT 1),
              ($2::date - 7 + time '09:00') AT TIME ZONE 'America/Lima', ($2::date + time '07:00' + make_interval(mins => $4::int * (g.g / t.n)::int)) AT TIME ZONE 'America/Lima'
         FROM g JOIN t ON t.k = g.g % t.n JOIN p ON p.k = (g.g::bigint * 7919) % p.n JOIN pt ON pt.k = g.g % pt.n`,
      [tenantId, day, BIG_DAY_APPOINTMENTS, minutes],
    );
    const base = Number(
      (await c.query(`UPDATE ticket_counters SET last_number = last_number + $2 WHERE reflexo_id = $1 RETURNING last_number - $2 AS base`, [tenantId, BIG_DAY_APPOINTMENTS])).rows[0].base,
    );
    await c.query(
      `INSERT INTO tickets (reflexo_id, appointment_id, ticket_number, amount, payment_method, payment_date, status, is_active, created_at, updated_at)
       SELECT reflexo_id, id, 'TKT-' || lpad(n::text, greatest(3, length(n::text)), '0'), payment, code, updated_at, 'paid', true, created_at, updated_at
         FROM (SELECT a.*, pt.code, $3::int + row_number() OVER (ORDER BY a.id) AS n
                 FROM appointments a JOIN payment_types pt ON pt.id = a.payment_type_id
                WHERE a.reflexo_id = $1 AND a.appointment_date = $2 AND a.deleted_at IS NULL) x`,
      [tenantId, day, base],
    );
    await c.query('COMMIT');
    // As autovacuum would on a live database: the new pages become all-visible (index-only scans stay
    // possible). No ANALYZE: a fresh sample could move other workloads' plans.
    await c.query('VACUUM appointments, tickets, cash_transactions, cash_daily_totals');
    log(`  W5b: ${BIG_DAY_APPOINTMENTS} paid appointments on ${day} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    return { day, inserted: BIG_DAY_APPOINTMENTS };
  } catch (err) {
    await c.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    await c.end();
  }
}

/*
 * The database CPU of one client's connections: its pool connects with `application_name` set in the
 * URL (taggedUrl; a URL's parameters override what the pool passes), and the backends serving that
 * name are read in /proc; other clients of the same server do not count. Parallel query workers live
 * for one statement, so they are counted once the postmaster has reaped them (its children's time):
 * that part also holds any other process of the server that ended meanwhile, which on a quiet machine
 * is the bench's own. Null when the server is not on this machine.
 */
export function taggedUrl(url: string, applicationName: string): string {
  const u = new URL(url);
  u.searchParams.set('application_name', applicationName);
  return u.toString();
}

export interface DbCpuSample {
  backends: Map<number, number>;
  reaped: number;
}

export async function dbCpuSample(observer: pg.Client, applicationName: string): Promise<DbCpuSample | null> {
  const [row] = (
    await observer.query<{ self: number; pids: number[] | null }>(
      `SELECT pg_backend_pid() AS self, array_agg(pid) FILTER (WHERE application_name = $1) AS pids FROM pg_stat_activity`,
      [applicationName],
    )
  ).rows;
  // The observer's own backend is a child of the postmaster.
  const postmaster = processCpu(processCpu(row.self)?.ppid ?? -1);
  if (!postmaster) return null;
  return { backends: pidsCpuMs(row.pids ?? []), reaped: postmaster.reaped };
}

export const dbCpuSpent = (before: DbCpuSample, after: DbCpuSample) => cpuSpent(before.backends, after.backends) + after.reaped - before.reaped;

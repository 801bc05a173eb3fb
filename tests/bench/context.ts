import pg from 'pg';
import type { BenchContext } from './workloads';

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
    const [busy] = await q(
      `SELECT to_char(appointment_date, 'YYYY-MM-DD') AS day FROM appointments
        WHERE reflexo_id = $1 AND appointment_date < $2 AND payment IS NOT NULL AND deleted_at IS NULL
        GROUP BY appointment_date ORDER BY count(*) DESC, appointment_date DESC LIMIT 1`,
      [tenantId, meta.seeded_on],
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
      monthStart: month.start,
      monthEnd: month.end,
      freeFrom: free.day,
      pendingStatusId: pending.id,
    };
  } finally {
    await c.end();
  }
}

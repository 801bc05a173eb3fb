import { sql } from 'kysely';
import type { Db } from '../db/tenant';

/* "Today" and "now" are the clinic's, in its time zone (tenants.time_zone), never the server's. */

/** The tenant's local calendar day and its therapist e-mail rule (tenants.settings). */
export async function tenantClock(db: Db, reflexoId: number) {
  const r = await sql<{ today: string; now_time: string; email_domain: string | null; time_zone: string }>`
    SELECT to_char(now() AT TIME ZONE time_zone, 'YYYY-MM-DD') AS today,
           to_char(now() AT TIME ZONE time_zone, 'HH24:MI:SS') AS now_time,
           settings->>'therapist_email_domain' AS email_domain, time_zone
    FROM tenants WHERE id = ${reflexoId}`.execute(db);
  return r.rows[0];
}


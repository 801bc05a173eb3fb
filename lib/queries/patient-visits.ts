import { sql } from 'kysely';
import type { Db } from '../db/tenant';

/*
 * Visit figures per patient for a whole page at once (one statement, whatever the page size): last
 * and next appointment date, appointments booked, appointments completed. Counted like the agenda:
 * not deleted, not cancelled; "last" and "next" are judged on the clinic's wall clock.
 */
export interface VisitSummary {
  patient_id: number;
  ultima_cita: string | null;
  proxima_cita: string | null;
  total_citas: number;
  citas_realizadas: number;
}

export async function visitSummaries(db: Db, reflexoId: number, patientIds: number[]): Promise<Map<number, VisitSummary>> {
  if (!patientIds.length) return new Map();
  const { rows } = await sql<VisitSummary>`
    WITH clock AS (SELECT (now() AT TIME ZONE time_zone) AS now_local FROM tenants WHERE id = ${reflexoId})
    SELECT a.patient_id,
           to_char(max(a.appointment_date) FILTER (WHERE a.appointment_date + a.hour < clock.now_local), 'YYYY-MM-DD') AS ultima_cita,
           to_char(min(a.appointment_date) FILTER (WHERE a.appointment_date + a.hour >= clock.now_local), 'YYYY-MM-DD') AS proxima_cita,
           count(*)::int AS total_citas,
           (count(*) FILTER (WHERE s.kind = 'completed'))::int AS citas_realizadas
    FROM appointments a
    JOIN appointment_statuses s ON s.id = a.appointment_status_id
    CROSS JOIN clock
    WHERE a.reflexo_id = ${reflexoId} AND a.patient_id = ANY(${patientIds}::int[]) AND a.deleted_at IS NULL AND a.cancelled_at IS NULL
    GROUP BY a.patient_id`.execute(db);
  return new Map(rows.map((r) => [r.patient_id, r]));
}

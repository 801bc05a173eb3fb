import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/tenant';

/*
 * Visit figures per patient: last and next appointment date, appointments booked, appointments
 * completed. Counted like the agenda: not deleted, not cancelled; "last" and "next" are judged on the
 * clinic's wall clock. One definition (visitsOfRow), used as a column of a list page's own statement
 * and, by id, for a single patient.
 */
export interface VisitFigures {
  ultima_cita: string | null;
  proxima_cita: string | null;
  total_citas: number;
  citas_realizadas: number;
}

/**
 * The same figures as a column of a patient query (on `patients as pa`): one JSON sub-select per row,
 * an index-only aggregate of the patient's entries in appointments_patient_date_idx (migration 0028),
 * so a list page gets them in its own statement. The clinic's clock is read once when the clinic is
 * known (an InitPlan), per row for a global administrator's page.
 */
export const visitsOfRow = (reflexoId: number | null): RawBuilder<VisitFigures> => {
  const now = sql`(SELECT now() AT TIME ZONE tz.time_zone FROM tenants tz WHERE tz.id = ${reflexoId === null ? sql`pa.reflexo_id` : sql`${reflexoId}::int`})`;
  return sql<VisitFigures>`(
    SELECT json_build_object(
             'ultima_cita', to_char(max(a.appointment_date) FILTER (WHERE a.appointment_date + a.hour < ${now}), 'YYYY-MM-DD'),
             'proxima_cita', to_char(min(a.appointment_date) FILTER (WHERE a.appointment_date + a.hour >= ${now}), 'YYYY-MM-DD'),
             'total_citas', count(*),
             'citas_realizadas', count(*) FILTER (WHERE a.appointment_status_id = ANY (ARRAY(SELECT s.id FROM appointment_statuses s WHERE s.kind = 'completed'))))
    FROM appointments a
    WHERE a.patient_id = pa.id AND a.reflexo_id = pa.reflexo_id AND a.deleted_at IS NULL AND a.cancelled_at IS NULL)`;
};

/** The figures of the given patients (any clinic the caller may read), one statement. */
export async function visitsOf(db: Db, patientIds: number[]): Promise<Map<number, VisitFigures>> {
  if (!patientIds.length) return new Map();
  const rows = await db.selectFrom('patients as pa').select(['pa.id', visitsOfRow(null).as('visits')]).where('pa.id', 'in', patientIds).execute();
  return new Map(rows.map((r) => [r.id, r.visits]));
}

import { sql } from 'kysely';
import type { Db } from '../db/tenant';
import type { StatusKind } from '../db/tables/scheduling';
import { ticketPaidOnDays, type ClinicPeriod } from './company-reports';

/*
 * A doctor's productivity over a span of the clinic's days, in two statements whatever the span:
 * the appointments on those days grouped by status kind (cancelled by timestamp or by status count as
 * cancelled), and the money of the tickets paid on those days for the doctor's appointments (the same
 * rule as every report: lib/queries/company-reports.ts `ticketPaidOnDays`). Money leaves as a decimal
 * string.
 */
export interface ProductivityKindRow {
  kind: StatusKind;
  citas: number;
  minutos: number;
  pacientes: number;
}

export async function appointmentsByKind(db: Db, p: ClinicPeriod, therapistId: number): Promise<ProductivityKindRow[]> {
  const { rows } = await sql<ProductivityKindRow>`
    SELECT kind, count(*)::int AS citas, coalesce(sum(duration_minutes), 0)::int AS minutos, count(DISTINCT patient_id)::int AS pacientes
    FROM (SELECT CASE WHEN a.cancelled_at IS NOT NULL OR s.kind = 'cancelled' THEN 'cancelled' ELSE coalesce(s.kind, 'pending') END AS kind,
                 a.duration_minutes, a.patient_id
          FROM appointments a
          JOIN appointment_statuses s ON s.id = a.appointment_status_id
          WHERE a.reflexo_id = ${p.reflexoId} AND a.therapist_id = ${therapistId} AND a.deleted_at IS NULL
            AND a.appointment_date BETWEEN ${p.from}::date AND ${p.to}::date) x
    GROUP BY kind`.execute(db);
  return rows;
}

export async function paidIncome(db: Db, p: ClinicPeriod, therapistId: number): Promise<{ amount: string; tickets: number }> {
  const { rows } = await sql<{ amount: string; tickets: number }>`
    SELECT coalesce(sum(t.amount), 0)::text AS amount, count(*)::int AS tickets
    FROM tickets t
    JOIN appointments a ON a.id = t.appointment_id AND a.reflexo_id = t.reflexo_id
    WHERE t.reflexo_id = ${p.reflexoId} AND a.therapist_id = ${therapistId} AND ${ticketPaidOnDays(p)}`.execute(db);
  return rows[0];
}

import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/tenant';

/*
 * Read-only aggregates over appointments, tickets, therapists and patients for reports, statistics
 * and exports. Every query names the tenant explicitly (RLS is the second wall, not the first).
 * Money is summed by PostgreSQL as numeric and leaves here as a decimal string ("150.00").
 *
 * What counts: appointments that are neither deleted nor cancelled. Appointment dates and hours are
 * the clinic's local wall time already; ticket payment instants are timestamptz and are placed on the
 * clinic's calendar with the tenant's time zone.
 */

/** Appointments that happened or will happen: not soft-deleted, not cancelled. */
const live = (alias = 'a') =>
  sql.raw(
    `${alias}.deleted_at IS NULL AND ${alias}.cancelled_at IS NULL AND NOT EXISTS (SELECT 1 FROM appointment_statuses cs WHERE cs.id = ${alias}.appointment_status_id AND cs.kind = 'cancelled')`,
  );

const therapistName = sql`concat_ws(' ', th.last_name_paternal, nullif(th.last_name_maternal, ''), th.first_name)`;
const patientName = sql`concat_ws(' ', p.paternal_lastname, nullif(p.maternal_lastname, ''), p.name)`;

/** [start, end) of a local calendar day as instants, so an index on payment_date can be used. */
const dayStart = (day: string, tz: string) => sql`(${day}::date::timestamp AT TIME ZONE ${tz})`;
const dayEnd = (day: string, tz: string) => sql`((${day}::date + 1)::timestamp AT TIME ZONE ${tz})`;
const localStamp = (col: RawBuilder<unknown>, tz: string) => sql<string>`to_char(${col} AT TIME ZONE ${tz}, 'YYYY-MM-DD HH24:MI')`;

async function rows<T>(db: Db, query: RawBuilder<T>): Promise<T[]> {
  return (await query.execute(db)).rows;
}

// ---- statistics -----------------------------------------------------------------------------------

export function statsTotals(db: Db, reflexoId: number, start: string, end: string) {
  return rows(
    db,
    sql<{ patients: number; sessions: number; income: string; c: number; cc: number }>`
      SELECT count(DISTINCT a.patient_id)::int AS patients, count(*)::int AS sessions,
             coalesce(sum(a.payment), 0)::numeric(14, 2)::text AS income,
             count(*) FILTER (WHERE upper(btrim(a.appointment_type)) = 'C')::int AS c,
             count(*) FILTER (WHERE upper(btrim(a.appointment_type)) = 'CC')::int AS cc
        FROM appointments a
       WHERE a.reflexo_id = ${reflexoId} AND a.appointment_date BETWEEN ${start}::date AND ${end}::date AND ${live()}`,
  );
}

export function statsByTherapist(db: Db, reflexoId: number, start: string, end: string) {
  return rows(
    db,
    sql<{ id: number; name: string; sessions: number; income: string }>`
      SELECT th.id, concat_ws(', ', concat_ws(' ', th.last_name_paternal, nullif(th.last_name_maternal, '')), th.first_name) AS name,
             count(*)::int AS sessions, coalesce(sum(a.payment), 0)::numeric(14, 2)::text AS income
        FROM appointments a
        JOIN therapists th ON th.id = a.therapist_id AND th.reflexo_id = a.reflexo_id
       WHERE a.reflexo_id = ${reflexoId} AND a.appointment_date BETWEEN ${start}::date AND ${end}::date AND ${live()}
       GROUP BY th.id
       ORDER BY sessions DESC, th.id`,
  );
}

export function statsByPaymentType(db: Db, reflexoId: number, start: string, end: string) {
  return rows(
    db,
    sql<{ name: string; uses: number }>`
      SELECT coalesce(pt.name, 'Sin tipo') AS name, count(*)::int AS uses
        FROM appointments a
        LEFT JOIN payment_types pt ON pt.id = a.payment_type_id
       WHERE a.reflexo_id = ${reflexoId} AND a.appointment_date BETWEEN ${start}::date AND ${end}::date AND ${live()}
       GROUP BY 1
       ORDER BY uses DESC, name`,
  );
}

/** ISO weekday (1 = Monday … 7 = Sunday) of the appointment's local date. */
export function statsByWeekday(db: Db, reflexoId: number, start: string, end: string) {
  return rows(
    db,
    sql<{ dow: number; sessions: number; income: string }>`
      SELECT extract(isodow FROM a.appointment_date)::int AS dow, count(*)::int AS sessions,
             coalesce(sum(a.payment), 0)::numeric(14, 2)::text AS income
        FROM appointments a
       WHERE a.reflexo_id = ${reflexoId} AND a.appointment_date BETWEEN ${start}::date AND ${end}::date AND ${live()}
       GROUP BY 1
       ORDER BY 1`,
  );
}

// ---- one day, by therapist ----------------------------------------------------------------------

export function appointmentsPerTherapist(db: Db, reflexoId: number, day: string) {
  return rows(
    db,
    sql<{ id: number; first_name: string; last_name_paternal: string; last_name_maternal: string; appointments_count: number; percentage: string }>`
      SELECT th.id, th.first_name, th.last_name_paternal, th.last_name_maternal, count(*)::int AS appointments_count,
             round(count(*) * 100.0 / sum(count(*)) OVER (), 2)::text AS percentage
        FROM appointments a
        JOIN therapists th ON th.id = a.therapist_id AND th.reflexo_id = a.reflexo_id
       WHERE a.reflexo_id = ${reflexoId} AND a.appointment_date = ${day}::date AND ${live()}
       GROUP BY th.id
       ORDER BY appointments_count DESC, th.last_name_paternal, th.last_name_maternal, th.id`,
  );
}

export function patientsPerTherapist(db: Db, reflexoId: number, day: string) {
  return rows(
    db,
    sql<{ therapist_id: number; therapist: string; patient_id: number; patient: string; appointments: number }>`
      SELECT th.id AS therapist_id, ${therapistName} AS therapist, p.id AS patient_id, ${patientName} AS patient, count(*)::int AS appointments
        FROM appointments a
        JOIN therapists th ON th.id = a.therapist_id AND th.reflexo_id = a.reflexo_id
        JOIN patients p ON p.id = a.patient_id AND p.reflexo_id = a.reflexo_id
       WHERE a.reflexo_id = ${reflexoId} AND a.appointment_date = ${day}::date AND ${live()}
       GROUP BY th.id, p.id
       ORDER BY th.last_name_paternal, th.last_name_maternal, th.first_name, th.id, patient, p.id`,
  );
}

// ---- appointments in a range --------------------------------------------------------------------

export function appointmentsBetween(db: Db, reflexoId: number, start: string, end: string) {
  return rows(
    db,
    sql<{
      appointment_id: number;
      patient_id: number;
      document_number_patient: string;
      patient: string;
      primary_phone_patient: string | null;
      appointment_date: string;
      appointment_hour: string;
      therapist: string;
      payment: string | null;
      payment_type_name: string | null;
    }>`
      SELECT a.id AS appointment_id, p.id AS patient_id, p.document_number AS document_number_patient, ${patientName} AS patient,
             p.phone1 AS primary_phone_patient, to_char(a.appointment_date, 'YYYY-MM-DD') AS appointment_date,
             to_char(a.hour, 'HH24:MI') AS appointment_hour, ${therapistName} AS therapist,
             a.payment::text AS payment, pt.name AS payment_type_name
        FROM appointments a
        JOIN patients p ON p.id = a.patient_id AND p.reflexo_id = a.reflexo_id
        JOIN therapists th ON th.id = a.therapist_id AND th.reflexo_id = a.reflexo_id
        LEFT JOIN payment_types pt ON pt.id = a.payment_type_id
       WHERE a.reflexo_id = ${reflexoId} AND a.appointment_date BETWEEN ${start}::date AND ${end}::date AND ${live()}
       ORDER BY a.appointment_date, a.hour, a.id`,
  );
}

export function sumPaymentsBetween(db: Db, reflexoId: number, start: string, end: string) {
  return rows(
    db,
    sql<{ count: number; total: string }>`
      SELECT count(*)::int AS count, coalesce(sum(a.payment), 0)::numeric(14, 2)::text AS total
        FROM appointments a
       WHERE a.reflexo_id = ${reflexoId} AND a.appointment_date BETWEEN ${start}::date AND ${end}::date AND ${live()}`,
  );
}

// ---- cash -------------------------------------------------------------------------------------------

/** The contract's daily cash: the day's appointments that carry a payment and a payment type. */
export function dailyCash(db: Db, reflexoId: number, day: string) {
  return rows(
    db,
    sql<{ id_cita: number; payment: string; payment_type: number; payment_type_name: string }>`
      SELECT a.id AS id_cita, a.payment::text AS payment, pt.id AS payment_type, pt.name AS payment_type_name
        FROM appointments a
        JOIN payment_types pt ON pt.id = a.payment_type_id
       WHERE a.reflexo_id = ${reflexoId} AND a.appointment_date = ${day}::date AND a.payment IS NOT NULL AND ${live()}
       ORDER BY a.id DESC`,
  );
}

export function dailyCashByType(db: Db, reflexoId: number, day: string) {
  return rows(
    db,
    sql<{ payment_type_name: string | null; count: number; total: string }>`
      SELECT pt.name AS payment_type_name, count(*)::int AS count, sum(a.payment)::numeric(14, 2)::text AS total
        FROM appointments a
        JOIN payment_types pt ON pt.id = a.payment_type_id
       WHERE a.reflexo_id = ${reflexoId} AND a.appointment_date = ${day}::date AND a.payment IS NOT NULL AND ${live()}
       GROUP BY ROLLUP (pt.name)
       ORDER BY pt.name NULLS LAST`,
  );
}

/** A ticket's payment method ('cash', 'yape', or a free name) shown with the catalog's name when known. */
const ticketMethod = sql`coalesce((SELECT tp.name FROM payment_types tp WHERE lower(tp.code) = lower(t.payment_method) OR lower(tp.name) = lower(t.payment_method) ORDER BY tp.id LIMIT 1), nullif(t.payment_method, ''), 'No especificado')`;

/**
 * Every sol that came in on a local day, each counted once: a paid ticket counts on the day it was
 * paid (money received stays received even if the appointment is later removed); an appointment
 * payment whose ticket is not paid yet counts on the appointment's date, unless the ticket was
 * cancelled or deactivated.
 */
const pettyCashLines = (reflexoId: number, day: string, tz: string) => sql`
  SELECT 'Ticket' AS tipo, t.id, t.ticket_number, t.amount AS monto, ${ticketMethod} AS metodo_pago,
         ${patientName} AS paciente, ${therapistName} AS terapeuta, ${localStamp(sql`t.payment_date`, tz)} AS fecha_pago,
         t.payment_date AS orden
    FROM tickets t
    JOIN appointments a ON a.id = t.appointment_id AND a.reflexo_id = t.reflexo_id
    JOIN patients p ON p.id = a.patient_id AND p.reflexo_id = a.reflexo_id
    JOIN therapists th ON th.id = a.therapist_id AND th.reflexo_id = a.reflexo_id
   WHERE t.reflexo_id = ${reflexoId} AND t.status = 'paid' AND t.is_active AND t.amount > 0
     AND t.payment_date >= ${dayStart(day, tz)} AND t.payment_date < ${dayEnd(day, tz)}
  UNION ALL
  SELECT 'Cita', a.id, coalesce(t.ticket_number, 'CITA-' || a.id), a.payment, coalesce(pt.name, 'No especificado'),
         ${patientName}, ${therapistName}, to_char(a.appointment_date + a.hour, 'YYYY-MM-DD HH24:MI'),
         (a.appointment_date + a.hour) AT TIME ZONE ${tz}
    FROM appointments a
    JOIN patients p ON p.id = a.patient_id AND p.reflexo_id = a.reflexo_id
    JOIN therapists th ON th.id = a.therapist_id AND th.reflexo_id = a.reflexo_id
    LEFT JOIN payment_types pt ON pt.id = a.payment_type_id
    LEFT JOIN tickets t ON t.appointment_id = a.id AND t.reflexo_id = a.reflexo_id
   WHERE a.reflexo_id = ${reflexoId} AND a.appointment_date = ${day}::date AND a.payment > 0 AND ${live()}
     AND (t.id IS NULL OR (t.status = 'pending' AND t.is_active))`;

export function pettyCash(db: Db, reflexoId: number, day: string, tz: string) {
  return rows(
    db,
    sql<{ tipo: 'Ticket' | 'Cita'; id: number; ticket_number: string; monto: string; metodo_pago: string; paciente: string; terapeuta: string; fecha_pago: string }>`
      SELECT tipo, id, ticket_number, monto::text AS monto, metodo_pago, paciente, terapeuta, fecha_pago
        FROM (${pettyCashLines(reflexoId, day, tz)}) l
       ORDER BY orden, tipo, id`,
  );
}

/** Per payment method, then (metodo null) the grand total: one ROLLUP, summed by PostgreSQL. */
export function pettyCashSummary(db: Db, reflexoId: number, day: string, tz: string) {
  return rows(
    db,
    sql<{ metodo: string | null; cantidad_pagos: number; total: string }>`
      SELECT metodo_pago AS metodo, count(*)::int AS cantidad_pagos, coalesce(sum(monto), 0)::numeric(14, 2)::text AS total
        FROM (${pettyCashLines(reflexoId, day, tz)}) l
       GROUP BY ROLLUP (metodo_pago)
       ORDER BY metodo_pago IS NULL, sum(monto) DESC, metodo_pago`,
  );
}

const paidTicketsFilter = (reflexoId: number, day: string, tz: string) => sql`
      t.reflexo_id = ${reflexoId} AND t.status = 'paid' AND t.is_active
  AND t.payment_date >= ${dayStart(day, tz)} AND t.payment_date < ${dayEnd(day, tz)}`;

export function paidTickets(db: Db, reflexoId: number, day: string, tz: string) {
  return rows(
    db,
    sql<{
      ticket_id: number;
      numero_ticket: string;
      monto: string;
      metodo_pago: string;
      fecha_pago: string;
      descripcion: string | null;
      cita_id: number;
      fecha_cita: string;
      hora_cita: string;
      consultorio: string | null;
      paciente_nombre: string;
      paciente_documento: string;
      paciente_telefono: string | null;
      terapeuta_nombre: string;
    }>`
      SELECT t.id AS ticket_id, t.ticket_number AS numero_ticket, t.amount::text AS monto, ${ticketMethod} AS metodo_pago,
             ${localStamp(sql`t.payment_date`, tz)} AS fecha_pago, t.description AS descripcion,
             a.id AS cita_id, to_char(a.appointment_date, 'YYYY-MM-DD') AS fecha_cita, to_char(a.hour, 'HH24:MI') AS hora_cita,
             a.room AS consultorio, ${patientName} AS paciente_nombre, p.document_number AS paciente_documento,
             p.phone1 AS paciente_telefono, ${therapistName} AS terapeuta_nombre
        FROM tickets t
        JOIN appointments a ON a.id = t.appointment_id AND a.reflexo_id = t.reflexo_id
        JOIN patients p ON p.id = a.patient_id AND p.reflexo_id = a.reflexo_id
        JOIN therapists th ON th.id = a.therapist_id AND th.reflexo_id = a.reflexo_id
       WHERE ${paidTicketsFilter(reflexoId, day, tz)}
       ORDER BY t.payment_date, t.id`,
  );
}

export function paidTicketsSummary(db: Db, reflexoId: number, day: string, tz: string) {
  return rows(
    db,
    sql<{ metodo: string | null; cantidad_tickets: number; total: string }>`
      SELECT metodo, count(*)::int AS cantidad_tickets, coalesce(sum(amount), 0)::numeric(14, 2)::text AS total
        FROM (SELECT ${ticketMethod} AS metodo, t.amount FROM tickets t WHERE ${paidTicketsFilter(reflexoId, day, tz)}) l
       GROUP BY ROLLUP (metodo)
       ORDER BY metodo IS NULL, sum(amount) DESC, metodo`,
  );
}

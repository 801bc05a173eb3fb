import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/tenant';

/*
 * Read-only aggregates over appointments, tickets, therapists and patients, for every report,
 * statistic and export of either surface. Each takes one clinic and a span of its calendar days
 * (`ClinicPeriod`) and returns plain rows; every query names the tenant explicitly (RLS is the second
 * wall, not the first). Money is summed by PostgreSQL as numeric and leaves here as a decimal string
 * ("150.00"), never a float.
 *
 * What counts is written once, below (`countedAppointment`, `appointmentOnDays`, `ticketPaidOnDays`),
 * and every query is built from those three, so two reports over the same days give the same totals:
 * - an appointment counts when it is neither soft-deleted nor cancelled, on its own date (appointment
 *   dates and hours are the clinic's wall time already);
 * - a ticket counts as money received when it is paid and active, on the clinic's calendar day its
 *   payment instant falls on (a ticket paid at 23:45 in Lima belongs to that Lima day, not to the UTC
 *   one), whatever happened to its appointment afterwards.
 */

/** One clinic over a span of its calendar days. */
export interface ClinicPeriod {
  reflexoId: number;
  /** First and last local day, `YYYY-MM-DD`, both included (one day: from = to). */
  from: string;
  to: string;
  /** The clinic's IANA zone (tenants.time_zone): places payment instants on its days. */
  timeZone: string;
}

/** Appointments that happened or will happen: not soft-deleted, not cancelled (by timestamp or by a status of kind 'cancelled'). */
export const countedAppointment = (alias = 'a') =>
  sql.raw(
    `${alias}.deleted_at IS NULL AND ${alias}.cancelled_at IS NULL AND NOT EXISTS (SELECT 1 FROM appointment_statuses cs WHERE cs.id = ${alias}.appointment_status_id AND cs.kind = 'cancelled')`,
  );

/** The appointment's (local) date is one of the period's days. */
export const appointmentOnDays = (p: ClinicPeriod, alias = 'a') => sql`${sql.ref(`${alias}.appointment_date`)} BETWEEN ${p.from}::date AND ${p.to}::date`;

/** [first day 00:00, day after the last 00:00) in the clinic's zone, as instants, so an index on payment_date can serve it. */
const periodStart = (p: ClinicPeriod) => sql`(${p.from}::date::timestamp AT TIME ZONE ${p.timeZone})`;
const periodEnd = (p: ClinicPeriod) => sql`((${p.to}::date + 1)::timestamp AT TIME ZONE ${p.timeZone})`;

/** A paid, active ticket whose payment instant falls on one of the period's local days. */
export const ticketPaidOnDays = (p: ClinicPeriod, alias = 't') => {
  const col = (c: string) => sql.ref(`${alias}.${c}`);
  return sql`${col('status')} = 'paid' AND ${col('is_active')} AND ${col('payment_date')} >= ${periodStart(p)} AND ${col('payment_date')} < ${periodEnd(p)}`;
};

const live = (p: ClinicPeriod) => sql`a.reflexo_id = ${p.reflexoId} AND ${appointmentOnDays(p)} AND ${countedAppointment()}`;

const patientName = sql`concat_ws(' ', p.paternal_lastname, nullif(p.maternal_lastname, ''), p.name)`;

/** The name parts of the row's patient (p) and therapist (th). */
const PERSON_COLUMNS = ['patient_given', 'patient_paternal', 'patient_maternal', 'therapist_given', 'therapist_paternal', 'therapist_maternal'] as const;
const personColumns = sql.raw(
  `p.name AS patient_given, p.paternal_lastname AS patient_paternal, p.maternal_lastname AS patient_maternal,
   th.first_name AS therapist_given, th.last_name_paternal AS therapist_paternal, th.last_name_maternal AS therapist_maternal`,
);
export interface PersonColumns {
  patient_given: string;
  patient_paternal: string;
  patient_maternal: string | null;
  therapist_given: string;
  therapist_paternal: string;
  therapist_maternal: string | null;
}
const localStamp = (col: RawBuilder<unknown>, tz: string) => sql<string>`to_char(${col} AT TIME ZONE ${tz}, 'YYYY-MM-DD HH24:MI')`;

/** The parts of a person's name, as the reports print them (surnames first). */
export interface NameColumns {
  given: string;
  paternal: string;
  maternal: string | null;
}

async function rows<T>(db: Db, query: RawBuilder<T>): Promise<T[]> {
  return (await query.execute(db)).rows;
}

// ---- counted appointments, aggregated ------------------------------------------------------------

/** Distinct patients, sessions and the sum of their `payment` over the period. */
export async function appointmentTotals(db: Db, p: ClinicPeriod) {
  const [r] = await rows(
    db,
    sql<{ patients: number; sessions: number; income: string }>`
      SELECT count(DISTINCT a.patient_id)::int AS patients, count(*)::int AS sessions,
             coalesce(sum(a.payment), 0)::numeric(14, 2)::text AS income
        FROM appointments a
       WHERE ${live(p)}`,
  );
  return r;
}

/** Sessions per therapist with their income and their share of the period's sessions (percent, two decimals). */
export function sessionsByTherapist(db: Db, p: ClinicPeriod) {
  return rows(
    db,
    sql<NameColumns & { therapist_id: number; sessions: number; income: string; share: string }>`
      SELECT th.id AS therapist_id, th.first_name AS given, th.last_name_paternal AS paternal, th.last_name_maternal AS maternal,
             count(*)::int AS sessions, coalesce(sum(a.payment), 0)::numeric(14, 2)::text AS income,
             round(count(*) * 100.0 / sum(count(*)) OVER (), 2)::text AS share
        FROM appointments a
        JOIN therapists th ON th.id = a.therapist_id AND th.reflexo_id = a.reflexo_id
       WHERE ${live(p)}
       GROUP BY th.id
       ORDER BY sessions DESC, th.last_name_paternal, th.last_name_maternal, th.first_name, th.id`,
  );
}

export interface StatisticsGroupRow extends NameColumns {
  /** 'total', 'terapeuta', 'pago' (payment type), 'dia' (ISO weekday), 'tipo' (appointment type), 'pacientes' (distinct patients). */
  dim: 'total' | 'terapeuta' | 'pago' | 'dia' | 'tipo' | 'pacientes';
  therapist_id: number | null;
  payment_type_id: number | null;
  payment_type_name: string | null;
  iso_weekday: number | null;
  appointment_type: string | null;
  sessions: number;
  income: string;
  /** The therapist's share of the period's sessions (percent, two decimals); null on other rows. */
  share: string | null;
}

/**
 * The dashboard statistics in ONE pass over the period's counted appointments (GROUPING SETS): totals,
 * per therapist (with names and share), per payment type, per ISO weekday, per appointment type
 * (upper-cased, trimmed; null: none recorded), and the number of distinct patients as the `pacientes`
 * row's `sessions`. Each dimension keeps the order the separate queries had.
 */
export function statisticsGroups(db: Db, p: ClinicPeriod) {
  return rows(
    db,
    sql<StatisticsGroupRow>`
      WITH g AS (
        SELECT CASE WHEN grouping(a.therapist_id) = 0 THEN 'terapeuta' WHEN grouping(a.payment_type_id) = 0 THEN 'pago'
                    WHEN grouping(a.appointment_date) = 0 THEN 'dia' WHEN grouping(a.appointment_type) = 0 THEN 'tipo' WHEN grouping(a.patient_id) = 0 THEN 'pacientes'
                    ELSE 'total' END AS dim,
               a.therapist_id, a.payment_type_id, a.appointment_date, a.appointment_type, count(*) AS sessions, sum(a.payment) AS income
          FROM appointments a
         WHERE ${live(p)}
         GROUP BY GROUPING SETS ((), (a.therapist_id), (a.payment_type_id), (a.appointment_date), (a.appointment_type), (a.patient_id))),
      -- Days fold into ISO weekdays and types into their upper-cased, trimmed name once per group, not per row.
      f AS (
        SELECT g.dim, g.therapist_id, g.payment_type_id,
               CASE WHEN g.dim = 'dia' THEN extract(isodow FROM g.appointment_date)::int END AS iso_weekday,
               CASE WHEN g.dim = 'tipo' THEN nullif(upper(btrim(g.appointment_type)), '') END AS appointment_type,
               sum(g.sessions)::int AS sessions, coalesce(sum(g.income), 0)::numeric(14, 2)::text AS income
          FROM g
         WHERE g.dim <> 'pacientes'
         GROUP BY 1, 2, 3, 4, 5)
      SELECT * FROM (
      SELECT f.dim, f.therapist_id, f.payment_type_id, pt.name AS payment_type_name, f.iso_weekday, f.appointment_type, f.sessions, f.income,
             CASE WHEN f.dim = 'terapeuta' THEN round(f.sessions * 100.0 / sum(f.sessions) FILTER (WHERE f.dim = 'total') OVER (), 2)::text END AS share,
             th.first_name AS given, th.last_name_paternal AS paternal, th.last_name_maternal AS maternal
        FROM f
        LEFT JOIN therapists th ON f.dim = 'terapeuta' AND th.id = f.therapist_id AND th.reflexo_id = ${p.reflexoId}
        LEFT JOIN payment_types pt ON f.dim = 'pago' AND pt.id = f.payment_type_id
      UNION ALL
      SELECT 'pacientes', NULL, NULL, NULL, NULL, NULL, count(*)::int, '0.00', NULL, NULL, NULL, NULL FROM g WHERE g.dim = 'pacientes') r
       ORDER BY dim,
                CASE WHEN dim IN ('terapeuta', 'pago') THEN sessions END DESC,
                CASE WHEN dim = 'terapeuta' THEN paternal END, CASE WHEN dim = 'terapeuta' THEN maternal END, CASE WHEN dim = 'terapeuta' THEN given END,
                CASE WHEN dim = 'pago' THEN payment_type_name END,
                CASE WHEN dim = 'terapeuta' THEN therapist_id WHEN dim = 'pago' THEN payment_type_id END,
                iso_weekday, appointment_type`,
  );
}

/** Sessions per (therapist, patient), therapists and then patients by name. */
export function sessionsByTherapistAndPatient(db: Db, p: ClinicPeriod) {
  return rows(
    db,
    sql<{
      therapist_id: number;
      therapist_given: string;
      therapist_paternal: string;
      therapist_maternal: string | null;
      patient_id: number;
      patient_given: string;
      patient_paternal: string;
      patient_maternal: string | null;
      sessions: number;
    }>`
      SELECT th.id AS therapist_id, th.first_name AS therapist_given, th.last_name_paternal AS therapist_paternal, th.last_name_maternal AS therapist_maternal,
             p.id AS patient_id, p.name AS patient_given, p.paternal_lastname AS patient_paternal, p.maternal_lastname AS patient_maternal,
             count(*)::int AS sessions
        FROM appointments a
        JOIN therapists th ON th.id = a.therapist_id AND th.reflexo_id = a.reflexo_id
        JOIN patients p ON p.id = a.patient_id AND p.reflexo_id = a.reflexo_id
       WHERE ${live(p)}
       GROUP BY th.id, p.id
       ORDER BY th.last_name_paternal, th.last_name_maternal, th.first_name, th.id, ${patientName}, p.id`,
  );
}

// ---- counted appointments, one by one ------------------------------------------------------------

/** The period's counted appointments by date and hour, with patient, therapist and recorded payment. */
export function countedAppointments(db: Db, p: ClinicPeriod) {
  return rows(
    db,
    sql<{
      appointment_id: number;
      appointment_date: string;
      hour: string;
      patient_id: number;
      patient_given: string;
      patient_paternal: string;
      patient_maternal: string | null;
      patient_document: string;
      patient_phone: string | null;
      therapist_id: number;
      therapist_given: string;
      therapist_paternal: string;
      therapist_maternal: string | null;
      payment: string | null;
      payment_type_name: string | null;
    }>`
      SELECT a.id AS appointment_id, to_char(a.appointment_date, 'YYYY-MM-DD') AS appointment_date, to_char(a.hour, 'HH24:MI:SS') AS hour,
             p.id AS patient_id, p.name AS patient_given, p.paternal_lastname AS patient_paternal, p.maternal_lastname AS patient_maternal,
             p.document_number AS patient_document, p.phone1 AS patient_phone,
             th.id AS therapist_id, th.first_name AS therapist_given, th.last_name_paternal AS therapist_paternal, th.last_name_maternal AS therapist_maternal,
             a.payment::text AS payment, pt.name AS payment_type_name
        FROM appointments a
        JOIN patients p ON p.id = a.patient_id AND p.reflexo_id = a.reflexo_id
        JOIN therapists th ON th.id = a.therapist_id AND th.reflexo_id = a.reflexo_id
        LEFT JOIN payment_types pt ON pt.id = a.payment_type_id
       WHERE ${live(p)}
       ORDER BY a.appointment_date, a.hour, a.id`,
  );
}

/** Payments recorded on counted appointments that name a payment type, newest appointment first. */
export function appointmentPayments(db: Db, p: ClinicPeriod) {
  return rows(
    db,
    sql<{ appointment_id: number; amount: string; payment_type_id: number; payment_type_name: string }>`
      SELECT a.id AS appointment_id, a.payment::text AS amount, pt.id AS payment_type_id, pt.name AS payment_type_name
        FROM appointments a
        JOIN payment_types pt ON pt.id = a.payment_type_id
       WHERE ${live(p)} AND a.payment IS NOT NULL
       ORDER BY a.id DESC`,
  );
}

/** The same payments per payment type, then (payment_type_id null) their grand total: one ROLLUP. */
export function appointmentPaymentsByType(db: Db, p: ClinicPeriod) {
  return rows(
    db,
    sql<{ payment_type_id: number | null; payment_type_name: string | null; count: number; total: string }>`
      SELECT pt.id AS payment_type_id, CASE WHEN grouping(pt.id) = 0 THEN min(pt.name) END AS payment_type_name, count(*)::int AS count, sum(a.payment)::numeric(14, 2)::text AS total
        FROM appointments a
        JOIN payment_types pt ON pt.id = a.payment_type_id
       WHERE ${live(p)} AND a.payment IS NOT NULL
       GROUP BY ROLLUP (pt.id)
       ORDER BY pt.id IS NULL, min(pt.name), pt.id`,
  );
}

// ---- money received ------------------------------------------------------------------------------

/** A ticket's payment method ('cash', 'yape', or a free name) shown with the catalog's name when known. */
const ticketMethod = sql`coalesce((SELECT tp.name FROM payment_types tp WHERE lower(tp.code) = lower(t.payment_method) OR lower(tp.name) = lower(t.payment_method) ORDER BY tp.id LIMIT 1), nullif(t.payment_method, ''), 'No especificado')`;

/**
 * Every sol received on the period's days, each counted once: a paid ticket on the day it was paid
 * (money received stays received even if the appointment is later removed); a payment recorded on a
 * counted appointment whose ticket is still pending (or that has none) on the appointment's date. A
 * cancelled or deactivated ticket never counts.
 */
const cashLines = (p: ClinicPeriod) => sql`
  SELECT 'ticket' AS source, t.id, t.ticket_number AS reference, t.amount, ${ticketMethod} AS method,
         ${personColumns}, ${localStamp(sql`t.payment_date`, p.timeZone)} AS paid_at, t.payment_date AS instant
    FROM tickets t
    JOIN appointments a ON a.id = t.appointment_id AND a.reflexo_id = t.reflexo_id
    JOIN patients p ON p.id = a.patient_id AND p.reflexo_id = a.reflexo_id
    JOIN therapists th ON th.id = a.therapist_id AND th.reflexo_id = a.reflexo_id
   WHERE t.reflexo_id = ${p.reflexoId} AND ${ticketPaidOnDays(p)} AND t.amount > 0
  UNION ALL
  SELECT 'appointment', a.id, coalesce(t.ticket_number, 'CITA-' || a.id), a.payment, coalesce(pt.name, 'No especificado'),
         ${personColumns}, to_char(a.appointment_date + a.hour, 'YYYY-MM-DD HH24:MI'),
         (a.appointment_date + a.hour) AT TIME ZONE ${p.timeZone}
    FROM appointments a
    JOIN patients p ON p.id = a.patient_id AND p.reflexo_id = a.reflexo_id
    JOIN therapists th ON th.id = a.therapist_id AND th.reflexo_id = a.reflexo_id
    LEFT JOIN payment_types pt ON pt.id = a.payment_type_id
    LEFT JOIN tickets t ON t.appointment_id = a.id AND t.reflexo_id = a.reflexo_id
   WHERE ${live(p)} AND a.payment > 0
     AND (t.id IS NULL OR (t.status = 'pending' AND t.is_active))`;

/** `reference` is the ticket number, or `CITA-<id>` for an appointment payment without a ticket; `paid_at` is local `YYYY-MM-DD HH:MM`. */
export function cashReceived(db: Db, p: ClinicPeriod) {
  return rows(
    db,
    sql<PersonColumns & { source: 'ticket' | 'appointment'; id: number; reference: string; amount: string; method: string; paid_at: string }>`
      SELECT source, id, reference, amount::text AS amount, method, ${sql.raw(PERSON_COLUMNS.join(', '))}, paid_at
        FROM (${cashLines(p)}) l
       ORDER BY instant, source, id`,
  );
}

/** Per payment method, then (method null) the grand total: one ROLLUP, summed by PostgreSQL. */
export function cashReceivedByMethod(db: Db, p: ClinicPeriod) {
  return rows(
    db,
    sql<{ method: string | null; count: number; total: string }>`
      SELECT method, count(*)::int AS count, coalesce(sum(amount), 0)::numeric(14, 2)::text AS total
        FROM (${cashLines(p)}) l
       GROUP BY ROLLUP (method)
       ORDER BY method IS NULL, sum(amount) DESC, method`,
  );
}

/** Tickets paid on the period's days, in payment order, with their appointment, patient and therapist. */
export function paidTickets(db: Db, p: ClinicPeriod) {
  return rows(
    db,
    sql<{
      ticket_id: number;
      ticket_number: string;
      amount: string;
      method: string;
      paid_at: string;
      description: string | null;
      appointment_id: number;
      appointment_date: string;
      hour: string;
      room: string | null;
      patient_document: string;
      patient_phone: string | null;
    } & PersonColumns>`
      SELECT t.id AS ticket_id, t.ticket_number, t.amount::text AS amount, ${ticketMethod} AS method,
             ${localStamp(sql`t.payment_date`, p.timeZone)} AS paid_at, t.description,
             a.id AS appointment_id, to_char(a.appointment_date, 'YYYY-MM-DD') AS appointment_date, to_char(a.hour, 'HH24:MI:SS') AS hour,
             a.room, ${personColumns}, p.document_number AS patient_document, p.phone1 AS patient_phone
        FROM tickets t
        JOIN appointments a ON a.id = t.appointment_id AND a.reflexo_id = t.reflexo_id
        JOIN patients p ON p.id = a.patient_id AND p.reflexo_id = a.reflexo_id
        JOIN therapists th ON th.id = a.therapist_id AND th.reflexo_id = a.reflexo_id
       WHERE t.reflexo_id = ${p.reflexoId} AND ${ticketPaidOnDays(p)}
       ORDER BY t.payment_date, t.id`,
  );
}

export function paidTicketsByMethod(db: Db, p: ClinicPeriod) {
  return rows(
    db,
    sql<{ method: string | null; count: number; total: string }>`
      SELECT method, count(*)::int AS count, coalesce(sum(amount), 0)::numeric(14, 2)::text AS total
        FROM (SELECT ${ticketMethod} AS method, t.amount FROM tickets t WHERE t.reflexo_id = ${p.reflexoId} AND ${ticketPaidOnDays(p)}) l
       GROUP BY ROLLUP (method)
       ORDER BY method IS NULL, sum(amount) DESC, method`,
  );
}

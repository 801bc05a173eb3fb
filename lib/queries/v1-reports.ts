import { sql } from 'kysely';
import type { Db } from '../db/tenant';
import type { InvoiceStatus } from '../db/tables/money';
import { dayEnd, dayStart } from './ledger';
import { liveCountExpr } from './live-counts';

/*
 * The v1 reports' aggregates (lib/domain/v1-reports.ts). Each function is ONE statement whatever the
 * period's length or the clinic's size: GROUPING SETS for the breakdowns, names joined after grouping.
 * Days are the clinic's calendar days: appointments are stored in wall-clock time (appointment_date),
 * instants (patients.created_at, stock movements) are cut at the clinic's midnight. Money leaves as
 * decimal strings; the ledger's sums are lib/queries/ledger.ts groupedTotals, never re-summed here.
 */

/** Local calendar days, both included. */
export interface DayRange {
  from: string;
  to: string;
}

/**
 * The v1 estado of an appointment from its status's kind (the seeded statuses carry one; a clinic's
 * own status without a kind and 'rescheduled', a live booking at its new time, read as Programada).
 */
const ESTADO = sql`CASE s.kind WHEN 'confirmed' THEN 'Confirmada' WHEN 'in_progress' THEN 'En curso' WHEN 'completed' THEN 'Completada'
  WHEN 'cancelled' THEN 'Cancelada' WHEN 'no_show' THEN 'No asistió' ELSE 'Programada' END`;

export type AppointmentDimension = 'estado' | 'doctor' | 'dia_semana' | 'hora' | 'fecha' | 'mes' | 'tratamiento';

export interface AppointmentGroupRow {
  dim: 'total' | AppointmentDimension;
  /** The group's value (estado, ISO weekday "1", hour "9", day, month, folded treatment name); null on total and doctor rows. */
  key: string | null;
  doctor_id: number | null;
  doctor_first_name: string | null;
  doctor_paternal: string | null;
  doctor_maternal: string | null;
  /** The treatment row's name as written on its appointments, and the clinic's treatment of that name. */
  treatment_name: string | null;
  treatment_id: number | null;
  total: number;
  /** Not cancelled: the appointments that hold time in the agenda. */
  booked: number;
  completed: number;
  cancelled: number;
  no_show: number;
  booked_minutes: number;
  /** Distinct patients of the booked appointments; null unless asked for. */
  patients: number | null;
}

/**
 * Live appointments of the clinic on [from, to] counted in total and per each requested dimension.
 * `doctorId` narrows to one doctor; `patients` also counts the distinct patients of each group (a
 * DISTINCT aggregate sorts every group's rows, so it is computed only where a report shows it).
 *
 * Two levels: the rows are first counted by the raw columns the dimensions need (status, cancelled,
 * and only the doctor, day, hour, treatment text or patient asked for), a cheap hash of a few
 * integers and the type as written; names, weekdays, months and the folded treatment name are then
 * computed once per group, not once per appointment (unless that key is fine-grained, below). lower()
 * under the database's locale was most of a month's dashboard (40,000 rows: 37 ms grouped on
 * lower(btrim(type)) against 17 ms on the column).
 */
export async function appointmentGroups(
  db: Db,
  reflexoId: number,
  r: DayRange,
  dims: AppointmentDimension[],
  opts: { doctorId?: number; patients?: boolean } = {},
): Promise<AppointmentGroupRow[]> {
  const { doctorId } = opts;
  const column: Record<AppointmentDimension, string> = {
    estado: 'a.estado',
    doctor: 'a.therapist_id',
    dia_semana: 'a.weekday',
    hora: 'a.hora',
    fecha: 'a.fecha',
    mes: 'a.mes',
    tratamiento: 'a.tratamiento',
  };
  const sets = ['()', ...dims.map((d) => `(${column[d]})`)].join(', ');
  const dimCase = dims.length ? `CASE ${dims.map((d) => `WHEN grouping(${column[d]}) = 0 THEN '${d}'`).join(' ')} ELSE 'total' END` : `'total'`;
  const keyed = dims.filter((d) => d !== 'doctor');
  // Days and months are grouped as values and formatted once per group, not per row.
  const keyOf = (d: AppointmentDimension) => (d === 'fecha' ? `to_char(a.fecha, 'YYYY-MM-DD')` : d === 'mes' ? `to_char(a.mes, 'YYYY-MM')` : `${column[d]}::text`);
  const keyExpr = keyed.length ? `CASE ${keyed.map((d) => `WHEN grouping(${column[d]}) = 0 THEN ${keyOf(d)}`).join(' ')} END` : 'NULL::text';
  const doctorExpr = dims.includes('doctor') ? 'CASE WHEN grouping(a.therapist_id) = 0 THEN a.therapist_id END' : 'NULL::int';
  // The first level's key: what the requested dimensions read, the rest a constant null.
  const needs = (...ds: AppointmentDimension[]) => ds.some((d) => dims.includes(d));
  const raw = [
    'a.appointment_status_id',
    'a.cancelled_at IS NOT NULL AS cancelled',
    needs('doctor') ? 'a.therapist_id' : 'NULL::int AS therapist_id',
    opts.patients ? 'a.patient_id' : 'NULL::int AS patient_id',
    needs('dia_semana', 'fecha', 'mes') ? 'a.appointment_date AS fecha' : 'NULL::date AS fecha',
    needs('hora') ? 'extract(hour FROM a.hour)::int AS hora' : 'NULL::int AS hora',
    needs('tratamiento') ? 'a.appointment_type AS tipo' : 'NULL::text AS tipo',
  ];
  // Counting first pays off when that key is coarse: with two or more of doctor, day and hour (the
  // appointments report) nearly every row is its own group, and the extra level only adds work
  // (58 -> 70 ms for a month), so those rows go up one by one as before.
  const fine = [needs('doctor'), needs('dia_semana', 'fecha', 'mes'), needs('hora'), !!opts.patients].filter(Boolean).length;
  const pregroup = fine <= 1;
  const { rows } = await sql<AppointmentGroupRow>`
    SELECT g.*, th.first_name AS doctor_first_name, th.last_name_paternal AS doctor_paternal, th.last_name_maternal AS doctor_maternal,
           pp.id AS treatment_id
      FROM (SELECT ${sql.raw(dimCase)} AS dim, ${sql.raw(keyExpr)} AS key, ${sql.raw(doctorExpr)} AS doctor_id,
                   min(a.tratamiento_nombre) AS treatment_name,
                   coalesce(sum(a.n), 0)::int AS total,
                   coalesce(sum(a.n) FILTER (WHERE NOT a.anulada), 0)::int AS booked,
                   coalesce(sum(a.n) FILTER (WHERE a.estado = 'Completada'), 0)::int AS completed,
                   coalesce(sum(a.n) FILTER (WHERE a.estado = 'Cancelada'), 0)::int AS cancelled,
                   coalesce(sum(a.n) FILTER (WHERE a.estado = 'No asistió'), 0)::int AS no_show,
                   coalesce(sum(a.minutes) FILTER (WHERE NOT a.anulada), 0)::int AS booked_minutes,
                   ${opts.patients ? sql`count(DISTINCT a.patient_id) FILTER (WHERE NOT a.anulada)::int` : sql`NULL::int`} AS patients
              FROM (SELECT r.therapist_id, r.patient_id, r.n, r.minutes, ${ESTADO} AS estado,
                           (s.kind IS NOT DISTINCT FROM 'cancelled' OR r.cancelled) AS anulada,
                           extract(isodow FROM r.fecha)::int AS weekday,
                           r.hora,
                           r.fecha,
                           date_trunc('month', r.fecha) AS mes,
                           nullif(lower(btrim(r.tipo)), '') AS tratamiento,
                           nullif(btrim(r.tipo), '') AS tratamiento_nombre
                      FROM (SELECT ${sql.raw(raw.join(', '))}, ${sql.raw(pregroup ? 'count(*) AS n, sum(a.duration_minutes) AS minutes' : '1 AS n, a.duration_minutes AS minutes')}
                              FROM appointments a
                             WHERE a.reflexo_id = ${reflexoId} AND a.deleted_at IS NULL
                               AND a.appointment_date >= ${r.from}::date AND a.appointment_date <= ${r.to}::date
                               ${doctorId === undefined ? sql`` : sql`AND a.therapist_id = ${doctorId}`}
                             ${sql.raw(pregroup ? `GROUP BY ${raw.map((_, i) => String(i + 1)).join(', ')}` : '')}) r
                      JOIN appointment_statuses s ON s.id = r.appointment_status_id) a
             GROUP BY GROUPING SETS (${sql.raw(sets)})) g
      LEFT JOIN therapists th ON th.id = g.doctor_id
      LEFT JOIN predetermined_prices pp ON g.dim = 'tratamiento' AND pp.reflexo_id = ${reflexoId} AND pp.deleted_at IS NULL AND lower(btrim(pp.name)) = g.key
     ORDER BY g.dim, g.total DESC, g.key, g.doctor_id`.execute(db);
  return rows;
}

/**
 * Minutes each doctor is scheduled on [from, to]: every day's weekly blocks of that weekday, minus the
 * block's breaks, minus that date's exceptions (a day off removes the day), as integer-minute
 * multiranges, so an exception over a break is not subtracted twice. Live doctors only.
 * A block's free minutes are computed once per block, not once per day it covers; only the days that
 * have exceptions (joined by hash, usually none) subtract them.
 */
export async function scheduledMinutes(db: Db, reflexoId: number, r: DayRange, doctorId?: number): Promise<{ doctor_id: number; minutes: number }[]> {
  const length = (multirange: string) => `(SELECT coalesce(sum(upper(x) - lower(x)), 0) FROM unnest(${multirange}) x)`;
  const { rows } = await sql<{ doctor_id: number; minutes: number }>`
    SELECT b.therapist_id AS doctor_id,
           coalesce(sum(CASE WHEN x.off IS NULL THEN b.free_minutes ELSE ${sql.raw(length('b.free - x.off'))} END), 0)::int AS minutes
      FROM (SELECT s.therapist_id, s.weekday, s.free, ${sql.raw(length('s.free'))} AS free_minutes
              FROM (SELECT s.therapist_id, s.weekday,
                           int4multirange(s.minutes)
                           - coalesce((SELECT range_agg(int4range((extract(epoch FROM (br->>'inicio')::time) / 60)::int, (extract(epoch FROM (br->>'fin')::time) / 60)::int))
                                         FROM jsonb_array_elements(s.breaks) br), '{}'::int4multirange) AS free
                      FROM doctor_schedules s
                      JOIN therapists th ON th.id = s.therapist_id AND th.reflexo_id = s.reflexo_id AND th.deleted_at IS NULL
                     WHERE s.reflexo_id = ${reflexoId} ${doctorId === undefined ? sql`` : sql`AND s.therapist_id = ${doctorId}`}) s) b
      JOIN (SELECT g::date AS day FROM generate_series(${r.from}::date, ${r.to}::date, interval '1 day') g) d ON extract(isodow FROM d.day) = b.weekday
      LEFT JOIN (SELECT e.therapist_id, e.date,
                        range_agg(CASE WHEN e.start_time IS NULL OR e.end_time IS NULL THEN int4range(0, 1440)
                                       ELSE int4range((extract(epoch FROM e.start_time) / 60)::int, (extract(epoch FROM e.end_time) / 60)::int) END) AS off
                   FROM doctor_schedule_exceptions e
                  WHERE e.reflexo_id = ${reflexoId} AND e.date >= ${r.from}::date AND e.date <= ${r.to}::date
                  GROUP BY e.therapist_id, e.date) x ON x.therapist_id = b.therapist_id AND x.date = d.day
     GROUP BY b.therapist_id
     ORDER BY b.therapist_id`.execute(db);
  return rows;
}

/** The clinic's live doctors (the productivity report lists every one, zeros included). */
export const clinicDoctors = (db: Db, reflexoId: number) =>
  db
    .selectFrom('therapists')
    .select(['id', 'first_name', 'last_name_paternal', 'last_name_maternal', 'is_active'])
    .where('reflexo_id', '=', reflexoId)
    .where('deleted_at', 'is', null)
    .orderBy('last_name_paternal')
    .orderBy('first_name')
    .orderBy('id')
    .execute();

export type PatientDimension = 'mes' | 'fuente' | 'aseguradora' | 'linea' | 'estado';

export interface PatientGroupRow {
  dim: 'total' | PatientDimension;
  key: string | null;
  count: number;
}

/** Patients registered on [from, to] (created_at on the clinic's calendar), in total and per dimension. */
export async function newPatientGroups(db: Db, reflexoId: number, tz: string, r: DayRange, dims: PatientDimension[]): Promise<PatientGroupRow[]> {
  const column: Record<PatientDimension, string> = { mes: 'p.mes', fuente: 'p.fuente_captacion', aseguradora: 'p.aseguradora', linea: 'p.linea_negocio', estado: 'p.estado_paciente' };
  const sets = ['()', ...dims.map((d) => `(${column[d]})`)].join(', ');
  const dimCase = dims.length ? `CASE ${dims.map((d) => `WHEN grouping(${column[d]}) = 0 THEN '${d}'`).join(' ')} ELSE 'total' END` : `'total'`;
  const keyExpr = dims.length ? `CASE ${dims.map((d) => `WHEN grouping(${column[d]}) = 0 THEN ${column[d]}::text`).join(' ')} END` : 'NULL::text';
  const { rows } = await sql<PatientGroupRow>`
    SELECT ${sql.raw(dimCase)} AS dim, ${sql.raw(keyExpr)} AS key, count(*)::int AS count
      FROM (SELECT to_char(p.created_at AT TIME ZONE ${tz}, 'YYYY-MM') AS mes, p.fuente_captacion, p.aseguradora, p.linea_negocio, p.estado_paciente
              FROM patients p
             WHERE p.reflexo_id = ${reflexoId} AND p.deleted_at IS NULL
               AND p.created_at >= ${dayStart(r.from, tz)} AND p.created_at < ${dayEnd(r.to, tz)}) p
     GROUP BY GROUPING SETS (${sql.raw(sets)})
     ORDER BY 1, 3 DESC, 2`.execute(db);
  return rows;
}

/**
 * The patients seen on [from, to] (a booked, not cancelled appointment), split into first-timers (no
 * such appointment before the period) and returning ones; and the clinic's live patients.
 */
export async function patientVisits(db: Db, reflexoId: number, r: DayRange): Promise<{ seen: number; first_time: number; returning: number; registered: number }> {
  // The period's patients first (the tenant/date index), then one probe per patient for an earlier
  // visit (the patient index), computed once (MATERIALIZED: both counts read it). Grouping the
  // clinic's whole history by patient instead cost ~0.75 s at a million appointments. The live
  // patients come from the trigger-kept counter, not a count over the register.
  const { rows } = await sql<{ seen: number; first_time: number; returning: number; registered: number }>`
    WITH seen AS MATERIALIZED (
      SELECT DISTINCT a.patient_id
        FROM appointments a
        JOIN appointment_statuses s ON s.id = a.appointment_status_id
       WHERE a.reflexo_id = ${reflexoId} AND a.deleted_at IS NULL AND a.cancelled_at IS NULL AND s.kind IS DISTINCT FROM 'cancelled'
         AND a.appointment_date BETWEEN ${r.from}::date AND ${r.to}::date),
    v AS MATERIALIZED (
      SELECT EXISTS (SELECT 1 FROM appointments b JOIN appointment_statuses s ON s.id = b.appointment_status_id
                      WHERE b.patient_id = seen.patient_id AND b.reflexo_id = ${reflexoId} AND b.appointment_date < ${r.from}::date
                        AND b.deleted_at IS NULL AND b.cancelled_at IS NULL AND s.kind IS DISTINCT FROM 'cancelled') AS prior
        FROM seen)
    SELECT count(*)::int AS seen,
           count(*) FILTER (WHERE NOT v.prior)::int AS first_time,
           count(*) FILTER (WHERE v.prior)::int AS returning,
           ${liveCountExpr('patients', reflexoId)}::int AS registered
      FROM v`.execute(db);
  return rows[0];
}

export interface InvoiceTotalsRow {
  issued: number;
  issued_total: string;
  paid: number;
  paid_total: string;
  outstanding: number;
  outstanding_balance: string;
  annulled: number;
  annulled_total: string;
  collected: string;
}

/**
 * Invoices issued on [from, to] (issue_date): issued (not drafts,
 * not annulled), paid in full, still owing (`outstanding` statuses) with what they owe, annulled.
 */
export async function invoiceTotals(db: Db, reflexoId: number, r: DayRange, outstanding: InvoiceStatus[]): Promise<InvoiceTotalsRow> {
  const owing = sql`i.status IN (${sql.join(outstanding)})`;
  const m = (e: ReturnType<typeof sql>) => sql`coalesce(${e}, 0)::numeric(14, 2)::text`;
  const { rows } = await sql<InvoiceTotalsRow>`
    SELECT count(*) FILTER (WHERE i.status NOT IN ('borrador', 'anulada'))::int AS issued,
           ${m(sql`sum(i.total) FILTER (WHERE i.status NOT IN ('borrador', 'anulada'))`)} AS issued_total,
           count(*) FILTER (WHERE i.status = 'pagada')::int AS paid,
           ${m(sql`sum(i.total) FILTER (WHERE i.status = 'pagada')`)} AS paid_total,
           count(*) FILTER (WHERE ${owing})::int AS outstanding,
           ${m(sql`sum(i.total - i.paid) FILTER (WHERE ${owing})`)} AS outstanding_balance,
           count(*) FILTER (WHERE i.status = 'anulada')::int AS annulled,
           ${m(sql`sum(i.total) FILTER (WHERE i.status = 'anulada')`)} AS annulled_total,
           ${m(sql`sum(i.paid) FILTER (WHERE i.status NOT IN ('borrador', 'anulada'))`)} AS collected
      FROM invoices i
     WHERE i.reflexo_id = ${reflexoId} AND i.issue_date >= ${r.from}::date AND i.issue_date <= ${r.to}::date`.execute(db);
  return rows[0];
}

/** The value of the stock of live, active products: at cost and at sale price (products without one count 0). */
export async function stockValue(db: Db, reflexoId: number): Promise<{ products: number; units: string; at_cost: string; at_price: string }> {
  const { rows } = await sql<{ products: number; units: string; at_cost: string; at_price: string }>`
    SELECT count(*)::int AS products, coalesce(sum(p.stock), 0)::numeric(14, 2)::text AS units,
           coalesce(sum(round(p.stock * p.cost, 2)), 0)::numeric(14, 2)::text AS at_cost,
           coalesce(sum(round(p.stock * p.sale_price, 2)), 0)::numeric(14, 2)::text AS at_price
      FROM products p
     WHERE p.reflexo_id = ${reflexoId} AND p.deleted_at IS NULL AND p.is_active`.execute(db);
  return rows[0];
}

/** Stock movements made on [from, to] per kind: how many, units in and out (the stock change), value at unit cost. */
export async function movementTotals(db: Db, reflexoId: number, tz: string, r: DayRange) {
  const { rows } = await sql<{ kind: string; count: number; units_in: string; units_out: string; value: string }>`
    SELECT m.kind, count(*)::int AS count,
           coalesce(sum(m.delta) FILTER (WHERE m.delta > 0), 0)::numeric(14, 2)::text AS units_in,
           coalesce(-sum(m.delta) FILTER (WHERE m.delta < 0), 0)::numeric(14, 2)::text AS units_out,
           coalesce(sum(round(abs(m.delta) * m.unit_cost, 2)), 0)::numeric(14, 2)::text AS value
      FROM stock_movements m
     WHERE m.reflexo_id = ${reflexoId} AND m.created_at >= ${dayStart(r.from, tz)} AND m.created_at < ${dayEnd(r.to, tz)}
     GROUP BY m.kind
     ORDER BY m.kind`.execute(db);
  return rows;
}

/**
 * The clinic's invoices still owed today (`outstanding` statuses, the whole history) and what they owe.
 * Reads only invoices_outstanding_idx (migration 0027), whose predicate is the invoices domain's
 * OUTSTANDING_STATUSES: a paid or annulled invoice is not read at all.
 */
export const outstandingInvoicesQuery = (reflexoId: number, outstanding: InvoiceStatus[]) => sql<{ count: number; balance: string }>`
    SELECT count(*)::int AS count, coalesce(sum(i.total - i.paid), 0)::numeric(14, 2)::text AS balance
      FROM invoices i
     WHERE i.reflexo_id = ${reflexoId} AND i.status IN (${sql.join(outstanding)})`;

export async function outstandingInvoices(db: Db, reflexoId: number, outstanding: InvoiceStatus[]): Promise<{ count: number; balance: string }> {
  return (await outstandingInvoicesQuery(reflexoId, outstanding).execute(db)).rows[0];
}

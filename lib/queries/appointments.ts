import { sql, type ExpressionBuilder, type Updateable } from 'kysely';
import type { Database } from '../db/types';
import type { Db } from '../db/tenant';
import { liveCount, liveCountExpr } from './live-counts';
import type { AppointmentsTable, StatusKind } from '../db/tables/scheduling';

/*
 * Appointments with everything a response nests (patient, therapist, status, payment type/status,
 * ticket number) joined in ONE query: a list page costs one round trip whatever its size.
 */

export type AppointmentOrder = { column: 'appointment_date' | 'hour' | 'created_at' | 'updated_at' | 'id'; desc: boolean };

export interface AppointmentFilter {
  reflexoId: number | null;
  id?: number;
  appointmentDate?: string;
  statusId?: number;
  patientId?: number;
  therapistId?: number;
  room?: string;
  search?: string;
  kinds?: StatusKind[];
  from?: string;
  to?: string;
  order?: AppointmentOrder;
}

const escapeLike = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/* The WHERE of a list, on appointments `a` (with statuses `s` and tickets `tk` joined by the caller when used). */
function applyFilters<Q extends { where: (...args: any[]) => Q }>(q: Q, f: AppointmentFilter): Q {
  const w = (...args: unknown[]) => (q = (q.where as (...a: unknown[]) => Q)(...args));
  w('a.deleted_at', 'is', null);
  if (f.reflexoId !== null) w('a.reflexo_id', '=', f.reflexoId);
  if (f.id !== undefined) w('a.id', '=', f.id);
  if (f.appointmentDate) w('a.appointment_date', '=', f.appointmentDate);
  if (f.statusId !== undefined) w('a.appointment_status_id', '=', f.statusId);
  if (f.patientId !== undefined) w('a.patient_id', '=', f.patientId);
  if (f.therapistId !== undefined) w('a.therapist_id', '=', f.therapistId);
  if (f.room) w(sql<boolean>`lower(btrim(a.room)) = lower(btrim(${f.room}))`);
  if (f.kinds) w('s.kind', 'in', f.kinds);
  if (f.from) w('a.appointment_date', '>=', f.from);
  if (f.to) w('a.appointment_date', '<=', f.to);
  if (f.search) {
    const like = escapeLike(f.search);
    w(sql<boolean>`(a.ailments ILIKE ${like} OR a.diagnosis ILIKE ${like} OR a.observation ILIKE ${like} OR tk.ticket_number ILIKE ${like})`);
  }
  return q;
}

type AppointmentsFrom = ExpressionBuilder<Database & { a: Database['appointments'] }, 'a'>;

/*
 * The status, payment type and payment status names as primary-key lookups per returned row: scalar
 * sub-selects rather than joins, so the planner has three relations fewer to order. Planning the
 * seven-way join took longer than running it (bench W4: 9.7 ms planning for 4.5 ms of execution).
 */
const catalogNames = (eb: AppointmentsFrom) => [
  eb.selectFrom('appointment_statuses as s').select('s.name').whereRef('s.id', '=', 'a.appointment_status_id').as('status_name'),
  eb.selectFrom('appointment_statuses as s').select('s.kind').whereRef('s.id', '=', 'a.appointment_status_id').as('status_kind'),
  eb.selectFrom('payment_types as pt').select('pt.name').whereRef('pt.id', '=', 'a.payment_type_id').as('payment_type_name'),
  eb.selectFrom('payment_statuses as ps').select('ps.name').whereRef('ps.id', '=', 'a.payment_status_id').as('payment_status_name'),
  eb.selectFrom('payment_statuses as ps').select('ps.code').whereRef('ps.id', '=', 'a.payment_status_id').as('payment_status_code'),
];

/** Appointments with what a response nests, unfiltered and unordered (detail and list build on it). */
function appointmentRows(db: Db) {
  return db
    .selectFrom('appointments as a')
    .innerJoin('patients as p', 'p.id', 'a.patient_id')
    .innerJoin('therapists as t', 't.id', 'a.therapist_id')
    .leftJoin('tickets as tk', 'tk.appointment_id', 'a.id')
    .select([
      'a.id',
      'a.reflexo_id',
      'a.patient_id',
      'p.name as patient_name',
      'p.paternal_lastname as patient_paternal_lastname',
      'p.maternal_lastname as patient_maternal_lastname',
      'p.document_number as patient_document_number',
      'p.phone1 as patient_phone',
      'a.therapist_id',
      't.first_name as therapist_first_name',
      't.last_name_paternal as therapist_last_name_paternal',
      't.last_name_maternal as therapist_last_name_maternal',
      't.document_number as therapist_document_number',
      'a.appointment_date',
      'a.hour',
      'a.duration_minutes',
      'a.appointment_status_id',
      'a.appointment_type',
      'a.room',
      'a.ailments',
      'a.diagnosis',
      'a.surgeries',
      'a.reflexology_diagnostics',
      'a.medications',
      'a.observation',
      'a.initial_date',
      'a.final_date',
      'a.social_benefit',
      'a.payment_detail',
      'a.payment',
      'a.payment_type_id',
      'a.payment_status_id',
      'tk.id as ticket_id',
      'tk.ticket_number',
      'tk.status as ticket_status',
      'tk.amount as ticket_amount',
      'a.cancelled_at',
      'a.cancellation_reason',
      'a.reschedule_reason',
      'a.contact_phone',
      'a.contact_email',
      'a.reminder_sent_at',
      'a.created_at',
      'a.updated_at',
      'a.deleted_at',
    ])
    .select(catalogNames);
}

/** The ORDER BY of a list: the chosen column, the hour after the date, the id last (a total order). */
function ordered<Q extends { orderBy: (...args: any[]) => Q }>(q: Q, order: AppointmentOrder | undefined): Q {
  const o = order ?? { column: 'appointment_date', desc: true };
  const dir = o.desc ? 'desc' : 'asc';
  let r = q.orderBy(`a.${o.column}`, dir);
  if (o.column === 'appointment_date') r = r.orderBy('a.hour', dir);
  return o.column === 'id' ? r : r.orderBy('a.id', dir);
}

/** One appointment (or the filtered list, ordered) with everything a response nests. */
export function appointmentQuery(db: Db, f: AppointmentFilter) {
  let q = appointmentRows(db);
  if (f.kinds) q = q.innerJoin('appointment_statuses as s', 's.id', 'a.appointment_status_id');
  return ordered(applyFilters(q, f), f.order);
}

/** Only the clinic (and an ordering): the agenda's bare list, whose total is the live counter. */
const unfiltered = (f: Omit<AppointmentFilter, 'reflexoId'> & { reflexoId?: number | null }) => {
  const { reflexoId: _r, order: _o, ...filters } = f;
  return Object.values(filters).every((v) => v === undefined || v === '');
};

/** The appointments a filter selects, joining only what the filter reads (for ids and counts). */
function filtered(db: Db, f: AppointmentFilter) {
  let q = db.selectFrom('appointments as a');
  if (f.kinds) q = q.innerJoin('appointment_statuses as s', 's.id', 'a.appointment_status_id') as typeof q;
  if (f.search) q = q.leftJoin('tickets as tk', 'tk.appointment_id', 'a.id') as typeof q;
  return applyFilters(q, f);
}

/**
 * The ids of a page (and, unless it is the live counter, the total). The bare agenda and a day's
 * agenda of one clinic in date order come from appointment_page_ids() (migration 0028), which checks
 * the tenant wall once instead of on every index entry a deep page skips; other lists from the same
 * walk under RLS.
 */
function functionPageIds(db: Db, reflexoId: number, day: string | null, ascending: boolean, size: number, offset: number) {
  const total = day ? sql<string | null>`ids.total` : liveCountExpr('appointments', reflexoId);
  return db
    .selectFrom(sql<{ id: number; total: string | null }>`appointment_page_ids(${reflexoId}::int, ${day}::date, ${ascending}, ${size}::int, ${offset}::int)`.as('ids'))
    .select(['ids.id', total.as('total')]);
}

function pageIds(db: Db, f: AppointmentFilter, size: number, offset: number) {
  const o = f.order ?? { column: 'appointment_date', desc: true };
  const { reflexoId, appointmentDate, ...rest } = f;
  if (reflexoId !== null && o.column === 'appointment_date' && unfiltered(rest)) {
    return functionPageIds(db, reflexoId, appointmentDate || null, !o.desc, size, offset);
  }
  const total = unfiltered(f) ? liveCountExpr('appointments', f.reflexoId) : sql<string | null>`count(*) OVER ()`;
  return ordered(filtered(db, f).select('a.id').select(total.as('total')), f.order).limit(size).offset(offset) as unknown as ReturnType<typeof functionPageIds>;
}

/**
 * One page of a list and its total, in one statement. The page's ids come first, from the columns
 * of the ordering alone: on the default orders that is an index-only walk of
 * appointments_tenant_date_idx (reflexo_id, appointment_date, hour, id), so a deep page skips index
 * entries, not joined rows; only the page's rows are then joined. The total: the clinic's live
 * counter (0010) for the bare agenda, else a window count over the ids. A page past the end returns
 * no row and so no total: the caller counts then.
 */
export async function selectAppointmentPage(db: Db, f: AppointmentFilter, size: number, offset: number) {
  const ids = pageIds(db, f, size, offset);
  // The clinic's time zone rides along (the v1 surface turns date + hour into an instant): evaluated once for a clinic.
  const zone = f.reflexoId === null ? sql<string>`(SELECT tz.time_zone FROM tenants tz WHERE tz.id = a.reflexo_id)` : sql<string>`(SELECT tz.time_zone FROM tenants tz WHERE tz.id = ${f.reflexoId})`;
  const rows = await ordered(appointmentRows(db).innerJoin(ids.as('pg'), 'pg.id', 'a.id').select(['pg.total', zone.as('time_zone')]), f.order).execute();
  return { rows: rows.map(({ total: _t, ...row }) => row), total: rows.length ? Number(rows[0].total) : null };
}

/**
 * The total of a list, joining only what its filters need: a window count over the joined list
 * would build every row of the clinic's agenda just to count it.
 */
export async function countAppointments(db: Db, f: AppointmentFilter): Promise<number> {
  // The bare agenda (no filter but the clinic): the trigger-kept counter, not a scan of every row.
  if (unfiltered(f)) return liveCount(db, 'appointments', f.reflexoId);
  const r = await filtered(db, f).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
  return r.n;
}

export type AppointmentRow = Awaited<ReturnType<ReturnType<typeof appointmentQuery>['executeTakeFirstOrThrow']>>;

/** The row as stored (for edits): live or not, locked against concurrent edits of the same appointment. */
export function lockAppointment(db: Db, id: number, reflexoId: number | null) {
  let q = db.selectFrom('appointments').selectAll().where('id', '=', id).where('deleted_at', 'is', null);
  if (reflexoId !== null) q = q.where('reflexo_id', '=', reflexoId);
  return q.forUpdate().executeTakeFirst();
}

export function updateAppointment(db: Db, id: number, reflexoId: number, v: Updateable<AppointmentsTable>) {
  return db.updateTable('appointments').set(v).where('id', '=', id).where('reflexo_id', '=', reflexoId).executeTakeFirst();
}

export function deleteAppointment(db: Db, id: number, reflexoId: number) {
  return db.deleteFrom('appointments').where('id', '=', id).where('reflexo_id', '=', reflexoId).executeTakeFirst();
}

export function findLivePatient(db: Db, id: number, reflexoId: number) {
  return db.selectFrom('patients').select('id').where('id', '=', id).where('reflexo_id', '=', reflexoId).where('deleted_at', 'is', null).executeTakeFirst();
}

export function findStatusIdByKind(db: Db, kind: StatusKind) {
  return db.selectFrom('appointment_statuses').select(['id', 'kind']).where('kind', '=', kind).executeTakeFirst();
}

export interface Slot {
  reflexoId: number;
  date: string;
  hour: string;
  durationMinutes: number;
  therapistId?: number | null;
  room?: string | null;
  excludeId?: number | null;
}

/**
 * Appointments last at most 720 minutes (a check constraint), so anything overlapping a slot of
 * `date` starts between the day before and the day after: a btree range that keeps the overlap test
 * to a few days of the agenda however long the clinic's history is.
 */
const nearDays = (date: string) => sql<boolean>`a.appointment_date BETWEEN ${date}::date - 1 AND ${date}::date + 1`;

/**
 * Live appointments overlapping a slot for the therapist or the room: the very predicate of the
 * exclusion constraints appointments_therapist_no_overlap / appointments_room_no_overlap.
 */
export function overlapping(db: Db, s: Slot) {
  const wanted = sql`tsrange(${s.date}::date + ${s.hour}::time, ${s.date}::date + ${s.hour}::time + make_interval(mins => ${s.durationMinutes}::int), '[)')`;
  const room = s.room?.trim() || null;
  return db
    .selectFrom('appointments as a')
    .select(['a.id', 'a.therapist_id', 'a.room', 'a.appointment_date', 'a.hour', 'a.duration_minutes'])
    .where('a.reflexo_id', '=', s.reflexoId)
    .where('a.deleted_at', 'is', null)
    .where('a.cancelled_at', 'is', null)
    .where(nearDays(s.date))
    .where(sql<boolean>`a.slot && ${wanted}`)
    .where((eb) => {
      const any = [];
      if (s.therapistId) any.push(eb('a.therapist_id', '=', s.therapistId));
      if (room) any.push(eb(sql`lower(btrim(a.room))`, '=', room.toLowerCase()));
      return any.length ? eb.or(any) : sql<boolean>`false`;
    })
    .$if(!!s.excludeId, (q) => q.where('a.id', '!=', s.excludeId!))
    .orderBy('a.hour')
    .execute();
}

/** Bookable therapists of the clinic (live, active) with no live appointment overlapping the slot. */
export function freeTherapists(db: Db, s: Slot) {
  const wanted = sql`tsrange(${s.date}::date + ${s.hour}::time, ${s.date}::date + ${s.hour}::time + make_interval(mins => ${s.durationMinutes}::int), '[)')`;
  return db
    .selectFrom('therapists as t')
    .select(['t.id', sql<string>`concat_ws(' ', t.first_name, t.last_name_paternal, t.last_name_maternal)`.as('full_name')])
    .where('t.reflexo_id', '=', s.reflexoId)
    .where('t.deleted_at', 'is', null)
    .where('t.is_active', '=', true)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('appointments as a')
            .select('a.id')
            .where('a.reflexo_id', '=', s.reflexoId)
            .whereRef('a.therapist_id', '=', 't.id')
            .where('a.deleted_at', 'is', null)
            .where('a.cancelled_at', 'is', null)
            .where(nearDays(s.date))
            .where(sql<boolean>`a.slot && ${wanted}`)
            .$if(!!s.excludeId, (q) => q.where('a.id', '!=', s.excludeId!)),
        ),
      ),
    )
    .orderBy('t.id')
    .execute();
}

import { sql } from 'kysely';
import type { Db } from '../db/tenant';
import type { StatusKind } from '../db/tables/scheduling';

/* Appointment statuses: a global catalog (no tenant). Appointment counts are per caller's tenant (RLS). */

const cols = ['s.id', 's.name', 's.description', 's.kind', 's.created_at', 's.updated_at', 's.deleted_at'] as const;

export type StatusOrder = { column: 'name' | 'created_at' | 'updated_at' | 'id'; desc: boolean };

export function statusListQuery(db: Db, f: { name?: string; search?: string; order: StatusOrder }) {
  let q = db.selectFrom('appointment_statuses as s').select(cols).where('s.deleted_at', 'is', null);
  if (f.name) q = q.where(sql<boolean>`lower(s.name) = lower(${f.name})`);
  if (f.search) {
    const like = `%${f.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) => eb.or([eb('s.name', 'ilike', like), eb('s.description', 'ilike', like)]));
  }
  return q.orderBy(`s.${f.order.column}`, f.order.desc ? 'desc' : 'asc').orderBy('s.id');
}

/** `withDeleted`: activate/deactivate address soft-deleted rows too. */
export function findStatus(db: Db, id: number, withDeleted = false) {
  let q = db.selectFrom('appointment_statuses as s').select(cols).where('s.id', '=', id);
  if (!withDeleted) q = q.where('s.deleted_at', 'is', null);
  return q.executeTakeFirst();
}

export function findStatusByKind(db: Db, kind: StatusKind) {
  return db.selectFrom('appointment_statuses as s').select(cols).where('s.kind', '=', kind).executeTakeFirst();
}

const liveAppointments = (db: Db) =>
  db.selectFrom('appointments as a').select(['a.appointment_status_id', sql<number>`count(*)::int`.as('n')]).where('a.deleted_at', 'is', null).groupBy('a.appointment_status_id');

export function activeStatusesWithCounts(db: Db) {
  return db
    .selectFrom('appointment_statuses as s')
    .leftJoin(liveAppointments(db).as('c'), 'c.appointment_status_id', 's.id')
    .select([...cols, sql<number>`coalesce(c.n, 0)`.as('appointments_count')])
    .where('s.deleted_at', 'is', null)
    .orderBy('s.id')
    .execute();
}

export async function countLiveAppointments(db: Db, statusId: number): Promise<number> {
  const r = await db
    .selectFrom('appointments')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('appointment_status_id', '=', statusId)
    .where('deleted_at', 'is', null)
    .executeTakeFirstOrThrow();
  return r.n;
}

export async function countAllAppointments(db: Db, statusId: number): Promise<number> {
  const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM appointments WHERE appointment_status_id = ${statusId}`.execute(db);
  return r.rows[0].n;
}

export function insertStatus(db: Db, v: { name: string; description: string | null }) {
  return db.insertInto('appointment_statuses').values(v).returning('id').executeTakeFirstOrThrow();
}

export function updateStatus(db: Db, id: number, v: { name?: string; description?: string | null; deleted_at?: Date | null }) {
  return db.updateTable('appointment_statuses').set(v).where('id', '=', id).executeTakeFirst();
}

export function deleteStatus(db: Db, id: number) {
  return db.deleteFrom('appointment_statuses').where('id', '=', id).executeTakeFirst();
}

/** Appointments (of the caller's tenant, by RLS and the explicit filter) holding one status, names joined in. */
export async function countAppointmentsWithStatus(db: Db, statusId: number, reflexoId: number | null): Promise<number> {
  let q = db.selectFrom('appointments as a').select(sql<number>`count(*)::int`.as('n')).where('a.appointment_status_id', '=', statusId).where('a.deleted_at', 'is', null);
  if (reflexoId !== null) q = q.where('a.reflexo_id', '=', reflexoId);
  return (await q.executeTakeFirstOrThrow()).n;
}

export function appointmentsWithStatus(db: Db, statusId: number, reflexoId: number | null, limit: number, offset: number) {
  let q = db
    .selectFrom('appointments as a')
    .innerJoin('patients as p', 'p.id', 'a.patient_id')
    .innerJoin('therapists as t', 't.id', 'a.therapist_id')
    .select([
      'a.id',
      sql<string>`concat_ws(' ', p.name, p.paternal_lastname)`.as('patient_name'),
      sql<string>`concat_ws(' ', t.first_name, t.last_name_paternal)`.as('therapist_name'),
      'a.appointment_date',
      'a.hour',
      'a.appointment_type',
      'a.room',
      'a.created_at',
      'a.updated_at',
    ])
    .where('a.appointment_status_id', '=', statusId)
    .where('a.deleted_at', 'is', null);
  if (reflexoId !== null) q = q.where('a.reflexo_id', '=', reflexoId);
  return q.orderBy('a.appointment_date', 'desc').orderBy('a.hour', 'desc').orderBy('a.id', 'desc').limit(limit).offset(offset).execute();
}

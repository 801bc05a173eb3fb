import { sql, type Insertable, type Updateable } from 'kysely';
import type { Db } from '../db/tenant';
import type { DoctorScheduleExceptionsTable, DoctorSchedulesTable } from '../db/tables/schedules';

/* Doctors' weekly schedules, date exceptions, and what a slot computation reads (migration 0020). */

const scheduleCols = ['id', 'reflexo_id', 'therapist_id', 'weekday', 'start_time', 'end_time', 'slot_minutes', 'breaks', 'created_at', 'updated_at'] as const;

/** A live (not deleted) therapist of the clinic, with the clinic's time zone and wall clock now. */
export async function doctorContext(db: Db, therapistId: number, reflexoId: number | null) {
  const { rows } = await sql<{ id: number; reflexo_id: number; time_zone: string; today: string; now_time: string }>`
    SELECT th.id, th.reflexo_id, t.time_zone,
           to_char(now() AT TIME ZONE t.time_zone, 'YYYY-MM-DD') AS today,
           to_char(now() AT TIME ZONE t.time_zone, 'HH24:MI:SS') AS now_time
    FROM therapists th JOIN tenants t ON t.id = th.reflexo_id
    WHERE th.id = ${therapistId} AND th.deleted_at IS NULL AND (${reflexoId}::int IS NULL OR th.reflexo_id = ${reflexoId}::int)`.execute(db);
  return rows[0];
}

export const selectSchedules = (db: Db, reflexoId: number, therapistId: number) =>
  db.selectFrom('doctor_schedules').select(scheduleCols).where('reflexo_id', '=', reflexoId).where('therapist_id', '=', therapistId).orderBy('weekday').orderBy('start_time').execute();

export type ScheduleRow = Awaited<ReturnType<typeof selectSchedules>>[number];

export const selectSchedule = (db: Db, reflexoId: number, therapistId: number, id: number) =>
  db.selectFrom('doctor_schedules').select(scheduleCols).where('reflexo_id', '=', reflexoId).where('therapist_id', '=', therapistId).where('id', '=', id).executeTakeFirst();

export const insertSchedule = (db: Db, values: Insertable<DoctorSchedulesTable>) => db.insertInto('doctor_schedules').values(values).returning(scheduleCols).executeTakeFirstOrThrow();

export const updateSchedule = (db: Db, reflexoId: number, id: number, values: Updateable<DoctorSchedulesTable>) =>
  db.updateTable('doctor_schedules').set(values).where('reflexo_id', '=', reflexoId).where('id', '=', id).returning(scheduleCols).executeTakeFirst();

export const deleteSchedule = async (db: Db, reflexoId: number, therapistId: number, id: number) =>
  Number((await db.deleteFrom('doctor_schedules').where('reflexo_id', '=', reflexoId).where('therapist_id', '=', therapistId).where('id', '=', id).executeTakeFirst()).numDeletedRows) > 0;

const exceptionCols = ['id', 'reflexo_id', 'therapist_id', 'date', 'start_time', 'end_time', 'reason', 'created_at'] as const;

export const selectExceptions = (db: Db, reflexoId: number, therapistId: number, range?: { from: string; to: string }) => {
  let q = db.selectFrom('doctor_schedule_exceptions').select(exceptionCols).where('reflexo_id', '=', reflexoId).where('therapist_id', '=', therapistId);
  if (range) q = q.where('date', '>=', range.from).where('date', '<=', range.to);
  return q.orderBy('date').orderBy('start_time').execute();
};

export type ExceptionRow = Awaited<ReturnType<typeof selectExceptions>>[number];

export const insertException = (db: Db, values: Insertable<DoctorScheduleExceptionsTable>) =>
  db.insertInto('doctor_schedule_exceptions').values(values).returning(exceptionCols).executeTakeFirstOrThrow();

export const deleteException = async (db: Db, reflexoId: number, therapistId: number, id: number) =>
  Number((await db.deleteFrom('doctor_schedule_exceptions').where('reflexo_id', '=', reflexoId).where('therapist_id', '=', therapistId).where('id', '=', id).executeTakeFirst()).numDeletedRows) > 0;

/**
 * Live appointments (the ones the no-overlap constraint counts: not deleted, not cancelled) of a
 * therapist touching [from, to]; the day before is included, an appointment can run past midnight.
 */
export const busyIntervals = (db: Db, reflexoId: number, therapistId: number, from: string, to: string) =>
  db
    .selectFrom('appointments')
    .select(['appointment_date as date', 'hour as start', 'duration_minutes as durationMinutes'])
    .where('reflexo_id', '=', reflexoId)
    .where('therapist_id', '=', therapistId)
    .where('deleted_at', 'is', null)
    .where('cancelled_at', 'is', null)
    .where('appointment_date', '>=', sql<string>`${from}::date - 1`)
    .where('appointment_date', '<=', to)
    .execute();

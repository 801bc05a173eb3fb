import { isPlatform, type Actor } from '../auth/actor';
import type { Db } from '../db/tenant';
import { Conflict, NotFound, ValidationError, type FieldIssue } from '../errors';
import { addDays, daysBetween, isoWeekday, minutesOf } from '../time';
import {
  busyIntervals,
  deleteException,
  deleteSchedule,
  doctorContext,
  insertException,
  insertSchedule,
  selectExceptions,
  selectSchedule,
  selectSchedules,
  updateSchedule,
  type ExceptionRow,
  type ScheduleRow,
} from '../queries/schedules';
import { recordAudit } from './audit';
import { freeSlots, type Slot } from './slots';
import { requireTenantReader } from './tenancy';

/*
 * A doctor's weekly schedule (blocks per ISO weekday with a slot length and breaks), date exceptions
 * (a day off, hours off), and the free slots they leave. Overlapping blocks of one doctor on one
 * weekday are refused by PostgreSQL (exclusion constraint doctor_schedules_no_overlap).
 */
export interface ScheduleInput {
  weekday: number;
  start: string;
  end: string;
  slotMinutes?: number;
  breaks?: { start: string; end: string }[];
}

export type ScheduleRecord = ScheduleRow;
export type ExceptionRecord = ExceptionRow;

export const MAX_SLOT_RANGE_DAYS = 31;

const doctorNotFound = () => new NotFound('Doctor no encontrado.');

async function doctorOf(db: Db, actor: Actor | null, therapistId: number) {
  requireTenantReader(actor);
  const ctx = await doctorContext(db, therapistId, isPlatform(actor) ? null : actor!.reflexoId);
  if (!ctx) throw doctorNotFound();
  return ctx;
}

const hhmmss = (t: string) => (t.length === 5 ? `${t}:00` : t);

/** Hours in order, breaks inside the block, not overlapping each other, whole slots fit. */
function scheduleIssues(v: Required<ScheduleInput>): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const start = minutesOf(v.start);
  const end = minutesOf(v.end);
  if (end <= start) issues.push({ loc: ['body', 'hora_fin'], msg: 'hora_fin debe ser posterior a hora_inicio', type: 'value_error', input: v.end });
  if (v.slotMinutes > end - start && end > start) issues.push({ loc: ['body', 'duracion_cita'], msg: 'La duración de la cita no cabe en el bloque', type: 'value_error', input: v.slotMinutes });
  const sorted = [...v.breaks].map((b, i) => ({ ...b, i })).sort((a, b) => minutesOf(a.start) - minutesOf(b.start));
  let previousEnd = -1;
  for (const b of sorted) {
    const bs = minutesOf(b.start);
    const be = minutesOf(b.end);
    if (be <= bs || bs < start || be > end) issues.push({ loc: ['body', 'descansos', b.i], msg: 'Cada descanso debe estar dentro del bloque y terminar después de empezar', type: 'value_error', input: { inicio: b.start, fin: b.end } });
    else if (bs < previousEnd) issues.push({ loc: ['body', 'descansos', b.i], msg: 'Los descansos no pueden superponerse', type: 'value_error', input: { inicio: b.start, fin: b.end } });
    previousEnd = Math.max(previousEnd, be);
  }
  return issues;
}

const overlapConflict = (err: unknown) =>
  (err as { code?: string })?.code === '23P01' ? new Conflict('El bloque se superpone con otro bloque del mismo doctor ese día.', { code: 'schedule_overlap' }) : err;

export async function listSchedule(db: Db, actor: Actor | null, therapistId: number): Promise<ScheduleRecord[]> {
  const doctor = await doctorOf(db, actor, therapistId);
  return selectSchedules(db, doctor.reflexo_id, therapistId);
}

export async function addScheduleBlock(db: Db, actor: Actor | null, therapistId: number, input: ScheduleInput): Promise<ScheduleRecord> {
  const doctor = await doctorOf(db, actor, therapistId);
  const v = { weekday: input.weekday, start: hhmmss(input.start), end: hhmmss(input.end), slotMinutes: input.slotMinutes ?? 30, breaks: input.breaks ?? [] };
  const issues = scheduleIssues(v);
  if (issues.length) throw new ValidationError(issues);
  try {
    const row = await insertSchedule(db, {
      reflexo_id: doctor.reflexo_id,
      therapist_id: therapistId,
      weekday: v.weekday,
      start_time: v.start,
      end_time: v.end,
      slot_minutes: v.slotMinutes,
      breaks: JSON.stringify(v.breaks.map((b) => ({ inicio: b.start.slice(0, 5), fin: b.end.slice(0, 5) }))),
    });
    await recordAudit(db, { action: 'create', entity: 'doctor_schedules', entityId: row.id, reflexoId: doctor.reflexo_id });
    return row;
  } catch (err) {
    throw overlapConflict(err);
  }
}

export async function editScheduleBlock(db: Db, actor: Actor | null, therapistId: number, id: number, input: Partial<ScheduleInput>): Promise<ScheduleRecord> {
  const doctor = await doctorOf(db, actor, therapistId);
  const current = await selectSchedule(db, doctor.reflexo_id, therapistId, id);
  if (!current) throw new NotFound('Bloque de horario no encontrado.');
  const v = {
    weekday: input.weekday ?? current.weekday,
    start: hhmmss(input.start ?? current.start_time),
    end: hhmmss(input.end ?? current.end_time),
    slotMinutes: input.slotMinutes ?? current.slot_minutes,
    breaks: input.breaks ?? current.breaks.map((b) => ({ start: b.inicio, end: b.fin })),
  };
  const issues = scheduleIssues(v);
  if (issues.length) throw new ValidationError(issues);
  try {
    const row = await updateSchedule(db, doctor.reflexo_id, id, {
      weekday: v.weekday,
      start_time: v.start,
      end_time: v.end,
      slot_minutes: v.slotMinutes,
      breaks: JSON.stringify(v.breaks.map((b) => ({ inicio: b.start.slice(0, 5), fin: b.end.slice(0, 5) }))),
    });
    await recordAudit(db, { action: 'update', entity: 'doctor_schedules', entityId: id, reflexoId: doctor.reflexo_id, changedFields: Object.keys(input) });
    return row!;
  } catch (err) {
    throw overlapConflict(err);
  }
}

export async function removeScheduleBlock(db: Db, actor: Actor | null, therapistId: number, id: number): Promise<void> {
  const doctor = await doctorOf(db, actor, therapistId);
  if (!(await deleteSchedule(db, doctor.reflexo_id, therapistId, id))) throw new NotFound('Bloque de horario no encontrado.');
  await recordAudit(db, { action: 'delete', entity: 'doctor_schedules', entityId: id, reflexoId: doctor.reflexo_id });
}

export async function listExceptions(db: Db, actor: Actor | null, therapistId: number): Promise<ExceptionRecord[]> {
  const doctor = await doctorOf(db, actor, therapistId);
  return selectExceptions(db, doctor.reflexo_id, therapistId);
}

export async function addException(db: Db, actor: Actor | null, therapistId: number, input: { date: string; start?: string | null; end?: string | null; reason?: string | null }): Promise<ExceptionRecord> {
  const doctor = await doctorOf(db, actor, therapistId);
  const start = input.start ? hhmmss(input.start) : null;
  const end = input.end ? hhmmss(input.end) : null;
  if ((start === null) !== (end === null)) throw ValidationError.field(start === null ? 'hora_inicio' : 'hora_fin', 'Indique hora_inicio y hora_fin, o ninguna para el día completo');
  if (start && end && minutesOf(end) <= minutesOf(start)) throw ValidationError.field('hora_fin', 'hora_fin debe ser posterior a hora_inicio', 'value_error', input.end);
  const row = await insertException(db, { reflexo_id: doctor.reflexo_id, therapist_id: therapistId, date: input.date, start_time: start, end_time: end, reason: input.reason ?? null });
  await recordAudit(db, { action: 'create', entity: 'doctor_schedule_exceptions', entityId: row.id, reflexoId: doctor.reflexo_id });
  return row;
}

export async function removeException(db: Db, actor: Actor | null, therapistId: number, id: number): Promise<void> {
  const doctor = await doctorOf(db, actor, therapistId);
  if (!(await deleteException(db, doctor.reflexo_id, therapistId, id))) throw new NotFound('Excepción no encontrada.');
  await recordAudit(db, { action: 'delete', entity: 'doctor_schedule_exceptions', entityId: id, reflexoId: doctor.reflexo_id });
}

export interface SlotAnswer {
  therapistId: number;
  from: string;
  to: string;
  timeZone: string;
  hasSchedule: boolean;
  slots: Slot[];
}

/**
 * Free slots of a doctor from `from` to `to` (inclusive, at most 31 days) in the clinic's zone, never
 * in the past. Four statements whatever the range: doctor + clock, blocks, exceptions, appointments.
 */
export async function availableSlots(db: Db, actor: Actor | null, therapistId: number, range: { from: string; to: string }): Promise<SlotAnswer> {
  const days = daysBetween(range.from, range.to).length;
  if (days === 0) throw new ValidationError([{ loc: ['query', 'to'], msg: 'La fecha final no puede ser anterior a la inicial', type: 'value_error', input: range.to }]);
  if (days > MAX_SLOT_RANGE_DAYS) throw new ValidationError([{ loc: ['query', 'to'], msg: `El rango no puede superar ${MAX_SLOT_RANGE_DAYS} días`, type: 'value_error', input: range.to }]);
  const doctor = await doctorOf(db, actor, therapistId);
  // One connection: the three reads go one after another (a Promise.all would queue on it anyway).
  const blocks = await selectSchedules(db, doctor.reflexo_id, therapistId);
  const exceptions = await selectExceptions(db, doctor.reflexo_id, therapistId, range);
  const busy = await busyIntervals(db, doctor.reflexo_id, therapistId, range.from, range.to);
  const slots = freeSlots({
    from: range.from,
    to: range.to,
    blocks: blocks.map((b) => ({ weekday: b.weekday, start: b.start_time, end: b.end_time, slotMinutes: b.slot_minutes, breaks: b.breaks.map((x) => ({ start: x.inicio, end: x.fin })) })),
    exceptions: exceptions.map((e) => ({ date: e.date, start: e.start_time, end: e.end_time })),
    busy,
    now: { date: doctor.today, time: doctor.now_time },
    timeZone: doctor.time_zone,
  });
  return { therapistId, from: range.from, to: range.to, timeZone: doctor.time_zone, hasSchedule: blocks.length > 0, slots };
}

/**
 * Whether [date hour, + duration) lies inside one of the doctor's schedule blocks for that weekday,
 * outside its breaks and exceptions. A doctor without any schedule accepts every time (Reflexo books
 * therapists that way); v1 booking calls this before inserting.
 */
export async function withinSchedule(db: Db, reflexoId: number, therapistId: number, date: string, hour: string, durationMinutes: number): Promise<boolean> {
  const blocks = await selectSchedules(db, reflexoId, therapistId);
  if (!blocks.length) return true;
  const exceptions = await selectExceptions(db, reflexoId, therapistId, { from: date, to: addDays(date, 1) });
  const s = minutesOf(hour);
  const e = s + durationMinutes;
  const weekday = isoWeekday(date);
  const off = exceptions.filter((x) => x.date === date);
  if (off.some((x) => x.start_time === null)) return false;
  if (off.some((x) => minutesOf(x.start_time!) < e && s < minutesOf(x.end_time!))) return false;
  return blocks.some(
    (b) =>
      b.weekday === weekday &&
      minutesOf(b.start_time) <= s &&
      e <= minutesOf(b.end_time) &&
      !b.breaks.some((x) => minutesOf(x.inicio) < e && s < minutesOf(x.fin)),
  );
}

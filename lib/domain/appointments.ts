import type { Db } from '../db/tenant';
import type { StatusKind, TicketStatus } from '../db/tables/scheduling';
import type { Actor } from '../auth/actor';
import { BadRequest, Conflict, type FieldIssue, Forbidden, NotFound, ValidationError } from '../errors';
import { isAdmin } from '../auth/actor';
import { recordAudit } from './audit';
import { readerScope, type CatalogRef } from './scheduling-scope';
import { tenantForWrite } from './tenancy';
import { amountToCharge, auditTicketOpened, changeTicket } from './tickets-open';
import { insertBookingWithTicket, lookUpReferences } from '../queries/booking';
import { tenantClock } from '../queries/tenant-clock';
import {
  appointmentQuery,
  countAppointments,
  selectAppointmentPage,
  deleteAppointment,
  findLivePatient,
  findStatusIdByKind,
  freeTherapists,
  lockAppointment,
  overlapping,
  updateAppointment,
  type AppointmentFilter,
  type AppointmentRow,
} from '../queries/appointments';
import { deleteTicket, ticketOfAppointment } from '../queries/tickets';
import { doctorContext, selectSchedules } from '../queries/schedules';
import { fromWallTime, isoWeekday, minutesOf, offsetMinutes, toWallTime } from '../time';
import { withinSchedule } from './schedules';

/*
 * Booking rules, for both surfaces. The database refuses overlapping live appointments of one
 * therapist or one room (exclusion constraints); this module maps that refusal to a 409, checks what a
 * constraint cannot (dates in the clinic's past, an active patient and therapist of the same clinic)
 * and keeps each appointment's ticket in step with it, all inside the request's single transaction.
 *
 * Inputs are in the clinic's own terms: a wall-clock date and hour in the clinic's time zone
 * (tenants.time_zone), a duration, a status by id, name or kind. Field errors name the input's
 * fields (`patient_id`, `date`…); each surface renames them to its own vocabulary.
 */

/** An appointment status named by id or name (a catalog row), or by the kind the rules know. */
export type StatusRef = CatalogRef | { kind: StatusKind };

/** What a booking or an edit may set. Absent: unchanged (edit) or the default (booking); null: cleared. */
export interface AppointmentInput {
  /** Global administrators name the clinic of a booking. */
  reflexo_id?: number | null;
  patient_id?: number;
  therapist_id?: number;
  /** 'YYYY-MM-DD' and 'HH:MM[:SS]' on the clinic's wall clock. */
  date?: string;
  hour?: string;
  /** Default 60, 5–720. */
  duration_minutes?: number;
  /** Default: the pending status. */
  status?: StatusRef;
  /** Why the patient comes (stored as `ailments`; v1's motivo_consulta). */
  reason?: string | null;
  contact_phone?: string | null;
  contact_email?: string | null;
  appointment_type?: string | null;
  room?: string | null;
  diagnosis?: string | null;
  surgeries?: string | null;
  reflexology_diagnostics?: string | null;
  medications?: string | null;
  observation?: string | null;
  initial_date?: string | null;
  final_date?: string | null;
  social_benefit?: boolean;
  payment_detail?: string | null;
  /** Decimal string; the ticket's amount while it is pending. */
  payment?: string | null;
  payment_type?: CatalogRef | null;
  /** The ticket's status seen from the appointment: a payment status with code pending, paid or cancelled. */
  payment_status?: CatalogRef;
}

export type BookingInput = AppointmentInput & Required<Pick<AppointmentInput, 'patient_id' | 'therapist_id' | 'date' | 'hour'>>;

/** An appointment with its patient, therapist, status, payment and ticket joined in. */
export type AppointmentRecord = AppointmentRow;

export interface Availability {
  available: boolean;
  date: string;
  hour: string;
  duration_minutes: number;
  therapist_id: number | null;
  room: string | null;
  /** Live appointments in the way (asked for a therapist or a room). */
  conflicts: { id: number; therapist_id: number; room: string | null; appointment_date: string; hour: string; duration_minutes: number }[];
  /** Therapists free at that time (asked for neither), else null. */
  free_therapists: { id: number; full_name: string }[] | null;
}

const notFound = () => new NotFound('Cita no encontrada.');

/** 23P01 from one of the no-overlap constraints → 409 naming what is taken. */
export function bookingConflict(err: unknown): unknown {
  const e = err as { code?: string; constraint?: string };
  if (e?.code !== '23P01') return err;
  const room = e.constraint === 'appointments_room_no_overlap';
  const detail = room ? 'La sala ya está ocupada en ese horario.' : 'El terapeuta ya tiene una cita en ese horario.';
  return new Conflict(detail, { code: room ? 'room_unavailable' : 'therapist_unavailable' });
}

async function record(db: Db, reflexoId: number | null, id: number): Promise<AppointmentRecord> {
  const row = await appointmentQuery(db, { reflexoId, id }).executeTakeFirst();
  if (!row) throw notFound();
  return row;
}

export async function listAppointments(db: Db, actor: Actor, f: Omit<AppointmentFilter, 'reflexoId'> & { page: number; size: number }) {
  const { page, size, ...rest } = f;
  const filter = { ...rest, reflexoId: readerScope(actor) };
  const found = await selectAppointmentPage(db, filter, size, (page - 1) * size);
  // An empty page carries no total (past the end, or nothing to list): count apart.
  const count = found.total ?? (await countAppointments(db, filter));
  return { rows: found.rows as AppointmentRecord[], count, page, size };
}

export const getAppointment = (db: Db, actor: Actor, id: number): Promise<AppointmentRecord> => record(db, readerScope(actor), id);

const normaliseHour = (h: string) => (h.length === 5 ? `${h}:00` : h);

async function clockOf(db: Db, reflexoId: number) {
  const clock = await tenantClock(db, reflexoId);
  if (!clock) throw ValidationError.field('reflexo_id', 'La clínica indicada no existe.', 'invalid');
  return clock;
}

/** "Past" is judged on the clinic's wall clock (tenants.time_zone). */
function pastIssues(clock: { today: string; now_time: string }, date: string, hour: string, where: 'body' | 'query' = 'body', dateField = 'date'): FieldIssue[] {
  if (date < clock.today) return [{ loc: [where, dateField], msg: 'No se pueden crear citas en fechas pasadas.', type: 'past_date', input: date }];
  if (date === clock.today && hour < clock.now_time) return [{ loc: [where, 'hour'], msg: 'La hora indicada ya pasó.', type: 'past_time', input: hour }];
  return [];
}

interface Resolved {
  statusId?: number;
  statusKind?: StatusKind | null;
  paymentTypeId?: number | null;
  /** The ticket's payment method for that payment type (its code, else its name). */
  paymentMethod?: string;
  /** The ticket status a sent payment_status asks for. */
  ticketStatus?: TicketStatus;
}

const TICKET_STATUSES = new Set<string>(['pending', 'paid', 'cancelled']);

/**
 * References checked in the clinic of the appointment, in one statement (with the clinic's clock and
 * the ticket statuses' ids when booking); every issue is collected into one 400.
 */
async function resolve(db: Db, reflexoId: number, v: AppointmentInput, also: { clock?: boolean; ticketStatusIds?: boolean } = {}) {
  const issues: FieldIssue[] = [];
  const add = (field: string, msg: string, input: unknown, type = 'invalid') => issues.push({ loc: ['body', field], msg, type, input });
  const refs: Resolved = {};
  const found = await lookUpReferences(db, reflexoId, {
    ...also,
    patientId: v.patient_id,
    therapistId: v.therapist_id,
    status: v.status,
    paymentType: v.payment_type ?? undefined,
    paymentStatus: v.payment_status,
  });
  if (also.clock && !found.clock) throw ValidationError.field('reflexo_id', 'La clínica indicada no existe.', 'invalid');
  if (v.patient_id !== undefined && !found.patient_id) add('patient_id', 'El paciente no existe o no está activo.', v.patient_id);
  if (v.therapist_id !== undefined && !found.therapist_id) add('therapist_id', 'El terapeuta no existe o no está activo.', v.therapist_id);
  if (v.status !== undefined) {
    const s = found.status;
    if (!s) {
      const msg = typeof v.status === 'string' ? `No existe un estado de cita activo llamado "${v.status}".` : 'El estado de cita no existe o está inactivo.';
      add('status', msg, v.status, 'does_not_exist');
    } else {
      refs.statusId = s.id;
      refs.statusKind = s.kind;
    }
  }
  if (v.payment_type === null) refs.paymentTypeId = null;
  else if (v.payment_type !== undefined) {
    const t = found.payment_type;
    if (!t) add('payment_type', typeof v.payment_type === 'string' ? `No existe un tipo de pago llamado "${v.payment_type}".` : 'El tipo de pago no existe.', v.payment_type, 'does_not_exist');
    else {
      refs.paymentTypeId = t.id;
      refs.paymentMethod = t.code ?? t.name;
    }
  }
  if (v.payment_status !== undefined) {
    const p = found.payment_status;
    if (!p) add('payment_status', typeof v.payment_status === 'string' ? `No existe un estado de pago llamado "${v.payment_status}".` : 'El estado de pago no existe.', v.payment_status, 'does_not_exist');
    else if (!p.code || !TICKET_STATUSES.has(p.code)) add('payment_status', 'El estado de pago de una cita es el de su ticket: Pendiente, Pagado o Cancelado.', v.payment_status);
    else refs.ticketStatus = p.code as TicketStatus;
  }
  return { issues, refs, clock: found.clock ?? null, ticketStatusIds: found.ticket_status_ids ?? {} };
}

/** Input fields → columns, in the order the audit log lists them (references resolved separately). */
function columns(v: AppointmentInput, refs: Resolved): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const map: [keyof AppointmentInput | 'status_id' | 'payment_type_id', string][] = [
    ['patient_id', 'patient_id'],
    ['therapist_id', 'therapist_id'],
    ['date', 'appointment_date'],
    ['hour', 'hour'],
    ['duration_minutes', 'duration_minutes'],
    ['status_id', 'appointment_status_id'],
    ['appointment_type', 'appointment_type'],
    ['room', 'room'],
    ['reason', 'ailments'],
    ['diagnosis', 'diagnosis'],
    ['surgeries', 'surgeries'],
    ['reflexology_diagnostics', 'reflexology_diagnostics'],
    ['medications', 'medications'],
    ['observation', 'observation'],
    ['initial_date', 'initial_date'],
    ['final_date', 'final_date'],
    ['social_benefit', 'social_benefit'],
    ['payment_detail', 'payment_detail'],
    ['payment', 'payment'],
    ['payment_type_id', 'payment_type_id'],
    ['contact_phone', 'contact_phone'],
    ['contact_email', 'contact_email'],
  ];
  const values: Record<string, unknown> = { ...v, status_id: refs.statusId, payment_type_id: refs.paymentTypeId };
  for (const [k, col] of map) if (values[k] !== undefined) out[col] = k === 'hour' ? normaliseHour(values[k] as string) : values[k];
  return out;
}

function datesIssue(v: { initial_date?: string | null; final_date?: string | null }): FieldIssue[] {
  return v.initial_date && v.final_date && v.final_date < v.initial_date
    ? [{ loc: ['body', 'final_date'], msg: 'La fecha final no puede ser anterior a la inicial.', type: 'invalid' }]
    : [];
}

export interface BookingOptions {
  /**
   * Refuse a time outside the therapist's weekly schedule (its blocks, breaks and date exceptions)
   * when the therapist has one; a therapist without a schedule takes any time. The v1 surface books
   * this way; the Reflexo agenda never had schedules and books any time.
   */
  withinSchedule?: boolean;
}

async function scheduleIssues(db: Db, reflexoId: number, therapistId: number, date: string, hour: string, duration: number): Promise<FieldIssue[]> {
  if (await withinSchedule(db, reflexoId, therapistId, date, hour, duration)) return [];
  return [{ loc: ['body', 'date'], msg: 'El horario pedido está fuera del horario de atención del doctor (bloques, descansos o excepciones de ese día).', type: 'outside_schedule', input: `${date} ${hour}` }];
}

/**
 * Books an appointment and opens its ticket in the same transaction. Overlaps are refused by
 * PostgreSQL (409 `therapist_unavailable` / `room_unavailable`), so concurrent bookings of one slot
 * cannot both win; the ticket number of a refused booking is given back with its rollback.
 */
export async function bookAppointment(db: Db, actor: Actor, input: BookingInput, opts: BookingOptions = {}): Promise<AppointmentRecord> {
  const reflexoId = tenantForWrite(actor, input.reflexo_id);
  const v: BookingInput = { ...input, hour: normaliseHour(input.hour), status: input.status ?? { kind: 'pending' } };
  // One read (references, the clinic's clock, the ticket statuses), one write that returns the record.
  const { issues, refs, clock, ticketStatusIds } = await resolve(db, reflexoId, v, { clock: true, ticketStatusIds: true });
  issues.push(...pastIssues(clock!, v.date, v.hour), ...datesIssue(v));
  if (opts.withinSchedule && !issues.some((i) => i.loc[1] === 'therapist_id')) issues.push(...(await scheduleIssues(db, reflexoId, v.therapist_id, v.date, v.hour, v.duration_minutes ?? 60)));
  if (issues.length) throw new ValidationError(issues);

  const cancelled = refs.statusKind === 'cancelled';
  const ticketStatus: TicketStatus = cancelled ? 'cancelled' : (refs.ticketStatus ?? 'pending');
  // Booked as already paid: it is paid with something, as mark_as_paid would be.
  const payment = ticketStatus === 'paid' ? await amountToCharge(db, reflexoId, [v.payment], v.appointment_type ?? null, 'payment') : v.payment;
  const values = { ...columns({ ...v, payment }, refs), reflexo_id: reflexoId, cancelled_at: cancelled ? new Date() : null, payment_status_id: ticketStatusIds[ticketStatus] ?? null };
  let booked: AppointmentRecord;
  try {
    booked = await insertBookingWithTicket(db, values as Parameters<typeof insertBookingWithTicket>[1], {
      amount: payment ?? 0,
      paymentMethod: refs.paymentMethod ?? 'cash',
      status: ticketStatus,
      paymentDate: ticketStatus === 'paid' ? new Date() : null,
      description: null,
    });
  } catch (err) {
    throw bookingConflict(err);
  }
  await recordAudit(db, { action: 'create', entity: 'appointments', entityId: booked.id, reflexoId, changedFields: Object.keys(columns(input, refs)) });
  await auditTicketOpened(db, reflexoId, booked.ticket_id!);
  return booked;
}

async function locked(db: Db, actor: Actor, id: number) {
  const row = await lockAppointment(db, id, readerScope(actor));
  if (!row) throw notFound();
  return row;
}

/**
 * The appointment's ticket after an edit. A sent payment status sets the ticket's status (paid:
 * charged as mark_as_paid would be). Otherwise a pending ticket follows the appointment's price,
 * method and cancellation; a paid or cancelled one is history.
 */
async function followTicket(
  db: Db,
  a: { id: number; reflexo_id: number; payment: string | null; appointment_type: string | null },
  v: { status?: TicketStatus; amount?: string | null; method?: string; cancel?: boolean },
): Promise<void> {
  const ticket = await ticketOfAppointment(db, a.id);
  if (!ticket) return;
  const status: TicketStatus = v.status ?? (v.cancel && ticket.status === 'pending' ? 'cancelled' : ticket.status);
  if (ticket.status !== 'pending' && status === ticket.status) return;
  const set: { status?: TicketStatus; amount?: string; payment_method?: string; payment_date?: Date | null } = {};
  if (status !== ticket.status) {
    set.status = status;
    set.payment_date = status === 'paid' ? new Date() : null;
  }
  if (status === 'paid') set.amount = await amountToCharge(db, a.reflexo_id, [v.amount, ticket.amount, a.payment], a.appointment_type, 'payment');
  else if (v.amount !== undefined) set.amount = v.amount ?? '0';
  if (v.method && v.method !== ticket.payment_method) set.payment_method = v.method;
  // The appointment's own price is already what it says; only a charged amount goes back to it.
  await changeTicket(db, ticket, set, status === 'cancelled' ? 'cancel' : status === 'paid' ? 'mark_paid' : 'update', { mirrorAmount: status === 'paid' });
}

/** Sets what `changes` carries; a surface whose PUT replaces the appointment sends its optional fields as null. */
export async function editAppointment(db: Db, actor: Actor, id: number, changes: AppointmentInput, opts: BookingOptions = {}): Promise<AppointmentRecord> {
  const current = await locked(db, actor, id);
  const { reflexo_id: _clinic, ...sent } = changes;
  const hour = sent.hour !== undefined ? normaliseHour(sent.hour) : current.hour;
  const date = sent.date ?? current.appointment_date;
  const duration = sent.duration_minutes ?? current.duration_minutes;
  const therapist = sent.therapist_id ?? current.therapist_id;
  const issues: FieldIssue[] = [];
  const moved = date !== current.appointment_date || hour !== current.hour || duration !== current.duration_minutes;
  if (moved) issues.push(...pastIssues(await clockOf(db, current.reflexo_id), date, hour));
  if (opts.withinSchedule && (moved || therapist !== current.therapist_id)) issues.push(...(await scheduleIssues(db, current.reflexo_id, therapist, date, hour, duration)));
  // Only references that change are checked: an appointment may keep a therapist since deactivated.
  const { issues: refIssues, refs } = await resolve(db, current.reflexo_id, {
    ...(sent.patient_id !== undefined && sent.patient_id !== current.patient_id ? { patient_id: sent.patient_id } : {}),
    ...(sent.therapist_id !== undefined && sent.therapist_id !== current.therapist_id ? { therapist_id: sent.therapist_id } : {}),
    status: sent.status,
    payment_type: sent.payment_type,
    payment_status: sent.payment_status,
  });
  issues.push(...refIssues);
  issues.push(...datesIssue({ initial_date: sent.initial_date !== undefined ? sent.initial_date : current.initial_date, final_date: sent.final_date !== undefined ? sent.final_date : current.final_date }));
  if (issues.length) throw new ValidationError(issues);

  const set = columns(sent, refs);
  const statusChanged = refs.statusId !== undefined && refs.statusId !== current.appointment_status_id;
  if (refs.statusId === current.appointment_status_id) delete set.appointment_status_id;
  const nowCancelled = statusChanged && refs.statusKind === 'cancelled';
  if (statusChanged) set.cancelled_at = nowCancelled ? new Date() : null;
  if (!Object.keys(set).length && refs.ticketStatus === undefined) return record(db, current.reflexo_id, id);
  if (Object.keys(set).length) {
    try {
      await updateAppointment(db, id, current.reflexo_id, set);
    } catch (err) {
      throw bookingConflict(err);
    }
    await recordAudit(db, { action: 'update', entity: 'appointments', entityId: id, reflexoId: current.reflexo_id, changedFields: Object.keys(set).filter((k) => k !== 'cancelled_at') });
  }
  await followTicket(
    db,
    { id, reflexo_id: current.reflexo_id, payment: sent.payment !== undefined ? sent.payment : current.payment, appointment_type: sent.appointment_type !== undefined ? sent.appointment_type : current.appointment_type },
    { status: refs.ticketStatus, amount: sent.payment, method: refs.paymentMethod, cancel: nowCancelled },
  );
  return record(db, current.reflexo_id, id);
}

export async function removeAppointment(db: Db, actor: Actor, id: number, hard: boolean): Promise<void> {
  const current = await locked(db, actor, id);
  if (hard) {
    // Erasing an appointment erases its payment record: clinic administrators only.
    if (!isAdmin(actor)) throw new Forbidden('Solo un administrador puede eliminar citas definitivamente.');
    const ticket = await ticketOfAppointment(db, id);
    if (ticket) {
      await deleteTicket(db, ticket.id, current.reflexo_id);
      await recordAudit(db, { action: 'delete', entity: 'tickets', entityId: ticket.id, reflexoId: current.reflexo_id });
    }
    await deleteAppointment(db, id, current.reflexo_id);
    await recordAudit(db, { action: 'delete', entity: 'appointments', entityId: id, reflexoId: current.reflexo_id, changedFields: ['hard'] });
    return;
  }
  await updateAppointment(db, id, current.reflexo_id, { deleted_at: new Date() });
  await recordAudit(db, { action: 'delete', entity: 'appointments', entityId: id, reflexoId: current.reflexo_id, changedFields: ['deleted_at'] });
  const ticket = await ticketOfAppointment(db, id);
  if (ticket) await changeTicket(db, ticket, { is_active: false, ...(ticket.status === 'pending' ? { status: 'cancelled' as const } : {}) }, 'delete');
}

export async function cancelAppointment(db: Db, actor: Actor, id: number, reason: string | null): Promise<AppointmentRecord> {
  const current = await locked(db, actor, id);
  if (current.cancelled_at !== null) throw new BadRequest('La cita ya está cancelada.', { code: 'appointment_cancelled' });
  const cancelled = await findStatusIdByKind(db, 'cancelled');
  await updateAppointment(db, id, current.reflexo_id, { ...(cancelled ? { appointment_status_id: cancelled.id } : {}), cancelled_at: new Date(), cancellation_reason: reason });
  await recordAudit(db, { action: 'cancel', entity: 'appointments', entityId: id, reflexoId: current.reflexo_id, changedFields: ['appointment_status', 'cancelled_at', 'cancellation_reason'] });
  await followTicket(db, current, { cancel: true });
  return record(db, current.reflexo_id, id);
}

export async function rescheduleAppointment(
  db: Db,
  actor: Actor,
  id: number,
  v: { date: string; hour: string; reason?: string | null; duration_minutes?: number; therapist_id?: number; room?: string | null },
): Promise<AppointmentRecord> {
  const current = await locked(db, actor, id);
  if (current.cancelled_at !== null) throw new BadRequest('No se puede reprogramar una cita cancelada.', { code: 'appointment_cancelled' });
  const hour = normaliseHour(v.hour);
  const issues = pastIssues(await clockOf(db, current.reflexo_id), v.date, hour);
  if (v.therapist_id !== undefined && v.therapist_id !== current.therapist_id) issues.push(...(await resolve(db, current.reflexo_id, { therapist_id: v.therapist_id })).issues);
  if (issues.length) throw new ValidationError(issues);
  const rescheduled = await findStatusIdByKind(db, 'rescheduled');
  const set = {
    appointment_date: v.date,
    hour,
    ...(rescheduled ? { appointment_status_id: rescheduled.id } : {}),
    reschedule_reason: v.reason ?? null,
    ...(v.duration_minutes !== undefined ? { duration_minutes: v.duration_minutes } : {}),
    ...(v.therapist_id !== undefined ? { therapist_id: v.therapist_id } : {}),
    ...(v.room !== undefined ? { room: v.room } : {}),
  };
  try {
    await updateAppointment(db, id, current.reflexo_id, set);
  } catch (err) {
    throw bookingConflict(err);
  }
  await recordAudit(db, { action: 'reschedule', entity: 'appointments', entityId: id, reflexoId: current.reflexo_id, changedFields: Object.keys(set) });
  return record(db, current.reflexo_id, id);
}

/** The question booking asks, without booking: is this therapist / room free, or who is free then. */
export async function checkAvailability(
  db: Db,
  actor: Actor,
  q: { date: string; hour: string; duration_minutes: number; therapist_id?: number; room?: string; exclude?: number; reflexo_id?: number },
): Promise<Availability> {
  const reflexoId = tenantForWrite(actor, q.reflexo_id);
  const hour = normaliseHour(q.hour);
  const past = pastIssues(await clockOf(db, reflexoId), q.date, hour, 'query');
  if (past.length) throw new ValidationError(past);
  const room = q.room?.trim() || null;
  const slot = { reflexoId, date: q.date, hour, durationMinutes: q.duration_minutes, therapistId: q.therapist_id, room, excludeId: q.exclude };
  const byTherapistOrRoom = q.therapist_id !== undefined || room !== null;
  const conflicts = byTherapistOrRoom ? await overlapping(db, slot) : [];
  const free = byTherapistOrRoom ? null : await freeTherapists(db, slot);
  return {
    available: byTherapistOrRoom ? conflicts.length === 0 : free!.length > 0,
    date: q.date,
    hour,
    duration_minutes: q.duration_minutes,
    therapist_id: q.therapist_id ?? null,
    room,
    conflicts,
    free_therapists: free,
  };
}

/* ---- instants: the v1 surface's `fecha_hora` ---------------------------------------------------- */

/**
 * When an appointment starts, as a client names it: an instant (an ISO timestamp with `Z` or an
 * offset), or a wall-clock date and hour of the clinic (a timestamp without offset). Appointments are
 * stored as the clinic's wall-clock date + hour (tenants.time_zone), what the Reflexo agenda shows.
 */
export type StartsAt = { instant: Date } | { wall: { date: string; hour: string } };

/** An appointment with the instant it starts at, judged in its clinic's time zone. */
export type ZonedAppointment = AppointmentRecord & { time_zone: string; starts_at: Date };

/** The instant a stored date + hour names in `timeZone` (a time skipped by a DST change: read with the offset before it). */
export function startsAtOf(a: { appointment_date: string; hour: string }, timeZone: string): Date {
  const wall = { date: a.appointment_date, time: normaliseHour(a.hour) };
  const found = fromWallTime(wall, timeZone);
  if (found) return found;
  const naive = Date.parse(`${wall.date}T${wall.time}Z`);
  return new Date(naive - offsetMinutes(new Date(naive - 86_400_000), timeZone) * 60_000);
}

/** The clinic's date + hour for a StartsAt; 422 on `date` for a wall-clock time that does not exist there (a DST gap). */
export function wallClockOf(at: StartsAt, timeZone: string): { date: string; hour: string } {
  if ('instant' in at) {
    const w = toWallTime(at.instant, timeZone);
    return { date: w.date, hour: w.time };
  }
  const hour = normaliseHour(at.wall.hour);
  if (!fromWallTime({ date: at.wall.date, time: hour }, timeZone)) {
    throw new ValidationError([{ loc: ['body', 'date'], msg: `Esa hora no existe en la zona horaria de la clínica (${timeZone}): cambio de horario de verano.`, type: 'value_error', input: `${at.wall.date} ${hour}` }]);
  }
  return { date: at.wall.date, hour };
}

/** Each record with its clinic's zone and its start instant: one query per distinct clinic (one for a clinic user). */
export async function zoneAppointments(db: Db, rows: (AppointmentRecord & { time_zone?: string })[]): Promise<ZonedAppointment[]> {
  // A list page's rows carry their clinic's zone (selectAppointmentPage); others cost one read per clinic.
  const zones = new Map<number, string>();
  for (const r of rows) if (r.time_zone) zones.set(r.reflexo_id, r.time_zone);
  for (const id of new Set(rows.map((r) => r.reflexo_id))) if (!zones.has(id)) zones.set(id, (await clockOf(db, id)).time_zone);
  // A day's agenda repeats a few start times: each is converted once (several Intl calls apiece).
  const starts = new Map<string, Date>();
  const startOf = (r: AppointmentRecord, zone: string) => {
    const key = `${zone} ${r.appointment_date} ${r.hour}`;
    let at = starts.get(key);
    if (!at) starts.set(key, (at = startsAtOf(r, zone)));
    return at;
  };
  return rows.map((r) => {
    const zone = zones.get(r.reflexo_id)!;
    return { ...r, time_zone: zone, starts_at: startOf(r, zone) };
  });
}

const zoneOne = async (db: Db, row: AppointmentRecord) => (await zoneAppointments(db, [row]))[0];

export const getZonedAppointment = async (db: Db, actor: Actor, id: number): Promise<ZonedAppointment> => zoneOne(db, await getAppointment(db, actor, id));

export type ZonedListFilter = Omit<AppointmentFilter, 'reflexoId'> & { page: number; size: number };

export async function listZonedAppointments(db: Db, actor: Actor, f: ZonedListFilter): Promise<{ rows: ZonedAppointment[]; count: number }> {
  const page = await listAppointments(db, actor, f);
  return { rows: await zoneAppointments(db, page.rows), count: page.count };
}

/** A doctor's appointments: 404 for a doctor that is not of the caller's clinic. */
export async function listDoctorAppointments(db: Db, actor: Actor, therapistId: number, f: ZonedListFilter) {
  if (!(await doctorContext(db, therapistId, readerScope(actor)))) throw new NotFound('Doctor no encontrado.');
  return listZonedAppointments(db, actor, { ...f, therapistId });
}

/** A patient's appointments: 404 for a patient that is not of the caller's clinic. */
export async function listPatientAppointments(db: Db, actor: Actor, patientId: number, f: ZonedListFilter) {
  const scope = readerScope(actor);
  if (scope !== null && !(await findLivePatient(db, patientId, scope))) throw new NotFound('Paciente no encontrado.');
  return listZonedAppointments(db, actor, { ...f, patientId });
}

/** The slot length of the schedule block covering that time (weekday, start ≤ hour < end), else null. */
async function slotLengthAt(db: Db, reflexoId: number, therapistId: number, date: string, hour: string): Promise<number | null> {
  const m = minutesOf(hour);
  const weekday = isoWeekday(date);
  const block = (await selectSchedules(db, reflexoId, therapistId)).find((b) => b.weekday === weekday && minutesOf(b.start_time) <= m && m < minutesOf(b.end_time));
  return block?.slot_minutes ?? null;
}

export type TimedBooking = Omit<BookingInput, 'date' | 'hour'> & { at: StartsAt };

/**
 * A booking named by its start (v1): converted to the clinic's date + hour, the duration defaulting
 * to the slot length of the doctor's schedule block covering that time (else 60), booked through
 * bookAppointment inside the doctor's schedule when there is one.
 */
export async function bookAt(db: Db, actor: Actor, input: TimedBooking): Promise<ZonedAppointment> {
  const { at, ...rest } = input;
  const reflexoId = tenantForWrite(actor, input.reflexo_id);
  const { time_zone } = await clockOf(db, reflexoId);
  const { date, hour } = wallClockOf(at, time_zone);
  const duration = rest.duration_minutes ?? (await slotLengthAt(db, reflexoId, rest.therapist_id, date, hour)) ?? 60;
  return zoneOne(db, await bookAppointment(db, actor, { ...rest, date, hour, duration_minutes: duration }, { withinSchedule: true }));
}

/** An edit that may move the start (v1): the duration is kept unless sent; the new time must be inside the doctor's schedule. */
export async function editAt(db: Db, actor: Actor, id: number, changes: Omit<AppointmentInput, 'date' | 'hour'> & { at?: StartsAt }): Promise<ZonedAppointment> {
  const { at, ...rest } = changes;
  let when = {};
  if (at) {
    const current = await getAppointment(db, actor, id);
    when = wallClockOf(at, (await clockOf(db, current.reflexo_id)).time_zone);
  }
  return zoneOne(db, await editAppointment(db, actor, id, { ...rest, ...when }, { withinSchedule: true }));
}

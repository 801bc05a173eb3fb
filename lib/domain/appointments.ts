import type { Db } from '../db/tenant';
import type { StatusKind } from '../db/tables/scheduling';
import type { Actor } from '../auth/actor';
import { AppError, Conflict, type FieldIssue, Forbidden, NotFound, ValidationError } from '../errors';
import { isAdmin } from '../auth/actor';
import { recordAudit } from './audit';
import { readerScope } from './scheduling-scope';
import { tenantForWrite } from './tenancy';
import { openTicket } from './tickets-open';
import { tenantClock } from '../queries/tenant-clock';
import {
  appointmentQuery,
  countAppointments,
  deleteAppointment,
  findLivePatient,
  findLiveStatus,
  findLiveTherapist,
  findPaymentStatus,
  findPaymentType,
  findStatusIdByKind,
  freeTherapists,
  insertAppointment,
  lockAppointment,
  overlapping,
  updateAppointment,
  type AppointmentFilter,
  type AppointmentRow,
} from '../queries/appointments';
import { deleteTicket, ticketOfAppointment, updateTicket } from '../queries/tickets';

/*
 * Booking rules. The database refuses overlapping live appointments of one therapist or one room
 * (exclusion constraints); this module maps that refusal to a 409, checks what a constraint cannot
 * (dates in the clinic's past, active patient/therapist of the same clinic) and keeps each
 * appointment's ticket in step with it, all inside the request's single transaction.
 */

export interface AppointmentInput {
  reflexo_id?: number | null;
  patient: number;
  therapist: number;
  appointment_date: string;
  hour: string;
  duration_minutes?: number;
  appointment_status?: number;
  appointment_type?: string | null;
  room?: string | null;
  ailments?: string | null;
  diagnosis?: string | null;
  surgeries?: string | null;
  reflexology_diagnostics?: string | null;
  medications?: string | null;
  observation?: string | null;
  initial_date?: string | null;
  final_date?: string | null;
  social_benefit?: boolean;
  payment_detail?: string | null;
  payment?: string | null;
  payment_type?: number | null;
  payment_status?: number | null;
}

const notFound = () => new NotFound('Cita no encontrada.');

export function appointmentView(a: AppointmentRow) {
  return {
    id: a.id,
    patient: { id: a.patient_id, name: a.patient_name, paternal_lastname: a.patient_paternal_lastname, document_number: a.patient_document_number },
    therapist: {
      id: a.therapist_id,
      first_name: a.therapist_first_name,
      last_name_paternal: a.therapist_last_name_paternal,
      document_number: a.therapist_document_number,
    },
    appointment_date: a.appointment_date,
    hour: a.hour,
    duration_minutes: a.duration_minutes,
    appointment_status: { id: a.appointment_status_id, name: a.status_name },
    appointment_type: a.appointment_type,
    room: a.room,
    ailments: a.ailments,
    diagnosis: a.diagnosis,
    surgeries: a.surgeries,
    reflexology_diagnostics: a.reflexology_diagnostics,
    medications: a.medications,
    observation: a.observation,
    initial_date: a.initial_date,
    final_date: a.final_date,
    social_benefit: a.social_benefit,
    payment_detail: a.payment_detail,
    payment: a.payment,
    payment_type: a.payment_type_id === null ? null : { id: a.payment_type_id, name: a.payment_type_name ?? '' },
    payment_status: a.payment_status_id === null ? null : { id: a.payment_status_id, name: a.payment_status_name ?? '' },
    ticket_number: a.ticket_number,
    is_cancelled: a.cancelled_at !== null,
    cancelled_at: a.cancelled_at,
    cancellation_reason: a.cancellation_reason,
    reschedule_reason: a.reschedule_reason,
    reflexo_id: a.reflexo_id,
    created_at: a.created_at,
    updated_at: a.updated_at,
  };
}

/** 23P01 from one of the no-overlap constraints → 409 naming what is taken. */
export function bookingConflict(err: unknown): unknown {
  const e = err as { code?: string; constraint?: string };
  if (e?.code !== '23P01') return err;
  const room = e.constraint === 'appointments_room_no_overlap';
  const detail = room ? 'La sala ya está ocupada en ese horario.' : 'El terapeuta ya tiene una cita en ese horario.';
  return new Conflict(detail, { code: room ? 'room_unavailable' : 'therapist_unavailable' });
}

async function view(db: Db, reflexoId: number | null, id: number) {
  const row = await appointmentQuery(db, { reflexoId, id }).executeTakeFirst();
  if (!row) throw notFound();
  return appointmentView(row);
}

export async function listAppointments(db: Db, actor: Actor, f: Omit<AppointmentFilter, 'reflexoId'> & { page: number; size: number }) {
  const { page, size, ...rest } = f;
  const filter = { ...rest, reflexoId: readerScope(actor) };
  const count = await countAppointments(db, filter);
  const rows = count > (page - 1) * size ? await appointmentQuery(db, filter).limit(size).offset((page - 1) * size).execute() : [];
  return { rows: rows.map(appointmentView), count, page, size };
}

export const getAppointment = (db: Db, actor: Actor, id: number) => view(db, readerScope(actor), id);

const normaliseHour = (h: string) => (h.length === 5 ? `${h}:00` : h);

async function clockOf(db: Db, reflexoId: number) {
  const clock = await tenantClock(db, reflexoId);
  if (!clock) throw ValidationError.field('reflexo_id', 'La clínica indicada no existe.', 'invalid');
  return clock;
}

/** "Past" is judged on the clinic's wall clock (tenants.time_zone). */
function pastIssues(clock: { today: string; now_time: string }, date: string, hour: string, dateField = 'appointment_date'): FieldIssue[] {
  if (date < clock.today) return [{ loc: ['body', dateField], msg: 'No se pueden crear citas en fechas pasadas.', type: 'past_date' }];
  if (date === clock.today && hour < clock.now_time) return [{ loc: ['body', 'hour'], msg: 'La hora indicada ya pasó.', type: 'past_time' }];
  return [];
}

/** References checked in the clinic of the appointment; issues are collected into one 400. */
async function referenceIssues(db: Db, reflexoId: number, v: Partial<AppointmentInput>): Promise<{ issues: FieldIssue[]; statusKind: StatusKind | null; paymentMethod: string | null }> {
  const issues: FieldIssue[] = [];
  const add = (field: string, msg: string) => issues.push({ loc: ['body', field], msg, type: 'invalid' });
  if (v.patient !== undefined && !(await findLivePatient(db, v.patient, reflexoId))) add('patient', 'El paciente no existe o no está activo.');
  if (v.therapist !== undefined && !(await findLiveTherapist(db, v.therapist, reflexoId))) add('therapist', 'El terapeuta no existe o no está activo.');
  let statusKind: StatusKind | null = null;
  if (v.appointment_status !== undefined) {
    const s = await findLiveStatus(db, v.appointment_status);
    if (!s) add('appointment_status', 'El estado de cita no existe o está inactivo.');
    else statusKind = s.kind;
  }
  let paymentMethod: string | null = null;
  if (v.payment_type !== undefined && v.payment_type !== null) {
    const t = await findPaymentType(db, v.payment_type);
    if (!t) add('payment_type', 'El tipo de pago no existe.');
    else paymentMethod = t.code ?? t.name;
  }
  if (v.payment_status !== undefined && v.payment_status !== null && !(await findPaymentStatus(db, v.payment_status))) add('payment_status', 'El estado de pago no existe.');
  return { issues, statusKind, paymentMethod };
}

const clinicalColumns = (v: Partial<AppointmentInput>) => {
  const out: Record<string, unknown> = {};
  const map: [keyof AppointmentInput, string][] = [
    ['patient', 'patient_id'],
    ['therapist', 'therapist_id'],
    ['appointment_date', 'appointment_date'],
    ['hour', 'hour'],
    ['duration_minutes', 'duration_minutes'],
    ['appointment_status', 'appointment_status_id'],
    ['appointment_type', 'appointment_type'],
    ['room', 'room'],
    ['ailments', 'ailments'],
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
    ['payment_type', 'payment_type_id'],
    ['payment_status', 'payment_status_id'],
  ];
  for (const [k, col] of map) if (v[k] !== undefined) out[col] = k === 'hour' ? normaliseHour(v[k] as string) : v[k];
  return out;
};

function datesIssue(v: { initial_date?: string | null; final_date?: string | null }): FieldIssue[] {
  return v.initial_date && v.final_date && v.final_date < v.initial_date
    ? [{ loc: ['body', 'final_date'], msg: 'La fecha final no puede ser anterior a la inicial.', type: 'invalid' }]
    : [];
}

export async function bookAppointment(db: Db, actor: Actor, body: AppointmentInput) {
  const reflexoId = tenantForWrite(actor, body.reflexo_id);
  const clock = await clockOf(db, reflexoId);
  const statusId = body.appointment_status ?? (await findStatusIdByKind(db, 'pending')).id;
  const input = { ...body, appointment_status: statusId, hour: normaliseHour(body.hour) };
  const refs = await referenceIssues(db, reflexoId, input);
  const issues = [...pastIssues(clock, input.appointment_date, input.hour), ...refs.issues, ...datesIssue(input)];
  if (issues.length) throw new ValidationError(issues);

  const cancelled = refs.statusKind === 'cancelled';
  let id: number;
  try {
    ({ id } = await insertAppointment(db, {
      ...(clinicalColumns(input) as Parameters<typeof insertAppointment>[1]),
      reflexo_id: reflexoId,
      cancelled_at: cancelled ? new Date() : null,
    }));
  } catch (err) {
    throw bookingConflict(err);
  }
  await recordAudit(db, { action: 'create', entity: 'appointments', entityId: id, reflexoId, changedFields: Object.keys(clinicalColumns(body)) });
  const paidCode = input.payment_status ? (await findPaymentStatus(db, input.payment_status))?.code : null;
  await openTicket(db, reflexoId, id, {
    amount: input.payment ?? 0,
    paymentMethod: refs.paymentMethod ?? 'cash',
    status: cancelled ? 'cancelled' : paidCode === 'paid' ? 'paid' : 'pending',
  });
  return view(db, reflexoId, id);
}

async function locked(db: Db, actor: Actor, id: number) {
  const row = await lockAppointment(db, id, readerScope(actor));
  if (!row) throw notFound();
  return row;
}

/** A pending ticket follows its appointment's price, method and cancellation; a paid one is history. */
async function syncTicket(db: Db, appointmentId: number, reflexoId: number, v: { amount?: string | null; method?: string | null; cancel?: boolean }) {
  const ticket = await ticketOfAppointment(db, appointmentId);
  if (!ticket || ticket.status !== 'pending') return;
  const set: Record<string, unknown> = {};
  if (v.amount !== undefined) set.amount = v.amount ?? 0;
  if (v.method) set.payment_method = v.method;
  if (v.cancel) set.status = 'cancelled';
  if (!Object.keys(set).length) return;
  await updateTicket(db, ticket.id, reflexoId, set);
  await recordAudit(db, { action: v.cancel ? 'cancel' : 'update', entity: 'tickets', entityId: ticket.id, reflexoId, changedFields: Object.keys(set) });
}

export async function editAppointment(db: Db, actor: Actor, id: number, body: Partial<AppointmentInput>, full: boolean) {
  const current = await locked(db, actor, id);
  const { reflexo_id: _ignored, ...sent } = body;
  const changes = full
    ? {
        appointment_type: null,
        room: null,
        ailments: null,
        diagnosis: null,
        surgeries: null,
        reflexology_diagnostics: null,
        medications: null,
        observation: null,
        initial_date: null,
        final_date: null,
        payment_detail: null,
        payment: null,
        payment_type: null,
        payment_status: null,
        ...sent,
      }
    : sent;
  const hour = changes.hour !== undefined ? normaliseHour(changes.hour) : current.hour;
  const date = changes.appointment_date ?? current.appointment_date;
  const issues: FieldIssue[] = [];
  if (date !== current.appointment_date || hour !== current.hour || (changes.duration_minutes ?? current.duration_minutes) !== current.duration_minutes) {
    issues.push(...pastIssues(await clockOf(db, current.reflexo_id), date, hour));
  }
  const refs = await referenceIssues(db, current.reflexo_id, {
    ...(changes.patient !== undefined && changes.patient !== current.patient_id ? { patient: changes.patient } : {}),
    ...(changes.therapist !== undefined && changes.therapist !== current.therapist_id ? { therapist: changes.therapist } : {}),
    ...(changes.appointment_status !== undefined && changes.appointment_status !== current.appointment_status_id ? { appointment_status: changes.appointment_status } : {}),
    payment_type: changes.payment_type,
    payment_status: changes.payment_status,
  });
  issues.push(...refs.issues);
  issues.push(...datesIssue({ initial_date: changes.initial_date !== undefined ? changes.initial_date : current.initial_date, final_date: changes.final_date !== undefined ? changes.final_date : current.final_date }));
  if (issues.length) throw new ValidationError(issues);

  const set: Record<string, unknown> = clinicalColumns(changes);
  const statusChanged = changes.appointment_status !== undefined && changes.appointment_status !== current.appointment_status_id;
  const nowCancelled = statusChanged && refs.statusKind === 'cancelled';
  if (statusChanged) set.cancelled_at = nowCancelled ? new Date() : null;
  if (!Object.keys(set).length) return view(db, current.reflexo_id, id);
  try {
    await updateAppointment(db, id, current.reflexo_id, set);
  } catch (err) {
    throw bookingConflict(err);
  }
  await recordAudit(db, { action: 'update', entity: 'appointments', entityId: id, reflexoId: current.reflexo_id, changedFields: Object.keys(clinicalColumns(sent)) });
  await syncTicket(db, id, current.reflexo_id, {
    amount: changes.payment !== undefined ? changes.payment : undefined,
    method: refs.paymentMethod,
    cancel: nowCancelled,
  });
  return view(db, current.reflexo_id, id);
}

export async function removeAppointment(db: Db, actor: Actor, id: number, hard: boolean) {
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
  const ticket = await ticketOfAppointment(db, id);
  if (ticket) await updateTicket(db, ticket.id, current.reflexo_id, { is_active: false, ...(ticket.status === 'pending' ? { status: 'cancelled' } : {}) });
  await recordAudit(db, { action: 'delete', entity: 'appointments', entityId: id, reflexoId: current.reflexo_id, changedFields: ['deleted_at'] });
}

export async function cancelAppointment(db: Db, actor: Actor, id: number, reason: string | null) {
  const current = await locked(db, actor, id);
  if (current.cancelled_at !== null) throw new AppError(400, 'La cita ya está cancelada.');
  const cancelled = await findStatusIdByKind(db, 'cancelled');
  await updateAppointment(db, id, current.reflexo_id, { appointment_status_id: cancelled.id, cancelled_at: new Date(), cancellation_reason: reason });
  await recordAudit(db, { action: 'cancel', entity: 'appointments', entityId: id, reflexoId: current.reflexo_id, changedFields: ['appointment_status', 'cancelled_at', 'cancellation_reason'] });
  await syncTicket(db, id, current.reflexo_id, { cancel: true });
  return view(db, current.reflexo_id, id);
}

export async function rescheduleAppointment(
  db: Db,
  actor: Actor,
  id: number,
  body: { appointment_date: string; hour: string; reason?: string | null; duration_minutes?: number; therapist?: number; room?: string | null },
) {
  const current = await locked(db, actor, id);
  if (current.cancelled_at !== null) throw new AppError(400, 'No se puede reprogramar una cita cancelada.');
  const hour = normaliseHour(body.hour);
  const issues = pastIssues(await clockOf(db, current.reflexo_id), body.appointment_date, hour);
  if (body.therapist !== undefined && body.therapist !== current.therapist_id) issues.push(...(await referenceIssues(db, current.reflexo_id, { therapist: body.therapist })).issues);
  if (issues.length) throw new ValidationError(issues);
  const rescheduled = await findStatusIdByKind(db, 'rescheduled');
  const set = {
    appointment_date: body.appointment_date,
    hour,
    appointment_status_id: rescheduled.id,
    reschedule_reason: body.reason ?? null,
    ...(body.duration_minutes !== undefined ? { duration_minutes: body.duration_minutes } : {}),
    ...(body.therapist !== undefined ? { therapist_id: body.therapist } : {}),
    ...(body.room !== undefined ? { room: body.room } : {}),
  };
  try {
    await updateAppointment(db, id, current.reflexo_id, set);
  } catch (err) {
    throw bookingConflict(err);
  }
  await recordAudit(db, { action: 'reschedule', entity: 'appointments', entityId: id, reflexoId: current.reflexo_id, changedFields: Object.keys(set) });
  return view(db, current.reflexo_id, id);
}

export async function checkAvailability(
  db: Db,
  actor: Actor,
  q: { date: string; hour: string; duration_minutes: number; therapist?: number; room?: string; exclude?: number; reflexo_id?: number },
) {
  const reflexoId = tenantForWrite(actor, q.reflexo_id);
  const hour = normaliseHour(q.hour);
  const past = pastIssues(await clockOf(db, reflexoId), q.date, hour, 'date');
  if (past.length) throw new ValidationError(past.map((i) => ({ ...i, loc: ['query', ...i.loc.slice(1)] })));
  const slot = { reflexoId, date: q.date, hour, durationMinutes: q.duration_minutes, therapistId: q.therapist, room: q.room, excludeId: q.exclude };
  const byTherapistOrRoom = q.therapist !== undefined || !!q.room?.trim();
  const conflicts = byTherapistOrRoom ? await overlapping(db, slot) : [];
  const free = byTherapistOrRoom ? null : await freeTherapists(db, slot);
  return {
    available: byTherapistOrRoom ? conflicts.length === 0 : free!.length > 0,
    date: q.date,
    hour,
    duration_minutes: q.duration_minutes,
    therapist: q.therapist ?? null,
    room: q.room?.trim() || null,
    conflicts: conflicts.map((c) => ({ id: c.id, therapist: c.therapist_id, room: c.room, appointment_date: c.appointment_date, hour: c.hour, duration_minutes: c.duration_minutes })),
    available_therapists: free,
  };
}


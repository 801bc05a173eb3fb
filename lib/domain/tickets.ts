import type { Db } from '../db/tenant';
import type { TicketStatus } from '../db/tables/scheduling';
import type { Actor } from '../auth/actor';
import { AppError, BadRequest, Conflict, NotFound, ValidationError } from '../errors';
import { recordAudit } from './audit';
import { readerScope } from './scheduling-scope';
import { openTicket } from './tickets-open';
import { lockAppointment, updateAppointment } from '../queries/appointments';
import {
  countTickets,
  deleteTicket,
  lockTicket,
  paymentStatusIdByCode,
  resolvePaymentMethod,
  ticketOfAppointment,
  ticketQuery,
  ticketStatistics,
  updateTicket,
  type TicketFilter,
  type TicketRow,
} from '../queries/tickets';

/*
 * Tickets: the payment record of an appointment. They are born with their appointment (booking);
 * here they are paid, cancelled, corrected and, by administrators, erased. A ticket's status and
 * amount are mirrored on its appointment (payment_status, payment) so cash reports that read either
 * agree. Every write is audited.
 */

const notFound = () => new NotFound('Ticket no encontrado.');

export function ticketView(t: TicketRow) {
  return {
    id: t.id,
    ticket_number: t.ticket_number,
    appointment: {
      id: t.appointment_id,
      patient: { id: t.patient_id, name: t.patient_name, paternal_lastname: t.patient_paternal_lastname },
      therapist: { id: t.therapist_id, first_name: t.therapist_first_name, last_name_paternal: t.therapist_last_name_paternal },
      appointment_date: t.appointment_date,
      hour: t.hour,
    },
    amount: t.amount,
    payment_method: t.payment_method,
    payment_date: t.payment_date,
    status: t.status,
    description: t.description,
    is_active: t.is_active,
    reflexo_id: t.reflexo_id,
    created_at: t.created_at,
    updated_at: t.updated_at,
  };
}

export const ticketSummary = (t: TicketRow) => ({
  id: t.id,
  ticket_number: t.ticket_number,
  amount: t.amount,
  payment_method: t.payment_method,
  status: t.status,
  payment_date: t.payment_date,
});

async function one(db: Db, reflexoId: number | null, id: number) {
  const row = await ticketQuery(db, { reflexoId, id }).executeTakeFirst();
  if (!row) throw notFound();
  return row;
}

async function locked(db: Db, actor: Actor, id: number) {
  const t = await lockTicket(db, id, readerScope(actor));
  if (!t) throw notFound();
  return t;
}

export async function listTickets(db: Db, actor: Actor, f: Omit<TicketFilter, 'reflexoId'> & { page: number; size: number }, summary = false) {
  const { page, size, ...rest } = f;
  const filter = { ...rest, reflexoId: readerScope(actor) };
  const count = await countTickets(db, filter);
  const rows = count > (page - 1) * size ? await ticketQuery(db, filter).limit(size).offset((page - 1) * size).execute() : [];
  return { rows: rows.map((r) => (summary ? ticketSummary(r) : ticketView(r))), count, page, size };
}

export const getTicket = async (db: Db, actor: Actor, id: number) => ticketView(await one(db, readerScope(actor), id));

async function paymentMethod(db: Db, method: string, field = 'payment_method'): Promise<string> {
  const resolved = await resolvePaymentMethod(db, method);
  if (!resolved) throw ValidationError.field(field, 'Método de pago inválido. Use cash, card, transfer o un tipo de pago configurado.', 'invalid_choice');
  return resolved;
}

/** The appointment mirrors its ticket: payment status by code, and the amount as its price. */
async function mirrorOnAppointment(db: Db, appointmentId: number, reflexoId: number, v: { status?: TicketStatus; amount?: string }) {
  const set: { payment_status_id?: number; payment?: string } = {};
  if (v.status) {
    const ps = await paymentStatusIdByCode(db, v.status);
    if (ps) set.payment_status_id = ps.id;
  }
  if (v.amount !== undefined) set.payment = v.amount;
  if (Object.keys(set).length) await updateAppointment(db, appointmentId, reflexoId, set);
}

/** Deprecated route (tickets are created with their appointment), kept for old clients. */
export async function createTicketForAppointment(
  db: Db,
  actor: Actor,
  body: { appointment: number; amount: string; payment_method: string; status?: TicketStatus; description?: string | null },
) {
  const appointment = await lockAppointment(db, body.appointment, readerScope(actor));
  if (!appointment) throw ValidationError.field('appointment', 'La cita no existe o no está activa.', 'does_not_exist');
  if (await ticketOfAppointment(db, appointment.id)) throw new Conflict('La cita ya tiene un ticket.', { fields: { appointment: ['La cita ya tiene un ticket.'] } });
  const method = await paymentMethod(db, body.payment_method);
  const { id } = await openTicket(db, appointment.reflexo_id, appointment.id, { amount: body.amount, paymentMethod: method, status: body.status, description: body.description });
  await mirrorOnAppointment(db, appointment.id, appointment.reflexo_id, { status: body.status ?? 'pending', amount: body.amount });
  return ticketView(await one(db, appointment.reflexo_id, id));
}

export async function editTicket(
  db: Db,
  actor: Actor,
  id: number,
  body: { amount?: string; payment_method?: string; status?: TicketStatus; description?: string | null; is_active?: boolean },
  full: boolean,
) {
  const t = await locked(db, actor, id);
  const changes = full ? { description: null, ...body } : body;
  const set: Record<string, unknown> = {};
  if (changes.amount !== undefined) set.amount = changes.amount;
  if (changes.payment_method !== undefined) set.payment_method = await paymentMethod(db, changes.payment_method);
  if (changes.description !== undefined) set.description = changes.description;
  if (changes.is_active !== undefined) set.is_active = changes.is_active;
  if (changes.status !== undefined && changes.status !== t.status) {
    set.status = changes.status;
    set.payment_date = changes.status === 'paid' ? new Date() : null;
  }
  if (Object.keys(set).length) {
    await updateTicket(db, id, t.reflexo_id, set);
    await recordAudit(db, { action: 'update', entity: 'tickets', entityId: id, reflexoId: t.reflexo_id, changedFields: Object.keys(set) });
    await mirrorOnAppointment(db, t.appointment_id, t.reflexo_id, { status: set.status as TicketStatus | undefined, amount: changes.amount });
  }
  return ticketView(await one(db, t.reflexo_id, id));
}

export async function removeTicket(db: Db, actor: Actor, id: number) {
  const t = await locked(db, actor, id);
  await deleteTicket(db, id, t.reflexo_id);
  await recordAudit(db, { action: 'delete', entity: 'tickets', entityId: id, reflexoId: t.reflexo_id, changedFields: ['hard'] });
}

export async function markTicketPaid(db: Db, actor: Actor, id: number) {
  const t = await locked(db, actor, id);
  if (t.status === 'cancelled') throw new AppError(400, 'No se puede marcar como pagado un ticket cancelado.');
  if (Number(t.amount) <= 0) throw new AppError(400, 'El ticket no tiene monto: registre el monto antes de marcarlo como pagado.');
  if (t.status !== 'paid') {
    await updateTicket(db, id, t.reflexo_id, { status: 'paid', payment_date: new Date() });
    await recordAudit(db, { action: 'mark_paid', entity: 'tickets', entityId: id, reflexoId: t.reflexo_id, changedFields: ['status', 'payment_date'] });
    await mirrorOnAppointment(db, t.appointment_id, t.reflexo_id, { status: 'paid' });
  }
  const fresh = await one(db, t.reflexo_id, id);
  return { message: 'Ticket marcado como pagado', ticket: { id, ticket_number: fresh.ticket_number, status: fresh.status, payment_date: fresh.payment_date } };
}

export async function markTicketCancelled(db: Db, actor: Actor, id: number) {
  const t = await locked(db, actor, id);
  if (t.status === 'paid') throw new AppError(400, 'No se puede cancelar un ticket pagado.');
  if (t.status !== 'cancelled') {
    await updateTicket(db, id, t.reflexo_id, { status: 'cancelled' });
    await recordAudit(db, { action: 'cancel', entity: 'tickets', entityId: id, reflexoId: t.reflexo_id, changedFields: ['status'] });
    await mirrorOnAppointment(db, t.appointment_id, t.reflexo_id, { status: 'cancelled' });
  }
  return { message: 'Ticket marcado como cancelado', ticket: { id, ticket_number: t.ticket_number, status: 'cancelled' as const } };
}

/** by_payment_method: `payment_method` or its alias `method`, with the contract's 400 bodies. */
export async function ticketsByPaymentMethod(db: Db, actor: Actor, q: { payment_method?: string; method?: string; page: number; size: number }) {
  const wanted = (q.payment_method ?? q.method ?? '').trim();
  if (!wanted) throw new BadRequest('Se requiere payment_method (o alias: method)', { code: 'payment_method_required' });
  const resolved = await resolvePaymentMethod(db, wanted);
  if (!resolved) throw new BadRequest(`Método de pago inválido: ${wanted}. Métodos válidos: cash, card, transfer o un tipo de pago configurado.`, { code: 'payment_method_invalid' });
  return listTickets(db, actor, { paymentMethod: resolved, page: q.page, size: q.size });
}

export async function ticketByNumber(db: Db, actor: Actor, number: string | undefined, error: string) {
  if (!number?.trim()) throw new BadRequest(error, { code: 'ticket_number_required' });
  const row = await ticketQuery(db, { reflexoId: readerScope(actor), ticketNumber: number.trim() }).executeTakeFirst();
  if (!row) throw notFound();
  return ticketView(row);
}

export async function ticketStats(db: Db, actor: Actor) {
  const s = await ticketStatistics(db, readerScope(actor));
  return {
    total_tickets: s.total_tickets,
    paid_tickets: s.paid_tickets,
    pending_tickets: s.pending_tickets,
    cancelled_tickets: s.cancelled_tickets,
    paid_percentage: s.total_tickets ? Math.round((s.paid_tickets * 10000) / s.total_tickets) / 100 : 0,
    total_amount_paid: s.total_amount_paid,
  };
}

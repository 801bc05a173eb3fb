import type { Db } from '../db/tenant';
import type { TicketStatus } from '../db/tables/scheduling';
import type { Actor } from '../auth/actor';
import { BadRequest, Conflict, NotFound, ValidationError } from '../errors';
import { recordAudit } from './audit';
import { readerScope } from './scheduling-scope';
import { amountToCharge, changeTicket, mirrorOnAppointment, openTicket } from './tickets-open';
import { lockAppointment } from '../queries/appointments';
import {
  appointmentPrice,
  countTickets,
  deleteTicket,
  lockTicket,
  resolvePaymentMethod,
  ticketOfAppointment,
  ticketQuery,
  ticketStatistics,
  type TicketFilter,
  type TicketRow,
} from '../queries/tickets';

/*
 * Tickets: the payment record of an appointment. They are born with their appointment (booking);
 * here they are paid, cancelled, corrected and, by administrators, erased. A ticket's status and
 * amount are mirrored on its appointment (payment_status, payment) so cash reports that read either
 * agree. Every write is audited. Amounts are exact decimal strings; each surface renders them.
 */

/** A ticket with the appointment, patient and therapist it belongs to. */
export type TicketRecord = TicketRow;

export interface TicketChanges {
  amount?: string;
  payment_method?: string;
  status?: TicketStatus;
  description?: string | null;
  is_active?: boolean;
}

const notFound = () => new NotFound('Ticket no encontrado.');

async function one(db: Db, reflexoId: number | null, id: number): Promise<TicketRecord> {
  const row = await ticketQuery(db, { reflexoId, id }).executeTakeFirst();
  if (!row) throw notFound();
  return row;
}

async function locked(db: Db, actor: Actor, id: number) {
  const t = await lockTicket(db, id, readerScope(actor));
  if (!t) throw notFound();
  return t;
}

export async function listTickets(db: Db, actor: Actor, f: Omit<TicketFilter, 'reflexoId'> & { page: number; size: number }) {
  const { page, size, ...rest } = f;
  const filter = { ...rest, reflexoId: readerScope(actor) };
  const count = await countTickets(db, filter);
  const rows: TicketRecord[] = count > (page - 1) * size ? await ticketQuery(db, filter).limit(size).offset((page - 1) * size).execute() : [];
  return { rows, count, page, size };
}

export const getTicket = (db: Db, actor: Actor, id: number): Promise<TicketRecord> => one(db, readerScope(actor), id);

async function paymentMethod(db: Db, method: string, field = 'payment_method'): Promise<string> {
  const resolved = await resolvePaymentMethod(db, method);
  if (!resolved) throw ValidationError.field(field, 'Método de pago inválido. Use cash, card, transfer o un tipo de pago configurado.', 'invalid_choice', method);
  return resolved;
}

/** What a ticket becoming paid is charged: `sent`, its own amount, its appointment's price, or the clinic's price now. */
async function chargeFor(db: Db, t: { reflexo_id: number; appointment_id: number; amount: string }, sent: string | undefined): Promise<string> {
  const a = await appointmentPrice(db, t.appointment_id);
  return amountToCharge(db, t.reflexo_id, [sent, t.amount, a?.payment], a?.appointment_type ?? null, 'amount');
}

/** Deprecated route (tickets are created with their appointment), kept for old clients. */
export async function createTicketForAppointment(
  db: Db,
  actor: Actor,
  v: { appointment_id: number; amount: string; payment_method: string; status?: TicketStatus; description?: string | null },
): Promise<TicketRecord> {
  const appointment = await lockAppointment(db, v.appointment_id, readerScope(actor));
  if (!appointment) throw ValidationError.field('appointment', 'La cita no existe o no está activa.', 'does_not_exist', v.appointment_id);
  if (await ticketOfAppointment(db, appointment.id)) throw new Conflict('La cita ya tiene un ticket.', { code: 'ticket_exists', fields: { appointment: ['La cita ya tiene un ticket.'] } });
  const method = await paymentMethod(db, v.payment_method);
  const { id } = await openTicket(db, appointment.reflexo_id, appointment.id, { amount: v.amount, paymentMethod: method, status: v.status, description: v.description });
  await mirrorOnAppointment(db, appointment.id, appointment.reflexo_id, { status: v.status ?? 'pending', amount: v.amount });
  return one(db, appointment.reflexo_id, id);
}

/** Sets what `changes` carries; a ticket becoming paid gets its payment date (and an amount, as mark_as_paid). */
export async function editTicket(db: Db, actor: Actor, id: number, changes: TicketChanges): Promise<TicketRecord> {
  const t = await locked(db, actor, id);
  const set: Parameters<typeof changeTicket>[2] = {};
  if (changes.amount !== undefined) set.amount = changes.amount;
  if (changes.payment_method !== undefined) set.payment_method = await paymentMethod(db, changes.payment_method);
  if (changes.description !== undefined) set.description = changes.description;
  if (changes.is_active !== undefined) set.is_active = changes.is_active;
  if (changes.status !== undefined && changes.status !== t.status) {
    set.status = changes.status;
    set.payment_date = changes.status === 'paid' ? new Date() : null;
    if (changes.status === 'paid') set.amount = await chargeFor(db, t, changes.amount);
  }
  await changeTicket(db, t, set, 'update');
  return one(db, t.reflexo_id, id);
}

export async function removeTicket(db: Db, actor: Actor, id: number): Promise<void> {
  const t = await locked(db, actor, id);
  await deleteTicket(db, id, t.reflexo_id);
  await recordAudit(db, { action: 'delete', entity: 'tickets', entityId: id, reflexoId: t.reflexo_id, changedFields: ['hard'] });
}

/**
 * Pays a ticket in one call, as the contract's mark_as_paid takes no parameters: a ticket booked
 * without a price is charged its appointment's price or the clinic's predetermined price at this
 * moment, unless the caller names the `amount`. Paying a paid ticket again changes nothing.
 */
export async function markTicketPaid(db: Db, actor: Actor, id: number, v: { amount?: string } = {}): Promise<TicketRecord> {
  const t = await locked(db, actor, id);
  if (t.status === 'cancelled') throw new BadRequest('No se puede marcar como pagado un ticket cancelado.', { code: 'ticket_cancelled' });
  if (t.status !== 'paid') {
    const amount = await chargeFor(db, t, v.amount);
    await changeTicket(db, t, { status: 'paid', payment_date: new Date(), ...(amount !== t.amount ? { amount } : {}) }, 'mark_paid');
  }
  return one(db, t.reflexo_id, id);
}

export async function markTicketCancelled(db: Db, actor: Actor, id: number): Promise<TicketRecord> {
  const t = await locked(db, actor, id);
  if (t.status === 'paid') throw new BadRequest('No se puede cancelar un ticket pagado.', { code: 'ticket_paid' });
  if (t.status !== 'cancelled') await changeTicket(db, t, { status: 'cancelled' }, 'cancel');
  return one(db, t.reflexo_id, id);
}

/** by_payment_method: `payment_method` or its alias `method`; the contract words the 400s itself. */
export async function ticketsByPaymentMethod(db: Db, actor: Actor, q: { payment_method?: string; method?: string; page: number; size: number }) {
  const wanted = (q.payment_method ?? q.method ?? '').trim();
  if (!wanted) throw new BadRequest('Se requiere payment_method (o alias: method)', { code: 'payment_method_required' });
  const resolved = await resolvePaymentMethod(db, wanted);
  if (!resolved) throw new BadRequest(`Método de pago inválido: ${wanted}. Métodos válidos: cash, card, transfer o un tipo de pago configurado.`, { code: 'payment_method_invalid' });
  return listTickets(db, actor, { paymentMethod: resolved, page: q.page, size: q.size });
}

/** `error` is how the calling route words a missing number. */
export async function ticketByNumber(db: Db, actor: Actor, number: string | undefined, error: string): Promise<TicketRecord> {
  if (!number?.trim()) throw new BadRequest(error, { code: 'ticket_number_required' });
  const row = await ticketQuery(db, { reflexoId: readerScope(actor), ticketNumber: number.trim() }).executeTakeFirst();
  if (!row) throw notFound();
  return row;
}

export async function ticketStats(db: Db, actor: Actor) {
  const s = await ticketStatistics(db, readerScope(actor));
  return {
    total_tickets: s.total_tickets,
    paid_tickets: s.paid_tickets,
    pending_tickets: s.pending_tickets,
    cancelled_tickets: s.cancelled_tickets,
    paid_percentage: s.total_tickets ? Math.round((s.paid_tickets * 10000) / s.total_tickets) / 100 : 0,
    /** Exact decimal string, summed by PostgreSQL. */
    total_amount_paid: s.total_amount_paid,
  };
}

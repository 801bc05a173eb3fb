import type { Db } from '../db/tenant';
import type { TicketStatus } from '../db/tables/scheduling';
import { ValidationError } from '../errors';
import { recordAudit } from './audit';
import { updateAppointment } from '../queries/appointments';
import { insertTicket, nextTicketNumber, paymentStatusIdByCode, predeterminedPrice, updateTicket } from '../queries/tickets';

/*
 * A ticket's life, shared by booking (the ticket is born with its appointment, in the same
 * transaction), appointment edits and the ticket routes. Whatever changes a ticket's status or amount
 * also writes it on the appointment (payment_status by code, payment), so the agenda, the cash
 * reports and the ticket lists never disagree.
 */

export async function openTicket(
  db: Db,
  reflexoId: number,
  appointmentId: number,
  v: { amount: string | number; paymentMethod: string; status?: TicketStatus; description?: string | null },
): Promise<{ id: number; ticketNumber: string }> {
  const ticketNumber = await nextTicketNumber(db, reflexoId);
  const status = v.status ?? 'pending';
  const { id } = await insertTicket(db, {
    reflexo_id: reflexoId,
    appointment_id: appointmentId,
    ticket_number: ticketNumber,
    amount: v.amount,
    payment_method: v.paymentMethod,
    status,
    payment_date: status === 'paid' ? new Date() : null,
    description: v.description ?? null,
  });
  await auditTicketOpened(db, reflexoId, id);
  return { id, ticketNumber };
}

/** The audit entry of a ticket's opening (openTicket, or booking, which opens it in its own statement). */
export const auditTicketOpened = (db: Db, reflexoId: number, ticketId: number) =>
  recordAudit(db, { action: 'create', entity: 'tickets', entityId: ticketId, reflexoId, changedFields: ['ticket_number', 'amount', 'payment_method', 'status'] });

/** The payment_statuses row an appointment shows for a ticket status (null if that row was erased). */
export async function paymentStatusFor(db: Db, status: TicketStatus): Promise<number | null> {
  return (await paymentStatusIdByCode(db, status))?.id ?? null;
}

/** The appointment mirrors its ticket: payment status by code, and the amount as its price. */
export async function mirrorOnAppointment(db: Db, appointmentId: number, reflexoId: number, v: { status?: TicketStatus; amount?: string }): Promise<void> {
  const set: { payment_status_id?: number | null; payment?: string } = {};
  if (v.status) set.payment_status_id = await paymentStatusFor(db, v.status);
  if (v.amount !== undefined) set.payment = v.amount;
  if (Object.keys(set).length) await updateAppointment(db, appointmentId, reflexoId, set);
}

const positive = (v: string | number | null | undefined): v is string | number => v !== null && v !== undefined && Number(v) > 0;

/**
 * What a ticket is paid with when it becomes paid: the first positive amount among `known` (what the
 * request sent, the ticket's own, the appointment's price), else the clinic's predetermined price at
 * this moment (the one named like the appointment's type, else its first). A clinic with no price
 * anywhere gets a 400 on `field`, asking for the amount.
 */
export async function amountToCharge(
  db: Db,
  reflexoId: number,
  known: (string | number | null | undefined)[],
  appointmentType: string | null,
  field: string,
): Promise<string> {
  const given = known.find(positive);
  if (given !== undefined) return String(given);
  const price = await predeterminedPrice(db, reflexoId, appointmentType);
  if (price !== undefined) return price;
  throw ValidationError.field(field, `No hay monto que cobrar: la cita no tiene precio y la clínica no tiene precios predeterminados. Indique ${field}.`, 'missing');
}

/** Writes a ticket change, audits it and mirrors status and amount on the appointment. */
export async function changeTicket(
  db: Db,
  t: { id: number; reflexo_id: number; appointment_id: number },
  set: { status?: TicketStatus; amount?: string; payment_method?: string; payment_date?: Date | null; description?: string | null; is_active?: boolean },
  action: string,
  opts: { mirrorAmount?: boolean } = {},
): Promise<void> {
  if (!Object.keys(set).length) return;
  await updateTicket(db, t.id, t.reflexo_id, set);
  await recordAudit(db, { action, entity: 'tickets', entityId: t.id, reflexoId: t.reflexo_id, changedFields: Object.keys(set) });
  await mirrorOnAppointment(db, t.appointment_id, t.reflexo_id, { status: set.status, amount: opts.mirrorAmount === false ? undefined : set.amount });
}

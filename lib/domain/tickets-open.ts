import type { Db } from '../db/tenant';
import type { TicketStatus } from '../db/tables/scheduling';
import { recordAudit } from './audit';
import { insertTicket, nextTicketNumber } from '../queries/tickets';

/*
 * Opening an appointment's ticket: shared by booking (the normal path: the ticket is born with its
 * appointment, in the same transaction) and the deprecated POST tickets/create/.
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
  await recordAudit(db, { action: 'create', entity: 'tickets', entityId: id, reflexoId, changedFields: ['ticket_number', 'amount', 'payment_method', 'status'] });
  return { id, ticketNumber };
}

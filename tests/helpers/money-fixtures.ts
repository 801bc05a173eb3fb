import { handler as tickets } from '../../functions/reflexo/appointments-tickets';
import { createUser, ownerKysely, tenantWithAdmin, uniq } from './fixtures';
import { call } from './http';
import { createPatient, createTherapist } from './scheduling-fixtures';

/* Clinics, appointments and paid tickets for the v1 money tests (transactions, invoices, reconciliation). */

export interface MoneyClinic {
  id: number;
  admin: string;
  staff: string;
  patient: { id: number; name: string };
  therapist: { id: number };
}

export async function moneyClinic(): Promise<MoneyClinic> {
  const { tenant, admin } = await tenantWithAdmin();
  const staff = (await createUser({ reflexoId: tenant.id })).token;
  return { id: tenant.id, admin: admin.token, staff, patient: await createPatient(tenant.id), therapist: await createTherapist(tenant.id) };
}

/** A global payment type of the tests' own (other suites may rename the seeded ones while these run). */
export async function ownPaymentType(): Promise<{ id: number; name: string; code: string }> {
  const name = uniq('Pago ');
  const code = uniq('pt');
  return (await ownerKysely().insertInto('payment_types').values({ name, code }).returning(['id', 'name', 'code']).executeTakeFirstOrThrow()) as { id: number; name: string; code: string };
}

/** The current name of a seeded payment type, by its stable code. */
export async function paymentTypeName(code: string): Promise<string> {
  return ((await ownerKysely().selectFrom('payment_types').select('name').where('code', '=', code).executeTakeFirstOrThrow()) as { name: string }).name;
}

let hourSeq = 0;

/**
 * An appointment on `date` (any day, past included: written directly, as a booking made earlier) with
 * its pending ticket, priced `payment` with the payment type `code`, as booking would leave them.
 */
export async function appointmentWithTicket(k: MoneyClinic, date: string, payment: string, code = 'cash', therapistId = k.therapist.id) {
  const o = ownerKysely();
  const pt = (await o.selectFrom('payment_types').select('id').where('code', '=', code).executeTakeFirstOrThrow()) as { id: number };
  const pending = (await o.selectFrom('payment_statuses').select('id').where('code', '=', 'pending').executeTakeFirstOrThrow()) as { id: number };
  const hour = `${String(6 + (hourSeq % 14)).padStart(2, '0')}:${String((Math.floor(hourSeq / 14) * 5) % 60).padStart(2, '0')}:00`;
  hourSeq++;
  const a = (await o
    .insertInto('appointments')
    .values({
      reflexo_id: k.id,
      patient_id: k.patient.id,
      therapist_id: therapistId,
      appointment_date: date,
      hour,
      duration_minutes: 5,
      appointment_status_id: 1,
      payment,
      payment_type_id: pt.id,
      payment_status_id: pending.id,
    })
    .returning('id')
    .executeTakeFirstOrThrow()) as { id: number };
  const t = (await o
    .insertInto('tickets')
    .values({ reflexo_id: k.id, appointment_id: a.id, ticket_number: uniq('TKT-'), amount: payment, payment_method: code, status: 'pending' })
    .returning('id')
    .executeTakeFirstOrThrow()) as { id: number };
  return { appointmentId: a.id, ticketId: t.id };
}

/** Pays a ticket through the Reflexo route, as the frontend does. */
export async function markPaid(k: MoneyClinic, ticketId: number): Promise<void> {
  const res = await call(tickets, { method: 'POST', path: `/api/appointments/tickets/${ticketId}/mark_as_paid/`, token: k.staff });
  if (res.status !== 200) throw new Error(`mark_as_paid ${res.status}: ${JSON.stringify(res.body)}`);
}

/** The instant of a Lima wall-clock time (Lima is UTC−5 all year). */
export const limaInstant = (date: string, time: string) => new Date(Date.parse(`${date}T${time}:00-05:00`)).toISOString().replace('.000Z', 'Z');

export const ledgerRows = (reflexoId: number) => ownerKysely().selectFrom('cash_transactions').selectAll().where('reflexo_id', '=', reflexoId).orderBy('id').execute();

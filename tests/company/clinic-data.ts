import type { Kysely } from 'kysely';
import { ownerKysely, uniq } from '../helpers/fixtures';

/*
 * Therapists, patients, appointments and tickets written straight through the owner connection, so
 * report tests depend only on the schema (migrations 0005/0006), not on the scheduling module's API.
 */

const db = (): Kysely<any> => ownerKysely();

export async function paymentTypeId(code: string): Promise<number> {
  return (await db().selectFrom('payment_types').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id as number;
}

export interface PaymentType {
  id: number;
  name: string;
}

/*
 * Payment types of the test's own, with unique names: the seeded catalog rows are global and other
 * suites (catalog edits, fuzzing) may rename them while this one runs.
 */
export async function createPaymentTypes(): Promise<Record<'cash' | 'yape' | 'plin' | 'card', PaymentType>> {
  const out = {} as Record<'cash' | 'yape' | 'plin' | 'card', PaymentType>;
  for (const [key, label] of [['cash', 'Efectivo'], ['yape', 'Yape'], ['plin', 'Plin'], ['card', 'Tarjeta']] as const) {
    const name = uniq(`${label} `);
    const row = await db().insertInto('payment_types').values({ name }).returning('id').executeTakeFirstOrThrow();
    out[key] = { id: row.id as number, name };
  }
  return out;
}

export async function addTherapist(reflexoId: number, first: string, paternal: string, maternal: string): Promise<number> {
  const row = await db()
    .insertInto('therapists')
    .values({
      reflexo_id: reflexoId,
      document_type_id: 1,
      document_number: uniq('').replace(/\D/g, '').padEnd(8, '7').slice(0, 8),
      first_name: first,
      last_name_paternal: paternal,
      last_name_maternal: maternal,
      email: `${uniq('t')}@test.reflexo.pe`,
      region_id: 15,
      province_id: 1501,
      district_id: 150101,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id as number;
}

export async function addPatient(reflexoId: number, name: string, paternal: string, maternal: string, document: string, phone = '+51 444 444 444'): Promise<number> {
  const row = await db()
    .insertInto('patients')
    .values({ reflexo_id: reflexoId, document_type_id: 1, document_number: document, name, paternal_lastname: paternal, maternal_lastname: maternal, phone1: phone })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id as number;
}

/** By the status's kind, which the system relies on, not by its id or (renamable) name. */
async function statusId(kind: 'pending' | 'cancelled'): Promise<number> {
  return (await db().selectFrom('appointment_statuses').select('id').where('kind', '=', kind).executeTakeFirstOrThrow()).id as number;
}

let ticketSeq = 0;

export interface AppointmentInput {
  reflexoId: number;
  patientId: number;
  therapistId: number;
  date: string;
  hour: string;
  payment?: string | null;
  /** A payment type id, or a seeded code. */
  paymentType?: number | string | null;
  type?: string | null;
  cancelled?: boolean;
  deleted?: boolean;
  /** A ticket for the appointment: paid at an instant (ISO with offset), or still pending; `method` as stored (a code or a payment type name). */
  ticket?: { status: 'paid' | 'pending' | 'cancelled'; amount?: string; method?: string; paidAt?: string };
  room?: string | null;
}

export async function addAppointment(a: AppointmentInput): Promise<{ id: number; ticketId?: number; ticketNumber?: string }> {
  const row = await db()
    .insertInto('appointments')
    .values({
      reflexo_id: a.reflexoId,
      patient_id: a.patientId,
      therapist_id: a.therapistId,
      appointment_date: a.date,
      hour: a.hour,
      duration_minutes: 30,
      appointment_status_id: await statusId(a.cancelled ? 'cancelled' : 'pending'),
      appointment_type: a.type ?? null,
      payment: a.payment ?? null,
      payment_type_id: typeof a.paymentType === 'string' ? await paymentTypeId(a.paymentType) : (a.paymentType ?? null),
      cancelled_at: a.cancelled ? new Date() : null,
      deleted_at: a.deleted ? new Date() : null,
      room: a.room ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const id = row.id as number;
  if (!a.ticket) return { id };
  const ticketNumber = `TKT-${String(++ticketSeq).padStart(3, '0')}-${uniq('')}`.slice(0, 20);
  const t = await db()
    .insertInto('tickets')
    .values({
      reflexo_id: a.reflexoId,
      appointment_id: id,
      ticket_number: ticketNumber,
      amount: a.ticket.amount ?? a.payment ?? '0',
      payment_method: a.ticket.method ?? 'cash',
      status: a.ticket.status,
      payment_date: a.ticket.paidAt ?? null,
      description: 'Sesión de reflexología',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id, ticketId: t.id as number, ticketNumber };
}

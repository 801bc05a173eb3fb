import { sql, type RawBuilder, type Updateable } from 'kysely';
import type { Db } from '../db/tenant';
import type { TicketStatus, TicketsTable } from '../db/tables/scheduling';

/* Tickets (the payment record of an appointment), with the appointment they belong to joined in. */

export type TicketOrder = { column: 'payment_date' | 'amount' | 'created_at' | 'updated_at' | 'id'; desc: boolean };

export interface TicketFilter {
  reflexoId: number | null;
  id?: number;
  ticketNumber?: string;
  paymentMethod?: string;
  status?: TicketStatus;
  isActive?: boolean;
  search?: string;
  order?: TicketOrder;
}

function applyFilters<Q extends { where: (...args: any[]) => Q }>(q: Q, f: TicketFilter): Q {
  const w = (...args: unknown[]) => (q = (q.where as (...a: unknown[]) => Q)(...args));
  if (f.reflexoId !== null) w('k.reflexo_id', '=', f.reflexoId);
  if (f.id !== undefined) w('k.id', '=', f.id);
  if (f.ticketNumber !== undefined) w(sql<boolean>`upper(k.ticket_number) = upper(${f.ticketNumber})`);
  if (f.paymentMethod !== undefined) w(sql<boolean>`lower(k.payment_method) = lower(${f.paymentMethod})`);
  if (f.status !== undefined) w('k.status', '=', f.status);
  if (f.isActive !== undefined) w('k.is_active', '=', f.isActive);
  if (f.search) {
    const like = `%${f.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    w(sql<boolean>`(k.ticket_number ILIKE ${like} OR k.description ILIKE ${like})`);
  }
  return q;
}

/** Every filter is on tickets itself: the total needs no join. */
export async function countTickets(db: Db, f: TicketFilter): Promise<number> {
  const r = await applyFilters(db.selectFrom('tickets as k').select(sql<number>`count(*)::int`.as('n')), f).executeTakeFirstOrThrow();
  return r.n;
}

export function ticketQuery(db: Db, f: TicketFilter) {
  const q = db
    .selectFrom('tickets as k')
    .innerJoin('appointments as a', 'a.id', 'k.appointment_id')
    .innerJoin('patients as p', 'p.id', 'a.patient_id')
    .innerJoin('therapists as t', 't.id', 'a.therapist_id')
    .select([
      'k.id',
      'k.reflexo_id',
      'k.ticket_number',
      'k.appointment_id',
      'a.patient_id',
      'p.name as patient_name',
      'p.paternal_lastname as patient_paternal_lastname',
      'a.therapist_id',
      't.first_name as therapist_first_name',
      't.last_name_paternal as therapist_last_name_paternal',
      'a.appointment_date',
      'a.hour',
      'k.amount',
      'k.payment_method',
      'k.payment_date',
      'k.status',
      'k.description',
      'k.is_active',
      'k.created_at',
      'k.updated_at',
    ]);
  const o = f.order ?? { column: 'created_at', desc: true };
  const dir = o.desc ? 'desc' : 'asc';
  return applyFilters(q, f).orderBy(sql`k.${sql.ref(o.column)} ${sql.raw(dir)} NULLS LAST`).orderBy('k.id', dir);
}

export type TicketRow = Awaited<ReturnType<ReturnType<typeof ticketQuery>['executeTakeFirstOrThrow']>>;

export function lockTicket(db: Db, id: number, reflexoId: number | null) {
  let q = db.selectFrom('tickets').selectAll().where('id', '=', id);
  if (reflexoId !== null) q = q.where('reflexo_id', '=', reflexoId);
  return q.forUpdate().executeTakeFirst();
}

export function ticketOfAppointment(db: Db, appointmentId: number) {
  return db.selectFrom('tickets').selectAll().where('appointment_id', '=', appointmentId).forUpdate().executeTakeFirst();
}

/**
 * The clinic's next ticket number. The upsert locks the counter row until the booking transaction
 * ends: concurrent bookings of one clinic take numbers one after another, and a booking that rolls
 * back returns its number, so the sequence has no gaps.
 */
export async function nextTicketNumber(db: Db, reflexoId: number): Promise<string> {
  const r = await sql<{ ticket_number: string }>`
    INSERT INTO ticket_counters (reflexo_id, last_number) VALUES (${reflexoId}, 1)
    ON CONFLICT (reflexo_id) DO UPDATE SET last_number = ticket_counters.last_number + 1
    RETURNING ${ticketNumberOf(sql`last_number`)} AS ticket_number`.execute(db);
  return r.rows[0].ticket_number;
}

/** A counter value as a ticket number: TKT- and at least six digits (TKT-000042, TKT-1234567). */
export const ticketNumberOf = (n: RawBuilder<unknown>) => sql<string>`'TKT-' || lpad(${n}::text, greatest(6, length(${n}::text)), '0')`;

export function insertTicket(
  db: Db,
  v: { reflexo_id: number; appointment_id: number; ticket_number: string; amount: string | number; payment_method: string; status: TicketStatus; payment_date: Date | null; description: string | null },
) {
  return db.insertInto('tickets').values(v).returning('id').executeTakeFirstOrThrow();
}

export function updateTicket(db: Db, id: number, reflexoId: number, v: Updateable<TicketsTable>) {
  return db.updateTable('tickets').set(v).where('id', '=', id).where('reflexo_id', '=', reflexoId).executeTakeFirst();
}

export function deleteTicket(db: Db, id: number, reflexoId: number) {
  return db.deleteFrom('tickets').where('id', '=', id).where('reflexo_id', '=', reflexoId).executeTakeFirst();
}

/** cash/card/transfer, or a payment type of the catalog (by code or name); the stored spelling. */
export async function resolvePaymentMethod(db: Db, method: string): Promise<string | null> {
  const m = method.trim().toLowerCase();
  if (['cash', 'card', 'transfer'].includes(m)) return m;
  const r = await db
    .selectFrom('payment_types')
    .select(['code', 'name'])
    .where('deleted_at', 'is', null)
    .where((eb) => eb.or([eb(sql`lower(code)`, '=', m), eb(sql`lower(name)`, '=', m)]))
    .orderBy('id')
    .executeTakeFirst();
  return r ? (r.code ?? r.name) : null;
}

/**
 * The price a clinic charges now for an appointment of this type: the live predetermined price named
 * like the type (case-insensitive), else the clinic's first one; undefined when it has none.
 */
export async function predeterminedPrice(db: Db, reflexoId: number, appointmentType: string | null): Promise<string | undefined> {
  const r = await db
    .selectFrom('predetermined_prices')
    .select('price')
    .where('reflexo_id', '=', reflexoId)
    .where('deleted_at', 'is', null)
    .orderBy(sql`coalesce(lower(btrim(name)) = lower(btrim(${appointmentType})), false)`, 'desc')
    .orderBy('id')
    .executeTakeFirst();
  return r?.price as string | undefined;
}

/** What a ticket's appointment says about its price (deleted or not). */
export function appointmentPrice(db: Db, appointmentId: number) {
  return db.selectFrom('appointments').select(['payment', 'appointment_type']).where('id', '=', appointmentId).executeTakeFirst();
}

export function paymentStatusIdByCode(db: Db, code: TicketStatus) {
  return db.selectFrom('payment_statuses').select('id').where('code', '=', code).executeTakeFirst();
}

export function ticketStatistics(db: Db, reflexoId: number | null) {
  let q = db
    .selectFrom('tickets as k')
    .select([
      sql<number>`count(*)::int`.as('total_tickets'),
      sql<number>`count(*) FILTER (WHERE status = 'paid')::int`.as('paid_tickets'),
      sql<number>`count(*) FILTER (WHERE status = 'pending')::int`.as('pending_tickets'),
      sql<number>`count(*) FILTER (WHERE status = 'cancelled')::int`.as('cancelled_tickets'),
      sql<string>`round(coalesce(sum(amount) FILTER (WHERE status = 'paid'), 0), 2)::text`.as('total_amount_paid'),
    ]);
  if (reflexoId !== null) q = q.where('k.reflexo_id', '=', reflexoId);
  return q.executeTakeFirstOrThrow();
}

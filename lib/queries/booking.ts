import { sql, type AliasedExpression, type Insertable } from 'kysely';
import { jsonObjectFrom } from 'kysely/helpers/postgres';
import type { Db } from '../db/tenant';
import type { AppointmentsTable, StatusKind, TicketStatus } from '../db/tables/scheduling';
import { ticketNumberOf } from './tickets';

/*
 * Booking in two statements: everything a booking (or an edit) checks, read at once; then the
 * appointment, its ticket number and its ticket written at once. Each lookup is the one the rules
 * name (lib/domain/appointments.ts resolve): a live patient and a bookable therapist of the clinic,
 * a status by id, name or kind, a payment type and status by id, name or code.
 */

/** By id, or by name (or code) compared case-insensitively; the first match by id when several. */
const byRef = (ref: number | string, hasCode: boolean) => (eb: any) => {
  if (typeof ref === 'number') return eb('id', '=', ref);
  const name = ref.trim().toLowerCase();
  return hasCode ? eb.or([eb(sql`lower(name)`, '=', name), eb(sql`lower(code)`, '=', name)]) : eb(sql`lower(name)`, '=', name);
};

export interface ReferenceLookup {
  /** The clinic's wall clock (lib/queries/tenant-clock.ts); null when the clinic does not exist. */
  clock?: boolean;
  patientId?: number;
  therapistId?: number;
  status?: number | string | { kind: StatusKind };
  paymentType?: number | string;
  paymentStatus?: number | string;
  /** The payment_statuses ids of the ticket statuses (pending, paid, cancelled). */
  ticketStatusIds?: boolean;
}

export interface References {
  clock?: { today: string; now_time: string; email_domain: string | null; time_zone: string } | null;
  patient_id?: number | null;
  therapist_id?: number | null;
  status?: { id: number; kind: StatusKind | null } | null;
  payment_type?: { id: number; name: string; code: string | null } | null;
  payment_status?: { id: number; code: string | null } | null;
  ticket_status_ids?: Partial<Record<TicketStatus, number>> | null;
}

/** What `l` asks for, in one statement (nothing asked, no statement). */
export async function lookUpReferences(db: Db, reflexoId: number, l: ReferenceLookup): Promise<References> {
  if (!Object.values(l).some((v) => v !== undefined && v !== false)) return {};
  const row = await db
    .selectNoFrom((eb) => {
      const cols: AliasedExpression<unknown, string>[] = [];
      if (l.clock)
        cols.push(
          jsonObjectFrom(
            eb
              .selectFrom('tenants')
              .select([
                sql<string>`to_char(now() AT TIME ZONE time_zone, 'YYYY-MM-DD')`.as('today'),
                sql<string>`to_char(now() AT TIME ZONE time_zone, 'HH24:MI:SS')`.as('now_time'),
                sql<string | null>`settings->>'therapist_email_domain'`.as('email_domain'),
                'time_zone',
              ])
              .where('id', '=', reflexoId),
          ).as('clock'),
        );
      if (l.patientId !== undefined)
        cols.push(eb.selectFrom('patients').select('id').where('id', '=', l.patientId).where('reflexo_id', '=', reflexoId).where('deleted_at', 'is', null).as('patient_id'));
      if (l.therapistId !== undefined)
        cols.push(
          eb
            .selectFrom('therapists')
            .select('id')
            .where('id', '=', l.therapistId)
            .where('reflexo_id', '=', reflexoId)
            .where('deleted_at', 'is', null)
            .where('is_active', '=', true)
            .as('therapist_id'),
        );
      if (l.status !== undefined) {
        const s = l.status;
        const statuses = eb.selectFrom('appointment_statuses').select(['id', 'kind']);
        cols.push(
          jsonObjectFrom(
            typeof s === 'object' ? statuses.where('kind', '=', s.kind).limit(1) : statuses.where(byRef(s, false)).where('deleted_at', 'is', null).orderBy('id').limit(1),
          ).as('status'),
        );
      }
      if (l.paymentType !== undefined)
        cols.push(
          jsonObjectFrom(eb.selectFrom('payment_types').select(['id', 'name', 'code']).where(byRef(l.paymentType, true)).where('deleted_at', 'is', null).orderBy('id').limit(1)).as(
            'payment_type',
          ),
        );
      if (l.paymentStatus !== undefined)
        cols.push(jsonObjectFrom(eb.selectFrom('payment_statuses').select(['id', 'code']).where(byRef(l.paymentStatus, true)).orderBy('id').limit(1)).as('payment_status'));
      if (l.ticketStatusIds)
        cols.push(
          eb
            .selectFrom('payment_statuses')
            .select(sql<Record<string, number>>`json_object_agg(code, id)`.as('ids'))
            .where('code', 'in', ['pending', 'paid', 'cancelled'])
            .as('ticket_status_ids'),
        );
      return cols;
    })
    .executeTakeFirst();
  return (row ?? {}) as References;
}

export interface OpeningTicket {
  amount: string | number;
  paymentMethod: string;
  status: TicketStatus;
  paymentDate: Date | null;
  description: string | null;
}

/**
 * The appointment, the clinic's next ticket number and the ticket, in one statement. The counter
 * is taken from the inserted appointment, so a slot refused by the no-overlap constraints (23P01)
 * fails before the counter row is locked (the order booking always had), and a rollback gives the
 * number back: the sequence has no gaps.
 */
export async function insertBookingWithTicket(db: Db, values: Insertable<AppointmentsTable>, t: OpeningTicket): Promise<{ id: number; ticket_id: number }> {
  const { rows } = await sql<{ id: number; ticket_id: number }>`
    WITH a AS (${db.insertInto('appointments').values(values).returning(['id', 'reflexo_id'])}),
         n AS (INSERT INTO ticket_counters (reflexo_id, last_number) SELECT reflexo_id, 1 FROM a
                 ON CONFLICT (reflexo_id) DO UPDATE SET last_number = ticket_counters.last_number + 1
                 RETURNING last_number)
    INSERT INTO tickets (reflexo_id, appointment_id, ticket_number, amount, payment_method, status, payment_date, description)
    SELECT a.reflexo_id, a.id, ${ticketNumberOf(sql`n.last_number`)}, ${t.amount}::numeric, ${t.paymentMethod}::text, ${t.status}::text, ${t.paymentDate}::timestamptz, ${t.description}::text
      FROM a, n
    RETURNING appointment_id AS id, id AS ticket_id`.execute(db);
  return rows[0];
}

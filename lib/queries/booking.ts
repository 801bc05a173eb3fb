import { sql, type AliasedExpression, type Insertable } from 'kysely';
import { jsonObjectFrom } from 'kysely/helpers/postgres';
import type { Db } from '../db/tenant';
import type { AppointmentsTable, StatusKind, TicketStatus } from '../db/tables/scheduling';
import { appointmentQuery, type AppointmentRow } from './appointments';
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
 * The appointment, the clinic's next ticket number and the ticket, written in one statement that
 * also returns the appointment's record. The counter is taken from the inserted appointment, so a
 * slot refused by the no-overlap constraints (23P01) fails before the counter row is locked (the
 * order booking always had), and a rollback gives the number back: the sequence has no gaps.
 *
 * The record is appointmentQuery's own, over the rows just written: the CTEs are named
 * `appointments` and `tickets`, which shadow the tables for the statement's SELECT (a statement
 * cannot read what its own CTEs write). Everything else it joins (patient, therapist, catalogs) is
 * read from the tables. tests/foundation/round-trips.test.ts holds the result to the detail route's.
 */
export async function insertBookingWithTicket(db: Db, values: Insertable<AppointmentsTable>, t: OpeningTicket): Promise<AppointmentRow> {
  const written = db
    .with('appointments', (qc) => qc.insertInto('appointments').values(values).returningAll())
    .with('n', (qc) =>
      qc
        .insertInto('ticket_counters')
        .columns(['reflexo_id', 'last_number'])
        .expression(qc.selectFrom('appointments').select(['reflexo_id', sql<number>`1`.as('last_number')]))
        .onConflict((oc) => oc.column('reflexo_id').doUpdateSet({ last_number: sql`ticket_counters.last_number + 1` }))
        .returning('last_number'),
    )
    .with('tickets', (qc) =>
      qc
        .insertInto('tickets')
        .columns(['reflexo_id', 'appointment_id', 'ticket_number', 'amount', 'payment_method', 'status', 'payment_date', 'description'])
        .expression(
          qc
            .selectFrom(['appointments', 'n'])
            .select([
              'appointments.reflexo_id',
              'appointments.id',
              ticketNumberOf(sql`n.last_number`).as('ticket_number'),
              sql<string>`${t.amount}::numeric`.as('amount'),
              sql<string>`${t.paymentMethod}::text`.as('payment_method'),
              sql<string>`${t.status}::text`.as('status'),
              sql<Date | null>`${t.paymentDate}::timestamptz`.as('payment_date'),
              sql<string | null>`${t.description}::text`.as('description'),
            ]),
        )
        .returningAll(),
    );
  return appointmentQuery(written as unknown as Db, { reflexoId: values.reflexo_id }).executeTakeFirstOrThrow();
}

import { sql, type RawBuilder, type Updateable } from 'kysely';
import type { Db } from '../db/tenant';
import type { CashTransactionsTable, LedgerKind, LedgerSource, LedgerStatus } from '../db/tables/money';
import { paginate } from './paginate';

/*
 * The cash ledger (cash_transactions, migration 0023). Every query names the clinic (RLS is the second
 * wall). Local calendar days become instant ranges [start of day, start of next day) in the clinic's
 * zone, so the (reflexo_id, occurred_at) index serves them. Sums are PostgreSQL's, returned as decimal
 * strings; only completed, live entries count in totals.
 */

export interface LedgerFilter {
  reflexoId: number;
  timeZone: string;
  id?: number;
  kind?: LedgerKind;
  status?: LedgerStatus;
  source?: LedgerSource;
  doctorId?: number;
  patientId?: number;
  invoiceId?: number;
  paymentTypeId?: number;
  /** Local calendar days, both inclusive. */
  fromDay?: string;
  toDay?: string;
}

/** The instant a local day starts, and the one the next day starts. */
export const dayStart = (day: string, tz: string) => sql<Date>`(${day}::date::timestamp AT TIME ZONE ${tz})`;
export const dayEnd = (day: string, tz: string) => sql<Date>`((${day}::date + 1)::timestamp AT TIME ZONE ${tz})`;

const LIVE_COMPLETED = sql`c.deleted_at IS NULL AND c.status = 'completado'`;

export function entryQuery(db: Db, f: LedgerFilter) {
  let q = db
    .selectFrom('cash_transactions as c')
    .leftJoin('therapists as th', 'th.id', 'c.doctor_id')
    .leftJoin('patients as p', 'p.id', 'c.patient_id')
    .leftJoin('payment_types as pt', 'pt.id', 'c.payment_type_id')
    .leftJoin('invoices as i', 'i.id', 'c.invoice_id')
    .select([
      'c.id',
      'c.reflexo_id',
      'c.kind',
      'c.source',
      'c.ticket_id',
      'c.invoice_id',
      sql<string | null>`CASE WHEN i.number IS NOT NULL THEN i.series || '-' || lpad(i.number::text, 6, '0') END`.as('invoice_number'),
      'c.doctor_id',
      'th.first_name as doctor_first_name',
      'th.last_name_paternal as doctor_paternal',
      'th.last_name_maternal as doctor_maternal',
      'c.patient_id',
      'p.name as patient_name',
      'p.paternal_lastname as patient_paternal',
      'p.maternal_lastname as patient_maternal',
      'c.concept',
      'c.amount',
      sql<string>`coalesce(pt.name, c.payment_method)`.as('payment_method'),
      'c.payment_type_id',
      'c.occurred_at',
      'c.comment',
      'c.reference',
      'c.status',
      'c.created_at',
      'c.updated_at',
    ])
    .where('c.reflexo_id', '=', f.reflexoId)
    .where('c.deleted_at', 'is', null);
  if (f.id !== undefined) q = q.where('c.id', '=', f.id);
  if (f.kind) q = q.where('c.kind', '=', f.kind);
  if (f.status) q = q.where('c.status', '=', f.status);
  if (f.source) q = q.where('c.source', '=', f.source);
  if (f.doctorId !== undefined) q = q.where('c.doctor_id', '=', f.doctorId);
  if (f.patientId !== undefined) q = q.where('c.patient_id', '=', f.patientId);
  if (f.invoiceId !== undefined) q = q.where('c.invoice_id', '=', f.invoiceId);
  if (f.paymentTypeId !== undefined) q = q.where('c.payment_type_id', '=', f.paymentTypeId);
  if (f.fromDay) q = q.where('c.occurred_at', '>=', dayStart(f.fromDay, f.timeZone));
  if (f.toDay) q = q.where('c.occurred_at', '<', dayEnd(f.toDay, f.timeZone));
  return q.orderBy('c.occurred_at', 'desc').orderBy('c.id', 'desc');
}

export type EntryRow = Awaited<ReturnType<ReturnType<typeof entryQuery>['executeTakeFirstOrThrow']>>;

export const entryPage = (db: Db, f: LedgerFilter, page: number, size: number) => paginate(entryQuery(db, f), page, size);

export const findEntry = (db: Db, f: LedgerFilter & { id: number }) => entryQuery(db, f).executeTakeFirst();

/** The entries of some invoices, oldest first (an invoice's payments). */
export const entriesOfInvoices = (db: Db, reflexoId: number, timeZone: string, invoiceIds: number[]) =>
  invoiceIds.length
    ? entryQuery(db, { reflexoId, timeZone }).where('c.invoice_id', 'in', invoiceIds).clearOrderBy().orderBy('c.occurred_at').orderBy('c.id').execute()
    : Promise.resolve([] as EntryRow[]);

export function lockEntry(db: Db, reflexoId: number, id: number) {
  return db.selectFrom('cash_transactions').selectAll().where('id', '=', id).where('reflexo_id', '=', reflexoId).where('deleted_at', 'is', null).forUpdate().executeTakeFirst();
}

export function insertEntry(
  db: Db,
  v: {
    reflexo_id: number;
    kind: LedgerKind;
    source?: LedgerSource;
    invoice_id?: number | null;
    doctor_id: number | null;
    patient_id: number | null;
    concept: string;
    amount: string;
    payment_type_id: number;
    payment_method: string;
    occurred_at?: string | Date;
    comment?: string | null;
    reference?: string | null;
    status?: LedgerStatus;
    created_by: number | null;
  },
) {
  return db.insertInto('cash_transactions').values(v).returning('id').executeTakeFirstOrThrow();
}

export function updateEntry(db: Db, reflexoId: number, id: number, v: Updateable<CashTransactionsTable>) {
  return db.updateTable('cash_transactions').set(v).where('id', '=', id).where('reflexo_id', '=', reflexoId).execute();
}

/** Voids an invoice's completed payments; returns how many. */
export async function voidInvoiceEntries(db: Db, reflexoId: number, invoiceId: number, entryId?: number): Promise<{ id: number; amount: string }[]> {
  let q = db
    .updateTable('cash_transactions')
    .set({ status: 'anulado' })
    .where('reflexo_id', '=', reflexoId)
    .where('invoice_id', '=', invoiceId)
    .where('status', '=', 'completado')
    .where('deleted_at', 'is', null);
  if (entryId !== undefined) q = q.where('id', '=', entryId);
  return q.returning(['id', 'amount']).execute();
}

/** A payment type by its name or code, either case (the v1 `medio_pago`). */
export function paymentTypeByWord(db: Db, word: string) {
  return db
    .selectFrom('payment_types')
    .select(['id', 'name'])
    .where('deleted_at', 'is', null)
    .where((eb) => eb.or([eb(sql`lower(name)`, '=', word.trim().toLowerCase()), eb(sql`lower(code)`, '=', word.trim().toLowerCase())]))
    .orderBy('id')
    .executeTakeFirst();
}

export async function paymentTypeNames(db: Db): Promise<string[]> {
  return (await db.selectFrom('payment_types').select('name').where('deleted_at', 'is', null).orderBy('id').execute()).map((r) => r.name);
}

export const doctorOfClinic = (db: Db, reflexoId: number, id: number) =>
  db.selectFrom('therapists').select(['id']).where('id', '=', id).where('reflexo_id', '=', reflexoId).where('deleted_at', 'is', null).executeTakeFirst();

export const patientOfClinic = (db: Db, reflexoId: number, id: number) =>
  db.selectFrom('patients').select(['id']).where('id', '=', id).where('reflexo_id', '=', reflexoId).where('deleted_at', 'is', null).executeTakeFirst();

// ---- reports ----------------------------------------------------------------------------------------

const money = (expr: RawBuilder<unknown>) => sql<string>`coalesce(${expr}, 0)::numeric(14, 2)::text`;
const totals = sql`
  ${money(sql`sum(e.amount) FILTER (WHERE e.kind = 'ingreso')`)} AS ingresos,
  ${money(sql`sum(e.amount) FILTER (WHERE e.kind = 'egreso')`)} AS egresos,
  ${money(sql`sum(CASE WHEN e.kind = 'ingreso' THEN e.amount ELSE -e.amount END)`)} AS balance,
  count(e.kind)::int AS cantidad`;

export interface TotalsRow {
  ingresos: string;
  egresos: string;
  balance: string;
  cantidad: number;
}

/** The completed, live entries of [from, to) (either end open), with the payment type's current name. */
const entries = (reflexoId: number, from: RawBuilder<Date> | null, to: RawBuilder<Date> | null, tz: string) => sql`
  SELECT c.kind, c.amount, c.source, c.doctor_id, coalesce(pt.name, c.payment_method) AS medio,
         extract(hour FROM c.occurred_at AT TIME ZONE ${tz})::int AS hora,
         (c.occurred_at AT TIME ZONE ${tz})::date AS dia,
         date_trunc('month', c.occurred_at AT TIME ZONE ${tz}) AS mes,
         CASE c.source WHEN 'ticket' THEN ${TICKET_CONCEPT} WHEN 'factura' THEN ${INVOICE_CONCEPT} ELSE c.concept END AS concepto
    FROM cash_transactions c
    LEFT JOIN payment_types pt ON pt.id = c.payment_type_id
   WHERE c.reflexo_id = ${reflexoId} AND ${LIVE_COMPLETED}
     ${from ? sql`AND c.occurred_at >= ${from}` : sql``} ${to ? sql`AND c.occurred_at < ${to}` : sql``}`;

/**
 * The balance of every completed entry before `start`: the UTC-day buckets before the UTC day `start`
 * falls in, plus that day's entries before `start` (cash_daily_totals, migration 0023).
 */
const balanceBefore = (reflexoId: number, start: RawBuilder<Date>) => sql<string>`(
  coalesce((SELECT sum(d.income - d.expense) FROM cash_daily_totals d
             WHERE d.reflexo_id = ${reflexoId} AND d.day < (${start} AT TIME ZONE 'UTC')::date), 0)
  + coalesce((SELECT sum(CASE WHEN c.kind = 'ingreso' THEN c.amount ELSE -c.amount END) FROM cash_transactions c
               WHERE c.reflexo_id = ${reflexoId} AND ${LIVE_COMPLETED}
                 AND c.occurred_at >= (date_trunc('day', ${start} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AND c.occurred_at < ${start}), 0)
  )::numeric(14, 2)::text`;

/**
 * `mes` ('YYYY-MM') and `concepto` serve the v1 financial report (lib/domain/v1-reports.ts). A ticket's
 * or an invoice payment's entry is written with its own number in its concept ("Ticket 000123", "Pago
 * de factura F001-…"), so by concept those entries group under one name per source; a manual entry's
 * concept is what the cashier typed.
 */
export const TICKET_CONCEPT = 'Atenciones (tickets)';
export const INVOICE_CONCEPT = 'Pagos de factura';
export type Dimension = 'total' | 'medio' | 'origen' | 'doctor' | 'hora' | 'dia' | 'mes' | 'concepto';

export interface GroupRow extends TotalsRow {
  dim: Dimension;
  /** The group's value: method name, source, hour ("9") or day; null on the total and doctor rows. */
  key: string | null;
  /** The doctor row's doctor (null: entries without one). */
  doctor_id: number | null;
  doctor_first_name: string | null;
  doctor_paternal: string | null;
  doctor_maternal: string | null;
  /** Balance of everything before the period (same on every row), and that plus the row's balance. */
  saldo_inicial: string;
  saldo_final: string;
}

/**
 * One statement per report: totals for the period and per each requested dimension (GROUPING SETS),
 * doctors' names joined after grouping, and the opening balance as a one-time sub-select.
 */
export async function groupedTotals(db: Db, reflexoId: number, tz: string, from: RawBuilder<Date> | null, to: RawBuilder<Date> | null, dims: Exclude<Dimension, 'total'>[]): Promise<GroupRow[]> {
  const column: Record<Exclude<Dimension, 'total'>, string> = { medio: 'e.medio', origen: 'e.source', doctor: 'e.doctor_id', hora: 'e.hora', dia: 'e.dia', mes: 'e.mes', concepto: 'e.concepto' };
  const sets = ['()', ...dims.map((d) => `(${column[d]})`)].join(', ');
  const dimCase = dims.map((d) => `WHEN grouping(${column[d]}) = 0 THEN '${d}'`).join(' ');
  const keyed = dims.filter((d) => d !== 'doctor');
  // Days and months are grouped as values and formatted once per group (to_char per row cost ~2×).
  const keyOf = (d: Exclude<Dimension, 'total'>) => (d === 'dia' ? `to_char(e.dia, 'YYYY-MM-DD')` : d === 'mes' ? `to_char(e.mes, 'YYYY-MM')` : `${column[d]}::text`);
  const keyExpr = keyed.length ? `coalesce(${keyed.map(keyOf).join(', ')})` : 'NULL::text';
  const doctorExpr = dims.includes('doctor') ? 'e.doctor_id' : 'NULL::int';
  const { rows } = await sql<GroupRow>`
    SELECT g.*, th.first_name AS doctor_first_name, th.last_name_paternal AS doctor_paternal, th.last_name_maternal AS doctor_maternal,
           o.saldo_inicial, (o.saldo_inicial::numeric + g.balance::numeric)::numeric(14, 2)::text AS saldo_final
      FROM (SELECT ${from ? balanceBefore(reflexoId, from) : sql`'0.00'`} AS saldo_inicial) o
     CROSS JOIN (SELECT ${sql.raw(dims.length ? `CASE ${dimCase} ELSE 'total' END` : `'total'`)} AS dim, ${sql.raw(keyExpr)} AS key, ${sql.raw(doctorExpr)} AS doctor_id, ${totals}
              FROM (${entries(reflexoId, from, to, tz)}) e
             GROUP BY GROUPING SETS (${sql.raw(sets)})) g
      LEFT JOIN therapists th ON th.id = g.doctor_id
     ORDER BY g.dim, g.ingresos::numeric DESC, g.key, g.doctor_id`.execute(db);
  return rows;
}

/**
 * The total row of [from, to) without reading the period's entries: the UTC-day buckets wholly inside
 * it (cash_daily_totals, kept by trigger from the same completed, live entries) plus the entries of
 * the partial UTC days at either end. A month is ~30 bucket rows and two days' entries instead of its
 * 37,000 entries (22 ms at bench scale 10). The same figures as groupedTotals' total row.
 */
export async function periodTotals(db: Db, reflexoId: number, from: RawBuilder<Date>, to: RawBuilder<Date>): Promise<TotalsRow> {
  // The first UTC midnight at or after `from`, the last at or before `to`.
  const firstDay = sql`(((${from}) - interval '1 microsecond') AT TIME ZONE 'UTC')::date + 1`;
  const lastDay = sql`((${to}) AT TIME ZONE 'UTC')::date`;
  const firstMidnight = sql`((${firstDay})::timestamp AT TIME ZONE 'UTC')`;
  const lastMidnight = sql`((${lastDay})::timestamp AT TIME ZONE 'UTC')`;
  const entriesOf = (start: RawBuilder<unknown>, end: RawBuilder<unknown>) => sql`
    SELECT CASE WHEN c.kind = 'ingreso' THEN c.amount ELSE 0 END, CASE WHEN c.kind = 'egreso' THEN c.amount ELSE 0 END, 1
      FROM cash_transactions c
     WHERE c.reflexo_id = ${reflexoId} AND ${LIVE_COMPLETED} AND c.occurred_at >= ${start} AND c.occurred_at < ${end}`;
  const { rows } = await sql<TotalsRow>`
    SELECT ${money(sql`sum(x.income)`)} AS ingresos, ${money(sql`sum(x.expense)`)} AS egresos,
           ${money(sql`sum(x.income - x.expense)`)} AS balance, coalesce(sum(x.entries), 0)::int AS cantidad
      FROM (SELECT d.income, d.expense, d.entries FROM cash_daily_totals d
             WHERE d.reflexo_id = ${reflexoId} AND d.day >= ${firstDay} AND d.day < ${lastDay}
            UNION ALL ${entriesOf(from, sql`least(${firstMidnight}, ${to})`)}
            UNION ALL ${entriesOf(sql`greatest(${lastMidnight}, ${firstMidnight})`, to)}) x (income, expense, entries)`.execute(db);
  return rows[0];
}

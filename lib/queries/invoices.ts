import { sql, type Updateable } from 'kysely';
import type { Db } from '../db/tenant';
import type { InvoicesTable, InvoiceStatus } from '../db/tables/money';
import { paginate } from './paginate';

/*
 * Invoices and their lines (migration 0023). Line amounts, taxes and totals are generated columns and
 * sums of PostgreSQL; numbers come from a per-clinic, per-series counter row locked by an upsert.
 */

/**
 * The clinic's invoice settings (tenants.settings, the keys v1 /config writes: igv_rate, prices_include_igv,
 * invoice_series; company_ruc, company_address, company_phone print on the PDF) and its calendar day.
 * A malformed stored value falls back to the default instead of failing the request.
 */
export async function invoiceSettings(db: Db, reflexoId: number) {
  const { rows } = await sql<{
    igv_rate: string;
    prices_include_igv: boolean;
    series: string;
    today: string;
    time_zone: string;
    company_ruc: string | null;
    company_address: string | null;
    company_phone: string | null;
  }>`
    SELECT CASE WHEN settings->>'igv_rate' ~ '^\\d{1,3}(\\.\\d{1,2})?$' AND (settings->>'igv_rate')::numeric <= 100 THEN (settings->>'igv_rate')::numeric(5, 2) ELSE 18.00 END::text AS igv_rate,
           CASE WHEN settings->>'prices_include_igv' IN ('true', 'false') THEN (settings->>'prices_include_igv')::boolean ELSE true END AS prices_include_igv,
           CASE WHEN settings->>'invoice_series' ~ '^[A-Z][A-Z0-9]{3}$' THEN settings->>'invoice_series' ELSE 'F001' END AS series,
           to_char(now() AT TIME ZONE time_zone, 'YYYY-MM-DD') AS today, time_zone,
           settings->>'company_ruc' AS company_ruc, settings->>'company_address' AS company_address, settings->>'company_phone' AS company_phone
      FROM tenants WHERE id = ${reflexoId}`.execute(db);
  return rows[0];
}

/**
 * The next number of a clinic's series. The upsert locks the counter row until the transaction ends,
 * so concurrent issues take numbers one after another, and a rolled-back issue gives its number back.
 */
export async function nextInvoiceNumber(db: Db, reflexoId: number, series: string): Promise<number> {
  const r = await sql<{ last_number: number }>`
    INSERT INTO invoice_counters (reflexo_id, series, last_number) VALUES (${reflexoId}, ${series}, 1)
    ON CONFLICT (reflexo_id, series) DO UPDATE SET last_number = invoice_counters.last_number + 1
    RETURNING last_number`.execute(db);
  return r.rows[0].last_number;
}

export interface InvoiceFilter {
  reflexoId: number;
  id?: number;
  patientId?: number;
  status?: InvoiceStatus;
  fromDay?: string;
  toDay?: string;
}

export function invoiceQuery(db: Db, f: InvoiceFilter) {
  let q = db
    .selectFrom('invoices as i')
    .innerJoin('patients as p', 'p.id', 'i.patient_id')
    .select([
      'i.id',
      'i.reflexo_id',
      'i.series',
      'i.number',
      sql<string | null>`CASE WHEN i.number IS NOT NULL THEN i.series || '-' || lpad(i.number::text, 6, '0') END`.as('invoice_number'),
      'i.patient_id',
      'p.name as patient_name',
      'p.paternal_lastname as patient_paternal',
      'p.maternal_lastname as patient_maternal',
      'p.document_number as patient_document',
      'p.address as patient_address',
      'p.phone1 as patient_phone',
      'i.appointment_id',
      'i.status',
      'i.issue_date',
      'i.due_date',
      'i.igv_rate',
      'i.prices_include_igv',
      'i.subtotal',
      'i.igv',
      'i.total',
      'i.paid',
      // an annulled invoice owes nothing
      sql<string>`(CASE WHEN i.status = 'anulada' THEN 0 ELSE i.total - i.paid END)::numeric(12, 2)::text`.as('balance'),
      'i.notes',
      'i.cancelled_at',
      'i.created_at',
      'i.updated_at',
    ])
    .where('i.reflexo_id', '=', f.reflexoId);
  if (f.id !== undefined) q = q.where('i.id', '=', f.id);
  if (f.patientId !== undefined) q = q.where('i.patient_id', '=', f.patientId);
  if (f.status) q = q.where('i.status', '=', f.status);
  if (f.fromDay) q = q.where('i.issue_date', '>=', f.fromDay);
  if (f.toDay) q = q.where('i.issue_date', '<=', f.toDay);
  return q.orderBy('i.issue_date', 'desc').orderBy('i.id', 'desc');
}

export type InvoiceRow = Awaited<ReturnType<ReturnType<typeof invoiceQuery>['executeTakeFirstOrThrow']>>;

export const invoicePage = (db: Db, f: InvoiceFilter, page: number, size: number) => paginate(invoiceQuery(db, f), page, size);

export const findInvoice = (db: Db, reflexoId: number, id: number) => invoiceQuery(db, { reflexoId, id }).executeTakeFirst();

export function itemsOf(db: Db, reflexoId: number, invoiceIds: number[]) {
  if (!invoiceIds.length) return Promise.resolve([]);
  return db
    .selectFrom('invoice_items')
    .select(['id', 'invoice_id', 'line_no', 'description', 'quantity', 'unit_price', 'discount', 'treatment_id', 'product_id', 'amount', 'base', 'tax', 'total'])
    .where('reflexo_id', '=', reflexoId)
    .where('invoice_id', 'in', invoiceIds)
    .orderBy('invoice_id')
    .orderBy('line_no')
    .orderBy('id')
    .execute();
}

export type ItemRow = Awaited<ReturnType<typeof itemsOf>>[number];

export function lockInvoice(db: Db, reflexoId: number, id: number) {
  return db.selectFrom('invoices').selectAll().where('id', '=', id).where('reflexo_id', '=', reflexoId).forUpdate().executeTakeFirst();
}

export function insertInvoice(
  db: Db,
  v: { reflexo_id: number; series: string; patient_id: number; appointment_id: number | null; issue_date: string; due_date: string | null; igv_rate: string; prices_include_igv: boolean; notes: string | null; created_by: number | null },
) {
  return db.insertInto('invoices').values(v).returning('id').executeTakeFirstOrThrow();
}

export interface ItemValues {
  description: string;
  quantity: string;
  unit_price: string;
  discount: string;
  treatment_id: number | null;
  product_id: number | null;
}

/** The lines take the invoice's rate and mode, so their taxes are computed as the invoice's. */
export async function replaceItems(db: Db, reflexoId: number, invoiceId: number, items: ItemValues[]): Promise<void> {
  await db.deleteFrom('invoice_items').where('invoice_id', '=', invoiceId).where('reflexo_id', '=', reflexoId).execute();
  const inv = await db.selectFrom('invoices').select(['igv_rate', 'prices_include_igv']).where('id', '=', invoiceId).executeTakeFirstOrThrow();
  await db
    .insertInto('invoice_items')
    .values(items.map((it, i) => ({ ...it, reflexo_id: reflexoId, invoice_id: invoiceId, line_no: i + 1, igv_rate: inv.igv_rate, prices_include_igv: inv.prices_include_igv })))
    .execute();
}

/**
 * Sum of the lines (subtotal, IGV, total) and the status its payments give it, in one statement;
 * undefined (nothing written) when the new total would be below what was already paid.
 */
export async function refreshTotals(db: Db, invoiceId: number): Promise<{ total: string; paid: string } | undefined> {
  const { rows } = await sql<{ total: string; paid: string }>`
    UPDATE invoices i SET subtotal = s.base, igv = s.tax, total = s.total,
           status = CASE WHEN i.status IN ('emitida', 'parcial', 'pagada')
                         THEN CASE WHEN i.paid = 0 THEN 'emitida' WHEN i.paid < s.total THEN 'parcial' ELSE 'pagada' END
                         ELSE i.status END
      FROM (SELECT coalesce(sum(base), 0) AS base, coalesce(sum(tax), 0) AS tax, coalesce(sum(total), 0) AS total
              FROM invoice_items WHERE invoice_id = ${invoiceId}) s
     WHERE i.id = ${invoiceId} AND s.total >= i.paid
     RETURNING i.total::text, i.paid::text`.execute(db);
  return rows[0];
}

export function updateInvoice(db: Db, reflexoId: number, id: number, v: Updateable<InvoicesTable>) {
  return db.updateTable('invoices').set(v).where('id', '=', id).where('reflexo_id', '=', reflexoId).execute();
}

/** A draft becomes an issued invoice with its number (nothing paid yet: `emitida`). */
export function issueInvoice(db: Db, reflexoId: number, id: number, series: string, number: number) {
  return db.updateTable('invoices').set({ status: 'emitida', series, number }).where('id', '=', id).where('reflexo_id', '=', reflexoId).execute();
}

/**
 * Adds (or with a negative amount, takes back) a payment: paid and status change in one statement,
 * which the CHECKs of migration 0023 keep within the total. Undefined when it would overpay.
 */
export async function applyPayment(db: Db, reflexoId: number, id: number, amount: string, sign: 1 | -1) {
  const delta = sign === 1 ? sql`${amount}::numeric` : sql`-${amount}::numeric`;
  const { rows } = await sql<{ paid: string; status: InvoiceStatus }>`
    UPDATE invoices SET paid = paid + ${delta},
           status = CASE WHEN paid + ${delta} = 0 THEN 'emitida' WHEN paid + ${delta} < total THEN 'parcial' ELSE 'pagada' END
     WHERE id = ${id} AND reflexo_id = ${reflexoId} AND paid + ${delta} <= total AND paid + ${delta} >= 0
     RETURNING paid::text, status`.execute(db);
  return rows[0];
}

/** What is still owed, by PostgreSQL. */
export async function balanceOf(db: Db, id: number): Promise<string> {
  const r = await db.selectFrom('invoices').select(sql<string>`(total - paid)::text`.as('balance')).where('id', '=', id).executeTakeFirstOrThrow();
  return r.balance;
}

export const appointmentOfClinic = (db: Db, reflexoId: number, id: number) =>
  db.selectFrom('appointments').select(['id', 'patient_id', 'therapist_id']).where('id', '=', id).where('reflexo_id', '=', reflexoId).where('deleted_at', 'is', null).executeTakeFirst();

export const treatmentOfClinic = (db: Db, reflexoId: number, id: number) =>
  db.selectFrom('predetermined_prices').select(['id', 'name', 'price']).where('id', '=', id).where('reflexo_id', '=', reflexoId).where('deleted_at', 'is', null).executeTakeFirst();

export const productForSale = (db: Db, reflexoId: number, id: number) =>
  db.selectFrom('products').select(['id', 'name', 'sale_price']).where('id', '=', id).where('reflexo_id', '=', reflexoId).where('deleted_at', 'is', null).executeTakeFirst();

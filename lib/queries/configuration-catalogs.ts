import { sql } from 'kysely';
import type { NamedCatalog } from '../db/tables/clinical';
import type { Db } from '../db/tenant';
import { foldExpr } from './clinical-search';

/* Global catalogs of the configurations module: document types, payment types, payment statuses. */

const namedCols = ['id', 'name', 'code', 'created_at', 'updated_at'] as const;

export const selectNamed = (db: Db, table: NamedCatalog, id?: number) => {
  let q = db.selectFrom(table).select(namedCols).where('deleted_at', 'is', null);
  if (id !== undefined) q = q.where('id', '=', id);
  return q.orderBy('id').execute();
};

export type NamedRow = Awaited<ReturnType<typeof selectNamed>>[number];

export const insertNamed = (db: Db, table: NamedCatalog, name: string) =>
  db.insertInto(table).values({ name }).returning(namedCols).executeTakeFirstOrThrow();

export const updateNamed = (db: Db, table: NamedCatalog, id: number, name: string | undefined) =>
  db
    .updateTable(table)
    .set(name === undefined ? { updated_at: new Date() } : { name, updated_at: new Date() })
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .returning(namedCols)
    .executeTakeFirst();

export const deleteNamed = (db: Db, table: NamedCatalog, id: number) =>
  db.deleteFrom(table).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();

const statusCols = ['id', 'name', 'description', 'code', 'created_at', 'updated_at'] as const;

export const selectPaymentStatuses = (db: Db, id?: number) => {
  let q = db.selectFrom('payment_statuses').select(statusCols);
  if (id !== undefined) q = q.where('id', '=', id);
  return q.orderBy('id').execute();
};

export type PaymentStatusRow = Awaited<ReturnType<typeof selectPaymentStatuses>>[number];

export const insertPaymentStatus = (db: Db, values: { name: string; description: string | null }) =>
  db.insertInto('payment_statuses').values(values).returning(statusCols).executeTakeFirstOrThrow();

export const updatePaymentStatus = (db: Db, id: number, values: { name?: string; description?: string | null }) =>
  db
    .updateTable('payment_statuses')
    .set({ ...values, updated_at: new Date() })
    .where('id', '=', id)
    .returning(statusCols)
    .executeTakeFirst();

export const deletePaymentStatus = (db: Db, id: number) => db.deleteFrom('payment_statuses').where('id', '=', id).executeTakeFirst();

export type CatalogTable = NamedCatalog | 'payment_statuses';

/**
 * The live row of a catalog named by its id, or by its name or code compared without case or
 * accents ("dni", "carne de extranjeria"). Names are not unique: a code match wins, then the oldest row.
 */
export function findCatalogRow(db: Db, table: CatalogTable, ref: number | string) {
  let q = db.selectFrom(table).select(['id', 'name', 'code']);
  if (table !== 'payment_statuses') q = q.where(sql.ref(`${table}.deleted_at`), 'is', null);
  if (typeof ref === 'number') return q.where('id', '=', ref).executeTakeFirst();
  const folded = foldExpr(sql`${ref.trim()}`);
  return q
    .where((eb) => eb.or([eb(foldExpr(sql.ref('name')), '=', folded), eb(foldExpr(sql.ref('code')), '=', folded)]))
    .orderBy(sql`${foldExpr(sql.ref('code'))} = ${folded} IS TRUE`, 'desc')
    .orderBy('id')
    .executeTakeFirst();
}

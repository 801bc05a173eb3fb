import type { NamedCatalog } from '../db/tables/clinical';
import type { Db } from '../db/tenant';

/* Global catalogs of the configurations module: document types, payment types, payment statuses. */


export const selectNamed = (db: Db, table: NamedCatalog, id?: number) => {
  let q = db.selectFrom(table).select(['id', 'name', 'created_at', 'updated_at']).where('deleted_at', 'is', null);
  if (id !== undefined) q = q.where('id', '=', id);
  return q.orderBy('id').execute();
};

export const insertNamed = (db: Db, table: NamedCatalog, name: string) =>
  db.insertInto(table).values({ name }).returning(['id', 'name', 'created_at', 'updated_at']).executeTakeFirstOrThrow();

export const updateNamed = (db: Db, table: NamedCatalog, id: number, name: string | undefined) =>
  db
    .updateTable(table)

    .set(name === undefined ? { updated_at: new Date() } : { name, updated_at: new Date() })
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .returning(['id', 'name', 'created_at', 'updated_at'])
    .executeTakeFirst();

export const deleteNamed = (db: Db, table: NamedCatalog, id: number) =>
  db.deleteFrom(table).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();

export const selectPaymentStatuses = (db: Db, id?: number) => {
  let q = db.selectFrom('payment_statuses').select(['id', 'name', 'description']);
  if (id !== undefined) q = q.where('id', '=', id);
  return q.orderBy('id').execute();
};

export const insertPaymentStatus = (db: Db, values: { name: string; description: string | null }) =>
  db.insertInto('payment_statuses').values(values).returning(['id', 'name', 'description']).executeTakeFirstOrThrow();

export const updatePaymentStatus = (db: Db, id: number, values: { name?: string; description?: string | null }) =>
  db
    .updateTable('payment_statuses')
    .set({ ...values, updated_at: new Date() })
    .where('id', '=', id)
    .returning(['id', 'name', 'description'])
    .executeTakeFirst();

export const deletePaymentStatus = (db: Db, id: number) => db.deleteFrom('payment_statuses').where('id', '=', id).executeTakeFirst();

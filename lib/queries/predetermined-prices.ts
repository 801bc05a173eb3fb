import type { Db } from '../db/tenant';

/* Predetermined prices (tenant-owned), hard delete. `price` is numeric(12,2): read as "150.00". */

const cols = ['id', 'name', 'price', 'reflexo_id', 'created_at', 'updated_at'] as const;

export function selectPrices(db: Db, reflexoId: number | null, id?: number) {
  let q = db.selectFrom('predetermined_prices').select(cols).where('deleted_at', 'is', null);
  if (reflexoId !== null) q = q.where('reflexo_id', '=', reflexoId);
  if (id !== undefined) q = q.where('id', '=', id);
  return q.orderBy('id').execute();
}

export type PriceRow = Awaited<ReturnType<typeof selectPrices>>[number];

export const insertPrice = (db: Db, values: { reflexo_id: number; name: string; price: string }) =>
  db.insertInto('predetermined_prices').values(values).returning(['id', 'reflexo_id']).executeTakeFirstOrThrow();

export const updatePrice = (db: Db, id: number, reflexoId: number, values: { name?: string; price?: string }) =>
  db
    .updateTable('predetermined_prices')
    .set({ ...values, updated_at: new Date() })
    .where('id', '=', id)
    .where('reflexo_id', '=', reflexoId)
    .where('deleted_at', 'is', null)
    .execute();

export const deletePrice = (db: Db, id: number, reflexoId: number) =>
  db.deleteFrom('predetermined_prices').where('id', '=', id).where('reflexo_id', '=', reflexoId).execute();

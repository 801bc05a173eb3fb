import type { Db } from '../db/tenant';
import { NotFound, ValidationError } from '../errors';
import type { Actor } from '../auth/actor';
import { deletePrice, insertPrice, selectPrices, updatePrice } from '../queries/predetermined-prices';
import { readScope } from './clinical-rules';
import { tenantForWrite } from './tenancy';

/*
 * A clinic's price list. Prices are decimal strings end to end (validated by the route, stored as
 * numeric(12,2), never a float). A global administrator must name the clinic when creating.
 */
const notFound = () => new NotFound('Precio no encontrado.');

export const listPrices = async (db: Db, actor: Actor | null) => ({
  predetermined_prices: (await selectPrices(db, readScope(actor))).map(({ id, name, price }) => ({ id, name, price })),
});

async function findPrice(db: Db, actor: Actor | null, id: number) {
  const [row] = await selectPrices(db, readScope(actor), id);
  if (!row) throw notFound();
  return row;
}

export const getPrice = (db: Db, actor: Actor | null, id: number) => findPrice(db, actor, id);

export async function createPrice(db: Db, actor: Actor | null, input: { name: string; price: string; reflexo_id?: number }) {
  const reflexoId = tenantForWrite(actor, input.reflexo_id);
  return insertPrice(db, { reflexo_id: reflexoId, name: input.name, price: input.price });
}

export async function editPrice(db: Db, actor: Actor | null, id: number, input: { name?: string; price?: string; reflexo_id?: number }) {
  const current = await findPrice(db, actor, id);
  if (input.reflexo_id !== undefined && input.reflexo_id !== current.reflexo_id) {
    throw ValidationError.field('reflexo_id', 'No se puede cambiar la empresa de un precio.', 'invalid');
  }
  const values: { name?: string; price?: string } = {};
  if (input.name !== undefined) values.name = input.name;
  if (input.price !== undefined) values.price = input.price;
  await updatePrice(db, id, current.reflexo_id, values);
  return findPrice(db, actor, id);
}

export async function removePrice(db: Db, actor: Actor | null, id: number): Promise<void> {
  const current = await findPrice(db, actor, id);
  await deletePrice(db, id, current.reflexo_id);
}

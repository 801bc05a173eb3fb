import type { Db } from '../db/tenant';
import { Conflict, NotFound, ValidationError } from '../errors';
import type { Actor } from '../auth/actor';
import { deletePrice, insertPrice, selectPrices, updatePrice, type PriceRow } from '../queries/predetermined-prices';
import { pgCode, pgConstraint, readScope } from './clinical-rules';
import { tenantForWrite } from './tenancy';

/*
 * A clinic's price list (v1 calls its rows treatments). Prices are exact decimal strings end to end
 * (validated at the edge, stored as numeric(12,2), never a float). A global administrator must name
 * the clinic when creating. Names are unique among a clinic's live prices, whatever the case and
 * accents (the index of migration 0025 decides): 409 naming the field.
 */
export type PriceRecord = PriceRow;

const notFound = () => new NotFound('Precio no encontrado.');

async function uniqueName<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (pgCode(err) === '23505' && pgConstraint(err) === 'predetermined_prices_name_uq') {
      const msg = 'Ya existe un precio con ese nombre en la clínica.';
      throw new Conflict(msg, { code: 'price_name_exists', fields: { name: [msg] } });
    }
    throw err;
  }
}

export const listPrices = (db: Db, actor: Actor | null): Promise<PriceRecord[]> => selectPrices(db, readScope(actor));

async function findPrice(db: Db, actor: Actor | null, id: number): Promise<PriceRow> {
  const [row] = await selectPrices(db, readScope(actor), id);
  if (!row) throw notFound();
  return row;
}

export const getPrice = (db: Db, actor: Actor | null, id: number): Promise<PriceRecord> => findPrice(db, actor, id);

export async function createPrice(db: Db, actor: Actor | null, input: { name: string; price: string; reflexo_id?: number | null }): Promise<PriceRecord> {
  const reflexoId = tenantForWrite(actor, input.reflexo_id);
  const { id } = await uniqueName(() => insertPrice(db, { reflexo_id: reflexoId, name: input.name, price: input.price }));
  return (await selectPrices(db, reflexoId, id))[0];
}

export async function editPrice(db: Db, actor: Actor | null, id: number, input: { name?: string; price?: string; reflexo_id?: number | null }): Promise<PriceRecord> {
  const current = await findPrice(db, actor, id);
  if (input.reflexo_id !== undefined && input.reflexo_id !== null && input.reflexo_id !== current.reflexo_id) {
    throw ValidationError.field('reflexo_id', 'No se puede cambiar la empresa de un precio.', 'invalid');
  }
  const values: { name?: string; price?: string } = {};
  if (input.name !== undefined) values.name = input.name;
  if (input.price !== undefined) values.price = input.price;
  await uniqueName(() => updatePrice(db, id, current.reflexo_id, values));
  return findPrice(db, actor, id);
}

export async function removePrice(db: Db, actor: Actor | null, id: number): Promise<void> {
  const current = await findPrice(db, actor, id);
  await deletePrice(db, id, current.reflexo_id);
}

import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/tenant';

type Entity = 'appointments' | 'patients';

/**
 * A clinic's live rows of `entity` (appointments, patients) from the trigger-kept counters
 * (migration 0010); a global administrator (reflexoId null) gets the sum over every clinic.
 */
export async function liveCount(db: Db, entity: Entity, reflexoId: number | null): Promise<number> {
  let q = db.selectFrom('tenant_live_counts').select((eb) => eb.fn.coalesce(eb.fn.sum<number>('live'), eb.lit(0)).as('n')).where('entity', '=', entity);
  if (reflexoId !== null) q = q.where('reflexo_id', '=', reflexoId);
  const r = await q.executeTakeFirst();
  return Number(r?.n ?? 0);
}

/** The same count as a scalar sub-select, so a list page carries its total in its own statement (evaluated once). */
export const liveCountExpr = (entity: Entity, reflexoId: number | null): RawBuilder<string> =>
  sql<string>`(SELECT coalesce(sum(live), 0) FROM tenant_live_counts WHERE entity = ${entity}${reflexoId === null ? sql`` : sql` AND reflexo_id = ${reflexoId}`})`;

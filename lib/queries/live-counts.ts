import type { Db } from '../db/tenant';

/**
 * A clinic's live rows of `entity` (appointments, patients) from the trigger-kept counters
 * (migration 0010); a global administrator (reflexoId null) gets the sum over every clinic.
 */
export async function liveCount(db: Db, entity: 'appointments' | 'patients', reflexoId: number | null): Promise<number> {
  let q = db.selectFrom('tenant_live_counts').select((eb) => eb.fn.coalesce(eb.fn.sum<number>('live'), eb.lit(0)).as('n')).where('entity', '=', entity);
  if (reflexoId !== null) q = q.where('reflexo_id', '=', reflexoId);
  const r = await q.executeTakeFirst();
  return Number(r?.n ?? 0);
}

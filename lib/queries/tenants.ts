import { sql } from 'kysely';
import type { Db } from '../db/tenant';
import { paginate, type Page } from './paginate';
import { foldedContains, foldExpr } from './clinical-search';

/*
 * Tenants (clinics) and the per-clinic rows a clinic needs from its first request on. Every function
 * here crosses the tenant wall by nature: callers run them in the global scope.
 */

const columns = ['id', 'name', 'time_zone', 'is_active', 'created_at', 'updated_at'] as const;

export type TenantRow = NonNullable<Awaited<ReturnType<typeof selectTenant>>>;

/** The unique index on the folded name (migration 0017); its violation is a duplicate clinic. */
export const TENANT_NAME_CONSTRAINT = 'tenants_name_uq';

export const selectTenant = (db: Db, id: number) => db.selectFrom('tenants').select(columns).where('id', '=', id).executeTakeFirst();

export interface TenantFilter {
  isActive?: boolean;
  /** Part of the name, case and accents ignored. */
  search?: string;
}

export function selectTenantPage(db: Db, filter: TenantFilter, page: number, size: number): Promise<Page<TenantRow>> {
  let q = db.selectFrom('tenants').select(columns);
  if (filter.isActive !== undefined) q = q.where('is_active', '=', filter.isActive);
  if (filter.search) q = q.where(foldExpr(sql`name`), 'like', foldedContains(filter.search));
  return paginate(q.orderBy('id'), page, size);
}

export const insertTenant = (db: Db, values: { name: string; time_zone: string; is_active: boolean }) =>
  db.insertInto('tenants').values(values).returning(columns).executeTakeFirstOrThrow();

export const updateTenant = (db: Db, id: number, changes: Partial<{ name: string; time_zone: string; is_active: boolean }>) =>
  db.updateTable('tenants').set(changes).where('id', '=', id).returning(columns).executeTakeFirst();

/*
 * The counter rows numbering a clinic's tickets and histories (0006, 0005) and counting its live
 * appointments and patients (0010). Their writers upsert, so a clinic would also work without them;
 * creating them with the clinic means no first booking ever takes the insert path under concurrency,
 * and a new clinic's totals read 0 from its own row.
 */
export async function insertTenantCounters(db: Db, reflexoId: number): Promise<void> {
  await db.insertInto('ticket_counters').values({ reflexo_id: reflexoId, last_number: 0 }).onConflict((oc) => oc.column('reflexo_id').doNothing()).execute();
  await db.insertInto('history_counters').values({ reflexo_id: reflexoId, last_local_id: 0 }).onConflict((oc) => oc.column('reflexo_id').doNothing()).execute();
  await db
    .insertInto('tenant_live_counts')
    .values([
      { reflexo_id: reflexoId, entity: 'appointments', live: 0 },
      { reflexo_id: reflexoId, entity: 'patients', live: 0 },
    ])
    .onConflict((oc) => oc.columns(['reflexo_id', 'entity']).doNothing())
    .execute();
}

/** The role with a fixed code (migration 0012: 'admin' is the clinic-administrator role). */
export const selectRoleIdByCode = async (db: Db, code: string) =>
  (await db.selectFrom('roles').select('id').where('code', '=', code).executeTakeFirst())?.id;

/**
 * Whether PostgreSQL knows the zone by exactly this name: reports compute "today" with
 * `now() AT TIME ZONE tenants.time_zone`, so a zone only the runtime knows would fail there later.
 */
export const isKnownTimeZone = async (db: Db, name: string) =>
  (await sql<{ known: boolean }>`SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = ${name}) AS known`.execute(db)).rows[0].known;

import { sql } from 'kysely';
import type { Db } from '../db/tenant';

/* company_data: one or a few rows per tenant; the first one names the clinic on reports. */

const plainCols = ['id', 'reflexo_id', 'company_name', 'logo_key', 'logo_external_url', 'created_at', 'updated_at'] as const;
const cols = ['c.id', 'c.reflexo_id', 'c.company_name', 'c.logo_key', 'c.logo_external_url', 'c.created_at', 'c.updated_at'] as const;

export type CompanyRow = Awaited<ReturnType<typeof selectCompanies>>[number];

/** `reflexoId` null means every tenant the transaction may see (global administrators). */
export function selectCompanies(db: Db, filter: { reflexoId: number | null; id?: number }) {
  let q = db.selectFrom('company_data as c').select(cols);
  if (filter.reflexoId !== null) q = q.where('c.reflexo_id', '=', filter.reflexoId);
  if (filter.id !== undefined) q = q.where('c.id', '=', filter.id);
  return q.orderBy('c.id').execute();
}

export function lockCompany(db: Db, id: number, reflexoId: number | null) {
  let q = db.selectFrom('company_data as c').select(cols).where('c.id', '=', id);
  if (reflexoId !== null) q = q.where('c.reflexo_id', '=', reflexoId);
  return q.forUpdate().executeTakeFirst();
}

/** Inserts unless the tenant already has a company of that name (case-insensitive); undefined then. */
export function insertCompany(db: Db, values: { reflexo_id: number; company_name: string; logo_key?: string | null; logo_external_url?: string | null }) {
  return db
    .insertInto('company_data')
    .values(values)
    .onConflict((oc) => oc.expression(sql`reflexo_id, lower(company_name)`).doNothing())
    .returning(plainCols)
    .executeTakeFirst();
}

export function updateCompany(
  db: Db,
  id: number,
  reflexoId: number,
  changes: Partial<{ company_name: string; logo_key: string | null; logo_external_url: string | null }>,
) {
  return db
    .updateTable('company_data')
    .set(changes)
    .where('id', '=', id)
    .where('reflexo_id', '=', reflexoId)
    .returning(plainCols)
    .executeTakeFirstOrThrow();
}

export function deleteCompany(db: Db, id: number, reflexoId: number) {
  return db.deleteFrom('company_data').where('id', '=', id).where('reflexo_id', '=', reflexoId).execute();
}

/** The name and logo printed on a tenant's reports: its first company row, else the tenant's own name. */
export function selectLetterhead(db: Db, reflexoId: number) {
  return db
    .selectFrom('tenants as t')
    .leftJoin(
      (eb) => eb.selectFrom('company_data').select(['reflexo_id', 'company_name', 'logo_key']).where('reflexo_id', '=', reflexoId).orderBy('id').limit(1).as('c'),
      (join) => join.onRef('c.reflexo_id', '=', 't.id'),
    )
    .select(['t.name as tenant_name', 't.time_zone', 'c.company_name', 'c.logo_key'])
    .select([
      sql<string>`to_char(now() AT TIME ZONE t.time_zone, 'YYYY-MM-DD')`.as('today'),
      sql<string>`to_char(now() AT TIME ZONE t.time_zone, 'YYYY-MM-DD HH24:MI')`.as('now_local'),
    ])
    .where('t.id', '=', reflexoId)
    .executeTakeFirst();
}

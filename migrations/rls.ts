import { sql, type Kysely } from 'kysely';

/** The role the application connects as (directly or through a LOGIN role that is a member of it). */
export const APP_ROLE = 'reflexo_app';

/*
 * The tenant predicate every tenant policy uses; `column` is the table's tenant column. Each setting
 * is read in a scalar sub-select, which PostgreSQL evaluates once per query (an InitPlan) instead of
 * once per row: on a million-row count that halves the cost and keeps index-only scans possible.
 */
export const tenantPredicate = (column = 'reflexo_id') =>
  `(SELECT current_setting('app.global', true)) = 'on' OR ${column} = (SELECT nullif(current_setting('app.reflexo_id', true), '')::int)`;

/** "The caller's own row" (users see themselves whatever their tenant). */
export const selfPredicate = `id = (SELECT nullif(current_setting('app.user_id', true), '')::int)`;

/**
 * Row-level security for a tenant-owned table. FORCE makes the table owner subject to it too, so only
 * a superuser (migrations, never the API) can see across tenants without the `app.global` flag.
 */
export async function enableTenantRls(db: Kysely<any>, table: string, extra = ''): Promise<void> {
  const predicate = tenantPredicate() + (extra ? ` OR ${extra}` : '');
  await sql.raw(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`).execute(db);
  await sql.raw(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`).execute(db);
  await sql.raw(`CREATE POLICY tenant_isolation ON ${table} USING (${predicate}) WITH CHECK (${predicate})`).execute(db);
}

import { sql, type Kysely } from 'kysely';

/** The role the application connects as (directly or through a LOGIN role that is a member of it). */
export const APP_ROLE = 'reflexo_app';

/*
 * The tenant predicate every tenant policy uses; `column` is the table's tenant column. It reads the
 * settings with plain current_setting() calls, which the planner treats as stable values when it
 * estimates how many rows a clinic has. Wrapping them in sub-selects (InitPlans, migration 0009)
 * evaluated them once per query but hid the clinic from the estimates: a 100,000-row clinic was
 * planned as 6 rows, and the agenda's first page became a parallel sequential scan and sort
 * (396 ms instead of 1 ms at bench scale 1). Migration 0011 went back to this form.
 *
 * The policy is evaluated on every row a query reads, and OR stops at its first true operand: the
 * clinic's own comparison comes first because it is what is true for nearly every row read, so the
 * global flag is read only for rows of other clinics (migration 0029; 245,000 rows of a clinic:
 * 110 ms with the flag first, 75 ms with the clinic first, 38 ms with no policy at all).
 */
export const tenantPredicate = (column = 'reflexo_id') =>
  `${column} = nullif(current_setting('app.reflexo_id', true), '')::int OR current_setting('app.global', true) = 'on'`;

/** "The caller's own row" (users see themselves whatever their tenant). */
export const selfPredicate = `id = nullif(current_setting('app.user_id', true), '')::int`;

/** The short-lived InitPlan form of migration 0009, kept so 0009 and 0011 can move between the two. */
const initPlanForm = (plain: string) => plain.replace(/current_setting\(('[^']+'), true\)( = 'on')?/g, (_m, name, on) => `(SELECT current_setting(${name}, true))${on ?? ''}`).replace(/nullif\(\(SELECT current_setting\(('[^']+'), true\)\), ''\)::int/g, "(SELECT nullif(current_setting($1, true), '')::int)");

/** Rewrites every tenant_isolation policy in one of the two forms (migrations 0009 and 0011). */
export async function rewriteTenantPolicies(db: Kysely<any>, form: 'plain' | 'initplan'): Promise<void> {
  const { rows } = await sql<{ tablename: string; with_check: string | null }>`
    SELECT tablename, with_check FROM pg_policies WHERE schemaname = 'public' AND policyname = 'tenant_isolation' ORDER BY tablename`.execute(db);
  for (const { tablename, with_check } of rows) {
    let p = tablename === 'tenants' ? tenantPredicate('id') : tenantPredicate();
    if (tablename === 'users') p = `${p} OR ${selfPredicate}`;
    if (form === 'initplan') p = initPlanForm(p);
    await sql.raw(`DROP POLICY tenant_isolation ON ${tablename}`).execute(db);
    await sql.raw(`CREATE POLICY tenant_isolation ON ${tablename} USING (${p})${with_check ? ` WITH CHECK (${p})` : ''}`).execute(db);
  }
}

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

import { sql, type Kysely } from 'kysely';
import { selfPredicate, tenantPredicate } from './rls';

/*
 * Databases migrated before the tenant predicate read its settings through InitPlans get the same
 * policies a fresh database gets (see rls.ts): identical rules, evaluated once per query.
 */
const LEGACY = `current_setting('app.global', true) = 'on' OR reflexo_id = nullif(current_setting('app.reflexo_id', true), '')::int`;
const LEGACY_SELF = `id = nullif(current_setting('app.user_id', true), '')::int`;

function predicateFor(table: string, current: boolean): string {
  if (table === 'tenants') return current ? tenantPredicate('id') : LEGACY.replace('reflexo_id =', 'id =');
  const base = current ? tenantPredicate() : LEGACY;
  return table === 'users' ? `${base} OR ${current ? selfPredicate : LEGACY_SELF}` : base;
}

async function rewrite(db: Kysely<any>, current: boolean): Promise<void> {
  const { rows } = await sql<{ tablename: string; with_check: string | null }>`
    SELECT tablename, with_check FROM pg_policies WHERE schemaname = 'public' AND policyname = 'tenant_isolation' ORDER BY tablename`.execute(db);
  for (const { tablename, with_check } of rows) {
    const p = predicateFor(tablename, current);
    await sql.raw(`DROP POLICY tenant_isolation ON ${tablename}`).execute(db);
    await sql.raw(`CREATE POLICY tenant_isolation ON ${tablename} USING (${p})${with_check ? ` WITH CHECK (${p})` : ''}`).execute(db);
  }
}

export const up = (db: Kysely<any>) => rewrite(db, true);
export const down = (db: Kysely<any>) => rewrite(db, false);

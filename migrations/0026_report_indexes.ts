import { sql, type Kysely } from 'kysely';

/*
 * The v1 reports count a clinic's patients registered in a period (dashboard, reports/patients,
 * statistics): without an index on the registration instant that is a scan of every clinic's
 * patients (the bench's EXPLAIN guard found it at scale 10: 150,800 rows).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX patients_tenant_created_idx ON patients (reflexo_id, created_at) WHERE deleted_at IS NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX patients_tenant_created_idx`.execute(db);
}

import { sql, type Kysely } from 'kysely';
import { enableTenantRls } from './rls';

/*
 * Company data (the clinic's display name and logo, shown on every report and export). A logo is
 * either an object we stored in S3 (`logo_key`) or a URL the clinic gave us (`logo_external_url`),
 * never both. Names are unique per tenant, compared without regard to case.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('company_data')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('reflexo_id', 'integer', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('company_name', 'varchar(255)', (c) => c.notNull())
    .addColumn('logo_key', 'text')
    .addColumn('logo_external_url', 'varchar(2048)')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('company_data_one_logo', sql`logo_key IS NULL OR logo_external_url IS NULL`)
    .addCheckConstraint('company_data_name_not_blank', sql`btrim(company_name) <> ''`)
    .execute();
  await sql`CREATE UNIQUE INDEX company_data_tenant_name_uq ON company_data (reflexo_id, lower(company_name))`.execute(db);
  await sql`CREATE TRIGGER company_data_touch BEFORE UPDATE ON company_data FOR EACH ROW EXECUTE FUNCTION touch_updated_at()`.execute(db);
  await enableTenantRls(db, 'company_data');
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('company_data').execute();
}

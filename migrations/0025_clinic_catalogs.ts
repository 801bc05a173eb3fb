import { sql, type Kysely } from 'kysely';
import { FOLD_FROM, FOLD_TO } from './0005_clinical';
import { enableTenantRls } from './rls';

/*
 * Per-clinic catalogs of the v1 surface (issue 16): specialties, lead sources (fuentes de captación),
 * insurers (aseguradoras) and business lines: one table, one name per clinic and catalog, unique
 * case- and accent-insensitively (the index decides, → 409). Treatments are the clinic's
 * predetermined prices (one row: a name and a price the Reflexo agenda already uses), which gain a
 * duration and a specialty. Every clinic starts with Peruvian defaults: existing ones now, new ones
 * from a trigger on tenants (whatever creates them: the tenants route, the CLI, a seed).
 */
export const CATALOG_DEFAULTS: Record<string, string[]> = {
  specialties: ['Medicina general', 'Fisioterapia y rehabilitación', 'Traumatología', 'Pediatría', 'Ginecología', 'Odontología', 'Psicología', 'Nutrición', 'Dermatología', 'Cardiología'],
  sources: ['Recomendación', 'Facebook', 'Instagram', 'TikTok', 'Google', 'Página web', 'Referido médico', 'Volante', 'Paso por el local', 'WhatsApp'],
  insurers: ['Particular', 'EsSalud', 'SIS', 'Rímac Seguros', 'Pacífico Seguros', 'Mapfre', 'La Positiva', 'Sanitas', 'Oncosalud'],
  business_lines: ['Consulta', 'Fisioterapia', 'Rehabilitación', 'Terapia física', 'Estética', 'Odontología', 'Nutrición'],
};

const fold = (expr: string) => `translate(lower(btrim(${expr})), '${FOLD_FROM}', '${FOLD_TO}')`;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('clinic_catalog_entries')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('reflexo_id', 'integer', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('catalog', 'varchar(20)', (c) => c.notNull().check(sql`catalog IN ('specialties', 'sources', 'insurers', 'business_lines')`))
    .addColumn('name', 'varchar(100)', (c) => c.notNull().check(sql`btrim(name) <> ''`))
    .addColumn('description', 'varchar(255)')
    .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql.raw(`CREATE UNIQUE INDEX clinic_catalog_entries_name_uq ON clinic_catalog_entries (reflexo_id, catalog, (${fold('name')}))`).execute(db);
  await enableTenantRls(db, 'clinic_catalog_entries');

  // A treatment's name is unique among the clinic's live prices (v1 answers 409; so does Reflexo now).
  await sql.raw(`CREATE UNIQUE INDEX predetermined_prices_name_uq ON predetermined_prices (reflexo_id, (${fold('name')})) WHERE deleted_at IS NULL`).execute(db);
  await db.schema
    .alterTable('predetermined_prices')
    .addColumn('duration_minutes', 'integer', (c) => c.check(sql`duration_minutes BETWEEN 5 AND 720`))
    .addColumn('specialty_id', 'integer', (c) => c.references('clinic_catalog_entries.id').onDelete('set null'))
    .execute();

  const defaults = Object.entries(CATALOG_DEFAULTS).flatMap(([catalog, names]) => names.map((name) => `('${catalog}', '${name.replace(/'/g, "''")}')`));
  await sql.raw(`CREATE FUNCTION seed_clinic_catalogs(clinic int) RETURNS void LANGUAGE sql AS $$
    INSERT INTO clinic_catalog_entries (reflexo_id, catalog, name)
    SELECT clinic, d.catalog, d.name FROM (VALUES ${defaults.join(', ')}) AS d(catalog, name)
    ON CONFLICT DO NOTHING
  $$`).execute(db);
  await sql`CREATE FUNCTION tenants_seed_catalogs() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM seed_clinic_catalogs(NEW.id); RETURN NEW; END $$`.execute(db);
  await sql`CREATE TRIGGER tenants_seed_catalogs AFTER INSERT ON tenants FOR EACH ROW EXECUTE FUNCTION tenants_seed_catalogs()`.execute(db);
  await sql`SELECT seed_clinic_catalogs(id) FROM tenants`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER tenants_seed_catalogs ON tenants`.execute(db);
  await sql`DROP FUNCTION tenants_seed_catalogs()`.execute(db);
  await sql`DROP FUNCTION seed_clinic_catalogs(int)`.execute(db);
  await db.schema.alterTable('predetermined_prices').dropColumn('specialty_id').dropColumn('duration_minutes').execute();
  await sql`DROP INDEX predetermined_prices_name_uq`.execute(db);
  await db.schema.dropTable('clinic_catalog_entries').execute();
}

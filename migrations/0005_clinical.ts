import { sql, type Kysely } from 'kysely';
import { enableTenantRls } from './rls';

/*
 * Patients, diagnoses, medical records, clinical histories and the configuration catalogs
 * (document types, payment types, payment statuses, predetermined prices).
 *
 * Catalogs (document/payment types, payment statuses, diagnoses) are global: no reflexo_id, no RLS.
 * Everything that describes a clinic's patients is tenant-owned and behind RLS.
 *
 * Patients also carry the columns the Consultorio v1 contract reads (birth_date, estado_paciente,
 * fuente_captacion, aseguradora, linea_negocio, presupuesto): one row serves both surfaces.
 */

/** Lowercase, accent-free text, so "maria" finds "María". translate() is immutable, unaccent() is not. */
export const FOLD_FROM = 'áéíóúäëïöüàèìòùâêîôûñç';
export const FOLD_TO = 'aeiouaeiouaeiouaeiounc';
const fold = (expr: string) => `translate(lower(${expr}), '${FOLD_FROM}', '${FOLD_TO}')`;

const timestamps = (t: any, softDelete = true) => {
  let r = t
    .addColumn('created_at', 'timestamptz', (c: any) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c: any) => c.notNull().defaultTo(sql`now()`));
  if (softDelete) r = r.addColumn('deleted_at', 'timestamptz');
  return r;
};

const TOUCHED = [
  'document_types',
  'payment_types',
  'payment_statuses',
  'diagnoses',
  'patients',
  'medical_records',
  'histories',
  'predetermined_prices',
];

export async function up(db: Kysely<any>): Promise<void> {
  // ---- global catalogs -------------------------------------------------------------------------
  await timestamps(
    db.schema
      .createTable('document_types')
      .addColumn('id', 'serial', (c) => c.primaryKey())
      .addColumn('name', 'varchar(100)', (c) => c.notNull())
      // Stable machine code for seeded rows (DNI, CE, PASSPORT, RUC); null for user-created ones.
      .addColumn('code', 'varchar(30)', (c) => c.unique()),
  ).execute();

  await timestamps(
    db.schema
      .createTable('payment_types')
      .addColumn('id', 'serial', (c) => c.primaryKey())
      .addColumn('name', 'varchar(100)', (c) => c.notNull())
      // Ticket payment_method vocabulary (cash, card, transfer…) for seeded rows.
      .addColumn('code', 'varchar(30)', (c) => c.unique()),
  ).execute();

  await timestamps(
    db.schema
      .createTable('payment_statuses')
      .addColumn('id', 'serial', (c) => c.primaryKey())
      .addColumn('name', 'varchar(100)', (c) => c.notNull())
      .addColumn('description', 'text')
      // pending / paid / cancelled for seeded rows, so code can find them whatever their display name.
      .addColumn('code', 'varchar(30)', (c) => c.unique()),
    false,
  ).execute();

  await timestamps(
    db.schema
      .createTable('diagnoses')
      .addColumn('id', 'serial', (c) => c.primaryKey())
      .addColumn('code', 'varchar(50)', (c) => c.notNull())
      .addColumn('name', 'varchar(255)', (c) => c.notNull()),
  ).execute();
  // Unique among live rows: a soft-deleted code may be created again (delete then marks them all).
  await sql`CREATE UNIQUE INDEX diagnoses_code_live_uq ON diagnoses (code) WHERE deleted_at IS NULL`.execute(db);
  await sql
    .raw(`CREATE INDEX diagnoses_search_trgm ON diagnoses USING gin ((${fold(`code || ' ' || name`)}) gin_trgm_ops)`)
    .execute(db);

  // ---- patients ----------------------------------------------------------------------------------
  await timestamps(
    db.schema
      .createTable('patients')
      .addColumn('id', 'serial', (c) => c.primaryKey())
      .addColumn('reflexo_id', 'integer', (c) => c.notNull().references('tenants.id').onDelete('restrict'))
      .addColumn('document_type_id', 'integer', (c) => c.references('document_types.id').onDelete('restrict'))
      .addColumn('document_number', 'varchar(20)', (c) => c.notNull())
      .addColumn('name', 'varchar(150)', (c) => c.notNull())
      .addColumn('paternal_lastname', 'varchar(150)', (c) => c.notNull())
      .addColumn('maternal_lastname', 'varchar(150)')
      .addColumn('email', sql`citext`)
      .addColumn('phone1', 'varchar(20)')
      .addColumn('phone2', 'varchar(20)')
      .addColumn('sex', 'varchar(1)', (c) => c.check(sql`sex IN ('M', 'F')`))
      .addColumn('birth_date', 'date')
      .addColumn('address', 'varchar(255)')
      .addColumn('ocupation', 'varchar(150)')
      .addColumn('health_condition', 'text')
      .addColumn('personal_reference', 'varchar(255)')
      // Location ids are INEI ubigeo codes (see 0002_locations).
      .addColumn('region_id', 'integer', (c) => c.references('regions.id'))
      .addColumn('province_id', 'integer', (c) => c.references('provinces.id'))
      .addColumn('district_id', 'integer', (c) => c.references('districts.id'))
      // Consultorio v1 fields, not exposed on the Reflexo surface.
      .addColumn('estado_paciente', 'varchar(30)', (c) => c.notNull().defaultTo('activo'))
      .addColumn('fuente_captacion', 'varchar(100)')
      .addColumn('aseguradora', 'varchar(100)')
      .addColumn('linea_negocio', 'varchar(100)')
      .addColumn('presupuesto', 'numeric(12, 2)')
      .addColumn('notes', 'text')
      .addColumn('search_text', 'text', (c) =>
        c.generatedAlwaysAs(
          sql.raw(
            fold(
              `name || ' ' || paternal_lastname || ' ' || coalesce(maternal_lastname, '') || ' ' || document_number || ' ' || coalesce(email::text, '')`,
            ),
          ),
        ).stored(),
      ),
  ).execute();
  await sql`CREATE UNIQUE INDEX patients_document_live_uq ON patients (reflexo_id, document_number) WHERE deleted_at IS NULL`.execute(db);
  await sql`CREATE UNIQUE INDEX patients_email_live_uq ON patients (reflexo_id, email) WHERE deleted_at IS NULL AND email IS NOT NULL`.execute(db);
  await sql`CREATE INDEX patients_tenant_live_idx ON patients (reflexo_id, id DESC) WHERE deleted_at IS NULL`.execute(db);
  await sql`CREATE INDEX patients_search_trgm ON patients USING gin (search_text gin_trgm_ops) WHERE deleted_at IS NULL`.execute(db);
  await sql`CREATE INDEX patients_birthday_idx ON patients (reflexo_id, (extract(month FROM birth_date)), (extract(day FROM birth_date))) WHERE deleted_at IS NULL`.execute(db);
  await enableTenantRls(db, 'patients');

  // ---- medical records ---------------------------------------------------------------------------
  await timestamps(
    db.schema
      .createTable('medical_records')
      .addColumn('id', 'serial', (c) => c.primaryKey())
      .addColumn('reflexo_id', 'integer', (c) => c.notNull().references('tenants.id').onDelete('restrict'))
      .addColumn('patient_id', 'integer', (c) => c.notNull().references('patients.id').onDelete('cascade'))
      .addColumn('diagnose_id', 'integer', (c) => c.notNull().references('diagnoses.id').onDelete('restrict'))
      .addColumn('diagnosis_date', 'date', (c) => c.notNull())
      .addColumn('notes', 'text')
      .addColumn('symptoms', 'text')
      .addColumn('treatment', 'text')
      .addColumn('status', 'varchar(30)', (c) => c.notNull().defaultTo('active')),
  ).execute();
  await sql`CREATE UNIQUE INDEX medical_records_trio_live_uq ON medical_records (patient_id, diagnose_id, diagnosis_date) WHERE deleted_at IS NULL`.execute(db);
  await sql`CREATE INDEX medical_records_tenant_idx ON medical_records (reflexo_id, diagnosis_date DESC, id DESC) WHERE deleted_at IS NULL`.execute(db);
  await sql`CREATE INDEX medical_records_diagnose_idx ON medical_records (diagnose_id)`.execute(db);
  await enableTenantRls(db, 'medical_records');

  // ---- clinical histories ------------------------------------------------------------------------
  await timestamps(
    db.schema
      .createTable('histories')
      .addColumn('id', 'serial', (c) => c.primaryKey())
      .addColumn('reflexo_id', 'integer', (c) => c.notNull().references('tenants.id').onDelete('restrict'))
      .addColumn('local_id', 'integer', (c) => c.notNull())
      .addColumn('patient_id', 'integer', (c) => c.notNull().references('patients.id').onDelete('cascade'))
      .addColumn('testimony', 'boolean', (c) => c.notNull().defaultTo(true))
      .addColumn('private_observation', 'text')
      .addColumn('observation', 'text')
      .addColumn('height', 'numeric(5, 2)')
      .addColumn('weight', 'numeric(6, 2)')
      .addColumn('last_weight', 'numeric(6, 2)')
      .addColumn('menstruation', 'boolean', (c) => c.notNull().defaultTo(true))
      .addColumn('diu_type', 'varchar(100)')
      .addColumn('gestation', 'boolean', (c) => c.notNull().defaultTo(true))
      .addUniqueConstraint('histories_tenant_local_uq', ['reflexo_id', 'local_id']),
  ).execute();
  await sql`CREATE UNIQUE INDEX histories_patient_live_uq ON histories (patient_id) WHERE deleted_at IS NULL`.execute(db);
  await enableTenantRls(db, 'histories');

  // One row per tenant, locked (FOR UPDATE / upsert) while numbering a new history: gap-free local ids.
  await db.schema
    .createTable('history_counters')
    .addColumn('reflexo_id', 'integer', (c) => c.primaryKey().references('tenants.id').onDelete('cascade'))
    .addColumn('last_local_id', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await enableTenantRls(db, 'history_counters');

  // ---- predetermined prices ----------------------------------------------------------------------
  await timestamps(
    db.schema
      .createTable('predetermined_prices')
      .addColumn('id', 'serial', (c) => c.primaryKey())
      .addColumn('reflexo_id', 'integer', (c) => c.notNull().references('tenants.id').onDelete('restrict'))
      .addColumn('name', 'varchar(255)', (c) => c.notNull())
      .addColumn('price', 'numeric(12, 2)', (c) => c.notNull().check(sql`price > 0`)),
  ).execute();
  await sql`CREATE INDEX predetermined_prices_tenant_idx ON predetermined_prices (reflexo_id, id)`.execute(db);
  await enableTenantRls(db, 'predetermined_prices');

  for (const t of TOUCHED) {
    await sql.raw(`CREATE TRIGGER ${t}_touch BEFORE UPDATE ON ${t} FOR EACH ROW EXECUTE FUNCTION touch_updated_at()`).execute(db);
  }

  // ---- reference data ----------------------------------------------------------------------------
  await db
    .insertInto('document_types')
    .values([
      { name: 'DNI', code: 'DNI' },
      { name: 'Carné de Extranjería', code: 'CE' },
      { name: 'Pasaporte', code: 'PASSPORT' },
      { name: 'RUC', code: 'RUC' },
    ])
    .execute();
  await db
    .insertInto('payment_types')
    .values([
      { name: 'Efectivo', code: 'cash' },
      { name: 'Tarjeta de Crédito', code: 'card' },
      { name: 'Transferencia Bancaria', code: 'transfer' },
      { name: 'Yape', code: 'yape' },
      { name: 'Plin', code: 'plin' },
    ])
    .execute();
  await db
    .insertInto('payment_statuses')
    .values([
      { name: 'Pendiente', description: 'Pago pendiente de confirmación', code: 'pending' },
      { name: 'Pagado', description: 'Pago confirmado y procesado', code: 'paid' },
      { name: 'Cancelado', description: 'Pago cancelado o rechazado', code: 'cancelled' },
    ])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'predetermined_prices',
    'history_counters',
    'histories',
    'medical_records',
    'patients',
    'diagnoses',
    'payment_statuses',
    'payment_types',
    'document_types',
  ]) {
    await db.schema.dropTable(t).execute();
  }
}

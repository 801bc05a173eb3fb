import { sql, type Kysely } from 'kysely';
import { APP_ROLE, enableTenantRls, selfPredicate, tenantPredicate } from './rls';

/*
 * Tenants, users, roles and token revocation: what authentication and tenancy stand on.
 * Ids are `integer` so node-postgres returns them as numbers.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm`.execute(db);
  await sql`CREATE EXTENSION IF NOT EXISTS btree_gist`.execute(db);
  await sql`CREATE EXTENSION IF NOT EXISTS citext`.execute(db);
  await sql
    .raw(
      `DO $$ BEGIN
         IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN CREATE ROLE ${APP_ROLE} NOLOGIN; END IF;
       END $$`,
    )
    .execute(db);
  await sql.raw(`GRANT USAGE ON SCHEMA public TO ${APP_ROLE}`).execute(db);
  await sql.raw(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${APP_ROLE}`).execute(db);
  await sql.raw(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${APP_ROLE}`).execute(db);

  await sql`CREATE OR REPLACE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN NEW.updated_at = now(); RETURN NEW; END $$`.execute(db);

  await db.schema
    .createTable('tenants')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('time_zone', 'varchar(64)', (c) => c.notNull().defaultTo('America/Lima'))
    .addColumn('settings', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('roles')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('name', 'varchar(100)', (c) => c.notNull().unique())
    .addColumn('guard_name', 'varchar(100)', (c) => c.notNull().defaultTo('web'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('reflexo_id', 'integer', (c) => c.references('tenants.id').onDelete('restrict'))
    .addColumn('email', sql`citext`, (c) => c.notNull().unique())
    .addColumn('user_name', 'varchar(150)', (c) => c.notNull().unique())
    .addColumn('document_number', 'varchar(20)')
    .addColumn('name', 'varchar(150)')
    .addColumn('paternal_lastname', 'varchar(150)')
    .addColumn('maternal_lastname', 'varchar(150)')
    .addColumn('sex', 'varchar(1)')
    .addColumn('phone', 'varchar(20)')
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('account_statement', 'varchar(1)', (c) => c.notNull().defaultTo('A'))
    .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('is_staff', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('is_superuser', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('role_id', 'integer', (c) => c.references('roles.id').onDelete('set null'))
    .addColumn('photo_key', 'text')
    .addColumn('email_verified_at', 'timestamptz')
    .addColumn('last_login', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('users_reflexo_id_idx').on('users').column('reflexo_id').execute();
  // A user always sees their own row (profile routes), whatever their tenant.
  await enableTenantRls(db, 'users', selfPredicate);
  await sql.raw(`ALTER TABLE tenants ENABLE ROW LEVEL SECURITY`).execute(db);
  await sql.raw(`ALTER TABLE tenants FORCE ROW LEVEL SECURITY`).execute(db);
  await sql
    .raw(
      `CREATE POLICY tenant_isolation ON tenants USING (${tenantPredicate('id')})`,
    )
    .execute(db);

  await db.schema
    .createTable('revoked_tokens')
    .addColumn('jti', 'uuid', (c) => c.primaryKey())
    .addColumn('user_id', 'integer')
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('revoked_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('revoked_tokens_expires_idx').on('revoked_tokens').column('expires_at').execute();

  for (const t of ['tenants', 'roles', 'users']) {
    await sql.raw(`CREATE TRIGGER ${t}_touch BEFORE UPDATE ON ${t} FOR EACH ROW EXECUTE FUNCTION touch_updated_at()`).execute(db);
  }
  await sql.raw(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${APP_ROLE}`).execute(db);
  await sql.raw(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${APP_ROLE}`).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('revoked_tokens').execute();
  await db.schema.dropTable('users').execute();
  await db.schema.dropTable('roles').execute();
  await db.schema.dropTable('tenants').execute();
  await sql`DROP FUNCTION IF EXISTS touch_updated_at()`.execute(db);
}

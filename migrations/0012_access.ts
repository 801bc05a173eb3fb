import { sql, type Kysely } from 'kysely';

/*
 * Access that no clinic can change by renaming something (issue 12): a role's fixed `code` says what
 * it may do ('admin' administers its clinic), a user's `permissions` carry platform grants
 * ('architect.view_all_tenants': platform staff). Roles default to the spec's guard "api".
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('roles').addColumn('code', 'varchar(30)').execute();
  await sql`CREATE UNIQUE INDEX roles_code_uq ON roles (code) WHERE code IS NOT NULL`.execute(db);
  await sql`UPDATE roles SET code = 'admin' WHERE name = 'Admin'`.execute(db);
  // Every deployment has its clinic-administrator role from the start, whatever it is later called.
  await sql`INSERT INTO roles (name, guard_name, code) SELECT 'Admin', 'api', 'admin' WHERE NOT EXISTS (SELECT 1 FROM roles WHERE code = 'admin')`.execute(db);
  await sql`ALTER TABLE roles ALTER COLUMN guard_name SET DEFAULT 'api'`.execute(db);
  await sql`UPDATE roles SET guard_name = 'api' WHERE guard_name = 'web'`.execute(db);
  await db.schema.alterTable('users').addColumn('permissions', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('permissions').execute();
  await sql`ALTER TABLE roles ALTER COLUMN guard_name SET DEFAULT 'web'`.execute(db);
  await sql`DROP INDEX roles_code_uq`.execute(db);
  await db.schema.alterTable('roles').dropColumn('code').execute();
}

import { sql, type Kysely } from 'kysely';
import { enableTenantRls } from './rls';

/*
 * The audit log: who did what to which record, when and from where. Written in the same transaction
 * as the change it records. Ids and changed field names only, never clinical values.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('reflexo_id', 'integer', (c) => c.references('tenants.id').onDelete('cascade'))
    .addColumn('user_id', 'integer')
    .addColumn('action', 'varchar(40)', (c) => c.notNull())
    .addColumn('entity', 'varchar(60)', (c) => c.notNull())
    .addColumn('entity_id', 'varchar(64)')
    .addColumn('changed_fields', sql`text[]`)
    .addColumn('ip', 'varchar(64)')
    .addColumn('user_agent', 'varchar(300)')
    .addColumn('request_id', 'varchar(100)')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('audit_log_tenant_time_idx').on('audit_log').columns(['reflexo_id', 'created_at']).execute();
  await db.schema.createIndex('audit_log_entity_idx').on('audit_log').columns(['reflexo_id', 'entity', 'entity_id']).execute();
  await enableTenantRls(db, 'audit_log');
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_log').execute();
}

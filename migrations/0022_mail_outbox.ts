import { sql, type Kysely } from 'kysely';
import { enableTenantRls } from './rls';

/*
 * The transactional mail outbox (issue 15): every e-mail is a row written in the same transaction as
 * the change that causes it, so a rolled-back request sends nothing; a sender drains the rows through
 * SES (lib/mail/outbox.ts). `idempotency_key` is unique: the same logical message (a campaign's
 * recipient, an automation's occurrence, a code) can be enqueued only once. A claimed row carries a
 * lease: a sender that dies mid-batch leaves it to be retried after the lease, never lost.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('mail_outbox')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('reflexo_id', 'integer', (c) => c.references('tenants.id').onDelete('cascade'))
    .addColumn('idempotency_key', 'varchar(200)', (c) => c.notNull().unique())
    .addColumn('purpose', 'varchar(40)', (c) => c.notNull())
    .addColumn('to_address', 'varchar(320)', (c) => c.notNull())
    .addColumn('subject', 'varchar(500)', (c) => c.notNull())
    .addColumn('text_body', 'text', (c) => c.notNull())
    .addColumn('html_body', 'text', (c) => c.notNull())
    .addColumn('headers', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('status', 'varchar(12)', (c) => c.notNull().defaultTo('pendiente').check(sql`status IN ('pendiente', 'enviando', 'enviado', 'fallido')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('lease_until', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('provider_message_id', 'varchar(200)')
    .addColumn('sent_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // What a sender looks for: due pending rows and expired leases, oldest first.
  await sql`CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at, id) WHERE status IN ('pendiente', 'enviando')`.execute(db);
  await sql`CREATE INDEX mail_outbox_tenant_idx ON mail_outbox (reflexo_id, created_at)`.execute(db);
  await enableTenantRls(db, 'mail_outbox');
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('mail_outbox').execute();
}

import { sql, type Kysely } from 'kysely';
import { enableTenantRls } from './rls';

/*
 * The v1 CRM (issue 15): segments of patients, campaigns, automations, the clinic's suppression list
 * and the internal chat. What must be unique is a constraint, never a check in code:
 * - a campaign freezes one recipient row per patient (campaign_recipients (campaign_id, patient_id)),
 *   so sending twice queues nothing new;
 * - an automation fires once per (automation, patient, occurrence) (automation_deliveries), so a
 *   rerun or an overlapping run queues nothing twice;
 * - one direct conversation per pair of users of a clinic (chat_conversations (reflexo_id, direct_key));
 * - one suppression per address per clinic.
 * The outbox keys of campaign and automation mail are generated from those unique columns, so the
 * recipient/delivery row and its mail_outbox row (unique idempotency_key) can never disagree.
 * pgcrypto signs the unsubscribe links inside the INSERT … SELECT that queues a campaign (hmac()).
 */
const TENANT_TABLES = ['segments', 'segment_members', 'campaigns', 'campaign_recipients', 'mail_suppressions', 'automations', 'automation_runs', 'automation_deliveries', 'chat_conversations', 'chat_participants', 'chat_messages'];

export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE EXTENSION IF NOT EXISTS pgcrypto`.execute(db);
  const tenant = (c: any) => c.notNull().references('tenants.id').onDelete('cascade');

  // ---- segments ------------------------------------------------------------------------------------
  await db.schema
    .createTable('segments')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('reflexo_id', 'integer', tenant)
    .addColumn('name', 'varchar(150)', (c) => c.notNull().check(sql`btrim(name) <> ''`))
    .addColumn('description', 'text')
    // 'dinamico': its rules (AND) plus manual additions minus manual exclusions; 'manual': the additions only.
    .addColumn('kind', 'varchar(10)', (c) => c.notNull().defaultTo('dinamico').check(sql`kind IN ('dinamico', 'manual')`))
    .addColumn('rules', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`).check(sql`jsonb_typeof(rules) = 'array'`))
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('segments_id_tenant_key', ['id', 'reflexo_id'])
    .execute();
  await sql`CREATE UNIQUE INDEX segments_name_uq ON segments (reflexo_id, lower(btrim(name)))`.execute(db);

  await db.schema
    .createTable('segment_members')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('reflexo_id', 'integer', tenant)
    .addColumn('segment_id', 'integer', (c) => c.notNull())
    .addColumn('patient_id', 'integer', (c) => c.notNull())
    // true: added by hand; false: taken out by hand although the rules match.
    .addColumn('included', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addForeignKeyConstraint('segment_members_segment_fk', ['segment_id', 'reflexo_id'], 'segments', ['id', 'reflexo_id'], (c) => c.onDelete('cascade'))
    .addForeignKeyConstraint('segment_members_patient_fk', ['patient_id', 'reflexo_id'], 'patients', ['id', 'reflexo_id'], (c) => c.onDelete('cascade'))
    .addUniqueConstraint('segment_members_once', ['segment_id', 'patient_id'])
    .execute();

  // ---- campaigns -----------------------------------------------------------------------------------
  await db.schema
    .createTable('campaigns')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('reflexo_id', 'integer', tenant)
    .addColumn('name', 'varchar(200)', (c) => c.notNull().check(sql`btrim(name) <> ''`))
    .addColumn('subject', 'varchar(300)', (c) => c.notNull())
    // Sanitized HTML with {{placeholders}}, and the text part generated from it.
    .addColumn('content_html', 'text', (c) => c.notNull())
    .addColumn('content_text', 'text', (c) => c.notNull())
    .addColumn('segment_id', 'integer')
    .addColumn('status', 'varchar(12)', (c) => c.notNull().defaultTo('borrador').check(sql`status IN ('borrador', 'programada', 'enviando', 'enviada', 'cancelada')`))
    .addColumn('scheduled_for', 'timestamptz')
    .addColumn('sent_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('campaigns_scheduled_has_date', sql`status <> 'programada' OR scheduled_for IS NOT NULL`)
    .addUniqueConstraint('campaigns_id_tenant_key', ['id', 'reflexo_id'])
    .execute();
  // A deleted segment leaves its campaigns without one (their recipients are already frozen).
  await sql`ALTER TABLE campaigns ADD CONSTRAINT campaigns_segment_fk FOREIGN KEY (segment_id, reflexo_id) REFERENCES segments (id, reflexo_id) ON DELETE SET NULL (segment_id)`.execute(db);
  await sql`CREATE INDEX campaigns_tenant_idx ON campaigns (reflexo_id, created_at DESC)`.execute(db);
  await sql`CREATE INDEX campaigns_due_idx ON campaigns (scheduled_for) WHERE status = 'programada'`.execute(db);

  await db.schema
    .createTable('campaign_recipients')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('reflexo_id', 'integer', tenant)
    .addColumn('campaign_id', 'integer', (c) => c.notNull())
    .addColumn('patient_id', 'integer', (c) => c.notNull())
    .addColumn('email', sql`citext`, (c) => c.notNull())
    // On the suppression list when the list was frozen: no mail queued.
    .addColumn('suppressed', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('outbox_key', 'varchar(200)', (c) => c.generatedAlwaysAs(sql`'campaign:' || campaign_id || ':' || patient_id`).stored())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addForeignKeyConstraint('campaign_recipients_campaign_fk', ['campaign_id', 'reflexo_id'], 'campaigns', ['id', 'reflexo_id'], (c) => c.onDelete('cascade'))
    .addForeignKeyConstraint('campaign_recipients_patient_fk', ['patient_id', 'reflexo_id'], 'patients', ['id', 'reflexo_id'], (c) => c.onDelete('cascade'))
    .addUniqueConstraint('campaign_recipients_once', ['campaign_id', 'patient_id'])
    .execute();

  await db.schema
    .createTable('mail_suppressions')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('reflexo_id', 'integer', tenant)
    .addColumn('email', sql`citext`, (c) => c.notNull())
    .addColumn('reason', 'varchar(12)', (c) => c.notNull().defaultTo('baja').check(sql`reason IN ('baja', 'manual', 'rebote', 'queja')`))
    .addColumn('campaign_id', 'integer')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('mail_suppressions_once', ['reflexo_id', 'email'])
    .execute();
  await sql`ALTER TABLE mail_suppressions ADD CONSTRAINT mail_suppressions_campaign_fk FOREIGN KEY (campaign_id, reflexo_id) REFERENCES campaigns (id, reflexo_id) ON DELETE SET NULL (campaign_id)`.execute(db);

  // ---- automations ---------------------------------------------------------------------------------
  await db.schema
    .createTable('automations')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('reflexo_id', 'integer', tenant)
    .addColumn('name', 'varchar(200)', (c) => c.notNull().check(sql`btrim(name) <> ''`))
    .addColumn('trigger', 'varchar(30)', (c) => c.notNull().check(sql`trigger IN ('recordatorio_cita', 'cumpleanos', 'seguimiento_post_cita', 'inasistencia')`))
    .addColumn('params', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`).check(sql`jsonb_typeof(params) = 'object'`))
    .addColumn('subject', 'varchar(300)', (c) => c.notNull())
    .addColumn('content_html', 'text', (c) => c.notNull())
    .addColumn('content_text', 'text', (c) => c.notNull())
    .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('automations_id_tenant_key', ['id', 'reflexo_id'])
    .execute();
  await sql`CREATE INDEX automations_active_idx ON automations (reflexo_id) WHERE is_active`.execute(db);

  await db.schema
    .createTable('automation_runs')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('reflexo_id', 'integer', tenant)
    .addColumn('automation_id', 'integer', (c) => c.notNull())
    .addColumn('origin', 'varchar(12)', (c) => c.notNull().defaultTo('programada').check(sql`origin IN ('programada', 'manual')`))
    // The instant the run judged "now" by (the scheduler's clock; tests pass their own).
    .addColumn('run_at', 'timestamptz', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .addColumn('matched', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('queued', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('skipped', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('repeated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('errors', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error_detail', 'text')
    .addForeignKeyConstraint('automation_runs_automation_fk', ['automation_id', 'reflexo_id'], 'automations', ['id', 'reflexo_id'], (c) => c.onDelete('cascade'))
    .execute();
  await sql`CREATE INDEX automation_runs_automation_idx ON automation_runs (automation_id, id DESC)`.execute(db);

  await db.schema
    .createTable('automation_deliveries')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('reflexo_id', 'integer', tenant)
    .addColumn('automation_id', 'integer', (c) => c.notNull())
    .addColumn('patient_id', 'integer', (c) => c.notNull())
    // What happened once: 'cita:<appointment id>', 'dia:<date>', 'anio:<year>'.
    .addColumn('occurrence', 'varchar(60)', (c) => c.notNull())
    .addColumn('run_id', 'bigint', (c) => c.references('automation_runs.id').onDelete('set null'))
    .addColumn('email', sql`citext`)
    .addColumn('status', 'varchar(10)', (c) => c.notNull().check(sql`status IN ('encolado', 'omitido')`))
    .addColumn('reason', 'varchar(12)', (c) => c.check(sql`reason IN ('sin_email', 'suprimido')`))
    .addColumn('outbox_key', 'varchar(200)', (c) => c.generatedAlwaysAs(sql`'automation:' || automation_id || ':' || patient_id || ':' || occurrence`).stored())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addForeignKeyConstraint('automation_deliveries_automation_fk', ['automation_id', 'reflexo_id'], 'automations', ['id', 'reflexo_id'], (c) => c.onDelete('cascade'))
    .addForeignKeyConstraint('automation_deliveries_patient_fk', ['patient_id', 'reflexo_id'], 'patients', ['id', 'reflexo_id'], (c) => c.onDelete('cascade'))
    .addUniqueConstraint('automation_deliveries_once', ['automation_id', 'patient_id', 'occurrence'])
    .execute();

  // ---- chat ----------------------------------------------------------------------------------------
  await db.schema
    .createTable('chat_conversations')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('reflexo_id', 'integer', tenant)
    .addColumn('kind', 'varchar(10)', (c) => c.notNull().check(sql`kind IN ('grupo', 'directa')`))
    .addColumn('title', 'varchar(200)')
    // '<lower user id>:<higher user id>' for a direct conversation, null for a group.
    .addColumn('direct_key', 'varchar(30)')
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_message_at', 'timestamptz')
    .addCheckConstraint('chat_conversations_direct_has_key', sql`(kind = 'directa') = (direct_key IS NOT NULL)`)
    .addUniqueConstraint('chat_conversations_direct_once', ['reflexo_id', 'direct_key'])
    .addUniqueConstraint('chat_conversations_id_tenant_key', ['id', 'reflexo_id'])
    .execute();

  await db.schema
    .createTable('chat_participants')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('reflexo_id', 'integer', tenant)
    .addColumn('conversation_id', 'integer', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    // Read receipts as a pointer: every message up to this id is read by this participant.
    .addColumn('last_read_message_id', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('last_read_at', 'timestamptz')
    .addColumn('joined_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addForeignKeyConstraint('chat_participants_conversation_fk', ['conversation_id', 'reflexo_id'], 'chat_conversations', ['id', 'reflexo_id'], (c) => c.onDelete('cascade'))
    .addUniqueConstraint('chat_participants_once', ['conversation_id', 'user_id'])
    .execute();
  await sql`CREATE INDEX chat_participants_user_idx ON chat_participants (user_id)`.execute(db);

  await db.schema
    .createTable('chat_messages')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('reflexo_id', 'integer', tenant)
    .addColumn('conversation_id', 'integer', (c) => c.notNull())
    .addColumn('sender_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('content', 'text', (c) => c.notNull().check(sql`btrim(content) <> '' AND char_length(content) <= 4000`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addForeignKeyConstraint('chat_messages_conversation_fk', ['conversation_id', 'reflexo_id'], 'chat_conversations', ['id', 'reflexo_id'], (c) => c.onDelete('cascade'))
    .execute();
  await sql`CREATE INDEX chat_messages_conversation_idx ON chat_messages (conversation_id, id)`.execute(db);

  for (const t of ['segments', 'campaigns', 'automations']) await sql.raw(`CREATE TRIGGER ${t}_touch BEFORE UPDATE ON ${t} FOR EACH ROW EXECUTE FUNCTION touch_updated_at()`).execute(db);
  for (const t of TENANT_TABLES) await enableTenantRls(db, t);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [...TENANT_TABLES].reverse()) await db.schema.dropTable(t).execute();
  await sql`DROP EXTENSION IF EXISTS pgcrypto`.execute(db);
}

import { sql, type RawBuilder } from 'kysely';
import type { CampaignStatus } from '../db/tables/crm';
import type { Db } from '../db/tenant';
import { clockCte, segmentPatients, type SegmentSpec } from './segments';

/*
 * Campaigns, their frozen recipients, the suppression list, and the SQL that renders mail. Sending a
 * campaign is ONE statement: it freezes the recipients (INSERT … SELECT over the segment, unique per
 * campaign) and queues their personalised messages in the outbox (INSERT … SELECT, unique key per
 * recipient), with the signed unsubscribe link computed by pgcrypto, so a 5,000-patient segment is
 * one round trip and a second send finds every row already there.
 */

// ---- rendering ----------------------------------------------------------------------------------------

/** A placeholder's value per row, as SQL text (unescaped). */
export type TemplateValues = Record<string, RawBuilder<unknown>>;

export const htmlEscapeSql = (e: RawBuilder<unknown>) => sql`replace(replace(replace(replace(replace(coalesce(${e}, '')::text, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;')`;

/** The template with each `{{name}}` replaced by its row's value: HTML-escaped in 'html', verbatim in 'text', one line in 'subject'. */
export function fillTemplate(template: RawBuilder<unknown>, values: TemplateValues, mode: 'html' | 'text' | 'subject'): RawBuilder<unknown> {
  let out = sql`${template}::text`;
  for (const [name, expr] of Object.entries(values)) {
    const v = mode === 'html' ? htmlEscapeSql(expr) : mode === 'subject' ? sql`regexp_replace(coalesce(${expr}, '')::text, '[\\r\\n]+', ' ', 'g')` : sql`coalesce(${expr}, '')::text`;
    out = sql`replace(${out}, ${`{{${name}}}`}, ${v})`;
  }
  return out;
}

/**
 * `<kind><id>.<base64url HMAC-SHA256 of "<kind><id>">`: the unsubscribe token of a campaign
 * recipient ('c') or an automation delivery ('a'). `key` is derived from the JWT secret in code
 * (lib/domain/campaigns.ts); it travels as a bound parameter.
 */
export const unsubscribeTokenSql = (kind: 'c' | 'a', id: RawBuilder<unknown>, key: Buffer) =>
  sql`(${kind}::text || ${id}::text || '.' || translate(rtrim(encode(hmac(convert_to(${kind}::text || ${id}::text, 'UTF8'), ${key}::bytea, 'sha256'), 'base64'), '='), '+/', '-_'))`;

/** The clinic's name as patients know it: its company data, else the tenant's name. */
export const clinicNameSql = (reflexoId: number) =>
  sql`coalesce((SELECT cd.company_name FROM company_data cd WHERE cd.reflexo_id = ${reflexoId} ORDER BY cd.id LIMIT 1), (SELECT t.name FROM tenants t WHERE t.id = ${reflexoId}))`;

export const apellidosSql = (p: string) => sql`concat_ws(' ', nullif(btrim(${sql.ref(`${p}.paternal_lastname`)}), ''), nullif(btrim(${sql.ref(`${p}.maternal_lastname`)}), ''))`;

/** The outbox headers of a mail with a one-click unsubscribe link (RFC 2369 and RFC 8058). */
export const unsubscribeHeadersSql = (url: RawBuilder<unknown>) =>
  sql`jsonb_build_array(jsonb_build_object('name', 'List-Unsubscribe', 'value', '<' || ${url} || '>'), jsonb_build_object('name', 'List-Unsubscribe-Post', 'value', 'List-Unsubscribe=One-Click'))`;

/**
 * When the n-th message of a bulk send becomes due: bulk mail is spread at the sender's rate, so
 * mail queued after it (a reset code) is due before most of it and is not stuck behind thousands.
 */
export const spreadSql = (n: RawBuilder<unknown>, ratePerSecond: number) => sql`now() + make_interval(secs => (${n} - 1)::float8 / ${Math.max(1, ratePerSecond)}::float8)`;

/* Work undone alone when it fails, inside the caller's transaction (a scheduled run goes on with the clinic's other work). */
export type SavepointName = 'automation_run' | 'campaign_send';
export const savepoint = (db: Db, name: SavepointName) => sql`SAVEPOINT ${sql.raw(name)}`.execute(db);
export const releaseSavepoint = (db: Db, name: SavepointName) => sql`RELEASE SAVEPOINT ${sql.raw(name)}`.execute(db);
export const rollbackToSavepoint = (db: Db, name: SavepointName) => sql`ROLLBACK TO SAVEPOINT ${sql.raw(name)}`.execute(db);

// ---- campaigns ------------------------------------------------------------------------------------------

export interface CampaignRow {
  id: number;
  reflexo_id: number;
  name: string;
  subject: string;
  content_html: string;
  content_text: string;
  segment_id: number | null;
  segment_name: string | null;
  /** The stored status, except that a campaign whose mail has all left reads 'enviada'. */
  status: CampaignStatus;
  stored_status: CampaignStatus;
  scheduled_for: Date | null;
  sent_at: Date | null;
  recipients: number;
  created_at: Date;
  updated_at: Date;
}

const pendingMail = sql`EXISTS (SELECT 1 FROM campaign_recipients r JOIN mail_outbox o ON o.idempotency_key = r.outbox_key WHERE r.campaign_id = c.id AND o.status IN ('pendiente', 'enviando'))`;

const campaignSelect = sql`c.id, c.reflexo_id, c.name, c.subject, c.content_html, c.content_text, c.segment_id, s.name AS segment_name,
  CASE WHEN c.status = 'enviando' AND NOT ${pendingMail} THEN 'enviada' ELSE c.status END AS status, c.status AS stored_status,
  c.scheduled_for, c.sent_at, (SELECT count(*) FROM campaign_recipients r WHERE r.campaign_id = c.id)::int AS recipients, c.created_at, c.updated_at
  FROM campaigns c LEFT JOIN segments s ON s.id = c.segment_id AND s.reflexo_id = c.reflexo_id`;

export async function selectCampaign(db: Db, reflexoId: number, id: number, lock = false): Promise<CampaignRow | undefined> {
  const { rows } = await sql<CampaignRow>`SELECT ${campaignSelect} WHERE c.reflexo_id = ${reflexoId} AND c.id = ${id} ${lock ? sql`FOR UPDATE OF c` : sql``}`.execute(db);
  return rows[0];
}

export async function selectCampaignPage(db: Db, reflexoId: number, status: CampaignStatus | undefined, limit: number, offset: number): Promise<{ rows: CampaignRow[]; count: number }> {
  const page = (l: number, o: number) =>
    sql<CampaignRow & { full_count: number }>`
      SELECT *, count(*) OVER ()::int AS full_count FROM (SELECT ${campaignSelect} WHERE c.reflexo_id = ${reflexoId}) x
      WHERE ${status ?? null}::text IS NULL OR x.status = ${status ?? null}::text
      ORDER BY x.created_at DESC, x.id DESC
      LIMIT ${l} OFFSET ${o}`.execute(db);
  const { rows } = await page(limit, offset);
  // A page past the end has no row to carry the total.
  const count = rows.length ? rows[0].full_count : offset > 0 ? ((await page(1, 0)).rows[0]?.full_count ?? 0) : 0;
  return { rows: rows.map(({ full_count: _c, ...r }) => r as CampaignRow), count };
}

export const insertCampaign = async (
  db: Db,
  v: { reflexo_id: number; name: string; subject: string; content_html: string; content_text: string; segment_id: number | null; status: CampaignStatus; scheduled_for: Date | null; created_by: number | null },
) => (await db.insertInto('campaigns').values(v).returning('id').executeTakeFirstOrThrow()).id;

export const updateCampaignRow = (
  db: Db,
  reflexoId: number,
  id: number,
  v: Partial<{ name: string; subject: string; content_html: string; content_text: string; segment_id: number | null; status: CampaignStatus; scheduled_for: Date | null; sent_at: Date | null }>,
) => db.updateTable('campaigns').set({ ...v, updated_at: sql`now()` }).where('reflexo_id', '=', reflexoId).where('id', '=', id).execute();

export const deleteCampaignRow = (db: Db, reflexoId: number, id: number) => db.deleteFrom('campaigns').where('reflexo_id', '=', reflexoId).where('id', '=', id).execute();

export const segmentOfClinic = (db: Db, reflexoId: number, id: number) =>
  db.selectFrom('segments').select(['id', 'kind', 'rules']).where('reflexo_id', '=', reflexoId).where('id', '=', id).executeTakeFirst();

/** Scheduled campaigns whose time has come (at `now`, or the database's now). */
export const dueCampaigns = async (db: Db, reflexoId: number, now?: Date | null) =>
  (await sql<{ id: number }>`SELECT id FROM campaigns WHERE reflexo_id = ${reflexoId} AND status = 'programada' AND scheduled_for <= coalesce(${now ?? null}::timestamptz, now()) ORDER BY scheduled_for, id`.execute(db)).rows.map((r) => r.id);

/** Campaigns whose last message has left are recorded as 'enviada' (reads already show it). */
export const finishSentCampaigns = (db: Db, reflexoId: number) =>
  sql`UPDATE campaigns c SET status = 'enviada', finished_at = now() WHERE c.reflexo_id = ${reflexoId} AND c.status = 'enviando' AND NOT ${pendingMail}`.execute(db);

export interface FreezeReport {
  recipients: number;
  suppressed: number;
  queued: number;
  without_email: number;
}

export interface FreezeInput {
  reflexoId: number;
  campaignId: number;
  segment: SegmentSpec;
  /** Absolute URL the token is appended to (…/api/v1/campaigns/unsubscribe/). */
  unsubscribeBase: string;
  key: Buffer;
  ratePerSecond: number;
  now?: Date | null;
}

/**
 * Freezes the campaign's recipients (each live patient of the segment with an e-mail, once) and
 * queues a message for each one not on the clinic's suppression list, in one statement. Rows already
 * frozen are left alone, so a second call queues nothing.
 */
export async function freezeAndQueue(db: Db, f: FreezeInput): Promise<FreezeReport> {
  return (await freezeSql(f).execute(db)).rows[0];
}

/** The statement of freezeAndQueue (EXPLAIN ANALYZE can wrap it). */
export function freezeSql(f: FreezeInput) {
  const url = sql`${f.unsubscribeBase}::text || ${unsubscribeTokenSql('c', sql`ins.id`, f.key)}`;
  const values: TemplateValues = {
    nombres: sql`p.name`,
    apellidos: apellidosSql('p'),
    nombre_completo: sql`concat_ws(' ', btrim(p.name), nullif(${apellidosSql('p')}, ''))`,
    email: sql`ins.email`,
    clinica: sql`clinic.name`,
    enlace_baja: url,
  };
  const footerHtml = sql`'<hr><p style="font-size:12px;color:#666666">Recibe este correo por ser paciente de ' || ${htmlEscapeSql(sql`clinic.name`)} || '. <a href="' || ${htmlEscapeSql(url)} || '">Dejar de recibir estos correos</a>.</p>'`;
  const footerText = sql`E'\\n\\n--\\nPara dejar de recibir estos correos de ' || clinic.name || ': ' || ${url}`;
  return sql<FreezeReport>`
    WITH ${clockCte(f.reflexoId, f.now)},
    c AS (SELECT subject, content_html, content_text FROM campaigns WHERE id = ${f.campaignId} AND reflexo_id = ${f.reflexoId}),
    clinic AS (SELECT ${clinicNameSql(f.reflexoId)} AS name),
    members AS (SELECT p.id, nullif(btrim(p.email::text), '') AS email FROM ${segmentPatients(f.reflexoId, f.segment)}),
    ins AS (
      INSERT INTO campaign_recipients (reflexo_id, campaign_id, patient_id, email, suppressed)
      SELECT ${f.reflexoId}, ${f.campaignId}, m.id, m.email,
             EXISTS (SELECT 1 FROM mail_suppressions s WHERE s.reflexo_id = ${f.reflexoId} AND s.email = m.email::citext)
      FROM members m WHERE m.email IS NOT NULL ORDER BY m.id
      ON CONFLICT (campaign_id, patient_id) DO NOTHING
      RETURNING id, patient_id, email, suppressed, outbox_key),
    queued AS (
      INSERT INTO mail_outbox (reflexo_id, idempotency_key, purpose, to_address, subject, text_body, html_body, headers, next_attempt_at)
      SELECT ${f.reflexoId}, ins.outbox_key, 'campaign', ins.email,
             left(${fillTemplate(sql`c.subject`, values, 'subject')}, 500),
             ${fillTemplate(sql`c.content_text`, values, 'text')} || ${footerText},
             ${fillTemplate(sql`c.content_html`, values, 'html')} || ${footerHtml},
             ${unsubscribeHeadersSql(url)},
             ${spreadSql(sql`row_number() OVER (ORDER BY ins.id)`, f.ratePerSecond)}
      FROM ins JOIN patients p ON p.id = ins.patient_id CROSS JOIN c CROSS JOIN clinic
      WHERE NOT ins.suppressed
      ON CONFLICT (idempotency_key) DO NOTHING
      RETURNING 1)
    SELECT (SELECT count(*) FROM ins)::int AS recipients, (SELECT count(*) FROM ins WHERE suppressed)::int AS suppressed,
           (SELECT count(*) FROM queued)::int AS queued, (SELECT count(*) FROM members WHERE email IS NULL)::int AS without_email`;
}

/** What the campaign froze so far (a second send reports it). */
export async function frozenTotals(db: Db, campaignId: number): Promise<{ recipients: number; suppressed: number }> {
  const { rows } = await sql<{ recipients: number; suppressed: number }>`
    SELECT count(*)::int AS recipients, (count(*) FILTER (WHERE suppressed))::int AS suppressed FROM campaign_recipients WHERE campaign_id = ${campaignId}`.execute(db);
  return rows[0];
}

// ---- results ------------------------------------------------------------------------------------------

/* A recipient's status: suppressed when frozen (or unsubscribed before its mail left), else its outbox row's. */
const recipientStatus = sql`CASE WHEN r.suppressed OR (o.status = 'fallido' AND o.last_error = 'suprimido') THEN 'suprimido'
  WHEN o.status IN ('pendiente', 'enviando') OR o.id IS NULL THEN 'pendiente' ELSE o.status END`;

export interface RecipientRow {
  patient_id: number;
  name: string;
  paternal_lastname: string;
  maternal_lastname: string | null;
  email: string;
  status: 'pendiente' | 'enviado' | 'fallido' | 'suprimido';
  attempts: number;
  queued_at: Date;
  sent_at: Date | null;
  last_error: string | null;
}

export async function recipientTotals(db: Db, campaignId: number) {
  const { rows } = await sql<{ total: number; pendiente: number; enviado: number; fallido: number; suprimido: number }>`
    SELECT count(*)::int AS total,
           (count(*) FILTER (WHERE st = 'pendiente'))::int AS pendiente, (count(*) FILTER (WHERE st = 'enviado'))::int AS enviado,
           (count(*) FILTER (WHERE st = 'fallido'))::int AS fallido, (count(*) FILTER (WHERE st = 'suprimido'))::int AS suprimido
    FROM (SELECT ${recipientStatus} AS st FROM campaign_recipients r LEFT JOIN mail_outbox o ON o.idempotency_key = r.outbox_key WHERE r.campaign_id = ${campaignId}) x`.execute(db);
  return rows[0];
}

export async function selectRecipients(db: Db, campaignId: number, status: string | undefined, limit: number, offset: number): Promise<{ rows: RecipientRow[]; count: number }> {
  const page = (l: number, o: number) =>
    sql<RecipientRow & { id: number; full_count: number }>`
      SELECT *, count(*) OVER ()::int AS full_count FROM (
        SELECT r.id, r.patient_id, p.name, p.paternal_lastname, p.maternal_lastname, r.email::text AS email, ${recipientStatus} AS status,
               coalesce(o.attempts, 0) AS attempts, r.created_at AS queued_at, o.sent_at, CASE WHEN o.status = 'fallido' THEN o.last_error END AS last_error
        FROM campaign_recipients r JOIN patients p ON p.id = r.patient_id LEFT JOIN mail_outbox o ON o.idempotency_key = r.outbox_key
        WHERE r.campaign_id = ${campaignId}) x
      WHERE ${status ?? null}::text IS NULL OR x.status = ${status ?? null}::text
      ORDER BY x.id
      LIMIT ${l} OFFSET ${o}`.execute(db);
  const { rows } = await page(limit, offset);
  const count = rows.length ? rows[0].full_count : offset > 0 ? ((await page(1, 0)).rows[0]?.full_count ?? 0) : 0;
  return { rows: rows.map(({ full_count: _c, id: _i, ...r }) => r as unknown as RecipientRow), count };
}

// ---- suppression --------------------------------------------------------------------------------------

/** The row an unsubscribe token names: the clinic and the address the mail went to. */
export async function unsubscribeTarget(db: Db, kind: 'c' | 'a', id: number) {
  const { rows } = await sql<{ reflexo_id: number; email: string | null; campaign_id: number | null; clinic: string }>`
    SELECT x.reflexo_id, x.email, x.campaign_id, ${sql`coalesce((SELECT cd.company_name FROM company_data cd WHERE cd.reflexo_id = x.reflexo_id ORDER BY cd.id LIMIT 1), (SELECT t.name FROM tenants t WHERE t.id = x.reflexo_id))`} AS clinic
    FROM (${kind === 'c' ? sql`SELECT reflexo_id, email::text AS email, campaign_id FROM campaign_recipients WHERE id = ${id}` : sql`SELECT reflexo_id, email::text AS email, NULL::int AS campaign_id FROM automation_deliveries WHERE id = ${id}`}) x`.execute(db);
  return rows[0];
}

/**
 * Puts the address on the clinic's suppression list (once) and withdraws the clinic's campaign and
 * automation mail to it that has not left yet. Returns whether it was already there.
 */
export async function suppress(db: Db, reflexoId: number, email: string, campaignId: number | null): Promise<boolean> {
  const inserted = await db
    .insertInto('mail_suppressions')
    .values({ reflexo_id: reflexoId, email, campaign_id: campaignId })
    .onConflict((oc) => oc.columns(['reflexo_id', 'email']).doNothing())
    .returning('id')
    .execute();
  await sql`UPDATE mail_outbox SET status = 'fallido', last_error = 'suprimido', lease_until = NULL
    WHERE reflexo_id = ${reflexoId} AND lower(to_address) = lower(${email}) AND status = 'pendiente' AND purpose IN ('campaign', 'automation')`.execute(db);
  return inserted.length === 0;
}

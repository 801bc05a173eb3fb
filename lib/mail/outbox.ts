import { sql } from 'kysely';
import { withGlobalScope, withSystem, type Db } from '../db/tenant';
import type { MailHeader } from '../db/tables/mail';
import { sendMail, type Mail } from './ses';

/*
 * Every e-mail goes through the outbox (migration 0022). `enqueueMail` writes the message in the
 * caller's transaction: it leaves only if that transaction commits. `drainOutbox` (the scheduled
 * sender, lib/jobs) claims due rows with FOR UPDATE SKIP LOCKED under a lease, sends them through SES
 * at a bounded rate, and records each outcome at once: sent, retry later (backoff), or `fallido`
 * after the last attempt. Two senders never take the same row; one that dies leaves its leased rows
 * to be retried when the lease ends. The residual window: a sender killed after SES accepted a
 * message and before its row was marked sent resends that one message (SES has no idempotency key);
 * every message carries its key in `X-Reflexo-Idempotency-Key` for whoever must deduplicate.
 */
export interface OutgoingMail extends Mail {
  /** Unique per logical message: enqueueing the same key twice sends once. */
  key: string;
  /** What caused it: code, reminder, greeting, campaign, automation… */
  purpose: string;
  /** The clinic it belongs to (null for mail to users without a clinic). */
  reflexoId: number | null;
}

export const OUTBOX_MAX_ATTEMPTS = 5;
/** Messages whose bodies carry a secret (verification and reset codes). */
export const SECRET_PURPOSE = 'code';
const LEASE_SECONDS = 120;

/** Queues a message in the caller's transaction. Returns false when that key was already queued. */
export async function enqueueMail(db: Db, mail: OutgoingMail): Promise<boolean> {
  const insert = async () =>
    (
      await db
        .insertInto('mail_outbox')
        .values({
          reflexo_id: mail.reflexoId,
          idempotency_key: mail.key,
          purpose: mail.purpose,
          to_address: mail.to,
          subject: mail.subject,
          text_body: mail.text,
          html_body: mail.html,
          headers: JSON.stringify(mail.headers ?? []),
        })
        .onConflict((oc) => oc.column('idempotency_key').doNothing())
        .returning('id')
        .execute()
    ).length > 0;
  // Mail without a clinic (codes for self-registered users) is a row no clinic owns: written in the global scope.
  return mail.reflexoId === null ? withGlobalScope(db, insert) : insert();
}

export interface DrainOptions {
  /** Rows claimed per round. */
  batch?: number;
  /** Messages per second at most (keep below the SES account's send rate). */
  ratePerSecond?: number;
  /** Stop claiming new rounds after this many milliseconds (a Lambda's remaining time). */
  budgetMs?: number;
  /** How to send one message (SES by default; tests pass a failing one). */
  send?: (mail: Mail) => Promise<string>;
  /** Test hook: called after each message's outcome is stored (a test kills the process here). */
  afterEach?: (id: number, outcome: 'sent' | 'retry' | 'failed') => void;
}

export interface DrainReport {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
}

interface Claimed {
  id: number;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  headers: MailHeader[];
  idempotency_key: string;
  attempts: number;
}

const claim = (batch: number) =>
  withSystem(async (db) => {
    const { rows } = await sql<Claimed>`
      UPDATE mail_outbox SET status = 'enviando', lease_until = now() + make_interval(secs => ${LEASE_SECONDS}), attempts = attempts + 1
      WHERE id IN (
        SELECT id FROM mail_outbox
        WHERE (status = 'pendiente' AND next_attempt_at <= now()) OR (status = 'enviando' AND lease_until < now())
        ORDER BY next_attempt_at, id
        LIMIT ${batch}
        FOR UPDATE SKIP LOCKED)
      RETURNING id, to_address, subject, text_body, html_body, headers, idempotency_key, attempts`.execute(db);
    return rows.sort((a, b) => a.id - b.id);
  });

/** Backoff after a failed attempt: 30 s, 2 min, 8 min, 32 min… */
const backoffSeconds = (attempts: number) => 30 * 4 ** Math.max(0, attempts - 1);

/** A one-time code is a secret: once its mail is sent or given up, the stored bodies are blanked. */
const scrub = sql`text_body = CASE WHEN purpose = ${SECRET_PURPOSE} THEN '' ELSE text_body END, html_body = CASE WHEN purpose = ${SECRET_PURPOSE} THEN '' ELSE html_body END`;

const record = (id: number, outcome: 'sent' | 'retry' | 'failed', detail: string, attempts: number) =>
  withSystem((db) => {
    if (outcome === 'sent') return sql`UPDATE mail_outbox SET status = 'enviado', sent_at = now(), lease_until = NULL, provider_message_id = ${detail}, last_error = NULL, ${scrub} WHERE id = ${id}`.execute(db);
    if (outcome === 'failed') return sql`UPDATE mail_outbox SET status = 'fallido', lease_until = NULL, last_error = ${detail}, ${scrub} WHERE id = ${id}`.execute(db);
    return sql`UPDATE mail_outbox SET status = 'pendiente', lease_until = NULL, last_error = ${detail}, next_attempt_at = now() + make_interval(secs => ${backoffSeconds(attempts)}) WHERE id = ${id}`.execute(db);
  });

export async function drainOutbox(opts: DrainOptions = {}): Promise<DrainReport> {
  const batch = opts.batch ?? 50;
  const gapMs = 1000 / (opts.ratePerSecond ?? 10);
  const send = opts.send ?? sendMail;
  const deadline = Date.now() + (opts.budgetMs ?? 50_000);
  const report: DrainReport = { claimed: 0, sent: 0, retried: 0, failed: 0 };
  let last = 0;
  while (Date.now() < deadline) {
    const rows = await claim(batch);
    if (!rows.length) break;
    report.claimed += rows.length;
    for (const m of rows) {
      const wait = last + gapMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      last = Date.now();
      let outcome: 'sent' | 'retry' | 'failed';
      let detail: string;
      try {
        detail = await send({ to: m.to_address, subject: m.subject, text: m.text_body, html: m.html_body, headers: [...m.headers, { name: 'X-Reflexo-Idempotency-Key', value: m.idempotency_key }] });
        outcome = 'sent';
      } catch (err) {
        detail = (err as Error).message ?? 'error';
        outcome = m.attempts >= OUTBOX_MAX_ATTEMPTS ? 'failed' : 'retry';
      }
      await record(m.id, outcome, detail, m.attempts);
      report[outcome === 'sent' ? 'sent' : outcome === 'failed' ? 'failed' : 'retried']++;
      opts.afterEach?.(m.id, outcome);
    }
  }
  return report;
}

import { createHmac, randomInt, randomUUID } from 'node:crypto';
import { config } from '../config';
import { keepEvenIfRolledBack, withGlobalScope, type Db } from '../db/tenant';
import type { CodePurpose } from '../db/tables/identity';
import { TooManyRequests, ValidationError } from '../errors';
import { recordAudit, type AuditEntry } from './audit';
import { enqueueMail } from '../mail/outbox';
import {
  bumpCodeAttempts,
  consumeCode,
  countRecentFailures,
  deleteExpiredCodesWithHash,
  insertFailures,
  selectCodeByHash,
  selectCodeForUser,
  upsertCode,
  type FailureKind,
} from '../queries/identity-credentials';
import { sql } from 'kysely';

/*
 * Shared machinery of the identity module: audit entries for people who may have no clinic yet,
 * throttling in PostgreSQL, and one-time codes (6 digits, keyed hash at rest, 24 h, 5 attempts).
 */

/** Identity events are audited even for users without a clinic, so the entry bypasses the tenant check. */
export const auditIdentity = (db: Db, entry: AuditEntry) => withGlobalScope(db, () => recordAudit(db, entry));

export const FAILURE_LIMIT = 5;
export const FAILURE_WINDOW_SECONDS = 15 * 60;

export type FailureKey = { kind: FailureKind; key: string };

/*
 * Per-IP counting needs a real client address. Loopback (the local gateway, tests, a local reverse
 * proxy) stands for every client at once: counting it would let one bad actor lock out everyone
 * behind it, so only the per-account limit applies there. On API Gateway the source IP is the client's.
 */
const isLoopback = (ip: string) => !ip || ip === '::1' || ip.startsWith('127.') || ip === '::ffff:127.0.0.1';
export const ipKeys = (kind: FailureKind, ip: string): FailureKey[] => (isLoopback(ip) ? [] : [{ kind, key: ip }]);

/**
 * 429 with Retry-After when any of the keys saw FAILURE_LIMIT failures inside the window. Returns
 * whether there were any recent failures at all (so a success only deletes when there is something).
 */
export async function assertNotThrottled(db: Db, keys: FailureKey[], message?: string): Promise<boolean> {
  if (!keys.length) return false;
  return throttleVerdict(await countRecentFailures(db, keys, FAILURE_WINDOW_SECONDS), message);
}

/** assertNotThrottled's verdict on failures already read (each row: one key's count inside the window). */
export function throttleVerdict(rows: { n: number; oldest: Date | string }[], message = 'Demasiados intentos fallidos. Intente nuevamente más tarde.'): boolean {
  const blocked = rows.filter((r) => r.n >= FAILURE_LIMIT);
  if (!blocked.length) return rows.length > 0;
  const until = Math.max(...blocked.map((r) => new Date(r.oldest).getTime() + FAILURE_WINDOW_SECONDS * 1000));
  const retryAfter = Math.max(1, Math.ceil((until - Date.now()) / 1000));
  throw new TooManyRequests(message, { headers: { 'Retry-After': String(retryAfter) } });
}

/* A failure must outlive the request, whose transaction rolls back when the 401/400 is thrown. */
export function recordFailure(db: Db, keys: FailureKey[], audit?: AuditEntry): void {
  keepEvenIfRolledBack(db, async (tx) => {
    if (keys.length) await insertFailures(tx, keys, FAILURE_WINDOW_SECONDS);
    if (audit) await recordAudit(tx, audit);
  });
}

// ---- one-time codes --------------------------------------------------------------------------

export const CODE_TTL_SECONDS = 24 * 60 * 60;
export const CODE_MAX_ATTEMPTS = 5;

const codeHash = (purpose: CodePurpose, code: string) => createHmac('sha256', config.jwtSecret).update(`otp:${purpose}:${code}`).digest('hex');
const newCode = () => String(randomInt(0, 1_000_000)).padStart(6, '0');

export interface IssuedCode {
  code: string;
  expiresAt: Date;
}

/**
 * Gives the user a fresh code for `purpose`, replacing any live one. A code value is unique per
 * purpose (the reset route receives only the code), so a collision draws again inside a savepoint.
 */
export async function issueCode(db: Db, userId: number, purpose: CodePurpose, targetEmail: string | null = null): Promise<IssuedCode> {
  const expiresAt = new Date(Date.now() + CODE_TTL_SECONDS * 1000);
  for (let attempt = 0; ; attempt++) {
    const code = newCode();
    const hash = codeHash(purpose, code);
    await deleteExpiredCodesWithHash(db, purpose, hash);
    await sql`SAVEPOINT issue_code`.execute(db);
    try {
      await upsertCode(db, { user_id: userId, purpose, code_hash: hash, target_email: targetEmail, expires_at: expiresAt });
      await sql`RELEASE SAVEPOINT issue_code`.execute(db);
      return { code, expiresAt };
    } catch (err) {
      await sql`ROLLBACK TO SAVEPOINT issue_code`.execute(db);
      if ((err as { code?: string }).code !== '23505' || attempt >= 5) throw err;
    }
  }
}

/** What a surface may tell the caller about a code it issued: `code` only with the development flag. */
export interface CodeReceipt {
  expiresAt: Date;
  code?: string;
}

export const codeReceipt = (issued: IssuedCode): CodeReceipt => ({ expiresAt: issued.expiresAt, ...(config.exposeCodes ? { code: issued.code } : {}) });

/** A code that opens nothing, for addresses without an account: the answer looks the same. */
export const decoyReceipt = (): CodeReceipt => codeReceipt({ code: String(randomInt(0, 1_000_000)).padStart(6, '0'), expiresAt: new Date(Date.now() + CODE_TTL_SECONDS * 1000) });

const invalidCode = () => ValidationError.field('code', 'El código es inválido o ha expirado.', 'invalid_code');
const tooManyAttempts = () => new TooManyRequests('Se superó el número máximo de intentos para este código. Solicite uno nuevo.');

const isExpired = (row: { expires_at: Date | string }) => new Date(row.expires_at).getTime() <= Date.now();

/** A wrong guess counts against the code, and the count survives the error response. */
function failGuess(db: Db, row: { id: number; attempts: number }): never {
  keepEvenIfRolledBack(db, (tx) => bumpCodeAttempts(tx, row.id));
  if (row.attempts + 1 >= CODE_MAX_ATTEMPTS) throw tooManyAttempts();
  throw invalidCode();
}

async function consume<T extends { id: number }>(db: Db, row: T): Promise<T> {
  if (!(await consumeCode(db, row.id, CODE_MAX_ATTEMPTS))) throw invalidCode();
  return row;
}

/** Checks and consumes the caller's own code for `purpose` (authenticated routes). */
export async function redeemUserCode(db: Db, userId: number, purpose: CodePurpose, code: string) {
  const row = await selectCodeForUser(db, userId, purpose);
  if (!row || isExpired(row)) throw invalidCode();
  if (row.attempts >= CODE_MAX_ATTEMPTS) throw tooManyAttempts();
  if (row.code_hash !== codeHash(purpose, code)) failGuess(db, row);
  return consume(db, row);
}

/**
 * Routes that receive only the code (password reset, e-mail verification): the code finds its owner.
 * Guessing is limited per client IP, since a wrong code names no account to count against.
 */
export async function redeemCodeByValue(db: Db, purpose: CodePurpose, code: string, sourceIp: string) {
  const ipKey = ipKeys('code_ip', sourceIp);
  await assertNotThrottled(db, ipKey);
  const row = await selectCodeByHash(db, purpose, codeHash(purpose, code));
  if (!row || isExpired(row)) {
    recordFailure(db, ipKey);
    throw invalidCode();
  }
  if (row.attempts >= CODE_MAX_ATTEMPTS) throw tooManyAttempts();
  return consume(db, row);
}

export const codeRowIsLive = (row: { attempts: number; expires_at: Date | string }) => !isExpired(row) && row.attempts < CODE_MAX_ATTEMPTS;

// ---- mail ------------------------------------------------------------------------------------

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export interface CodeMail {
  to: string;
  subject: string;
  intro: string;
  purpose: CodePurpose;
}

/*
 * Queued in the request's transaction (lib/mail/outbox.ts): a request that rolls back mails nothing,
 * and SES being down delays the code instead of failing the request. The sender runs every minute
 * deployed (serverless.yml jobs-outbox) and every 2 s under npm start; it blanks a code's body once
 * the message is sent or given up, so the code does not outlive the mail in the database.
 */
export async function mailCode(db: Db, mail: CodeMail, issued: IssuedCode): Promise<void> {
  const until = issued.expiresAt.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  await enqueueMail(db, {
    // Account mail, not clinic data: most code requests are anonymous (no clinic in scope), so the
    // row belongs to no clinic, like the code itself.
    reflexoId: null,
    key: `code:${mail.purpose}:${randomUUID()}`,
    purpose: 'code',
    to: mail.to,
    subject: mail.subject,
    text: `${mail.intro}\n\nSu código es: ${issued.code}\n\nEl código vence el ${until} y solo puede usarse una vez. Si usted no lo solicitó, ignore este mensaje.\n\nReflexo`,
    html:
      `<p>${escapeHtml(mail.intro)}</p><p style="font-size:24px;letter-spacing:4px"><strong>${issued.code}</strong></p>` +
      `<p>El código vence el ${escapeHtml(until)} y solo puede usarse una vez. Si usted no lo solicitó, ignore este mensaje.</p><p>Reflexo</p>`,
  });
}

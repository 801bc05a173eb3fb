import { sql } from 'kysely';
import type { Db } from '../db/tenant';
import type { CodePurpose } from '../db/tables/identity';

/* Refresh-token families, auth failures, password history and one-time codes (no tenant column). */

export const insertRefreshToken = (db: Db, row: { jti: string; family: string; user_id: number; expires_at: Date }) =>
  db.insertInto('refresh_tokens').values(row).execute();

export const selectRefreshToken = (db: Db, jti: string) =>
  db.selectFrom('refresh_tokens').selectAll().where('jti', '=', jti).executeTakeFirst();

/** Marks a refresh token as used; false when another request rotated or revoked it first. */
export const markRefreshRotated = async (db: Db, jti: string) =>
  !!(await db
    .updateTable('refresh_tokens')
    .set({ rotated_at: sql`now()` })
    .where('jti', '=', jti)
    .where('rotated_at', 'is', null)
    .where('revoked_at', 'is', null)
    .returning('jti')
    .executeTakeFirst());

export const revokeRefreshFamily = (db: Db, family: string) =>
  db.updateTable('refresh_tokens').set({ revoked_at: sql`now()` }).where('family', '=', family).where('revoked_at', 'is', null).execute();

export const revokeUserRefreshTokens = (db: Db, userId: number) =>
  db.updateTable('refresh_tokens').set({ revoked_at: sql`now()` }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();

export const insertRevokedToken = (db: Db, row: { jti: string; user_id: number; expires_at: Date }) =>
  db.insertInto('revoked_tokens').values(row).onConflict((oc) => oc.column('jti').doNothing()).execute();

export const isTokenRevoked = async (db: Db, jti: string) => !!(await db.selectFrom('revoked_tokens').select('jti').where('jti', '=', jti).executeTakeFirst());

export type FailureKind = 'login_account' | 'login_ip' | 'code_ip';

/**
 * One failure for each key, in one statement with the pruning of those keys' failures that fell out
 * of the window (no use to anyone: pruned whenever their key fails again).
 */
export const insertFailures = (db: Db, rows: { kind: FailureKind; key: string }[], windowSeconds: number) =>
  sql`WITH pruned AS (${db
    .deleteFrom('auth_failures')
    .where((eb) => eb.or(rows.map((k) => eb.and([eb('kind', '=', k.kind), eb('key', '=', k.key)]))))
    .where(sql<boolean>`created_at <= now() - make_interval(secs => ${windowSeconds})`)})
  ${db.insertInto('auth_failures').values(rows)}`.execute(db);

/** Failures of each key inside the window, with the oldest one's time (for Retry-After). */
export const countRecentFailures = (db: Db, keys: { kind: FailureKind; key: string }[], windowSeconds: number) =>
  db
    .selectFrom('auth_failures')
    .select(['kind', 'key', sql<number>`count(*)::int`.as('n'), sql<Date>`min(created_at)`.as('oldest')])
    .where((eb) => eb.or(keys.map((k) => eb.and([eb('kind', '=', k.kind), eb('key', '=', k.key)]))))
    .where(sql<boolean>`created_at > now() - make_interval(secs => ${windowSeconds})`)
    .groupBy(['kind', 'key'])
    .execute();

export const selectPasswordHistory = (db: Db, userId: number, limit: number) =>
  db
    .selectFrom('password_history')
    .select(['id', 'password_hash', 'created_at', 'replaced_at'])
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();

/** Closes the current entry, records the new password, and keeps only the newest `keep` rows. */
export async function pushPasswordHistory(db: Db, userId: number, passwordHash: string, keep: number): Promise<void> {
  await db.updateTable('password_history').set({ replaced_at: sql`now()` }).where('user_id', '=', userId).where('replaced_at', 'is', null).execute();
  await db.insertInto('password_history').values({ user_id: userId, password_hash: passwordHash }).execute();
  await sql`DELETE FROM password_history WHERE user_id = ${userId} AND id NOT IN (
    SELECT id FROM password_history WHERE user_id = ${userId} ORDER BY created_at DESC, id DESC LIMIT ${keep})`.execute(db);
}

export const codeColumns = ['id', 'user_id', 'purpose', 'code_hash', 'target_email', 'attempts', 'expires_at', 'created_at'] as const;

/** Replaces the user's live code for `purpose` (one per user and purpose). */
export const upsertCode = (db: Db, row: { user_id: number; purpose: CodePurpose; code_hash: string; target_email: string | null; expires_at: Date }) =>
  db
    .insertInto('one_time_codes')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['user_id', 'purpose']).doUpdateSet({
        code_hash: row.code_hash,
        target_email: row.target_email,
        expires_at: row.expires_at,
        attempts: 0,
        created_at: sql`now()`,
      }),
    )
    .returning(codeColumns)
    .executeTakeFirstOrThrow();

/** Expired codes hold no secret worth keeping and must not block a new code with the same value. */
export const deleteExpiredCodesWithHash = (db: Db, purpose: CodePurpose, codeHash: string) =>
  db.deleteFrom('one_time_codes').where('purpose', '=', purpose).where('code_hash', '=', codeHash).where('expires_at', '<=', sql<Date>`now()`).execute();

export const selectCodeByHash = (db: Db, purpose: CodePurpose, codeHash: string) =>
  db.selectFrom('one_time_codes').select(codeColumns).where('purpose', '=', purpose).where('code_hash', '=', codeHash).executeTakeFirst();

export const selectCodeForUser = (db: Db, userId: number, purpose: CodePurpose) =>
  db.selectFrom('one_time_codes').select(codeColumns).where('user_id', '=', userId).where('purpose', '=', purpose).executeTakeFirst();

export const selectCodesForUser = (db: Db, userId: number, purposes: CodePurpose[]) =>
  db.selectFrom('one_time_codes').select(codeColumns).where('user_id', '=', userId).where('purpose', 'in', purposes).orderBy('purpose').execute();

export const bumpCodeAttempts = async (db: Db, id: number) =>
  (await db
    .updateTable('one_time_codes')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .returning('attempts')
    .executeTakeFirst())?.attempts;

/** Consumes a code exactly once: false when a concurrent request consumed it first. */
export const consumeCode = async (db: Db, id: number, maxAttempts: number) =>
  !!(await db.deleteFrom('one_time_codes').where('id', '=', id).where('attempts', '<', maxAttempts).returning('id').executeTakeFirst());

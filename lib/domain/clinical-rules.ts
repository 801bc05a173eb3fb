import { sql } from 'kysely';
import type { Db } from '../db/tenant';
import { Conflict, Forbidden } from '../errors';
import { isPlatform, type Actor } from '../auth/actor';
import { requireTenantReader } from './tenancy';

/* Rules shared by the patients, clinical records and configuration modules. */

export const pgCode = (err: unknown): string | undefined => (err as { code?: string } | null)?.code;
export const pgConstraint = (err: unknown): string | undefined => (err as { constraint?: string } | null)?.constraint;

/**
 * The clinic a read is limited to: the caller's own, or null for a global administrator (every
 * clinic). RLS enforces the same wall; this is the application's own filter.
 */
export function readScope(actor: Actor | null): number | null {
  requireTenantReader(actor);
  return isPlatform(actor) ? null : actor!.reflexoId;
}

/**
 * Runs `fn` under a savepoint so that, when it fails on a constraint, the request transaction is
 * still usable (to look up the row that won, for a 409 body). The error is handed back, not thrown.
 */
export async function underSavepoint<T>(db: Db, name: string, fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  await sql.raw(`SAVEPOINT ${name}`).execute(db);
  try {
    const value = await fn();
    await sql.raw(`RELEASE SAVEPOINT ${name}`).execute(db);
    return { ok: true, value };
  } catch (error) {
    await sql.raw(`ROLLBACK TO SAVEPOINT ${name}`).execute(db);
    return { ok: false, error };
  }
}

/** A hard delete refused by a foreign key means other records still point at the row. */
export async function hardDeleteOrConflict(run: () => Promise<unknown>, message: string): Promise<void> {
  try {
    await run();
  } catch (err) {
    if (pgCode(err) === '23503') throw new Conflict(message);
    throw err;
  }
}

/** Names of the fields a write actually sent, for the audit log (names only, never values). */
export const sentFields = (body: Record<string, unknown>): string[] => Object.keys(body).filter((k) => body[k] !== undefined);

/**
 * Rows every clinic shares (diagnoses, document and payment types, payment statuses) are written only
 * by platform staff: a clinic's rename or delete would change every other clinic's data.
 */
export function requirePlatform(actor: Actor | null): void {
  if (!isPlatform(actor)) throw new Forbidden();
}

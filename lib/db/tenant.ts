import { AsyncLocalStorage } from 'node:async_hooks';
import type pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { Database } from './types';
import { getPool, holdsConnection } from './pool';

export type Db = Kysely<Database>;

/**
 * Who the database should see as the caller. `global` lifts the tenant wall (superusers, and the
 * few system operations that must look across tenants, such as finding a user by e-mail at login).
 */
export interface TenantScope {
  reflexoId: number | null;
  global: boolean;
  userId: number | null;
}

export const ANONYMOUS: TenantScope = { reflexoId: null, global: false, userId: null };
export const SYSTEM: TenantScope = { reflexoId: null, global: true, userId: null };

/*
 * Each pooled pg client gets one Kysely instance bound to it, so every query of a request runs on the
 * connection that holds the request's transaction and tenant settings. Kysely's driver "connects"
 * through this one-client pool; release is a no-op because withTenant returns the client itself.
 */
const bound = new WeakMap<pg.PoolClient, Db>();
function kyselyFor(client: pg.PoolClient): Db {
  let db = bound.get(client);
  if (!db) {
    const proxy = { query: client.query.bind(client), release() {} };
    db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: { connect: async () => proxy, end: async () => {} } as unknown as pg.Pool }),
    });
    bound.set(client, db);
  }
  return db;
}

const settingValue = (n: number | null) => {
  if (n === null) return '';
  if (!Number.isSafeInteger(n)) throw new Error('tenant scope ids must be integers');
  return String(n);
};

/*
 * A connection killed while checked out (failover, pg_terminate_backend, RDS Proxy recycling) makes
 * the client emit 'error'; with no listener that is an uncaught exception that takes the whole Lambda
 * container down. The failed query already rejects and becomes a 503, so the event itself is ignored.
 */
const watched = new WeakSet<pg.PoolClient>();
function watchForConnectionLoss(client: pg.PoolClient): void {
  if (watched.has(client)) return;
  watched.add(client);
  client.on('error', () => {});
}

/*
 * The transaction a request holds. Production gives each Lambda container ONE connection, so a
 * second transaction opened while this one is held would wait for a connection that never frees:
 * withTenant refuses to nest, loudly, whatever the local pool size.
 */
interface OpenTransaction {
  /** Writes that must outlive the transaction's outcome (see keepEvenIfRolledBack). */
  durable: ((db: Db) => Promise<unknown>)[];
}
const open = new AsyncLocalStorage<OpenTransaction>();
holdsConnection(() => open.getStore() !== undefined);

/**
 * Queues a write that must survive even when the request fails: a failed login, a wrong code's
 * attempt, a refresh family revoked on reuse. These precede an error response, so they cannot
 * simply run in the request's transaction (it rolls back) nor in a second one (there is no second
 * connection). They run just before COMMIT when the request succeeds, or after ROLLBACK in a
 * short transaction of their own on the same connection, in the global scope.
 */
export function keepEvenIfRolledBack(_db: Db, write: (db: Db) => Promise<unknown>): void {
  const tx = open.getStore();
  if (!tx) throw new Error('keepEvenIfRolledBack outside withTenant');
  tx.durable.push(write);
}

const contextSql = (scope: TenantScope) =>
  `SELECT set_config('app.reflexo_id', '${settingValue(scope.reflexoId)}', true),` +
  ` set_config('app.global', '${scope.global ? 'on' : 'off'}', true),` +
  ` set_config('app.user_id', '${settingValue(scope.userId)}', true)`;

async function runDurable(db: Db, writes: OpenTransaction['durable']): Promise<void> {
  if (!writes.length) return;
  await sql`SELECT set_config('app.global', 'on', true)`.execute(db);
  for (const write of writes.splice(0)) await write(db);
}

/**
 * Runs `fn` in one transaction whose first statement sets the tenant context with
 * `set_config(..., true)` (local to the transaction, so nothing leaks to the next request on this
 * pooled connection). Row-level security policies read these settings.
 *
 * `probeSql`, when given, is sent in the same round trip as BEGIN (simple protocol, so it must only
 * contain validated literals); its rows are handed to `fn`. The HTTP layer uses it to load the
 * caller and check token revocation without an extra round trip.
 */
export async function withTenant<T>(
  scope: TenantScope,
  fn: (db: Db, probeRows: Record<string, unknown>[]) => Promise<T>,
  probeSql?: string,
): Promise<T> {
  const client = await getPool().connect();
  watchForConnectionLoss(client);
  const db = kyselyFor(client);
  const tx: OpenTransaction = { durable: [] };
  let healthy = true;
  try {
    return await open.run(tx, async () => {
      const results = (await client.query(`BEGIN; ${contextSql(scope)}${probeSql ? `; ${probeSql}` : ''}`)) as unknown as pg.QueryResult[];
      const probeRows = probeSql ? results[results.length - 1].rows : [];
      const value = await fn(db, probeRows);
      await runDurable(db, tx.durable);
      await client.query('COMMIT');
      return value;
    });
  } catch (err) {
    try {
      await client.query('ROLLBACK');
    } catch {
      healthy = false; // the connection itself is gone: do not return it to the pool
    }
    if (healthy && tx.durable.length) await persistAfterRollback(client, db, tx.durable);
    throw err;
  } finally {
    client.release(healthy ? undefined : true);
  }
}

/** The rolled-back request's durable writes, in a transaction of their own on the same connection. */
async function persistAfterRollback(client: pg.PoolClient, db: Db, writes: OpenTransaction['durable']): Promise<void> {
  try {
    await client.query(`BEGIN; ${contextSql(SYSTEM)}`);
    await runDurable(db, writes);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    // The caller's own error is what the client must see; this one is for the operators.
    console.error(JSON.stringify({ level: 'error', msg: 'durable write lost', error: (err as Error).message }));
  }
}

/** A transaction across tenants, for work that no request holds: jobs, CLIs, seeds. */
export const withSystem = <T>(fn: (db: Db) => Promise<T>) => withTenant(SYSTEM, (db) => fn(db));

/**
 * Lifts the tenant wall for `fn` inside the current request transaction, then puts it back. Only for
 * lookups that must precede knowing the tenant (login by e-mail, token refresh, reset codes).
 */
export async function withGlobalScope<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  const { rows } = await sql<{ previous: string }>`SELECT coalesce(current_setting('app.global', true), 'off') AS previous, set_config('app.global', 'on', true)`.execute(db);
  const restore = () => sql`SELECT set_config('app.global', ${rows[0].previous || 'off'}, true)`.execute(db);
  let result: T;
  try {
    result = await fn();
  } catch (err) {
    // The original error matters; if the transaction is already aborted the restore cannot run,
    // and the rollback that follows discards the setting anyway.
    await restore().catch(() => {});
    throw err;
  }
  await restore();
  return result;
}

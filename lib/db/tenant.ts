import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
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

const settingValue = (n: number | null) => {
  if (n === null) return '';
  if (!Number.isSafeInteger(n)) throw new Error('tenant scope ids must be integers');
  return String(n);
};

const settingsSql = (scope: TenantScope) =>
  `SELECT set_config('app.reflexo_id', '${settingValue(scope.reflexoId)}', true),` +
  ` set_config('app.global', '${scope.global ? 'on' : 'off'}', true),` +
  ` set_config('app.user_id', '${settingValue(scope.userId)}', true)`;

const sameScope = (a: TenantScope | null, b: TenantScope) => !!a && a.reflexoId === b.reflexoId && a.global === b.global && a.userId === b.userId;

/** A string as a SQL literal, for the statements that travel over the simple protocol (no parameters). */
export const sqlLiteral = (s: string) => pg.escapeLiteral(s);

/**
 * A write queued to travel in the COMMIT's round trip (lib/domain/audit.ts: the audit rows).
 * Consecutive writes of one kind under one scope are rendered together, as one statement.
 */
export interface CommitWrite<R> {
  kind: string;
  row: R;
  /** The statement for these rows; simple protocol, so literals only (sqlLiteral). */
  render: (rows: R[]) => string;
}

/*
 * The transaction a request holds, and what the database must be told before its next statement.
 *
 * Round trips are what a request pays for, so the tenant settings are sent lazily: `wanted` is what
 * the code asked for (withGlobalScope, setTenantScope), `applied` what the connection has; the gap is
 * closed by one set_config round trip just before the next statement, and never when COMMIT is next.
 * BEGIN itself waits for the first statement, so it carries the settings wanted by then (login's
 * global scope); a request that sends nothing opens nothing. Writes queued with writeWithCommit go in
 * the COMMIT's round trip: if one fails, COMMIT is not reached and the whole request rolls back.
 *
 * Production gives each Lambda container ONE connection, so a second transaction opened while this
 * one is held would wait for a connection that never frees: withTenant refuses to nest, loudly,
 * whatever the local pool size.
 */
class OpenTransaction {
  begun = false;
  applied: TenantScope | null = null;
  /** Writes that must outlive the transaction's outcome (see keepEvenIfRolledBack). */
  durable: ((db: Db) => Promise<unknown>)[] = [];
  atCommit: (CommitWrite<unknown> & { scope: TenantScope })[] = [];
  /** Open savepoints: a ROLLBACK TO takes back the queued writes and the settings made after it. */
  savepoints: { name: string; queued: number; applied: TenantScope | null }[] = [];
  constructor(public wanted: TenantScope) {}

  /** Before a statement: BEGIN if not yet, and the settings the code wants. */
  async ready(client: pg.PoolClient): Promise<void> {
    // `applied` is updated as the statement is queued: pg sends a client's queries in order, so
    // statements issued concurrently still find the settings in place, and none repeats them.
    if (!this.begun) {
      this.begun = true;
      this.applied = this.wanted;
      await client.query(`BEGIN; ${settingsSql(this.wanted)}`);
    } else if (!sameScope(this.applied, this.wanted)) {
      this.applied = this.wanted;
      await client.query(settingsSql(this.wanted));
    }
  }

  /** After a statement succeeded: follow savepoints (the code issues them as plain SQL). */
  track(text: string): void {
    const m = /^\s*(SAVEPOINT|ROLLBACK\s+TO(?:\s+SAVEPOINT)?|RELEASE(?:\s+SAVEPOINT)?)\s+"?(\w+)"?\s*$/i.exec(text);
    if (!m) return;
    const verb = m[1].toUpperCase();
    if (verb === 'SAVEPOINT') {
      this.savepoints.push({ name: m[2], queued: this.atCommit.length, applied: this.applied });
      return;
    }
    const at = this.savepoints.map((s) => s.name).lastIndexOf(m[2]);
    if (at < 0) return;
    if (verb.startsWith('ROLLBACK')) {
      const mark = this.savepoints[at];
      this.atCommit.length = mark.queued;
      this.applied = mark.applied;
      this.savepoints.length = at + 1;
    } else this.savepoints.length = at;
  }

  /** COMMIT, with the queued writes in the same round trip (each preceded by its scope when it differs). */
  async commit(client: pg.PoolClient): Promise<void> {
    if (!this.begun && !this.atCommit.length) return; // nothing was sent: nothing to commit
    const parts: string[] = [];
    if (!this.begun) parts.push('BEGIN');
    this.begun = true;
    const queued = this.atCommit.splice(0);
    for (let i = 0; i < queued.length; ) {
      const first = queued[i];
      let j = i + 1;
      while (j < queued.length && queued[j].kind === first.kind && sameScope(queued[j].scope, first.scope)) j++;
      if (!sameScope(this.applied, first.scope)) parts.push(settingsSql(first.scope));
      this.applied = first.scope;
      parts.push(first.render(queued.slice(i, j).map((w) => w.row)));
      i = j;
    }
    parts.push('COMMIT');
    await client.query(parts.join('; '));
  }
}

const open = new AsyncLocalStorage<OpenTransaction>();
holdsConnection(() => open.getStore() !== undefined);
const transactionOf = new WeakMap<Db, OpenTransaction>();

/*
 * Each pooled pg client gets one Kysely instance bound to it, so every query of a request runs on the
 * connection that holds the request's transaction and tenant settings. Kysely's driver "connects"
 * through this one-client pool; release is a no-op because withTenant returns the client itself.
 * Every statement passes through the transaction first (lazy BEGIN and settings, savepoints).
 */
const bound = new WeakMap<pg.PoolClient, { db: Db; tx: { current: OpenTransaction | null } }>();
function kyselyFor(client: pg.PoolClient): { db: Db; tx: { current: OpenTransaction | null } } {
  let b = bound.get(client);
  if (!b) {
    const tx: { current: OpenTransaction | null } = { current: null };
    const proxy = {
      async query(text: string, values?: unknown[]) {
        const t = tx.current;
        if (t) await t.ready(client);
        const result = await client.query(text, values);
        t?.track(text);
        return result;
      },
      release() {},
    };
    const db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: { connect: async () => proxy, end: async () => {} } as unknown as pg.Pool }),
    });
    b = { db, tx };
    bound.set(client, b);
  }
  return b;
}

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

const currentTransaction = (db: Db) => transactionOf.get(db) ?? open.getStore();

/**
 * Queues a write that must survive even when the request fails: a failed login, a wrong code's
 * attempt, a refresh family revoked on reuse. These precede an error response, so they cannot
 * simply run in the request's transaction (it rolls back) nor in a second one (there is no second
 * connection). They run just before COMMIT when the request succeeds, or after ROLLBACK in a
 * short transaction of their own on the same connection, in the global scope.
 */
export function keepEvenIfRolledBack(db: Db, write: (db: Db) => Promise<unknown>): void {
  const tx = currentTransaction(db);
  if (!tx) throw new Error('keepEvenIfRolledBack outside withTenant');
  tx.durable.push(write);
}

/**
 * Queues `write` for the COMMIT's round trip of the transaction `db` belongs to, under the scope in
 * effect now (row-level security checks it then as it would now). False outside a transaction: the
 * caller writes it itself.
 */
export function writeWithCommit<R>(db: Db, write: CommitWrite<R>): boolean {
  const tx = transactionOf.get(db);
  if (!tx) return false;
  tx.atCommit.push({ ...(write as CommitWrite<unknown>), scope: tx.wanted });
  return true;
}

async function runDurable(tx: OpenTransaction, db: Db): Promise<void> {
  if (!tx.durable.length) return;
  tx.wanted = { ...tx.wanted, global: true };
  for (const write of tx.durable.splice(0)) await write(db);
}

/** Runs `fn` as transaction `tx` on `client`: every statement it sends passes through `tx`, then COMMIT. */
async function inTransaction<T>(client: pg.PoolClient, tx: OpenTransaction, fn: (db: Db) => Promise<T>): Promise<T> {
  const { db, tx: slot } = kyselyFor(client);
  slot.current = tx;
  transactionOf.set(db, tx);
  try {
    return await open.run(tx, async () => {
      const value = await fn(db);
      await runDurable(tx, db);
      await tx.commit(client);
      return value;
    });
  } finally {
    slot.current = null;
    transactionOf.delete(db);
  }
}

/**
 * Runs `fn` in one transaction whose tenant context is set with `set_config(..., true)` (local to
 * the transaction, so nothing leaks to the next request on this pooled connection) in BEGIN's round
 * trip. Row-level security policies read these settings.
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
  const tx = new OpenTransaction(scope);
  let healthy = true;
  try {
    return await inTransaction(client, tx, async (db) => {
      let probeRows: Record<string, unknown>[] = [];
      if (probeSql) {
        tx.begun = true;
        const results = (await client.query(`BEGIN; ${settingsSql(scope)}; ${probeSql}`)) as unknown as pg.QueryResult[];
        tx.applied = scope;
        probeRows = results[results.length - 1].rows;
      }
      return fn(db, probeRows);
    });
  } catch (err) {
    if (tx.begun) {
      try {
        await client.query('ROLLBACK');
      } catch {
        healthy = false; // the connection itself is gone: do not return it to the pool
      }
    }
    if (healthy && tx.durable.length) await persistAfterRollback(client, tx.durable.splice(0));
    throw err;
  } finally {
    client.release(healthy ? undefined : true);
  }
}

/** The rolled-back request's durable writes, in a transaction of their own on the same connection. */
async function persistAfterRollback(client: pg.PoolClient, writes: OpenTransaction['durable']): Promise<void> {
  const tx = new OpenTransaction(SYSTEM);
  tx.durable = writes;
  try {
    await inTransaction(client, tx, async () => undefined);
  } catch (err) {
    if (tx.begun) await client.query('ROLLBACK').catch(() => {});
    // The caller's own error is what the client must see; this one is for the operators.
    console.error(JSON.stringify({ level: 'error', msg: 'durable write lost', error: (err as Error).message }));
  }
}

/** A transaction across tenants, for work that no request holds: jobs, CLIs, seeds. */
export const withSystem = <T>(fn: (db: Db) => Promise<T>) => withTenant(SYSTEM, (db) => fn(db));

/**
 * Lifts the tenant wall for `fn` inside the current request transaction, then puts it back. Only for
 * lookups that must precede knowing the tenant (login by e-mail, token refresh, reset codes).
 * Costs no round trip of its own: the setting travels before the next statement (or with BEGIN).
 */
export async function withGlobalScope<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  const tx = transactionOf.get(db);
  if (!tx) return globalScopeBySql(db, fn);
  if (tx.wanted.global) return fn();
  tx.wanted = { ...tx.wanted, global: true };
  try {
    return await fn();
  } finally {
    tx.wanted = { ...tx.wanted, global: false };
  }
}

/** The request's tenant and global flag, when the database knows better than the token (lib/http/app.ts). */
export function setTenantScope(db: Db, scope: Pick<TenantScope, 'reflexoId' | 'global'>): void {
  const tx = transactionOf.get(db);
  if (!tx) throw new Error('setTenantScope outside withTenant');
  tx.wanted = { ...tx.wanted, reflexoId: scope.reflexoId, global: scope.global };
}

/** withGlobalScope for a Kysely that is not a withTenant transaction (its own connection, its own settings). */
async function globalScopeBySql<T>(db: Db, fn: () => Promise<T>): Promise<T> {
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

import { sql, type Kysely } from 'kysely';
import { migrations } from '../../migrations';
import { APP_ROLE } from '../../migrations/rls';
import { appliedNames, migrateDown, migrateUp, ownerDb } from '../db/migrate';

/*
 * What the `migrate` function (functions/ops/migrate.ts) does in a deployed stage, where only a
 * function inside the VPC reaches the database: migrations as the owner, then the API's login role
 * (a member of reflexo_app, never the owner) created or given the password its secret holds, so a
 * stage made from nothing needs no one at a psql prompt. It answers with a report of what ran.
 */
export type MigrateAction = 'up' | 'down' | 'status';

/** What an invocation may say (README "Deploying" uses these; tests/ops/runbook.test.ts checks it). */
export const MIGRATE_REQUEST_KEYS = ['action', 'steps', 'allowProdRollback'] as const;

export interface MigrateRequest {
  action?: MigrateAction;
  /** Rollback only: how many migrations to undo (default 1), or 'all'. */
  steps?: number | 'all';
  /** Rolling back prod needs this, spelled out, in the invocation itself. */
  allowProdRollback?: boolean;
}

export interface MigrateReport {
  stage: string;
  action: MigrateAction;
  /** What this invocation executed, in order (`up 0023_x`, `down 0023_x`). */
  ran: string[];
  /** Every migration recorded as applied afterwards, oldest first. */
  applied: string[];
  /** Known to this code, not applied. */
  pending: string[];
  /** The API's login role, when this invocation looked after it. */
  apiLogin: { role: string; created: boolean } | null;
  /** Whether the owner bypasses RLS (patient_search() is fastest when it does; README "Deploying"). */
  ownerBypassesRls: boolean;
  database: { version: string; maxConnections: number };
}

export class MigrateRefused extends Error {}

const ACTIONS: MigrateAction[] = ['up', 'down', 'status'];

function validate(req: MigrateRequest, stage: string): { action: MigrateAction; steps: number | 'all' } {
  const unknown = Object.keys(req).filter((k) => !(MIGRATE_REQUEST_KEYS as readonly string[]).includes(k));
  if (unknown.length) throw new MigrateRefused(`unknown field(s) ${unknown.join(', ')} (${MIGRATE_REQUEST_KEYS.join(' | ')})`);
  const action = req.action ?? 'up';
  if (!ACTIONS.includes(action)) throw new MigrateRefused(`unknown action ${JSON.stringify(action)} (up | down | status)`);
  const steps = req.steps ?? 1;
  if (steps !== 'all' && !(Number.isSafeInteger(steps) && steps > 0)) throw new MigrateRefused('steps must be a positive integer or "all"');
  if (action === 'down' && stage === 'prod' && req.allowProdRollback !== true) {
    throw new MigrateRefused('refusing to roll back prod: repeat the invocation with "allowProdRollback": true once a restore point exists (README "Deploying")');
  }
  return { action, steps };
}

/**
 * Creates the API's login role, or resets its password to the one its secret holds (so rotating that
 * secret is: new value, then `migrate`). PostgreSQL quotes the name and the password (format %I %L).
 */
async function ensureApiLogin(db: Kysely<any>, apiUrl: string): Promise<{ role: string; created: boolean }> {
  const u = new URL(apiUrl);
  const role = decodeURIComponent(u.username);
  const password = decodeURIComponent(u.password);
  if (!role || !password) throw new MigrateRefused('DATABASE_URL names no user and password for the API login');
  const { rows } = await sql<{ owner: string; rolsuper: boolean | null; rolbypassrls: boolean | null }>`
    SELECT current_user AS owner, r.rolsuper, r.rolbypassrls FROM (SELECT 1) one LEFT JOIN pg_roles r ON r.rolname = ${role}`.execute(db);
  const found = rows[0];
  if (role === found.owner) throw new MigrateRefused('the API must not connect as the owner');
  if (found.rolsuper || found.rolbypassrls) throw new MigrateRefused(`role ${role} bypasses row-level security: the API cannot use it`);
  const created = found.rolsuper === null;
  const statement = await sql<{ stmt: string }>`
    SELECT format(${created ? 'CREATE ROLE %I LOGIN PASSWORD %L' : 'ALTER ROLE %I WITH LOGIN PASSWORD %L'}, ${role}::text, ${password}::text) AS stmt`.execute(db);
  await sql.raw(statement.rows[0].stmt).execute(db);
  await sql.raw(`GRANT ${APP_ROLE} TO "${role.replace(/"/g, '""')}"`).execute(db);
  return { role, created };
}

async function ownerBypassesRls(db: Kysely<any>): Promise<boolean> {
  const read = async () =>
    (await sql<{ bypass: boolean }>`SELECT rolsuper OR rolbypassrls AS bypass FROM pg_roles WHERE rolname = current_user`.execute(db)).rows[0].bypass;
  if (await read()) return true;
  // Aurora's master user may or may not be allowed to give itself BYPASSRLS; either way search stays correct.
  await sql`ALTER ROLE CURRENT_USER BYPASSRLS`.execute(db).catch(() => {});
  return read();
}

export async function runMigrations(
  req: MigrateRequest,
  opts: { stage: string; ownerUrl: string; apiUrl?: string; log?: (line: string) => void },
): Promise<MigrateReport> {
  const { action, steps } = validate(req, opts.stage);
  const log = opts.log ?? (() => {});
  const db = ownerDb(opts.ownerUrl);
  try {
    const before = await appliedNames(db);
    if (action === 'up') await migrateUp(opts.ownerUrl, log);
    if (action === 'down') await migrateDown(opts.ownerUrl, steps, log);
    const after = await appliedNames(db);
    const ran =
      action === 'down'
        ? before.filter((n) => !after.includes(n)).reverse().map((n) => `down ${n}`)
        : after.filter((n) => !before.includes(n)).map((n) => `up ${n}`);
    const apiLogin = action === 'up' && opts.apiUrl ? await ensureApiLogin(db, opts.apiUrl) : null;
    const bypass = action === 'up' ? await ownerBypassesRls(db) : (await sql<{ b: boolean }>`SELECT rolsuper OR rolbypassrls AS b FROM pg_roles WHERE rolname = current_user`.execute(db)).rows[0].b;
    const info = await sql<{ version: string; max: string }>`SELECT current_setting('server_version') AS version, current_setting('max_connections') AS max`.execute(db);
    return {
      stage: opts.stage,
      action,
      ran,
      applied: after,
      pending: Object.keys(migrations).filter((n) => !after.includes(n)),
      apiLogin,
      ownerBypassesRls: bypass,
      database: { version: info.rows[0].version, maxConnections: Number(info.rows[0].max) },
    };
  } finally {
    await db.destroy();
  }
}

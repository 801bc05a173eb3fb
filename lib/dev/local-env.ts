import { join } from 'node:path';
import pg from 'pg';
import { appliedNames, ownerDb } from '../db/migrate';
import { appUrlFor, prepareDatabase, startEmbeddedPostgres, withDatabase } from './postgres';

/*
 * Resolves the databases a local process (npm start, db:* scripts, the benchmark) works against:
 * DATABASE_URL/MIGRATE_DATABASE_URL when given, otherwise the embedded PostgreSQL under .data/.
 */
export const LOCAL_JWT_SECRET = 'local-development-secret-not-for-deployed-stages-0123456789';

export interface LocalDatabase {
  appUrl: string;
  ownerUrl: string;
  stop: () => Promise<void>;
}

export async function localDatabase(opts: { dataDir: string; port: number; database: string; log?: (s: string) => void }): Promise<LocalDatabase> {
  if (process.env.DATABASE_URL) {
    return { appUrl: process.env.DATABASE_URL, ownerUrl: process.env.MIGRATE_DATABASE_URL ?? process.env.DATABASE_URL, stop: async () => {} };
  }
  const server = await startEmbeddedPostgres(join(opts.dataDir), opts.port, opts.log);
  const ownerUrl = await prepareDatabase(server.ownerUrl, opts.database);
  return { appUrl: appUrlFor(ownerUrl), ownerUrl, stop: server.stop };
}

async function reachable(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  c.on('error', () => {});
  try {
    await c.connect();
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

/**
 * What an operator's command (npm run jobs, the tenant CLI) works on locally: the database of a
 * running `npm start` on `port`, else the embedded server under `dataDir`, started here (stop() stops it).
 */
export async function localStackDatabase(opts: { dataDir: string; port: number }): Promise<LocalDatabase> {
  const ownerUrl = withDatabase(`postgres://postgres:postgres@127.0.0.1:${opts.port}/postgres`, 'reflexo');
  if (await reachable(ownerUrl)) return { ownerUrl, appUrl: appUrlFor(ownerUrl), stop: async () => {} };
  const db = await localDatabase({ dataDir: opts.dataDir, port: opts.port, database: 'reflexo' });
  if (!(await migrated(db.ownerUrl))) {
    await db.stop();
    throw new Error(`the local database under ${opts.dataDir} has no schema yet: run \`npm start\` once (or \`npm run db:migrate\`) first`);
  }
  return db;
}

/** Whether migrations ever ran on the database (a data directory made but never started by npm start has none). */
async function migrated(url: string): Promise<boolean> {
  const db = ownerDb(url);
  try {
    return (await appliedNames(db)).length > 0;
  } finally {
    await db.destroy();
  }
}

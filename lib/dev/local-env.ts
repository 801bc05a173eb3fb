import { join } from 'node:path';
import { appUrlFor, prepareDatabase, startEmbeddedPostgres } from './postgres';

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

import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { migrateUp } from '../../lib/db/migrate';
import { appUrlFor, prepareDatabase, startEmbeddedPostgres } from '../../lib/dev/postgres';
import { startStandIns } from '../../lib/dev/standins';
import { freePort } from './ports';

/*
 * Once per `npm test`: a real PostgreSQL (embedded, or TEST_DATABASE_URL's server), a fresh test
 * database migrated to the latest version, and the S3/SES stand-ins. Each run gets its own free
 * ports and data folder, so a running `npm start` (or another test run) is never disturbed.
 * Settings reach the workers through TEST_SETTINGS (workers are forked after this runs).
 */
export default async function globalSetup(): Promise<void> {
  const runDir = join(__dirname, '..', '..', '.data', 'test', `run-${process.pid}`);
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true });
  let serverUrl = process.env.TEST_DATABASE_URL;
  let stopDb = async () => {};
  let database = 'reflexo_test';
  if (serverUrl) {
    database = `reflexo_test_${process.pid}`; // a shared server may serve several runs at once
  } else {
    const server = await startEmbeddedPostgres(runDir, await freePort());
    serverUrl = server.ownerUrl;
    stopDb = server.stop;
  }
  const ownerUrl = await prepareDatabase(serverUrl, database, { recreate: true });
  await migrateUp(ownerUrl);
  const aws = await startStandIns({ dataDir: join(runDir, 's3'), s3Port: await freePort(), sesPort: await freePort(), bucket: 'reflexo-media-test' });
  process.env.TEST_SETTINGS = JSON.stringify({
    DATABASE_URL: appUrlFor(ownerUrl),
    TEST_OWNER_URL: ownerUrl,
    TEST_SERVER_URL: serverUrl,
    S3_ENDPOINT: aws.s3Endpoint,
    SES_ENDPOINT: aws.sesEndpoint,
    S3_BUCKET: 'reflexo-media-test',
  });
  (globalThis as Record<string, unknown>).__TEST_STOP__ = async () => {
    await aws.stop();
    if (process.env.TEST_DATABASE_URL) {
      const { Client } = await import('pg');
      const c = new Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch(() => {});
      await c.end();
    }
    await stopDb();
    rmSync(runDir, { recursive: true, force: true });
  };
}

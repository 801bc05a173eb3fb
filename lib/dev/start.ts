import { join } from 'node:path';
import { migrateUp, ownerDb } from '../db/migrate';
import { closePool } from '../db/pool';
import { startGateway } from './gateway';
import { startScheduler } from './scheduler';
import { LOCAL_JWT_SECRET, localDatabase } from './local-env';
import { DEMO, seedDemo } from './seed-demo';
import { startStandIns } from './standins';

/*
 * `npm start`: embedded PostgreSQL (unless DATABASE_URL is set), S3 and SES stand-ins, migrations,
 * the demo seed, then the local API Gateway on :8000 running every function in this process.
 * Ctrl-C stops everything. Ports and the data folder can be moved (PORT, PG_PORT, S3_PORT, SES_PORT,
 * DATA_DIR) so a second copy, or the test suite, never collides with a running one.
 * Every setting in the README's table reaches the functions: they read this process's environment.
 */
const env = (k: string, d: string) => process.env[k] || d;
const PORT = Number(env('PORT', '8000'));
const DATA_DIR = env('DATA_DIR', '.data/dev');
const PG_PORT = Number(env('PG_PORT', '15432'));
const S3_PORT = Number(env('S3_PORT', '14569'));
const SES_PORT = Number(env('SES_PORT', '18005'));
const BUCKET = env('S3_BUCKET', 'reflexo-media-local');

async function main() {
  const log = (s: string) => console.log(s);
  const stops: (() => Promise<void>)[] = [];
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const stop of stops.reverse()) await stop().catch(() => {});
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    const db = await localDatabase({ dataDir: DATA_DIR, port: PG_PORT, database: 'reflexo', log });
    stops.push(db.stop);
    const applied: string[] = [];
    await migrateUp(db.ownerUrl, (line) => (/✔ up /.test(line) ? applied.push(line) : /✖/.test(line) && log(line)));
    log(`▸ database ready (${process.env.DATABASE_URL ? 'DATABASE_URL' : `embedded PostgreSQL on :${PG_PORT}, ${DATA_DIR}`}; ${applied.length} migration(s) applied now)`);
    const owner = ownerDb(db.ownerUrl);
    await seedDemo(owner, () => {}).finally(() => owner.destroy());
    log(`▸ demo clinic "${DEMO.tenant}" seeded`);

    const given = { s3Endpoint: process.env.S3_ENDPOINT || undefined, sesEndpoint: process.env.SES_ENDPOINT || undefined };
    const aws = await startStandIns({ dataDir: join(DATA_DIR, 's3'), s3Port: S3_PORT, sesPort: SES_PORT, bucket: BUCKET, ...given });
    stops.push(aws.stop);
    log(`▸ S3 ${given.s3Endpoint ? `at ${aws.s3Endpoint}` : `stand-in on :${S3_PORT}`}, SES ${given.sesEndpoint ? `at ${aws.sesEndpoint}` : `stand-in on :${SES_PORT}`}`);

    Object.assign(process.env, {
      STAGE: process.env.STAGE || 'local',
      DATABASE_URL: db.appUrl,
      JWT_SECRET: process.env.JWT_SECRET || LOCAL_JWT_SECRET,
      S3_ENDPOINT: aws.s3Endpoint,
      SES_ENDPOINT: aws.sesEndpoint,
      S3_BUCKET: BUCKET,
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID || 'S3RVER',
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY || 'S3RVER',
      DEV_EXPOSE_CODES: process.env.DEV_EXPOSE_CODES ?? '1',
      PUBLIC_BASE_URL: process.env.PUBLIC_BASE_URL || `http://localhost:${PORT}`,
    });
    const gateway = await startGateway({ root: process.cwd(), port: PORT });
    // The outbox sender runs every 2 s here (a code e-mailed by a request arrives at once); other jobs keep their cadence.
    const scheduler = startScheduler(process.cwd(), { overrides: { 'jobs-outbox': 2_000 }, onError: (name, err) => console.error(`✖ ${name}: ${(err as Error)?.stack ?? err}`) });
    stops.push(async () => {
      await gateway.close();
      await scheduler.stop();
      await closePool();
    });
    if (scheduler.jobs.length) log(`▸ scheduled jobs: ${scheduler.jobs.map((j) => `${j.name} every ${j.everyMs >= 60_000 ? `${j.everyMs / 60_000} min` : `${j.everyMs / 1000} s`}`).join(', ')}`);
    log(
      [
        '──────────────────────────────────────────────────────────',
        ` API           http://localhost:${PORT}/api/health`,
        ` Docs          http://localhost:${PORT}/docs`,
        ` OpenAPI       http://localhost:${PORT}/openapi.json`,
        ` Mail viewer   ${aws.sesEndpoint}/`,
        ` S3 (local)    ${aws.s3Endpoint}/${BUCKET}`,
        ` Superuser     ${DEMO.superuser} / ${DEMO.password}`,
        ` Tenant admin  ${DEMO.admin} / ${DEMO.password}`,
        '──────────────────────────────────────────────────────────',
        ' Ctrl-C stops everything.',
      ].join('\n'),
    );
  } catch (err) {
    console.error(err);
    await shutdown(1);
  }
}

void main();

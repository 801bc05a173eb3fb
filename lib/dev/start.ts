import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { migrateUp, ownerDb } from '../db/migrate';
import { LOCAL_JWT_SECRET, localDatabase } from './local-env';
import { DEMO, seedDemo } from './seed-demo';
import { startStandIns } from './standins';

/*
 * `npm start`: embedded PostgreSQL (unless DATABASE_URL is set), S3 and SES stand-ins, migrations,
 * the demo seed, then serverless-offline on :8000. Ctrl-C stops every child.
 * Ports and the data folder can be moved (PORT, PG_PORT, S3_PORT, SES_PORT, DATA_DIR) so a second
 * copy, or the test suite, never collides with a running one.
 */
const env = (k: string, d: string) => process.env[k] || d;
const PORT = Number(env('PORT', '8000'));
const DATA_DIR = env('DATA_DIR', '.data/dev');
const PG_PORT = Number(env('PG_PORT', '15432'));
const S3_PORT = Number(env('S3_PORT', '14569'));
const SES_PORT = Number(env('SES_PORT', '18005'));
const LAMBDA_PORT = Number(env('LAMBDA_PORT', String(PORT + 2)));
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
    log('▸ database');
    const db = await localDatabase({ dataDir: DATA_DIR, port: PG_PORT, database: 'reflexo', log });
    stops.push(db.stop);
    await migrateUp(db.ownerUrl, log);
    const owner = ownerDb(db.ownerUrl);
    await seedDemo(owner, log).finally(() => owner.destroy());

    log('▸ S3 and SES stand-ins');
    const aws = await startStandIns({ dataDir: join(DATA_DIR, 's3'), s3Port: S3_PORT, sesPort: SES_PORT, bucket: BUCKET });
    stops.push(aws.stop);

    log('▸ API (serverless-offline)');
    const childEnv = {
      ...process.env,
      DATABASE_URL: db.appUrl,
      JWT_SECRET: process.env.JWT_SECRET ?? LOCAL_JWT_SECRET,
      S3_ENDPOINT: aws.s3Endpoint,
      SES_ENDPOINT: aws.sesEndpoint,
      S3_BUCKET: BUCKET,
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'S3RVER',
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'S3RVER',
      DEV_EXPOSE_CODES: process.env.DEV_EXPOSE_CODES ?? '1',
      PUBLIC_BASE_URL: process.env.PUBLIC_BASE_URL ?? `http://localhost:${PORT}`,
      SLS_TELEMETRY_DISABLED: '1',
      SLS_NOTIFICATIONS_MODE: 'off',
    };
    const bin = join(process.cwd(), 'node_modules', '.bin', 'serverless');
    const child = spawn(bin, ['offline', 'start', '--stage', 'local', '--httpPort', String(PORT), '--lambdaPort', String(LAMBDA_PORT)], {
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    stops.push(
      () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 5000).unref();
        }),
    );
    let announced = false;
    const watch = (out: NodeJS.WriteStream) => (chunk: Buffer) => {
      out.write(chunk);
      if (!announced && /Server ready/.test(chunk.toString())) {
        announced = true;
        log(
          [
            '',
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
      }
    };
    // serverless-offline prints "Server ready" on stderr
    child.stdout.on('data', watch(process.stdout));
    child.stderr.on('data', watch(process.stderr));
    child.on('exit', (code) => {
      if (!stopping) {
        console.error(`serverless-offline exited (${code})`);
        void shutdown(code ?? 1);
      }
    });
  } catch (err) {
    console.error(err);
    await shutdown(1);
  }
}

void main();

import { join } from 'node:path';
import { closePool } from '../db/pool';
import { LOCAL_JWT_SECRET, localStackDatabase } from './local-env';
import { readJobs } from './scheduler';

/*
 * `npm run jobs -- <name>` runs one scheduled job once (`outbox`, `automations`: the serverless.yml
 * function name with or without `jobs-`), against DATABASE_URL, or the local stack's database (a
 * running `npm start`'s, else the embedded one), and prints its report.
 */
async function main() {
  const wanted = process.argv[2];
  const jobs = readJobs(process.cwd());
  const job = jobs.find((j) => j.name === wanted || j.name === `jobs-${wanted}`);
  if (!job) {
    console.error(`unknown job "${wanted ?? ''}"; scheduled jobs: ${jobs.map((j) => j.name.replace(/^jobs-/, '')).join(', ')}`);
    process.exit(1);
  }
  let stop = async () => {};
  if (!process.env.DATABASE_URL) {
    const db = await localStackDatabase({ dataDir: process.env.DATA_DIR ?? '.data/dev', port: Number(process.env.PG_PORT ?? 15432) });
    process.env.DATABASE_URL = db.appUrl;
    stop = db.stop;
  }
  process.env.JWT_SECRET ||= LOCAL_JWT_SECRET;
  process.env.SES_ENDPOINT ||= `http://127.0.0.1:${process.env.SES_PORT ?? 18005}`;
  process.env.AWS_ACCESS_KEY_ID ||= 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY ||= 'S3RVER';
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { handler } = require(join(process.cwd(), `${job.handlerFile}.ts`));
    const deadline = Date.now() + job.timeoutMs;
    const report = await handler({ source: 'npm run jobs' }, { getRemainingTimeInMillis: () => deadline - Date.now() });
    console.log(`${job.name}: ${JSON.stringify(report)}`);
  } finally {
    await closePool();
    await stop();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

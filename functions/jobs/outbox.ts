import type { Context } from 'aws-lambda';
import { config } from '../../lib/config';
import { logLine } from '../../lib/http/log';
import { drainOutbox } from '../../lib/mail/outbox';
import { loadSecrets } from '../../lib/secrets';

/*
 * The outbox sender (scheduled: serverless.yml `jobs-outbox`, every minute by default; locally
 * `npm start` runs it every few seconds, `npm run jobs -- outbox` once). It drains every clinic's
 * queued mail until nothing is due or its time is nearly up, and reports what it did.
 */
export async function handler(_event: unknown, context?: Pick<Context, 'getRemainingTimeInMillis'>) {
  await loadSecrets();
  const budgetMs = Math.max(1_000, (context?.getRemainingTimeInMillis?.() ?? 60_000) - 5_000);
  const report = await drainOutbox({ budgetMs, ratePerSecond: config.mailSendRate, batch: config.mailBatchSize });
  if (report.claimed) logLine('info', 'outbox drained', { ...report });
  return report;
}

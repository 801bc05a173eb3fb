import type { Context } from 'aws-lambda';
import { runScheduledAutomations } from '../../lib/domain/automations';
import { logLine } from '../../lib/http/log';
import { loadSecrets } from '../../lib/secrets';

/*
 * The automation runner (scheduled: serverless.yml `jobs-automations`, every 15 minutes by default;
 * `npm run jobs -- automations` once). Every active clinic with work, each in its own tenant
 * transaction: its active automations at this run's clock, then its campaigns that are due. An
 * overlapping run sends nothing twice (unique delivery keys). A manual invocation may name clinics:
 * `{"reflexo_ids": [12]}`.
 */
export async function handler(event: unknown, context?: Pick<Context, 'getRemainingTimeInMillis'>) {
  await loadSecrets();
  const budgetMs = Math.max(1_000, (context?.getRemainingTimeInMillis?.() ?? 60_000) - 10_000);
  const only = (event as { reflexo_ids?: unknown } | null)?.reflexo_ids;
  const clinics = Array.isArray(only) && only.every((x) => Number.isSafeInteger(x)) ? (only as number[]) : undefined;
  const report = await runScheduledAutomations({ budgetMs, clinics }, (reflexoId, err) => logLine('error', 'automation run failed for a clinic', { reflexo_id: reflexoId, error: (err as Error).message }));
  if (report.runs || report.campaignsSent || report.errors) logLine('info', 'automations ran', { ...report });
  return report;
}

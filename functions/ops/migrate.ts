import { config } from '../../lib/config';
import { logLine } from '../../lib/http/log';
import { runMigrations, type MigrateReport, type MigrateRequest } from '../../lib/ops/migrate';
import { loadSecrets } from '../../lib/secrets';

/*
 * `npx serverless invoke -f migrate --stage <s>` after every deploy (README "Deploying"). Not a route
 * group and never behind the HTTP API (it has no events): only someone allowed to invoke Lambda
 * functions in the account runs it. It connects as the owner (MIGRATE_DATABASE_URL, its credentials
 * from the `db-owner` secret) and answers with the report of what ran.
 *
 *   --data '{"action":"status"}'                          what is applied and pending, changes nothing
 *   --data '{"action":"down","steps":1}'                  roll back one (refused in prod without…)
 *   --data '{"action":"down","steps":1,"allowProdRollback":true}'
 */
/** The API's connection (its login is created or updated after migrating up), when this function has one. */
function apiUrl(): string | undefined {
  try {
    return config.databaseUrl;
  } catch {
    return undefined;
  }
}

export const handler = async (event?: MigrateRequest | string | null): Promise<MigrateReport> => {
  await loadSecrets();
  const ownerUrl = config.migrateDatabaseUrl;
  if (!ownerUrl) throw new Error('MIGRATE_DATABASE_URL is not set');
  // `serverless invoke` without --data sends nothing; with --data a JSON object (or its text).
  const request: MigrateRequest = typeof event === 'string' ? (event.trim() ? JSON.parse(event) : {}) : (event ?? {});
  const report = await runMigrations(request, {
    stage: config.stage,
    ownerUrl,
    apiUrl: apiUrl(),
    log: (line) => logLine('info', 'migration', { line: line.trim() }),
  });
  logLine('info', 'migrate', { action: report.action, ran: report.ran, pending: report.pending.length });
  return report;
};

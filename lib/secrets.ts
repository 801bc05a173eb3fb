import { config } from './config';

/*
 * Deployed stages keep the JWT key and the database URL in SSM Parameter Store (SecureString).
 * They are read once per Lambda container, at the first request, through the AWS Parameters and
 * Secrets Lambda Extension (a layer listening on localhost:2773), so no AWS SDK is bundled for it.
 * Locally SSM_SECRETS_PREFIX is unset and the values come from the environment.
 */
const NAMES: Record<string, string> = { JWT_SECRET: 'jwt-secret', DATABASE_URL: 'database-url' };

let loading: Promise<void> | undefined;

export function loadSecrets(): Promise<void> {
  const prefix = config.ssmSecretsPrefix;
  if (!prefix) return Promise.resolve();
  loading ??= (async () => {
    const port = process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT ?? '2773';
    for (const [env, name] of Object.entries(NAMES)) {
      if (process.env[env]) continue;
      const url = `http://localhost:${port}/systemsmanager/parameters/get?name=${encodeURIComponent(`${prefix}/${name}`)}&withDecryption=true`;
      const res = await fetch(url, { headers: { 'X-Aws-Parameters-Secrets-Token': process.env.AWS_SESSION_TOKEN ?? '' } });
      if (!res.ok) throw new Error(`cannot read SSM parameter ${prefix}/${name}: HTTP ${res.status}`);
      const body = (await res.json()) as { Parameter?: { Value?: string } };
      process.env[env] = body.Parameter?.Value ?? '';
    }
  })().catch((err) => {
    loading = undefined; // retry on the next request instead of poisoning the container
    throw err;
  });
  return loading;
}

import { config } from './config';
import { logLine } from './http/log';

/*
 * Deployed stages keep their secrets in AWS Secrets Manager under SECRETS_PREFIX (`reflexo/<stage>`).
 * The data tier (lib/ops/data-tier.yml) generates every one of them, so no person ever types or sees
 * a password, and RDS Proxy authenticates with the same secrets. They are read once per Lambda
 * container, at its first request, through the AWS Parameters and Secrets Lambda Extension (a layer
 * listening on localhost:2773), so no AWS SDK is bundled for it. Locally SECRETS_PREFIX is unset and
 * every value comes from the environment.
 *
 * Two kinds of secret:
 * - a string (the JWT keys) becomes the variable's value, unless the environment already sets it;
 * - credentials ({"username", "password"}, the shape RDS uses) complete a connection URL that the
 *   environment gives without them (serverless.yml: the RDS Proxy endpoint from the data tier's
 *   exports), so where to connect is configuration and only the credentials are secret. A variable
 *   that is unset (MIGRATE_DATABASE_URL outside the migrate function) is not looked up at all, which
 *   is also why each function's IAM role names only the secrets it reads.
 */
interface Source {
  env: string;
  secret: string;
  kind: 'string' | 'credentials';
  versionStage?: 'AWSPREVIOUS';
  /** Looked up only when this holds (the previous JWT key: while its rotation window is open). */
  when?: () => boolean;
}

export const SECRET_SOURCES: readonly Source[] = [
  { env: 'JWT_SECRET', secret: 'jwt-secret', kind: 'string' },
  {
    env: 'JWT_PREVIOUS_SECRET',
    secret: 'jwt-secret',
    kind: 'string',
    versionStage: 'AWSPREVIOUS',
    when: () => (config.jwtPreviousSecretUntil?.getTime() ?? 0) > Date.now(),
  },
  { env: 'DATABASE_URL', secret: 'db-api', kind: 'credentials' },
  { env: 'MIGRATE_DATABASE_URL', secret: 'db-owner', kind: 'credentials' },
];

interface ExtensionAnswer {
  SecretString?: string;
}

async function fetchSecret(prefix: string, source: Source): Promise<string | undefined> {
  const port = process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT ?? '2773';
  const query = new URLSearchParams({ secretId: `${prefix}/${source.secret}` });
  if (source.versionStage) query.set('versionStage', source.versionStage);
  const res = await fetch(`http://localhost:${port}/secretsmanager/get?${query}`, {
    headers: { 'X-Aws-Parameters-Secrets-Token': process.env.AWS_SESSION_TOKEN ?? '' },
  });
  if (!res.ok) {
    // A rotation window opened on a secret that was never rotated has no previous version: that
    // refuses nothing that would otherwise pass, so it is reported, not fatal.
    if (source.versionStage) {
      logLine('error', 'secret version missing', { secret: `${prefix}/${source.secret}`, version_stage: source.versionStage, status: res.status });
      return undefined;
    }
    throw new Error(`cannot read secret ${prefix}/${source.secret}: HTTP ${res.status}`);
  }
  return ((await res.json()) as ExtensionAnswer).SecretString ?? '';
}

/** The connection URL with the secret's credentials in it (the URL encodes them). */
export function withCredentials(url: string, secretString: string, secretName: string): string {
  let creds: { username?: unknown; password?: unknown };
  try {
    creds = JSON.parse(secretString) as typeof creds;
  } catch {
    throw new Error(`secret ${secretName} is not JSON {"username", "password"}`);
  }
  if (typeof creds.username !== 'string' || typeof creds.password !== 'string') throw new Error(`secret ${secretName} has no username/password`);
  const u = new URL(url);
  u.username = creds.username;
  u.password = creds.password;
  return u.toString();
}

function needs(source: Source): boolean {
  if (source.when && !source.when()) return false;
  const current = process.env[source.env];
  if (source.kind === 'string') return !current;
  // credentials: only a URL given without a password is completed
  if (!current) return false;
  return !new URL(current).password;
}

let loading: Promise<void> | undefined;

export function loadSecrets(): Promise<void> {
  const prefix = config.secretsPrefix;
  if (!prefix) return Promise.resolve();
  loading ??= (async () => {
    const wanted = SECRET_SOURCES.filter(needs);
    const values = await Promise.all(wanted.map((s) => fetchSecret(prefix, s)));
    wanted.forEach((source, i) => {
      const value = values[i];
      if (value === undefined) return;
      process.env[source.env] = source.kind === 'string' ? value : withCredentials(process.env[source.env]!, value, `${prefix}/${source.secret}`);
    });
  })().catch((err) => {
    loading = undefined; // retry on the next request instead of poisoning the container
    throw err;
  });
  return loading;
}

/**
 * Every setting the code reads, in one list. Values come from the environment: locally from the
 * shell that runs `npm start` (the local gateway runs the functions in its own process), in deployed
 * stages from serverless.yml's `provider.environment`, which forwards each `function` setting (a test
 * checks that list against this one, and the README's table against both).
 * Read lazily so tests and the local launcher can set the environment before first use.
 */
export type SettingScope =
  /** read by the functions: must reach them locally and in every deployed stage */
  | 'function'
  /** read only by the local stack (`npm start`, db scripts) */
  | 'local'
  /** read only by `npm test` */
  | 'test'
  /** read by operator tools (migrations, tenant CLI) */
  | 'operator';

export const SETTINGS: Record<string, SettingScope> = {
  DATABASE_URL: 'function',
  MIGRATE_DATABASE_URL: 'operator',
  JWT_SECRET: 'function',
  JWT_PREVIOUS_SECRET: 'function',
  JWT_PREVIOUS_SECRET_UNTIL: 'function',
  JWT_ISSUER: 'function',
  JWT_AUDIENCE: 'function',
  JWT_ACCESS_TTL_SECONDS: 'function',
  JWT_REFRESH_TTL_SECONDS: 'function',
  CORS_ORIGINS: 'function',
  DEV_EXPOSE_CODES: 'function',
  S3_BUCKET: 'function',
  S3_ENDPOINT: 'function',
  SES_ENDPOINT: 'function',
  MAIL_FROM: 'function',
  PUBLIC_BASE_URL: 'function',
  DB_POOL_MAX: 'function',
  DB_STATEMENT_TIMEOUT_MS: 'function',
  MAX_BODY_BYTES: 'function',
  MAX_JSON_BYTES: 'function',
  LOG_LEVEL: 'function',
  DEFAULT_TIME_ZONE: 'function',
  PASSWORD_SCRYPT_N: 'function',
  SECRETS_PREFIX: 'function',
  MAIL_SEND_RATE: 'function',
  MAIL_BATCH_SIZE: 'function',
  PORT: 'local',
  PG_PORT: 'local',
  S3_PORT: 'local',
  SES_PORT: 'local',
  DATA_DIR: 'local',
  TEST_DATABASE_URL: 'test',
};

const env = (name: keyof typeof SETTINGS & string, fallback?: string): string | undefined => {
  const v = process.env[name];
  return v === undefined || v === '' ? fallback : v;
};

const list = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const onLambda = () => Boolean(process.env.AWS_LAMBDA_FUNCTION_NAME);

export const config = {
  get stage() {
    return process.env.STAGE || 'local';
  },
  get version() {
    return process.env.APP_VERSION || '0.1.0';
  },
  get databaseUrl() {
    const url = env('DATABASE_URL');
    if (!url) throw new Error('DATABASE_URL is not set');
    return url;
  },
  /** One Lambda container serves one request at a time: a single connection is all it may hold. */
  get dbPoolMax() {
    return Number(env('DB_POOL_MAX', onLambda() ? '1' : '10'));
  },
  /** Kept below the function timeout so a slow query fails cleanly instead of the Lambda being killed. */
  get dbStatementTimeoutMs() {
    return Number(env('DB_STATEMENT_TIMEOUT_MS', '8000'));
  },
  get jwtSecret() {
    const s = env('JWT_SECRET');
    if (!s || Buffer.byteLength(s) < 32) throw new Error('JWT_SECRET must be set and at least 32 bytes long');
    return s;
  },
  /**
   * The key being retired by a rotation: tokens it signed stay valid until JWT_PREVIOUS_SECRET_UNTIL,
   * never after, and nothing new is signed with it. Unset, or a window already closed: no second key.
   */
  get jwtPreviousSecret(): string | undefined {
    const until = this.jwtPreviousSecretUntil;
    if (!until || until.getTime() <= Date.now()) return undefined;
    const s = env('JWT_PREVIOUS_SECRET');
    if (!s) return undefined;
    if (Buffer.byteLength(s) < 32) throw new Error('JWT_PREVIOUS_SECRET must be at least 32 bytes long');
    return s;
  },
  /** End of the rotation window (an ISO 8601 instant); unset = no window. */
  get jwtPreviousSecretUntil(): Date | undefined {
    const v = env('JWT_PREVIOUS_SECRET_UNTIL');
    if (!v) return undefined;
    const at = new Date(v);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(v) || Number.isNaN(at.getTime())) throw new Error('JWT_PREVIOUS_SECRET_UNTIL must be an ISO 8601 instant, e.g. 2030-01-31T12:00:00Z');
    return at;
  },
  get jwtIssuer() {
    return env('JWT_ISSUER', 'reflexo-api')!;
  },
  get jwtAudience() {
    return env('JWT_AUDIENCE', 'reflexo-clients')!;
  },
  get accessTtlSeconds() {
    return Number(env('JWT_ACCESS_TTL_SECONDS', String(60 * 60)));
  },
  get refreshTtlSeconds() {
    return Number(env('JWT_REFRESH_TTL_SECONDS', String(7 * 24 * 60 * 60)));
  },
  /** Origins allowed by CORS: the consultorio frontend's dev origins plus CORS_ORIGINS. */
  get corsOrigins() {
    return ['http://localhost:3000', 'http://127.0.0.1:3000', ...list(env('CORS_ORIGINS'))];
  },
  get maxBodyBytes() {
    return Number(env('MAX_BODY_BYTES', String(6 * 1024 * 1024)));
  },
  get maxJsonBytes() {
    return Number(env('MAX_JSON_BYTES', String(1024 * 1024)));
  },
  /** Codes (reset, verification) appear in HTTP responses only when this is on. Never in deployed stages. */
  get exposeCodes() {
    return env('DEV_EXPOSE_CODES') === '1';
  },
  get s3Bucket() {
    return env('S3_BUCKET', 'reflexo-media-local')!;
  },
  get s3Endpoint() {
    return env('S3_ENDPOINT');
  },
  get sesEndpoint() {
    return env('SES_ENDPOINT');
  },
  get mailFrom() {
    return env('MAIL_FROM', 'no-reply@reflexo.pe')!;
  },
  get awsRegion() {
    return process.env.AWS_REGION || 'us-east-1';
  },
  /** Absolute base for URLs in responses (photo_url, logos). Falls back to the request's host. */
  get publicBaseUrl() {
    return env('PUBLIC_BASE_URL');
  },
  get logLevel() {
    return env('LOG_LEVEL', 'info')!;
  },
  get defaultTimeZone() {
    return env('DEFAULT_TIME_ZONE', 'America/Lima')!;
  },
  /** scrypt cost for new hashes; each hash records its own parameters, so changing it never locks anyone out. */
  get passwordScryptN() {
    return Number(env('PASSWORD_SCRYPT_N', '32768'));
  },
  /** Messages per second the outbox sender sends at most: keep it below the SES account's send rate. */
  get mailSendRate() {
    return Number(env('MAIL_SEND_RATE', '10'));
  },
  /** Rows the outbox sender claims per round. */
  get mailBatchSize() {
    return Number(env('MAIL_BATCH_SIZE', '50'));
  },
  /** Where deployed stages keep their secrets in Secrets Manager, e.g. `reflexo/prod` (unset locally). */
  get secretsPrefix() {
    return env('SECRETS_PREFIX');
  },
  /** The owner connection (migrations); deployed, the migrate function's own environment names it. */
  get migrateDatabaseUrl() {
    return env('MIGRATE_DATABASE_URL');
  },
};

/**
 * Options every AWS SDK client starts from. The SDK warns on Node < 22 about versions it has not
 * published yet; the pinned version supports Node ≥ 20 (its `engines`), and Lambda runs Node 22, so
 * the warning says nothing about this code and is switched off.
 */
export function awsClientDefaults(): { region: string } {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return { region: config.awsRegion };
}

/** Settings whose values never leave the process (the diagnostics route says only whether they are set). */
const SECRET = new Set(['DATABASE_URL', 'JWT_SECRET', 'JWT_PREVIOUS_SECRET']);
const EFFECTIVE: Record<string, () => unknown> = {
  DATABASE_URL: () => process.env.DATABASE_URL,
  JWT_SECRET: () => process.env.JWT_SECRET,
  JWT_PREVIOUS_SECRET: () => process.env.JWT_PREVIOUS_SECRET,
  JWT_PREVIOUS_SECRET_UNTIL: () => config.jwtPreviousSecretUntil?.toISOString() ?? null,
  JWT_ISSUER: () => config.jwtIssuer,
  JWT_AUDIENCE: () => config.jwtAudience,
  JWT_ACCESS_TTL_SECONDS: () => config.accessTtlSeconds,
  JWT_REFRESH_TTL_SECONDS: () => config.refreshTtlSeconds,
  CORS_ORIGINS: () => config.corsOrigins.join(','),
  DEV_EXPOSE_CODES: () => config.exposeCodes,
  S3_BUCKET: () => config.s3Bucket,
  S3_ENDPOINT: () => config.s3Endpoint ?? null,
  SES_ENDPOINT: () => config.sesEndpoint ?? null,
  MAIL_FROM: () => config.mailFrom,
  PUBLIC_BASE_URL: () => config.publicBaseUrl ?? null,
  DB_POOL_MAX: () => config.dbPoolMax,
  DB_STATEMENT_TIMEOUT_MS: () => config.dbStatementTimeoutMs,
  MAX_BODY_BYTES: () => config.maxBodyBytes,
  MAX_JSON_BYTES: () => config.maxJsonBytes,
  LOG_LEVEL: () => config.logLevel,
  DEFAULT_TIME_ZONE: () => config.defaultTimeZone,
  PASSWORD_SCRYPT_N: () => config.passwordScryptN,
  SECRETS_PREFIX: () => config.secretsPrefix ?? null,
  MAIL_SEND_RATE: () => config.mailSendRate,
  MAIL_BATCH_SIZE: () => config.mailBatchSize,
};

/** What a function actually uses, setting by setting (secrets as "set"/null): the local stack's diagnostics. */
export function effectiveSettings(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, scope] of Object.entries(SETTINGS)) {
    if (scope !== 'function') continue;
    const value = EFFECTIVE[name]();
    out[name] = SECRET.has(name) ? (value ? 'set' : null) : value;
  }
  return out;
}

/** Deployed stages never expose diagnostics. */
export const isDeployed = () => onLambda() || ['dev', 'staging', 'prod'].includes(config.stage);

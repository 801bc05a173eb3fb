/**
 * Every setting the code reads, in one place. Values come from the environment; deployed stages get
 * them from serverless.yml, which resolves secrets from SSM at deploy time.
 * Read lazily so tests and the local launcher can set the environment before first use.
 */
const env = (name: string, fallback?: string): string | undefined => {
  const v = process.env[name];
  return v === undefined || v === '' ? fallback : v;
};

const list = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const onLambda = () => Boolean(process.env.AWS_LAMBDA_FUNCTION_NAME) && !process.env.IS_OFFLINE;

export const config = {
  get stage() {
    return env('STAGE', 'local')!;
  },
  get version() {
    return env('APP_VERSION', '0.1.0')!;
  },
  get databaseUrl() {
    const url = env('DATABASE_URL');
    if (!url) throw new Error('DATABASE_URL is not set');
    return url;
  },
  /** One Lambda container serves one request at a time: a single connection is enough there. */
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
    return env('AWS_REGION', 'us-east-1')!;
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
};

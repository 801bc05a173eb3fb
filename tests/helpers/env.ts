/* Every test worker gets the settings global-setup produced, plus test-only knobs. */
const settings = JSON.parse(process.env.TEST_SETTINGS ?? '{}') as Record<string, string>;
Object.assign(process.env, settings, {
  STAGE: 'test',
  JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-0123456789',
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  AWS_REGION: 'us-east-1',
  // Error lines only: an unhandled error (a 500) prints its stack, so a failure seen once in CI says why.
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
  // Cheap hashes keep the suite fast; the parameters are stored in each hash, so the format is the same.
  PASSWORD_SCRYPT_N: '1024',
  // What every Lambda container gets: one connection. Files that simulate several containers at once raise it.
  DB_POOL_MAX: '1',
});
delete process.env.DEV_EXPOSE_CODES;
delete process.env.PUBLIC_BASE_URL;
delete process.env.SSM_SECRETS_PREFIX;

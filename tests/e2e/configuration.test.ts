import { decodeJwt, jwtVerify, SignJWT } from 'jose';
import { SETTINGS } from '../../lib/config';
import { appUrlFor, prepareDatabase } from '../../lib/dev/postgres';
import { mailsTo } from '../helpers/mail';
import { dropDatabases, withClient } from '../helpers/scratch-db';
import { startLocalStack, type LocalStack } from './local-stack';

/*
 * Every setting in the README's table changed at once, `npm start` started with them, and each seen
 * to take effect over HTTP: what the functions report using (GET /api/health/config, local only) and,
 * where a user would notice, the behaviour itself (a 3-second token expires, a foreign origin is
 * granted, mail leaves from the configured sender, the pool never exceeds its size…).
 */
const database = `reflexo_e2e_config_${process.pid}`;
let ownerUrl: string;
let stack: LocalStack;
const SECRET = 'e2e-secret-that-is-long-enough-for-hs256-abcdefgh';
const PREVIOUS = 'e2e-previous-secret-long-enough-for-hs256-zyxwvu';

const CHANGED: Record<string, string> = {
  JWT_SECRET: SECRET,
  JWT_ISSUER: 'iss-e2e',
  JWT_AUDIENCE: 'aud-e2e',
  JWT_ACCESS_TTL_SECONDS: '3',
  JWT_REFRESH_TTL_SECONDS: '120',
  CORS_ORIGINS: 'https://app.e2e.test',
  DEV_EXPOSE_CODES: '0',
  MAIL_FROM: 'e2e-sender@clinic.test',
  PUBLIC_BASE_URL: 'https://api.e2e.test',
  DB_POOL_MAX: '3',
  DB_STATEMENT_TIMEOUT_MS: '4000',
  MAX_BODY_BYTES: '500000',
  MAX_JSON_BYTES: '2000',
  LOG_LEVEL: 'info',
  DEFAULT_TIME_ZONE: 'America/Bogota',
  PASSWORD_SCRYPT_N: '2048',
  SECRETS_PREFIX: 'reflexo/e2e',
  JWT_PREVIOUS_SECRET: PREVIOUS,
  JWT_PREVIOUS_SECRET_UNTIL: '2099-01-01T00:00:00.000Z',
  MAIL_SEND_RATE: '20',
  MAIL_BATCH_SIZE: '25',
};

beforeAll(async () => {
  ownerUrl = await prepareDatabase(process.env.TEST_SERVER_URL!, database, { recreate: true });
  stack = await startLocalStack({
    ...CHANGED,
    DATABASE_URL: appUrlFor(ownerUrl),
    MIGRATE_DATABASE_URL: ownerUrl,
    // The test run's own S3 and SES stand-ins: npm start must use them instead of starting its own.
    S3_ENDPOINT: process.env.S3_ENDPOINT,
    SES_ENDPOINT: process.env.SES_ENDPOINT,
    S3_BUCKET: process.env.S3_BUCKET,
  });
}, 300_000);
afterAll(async () => {
  await stack?.stop();
  await dropDatabases(database).catch(() => {});
});

const login = () =>
  fetch(`${stack.url}/api/architect/auth/login/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'clinica@demo.reflexo.pe', password: 'Reflexo#2026' }) });

it('changes every documented setting (the test itself covers the whole list)', () => {
  const covered = new Set([...Object.keys(CHANGED), 'DATABASE_URL', 'MIGRATE_DATABASE_URL', 'S3_ENDPOINT', 'SES_ENDPOINT', 'S3_BUCKET']);
  // Ports and the data folder are moved by every start (tests/e2e/local-stack.ts); TEST_DATABASE_URL is npm test's own.
  const elsewhere = new Set(['PORT', 'PG_PORT', 'S3_PORT', 'SES_PORT', 'DATA_DIR', 'TEST_DATABASE_URL']);
  expect(Object.keys(SETTINGS).filter((k) => !covered.has(k) && !elsewhere.has(k))).toEqual([]);
});

it('the functions use what the shell gave npm start', async () => {
  const res = await fetch(`${stack.url}/api/health/config`);
  expect(res.status).toBe(200);
  const { settings } = (await res.json()) as { settings: Record<string, unknown> };
  for (const [name, value] of Object.entries(CHANGED)) {
    if (name === 'JWT_SECRET' || name === 'JWT_PREVIOUS_SECRET') expect(settings[name]).toBe('set');
    else if (name === 'CORS_ORIGINS') expect(String(settings[name])).toContain(value);
    else if (name === 'DEV_EXPOSE_CODES') expect(settings[name]).toBe(false);
    else expect(String(settings[name])).toBe(value);
  }
  expect(settings.DATABASE_URL).toBe('set');
  expect(settings.S3_ENDPOINT).toBe(process.env.S3_ENDPOINT);
  expect(settings.SES_ENDPOINT).toBe(process.env.SES_ENDPOINT);
  expect(settings.S3_BUCKET).toBe(process.env.S3_BUCKET);
  expect(stack.output()).toContain(`S3 at ${process.env.S3_ENDPOINT}`);
});

it('DATABASE_URL and MIGRATE_DATABASE_URL: npm start migrated and seeded the named database, and serves from it', async () => {
  await withClient(ownerUrl, async (c) => {
    const { rows } = await c.query(`SELECT count(*)::int AS n FROM users WHERE email = 'clinica@demo.reflexo.pe'`);
    expect(rows[0].n).toBe(1);
  });
  expect((await login()).status).toBe(200);
});

it('tokens carry the configured issuer, audience, key and lifetimes, and expire after 3 s', async () => {
  const { access, refresh } = (await (await login()).json()) as { access: string; refresh: string };
  const key = new TextEncoder().encode(SECRET);
  const { payload } = await jwtVerify(access, key, { issuer: 'iss-e2e', audience: 'aud-e2e' });
  expect(payload.exp! - payload.iat!).toBe(3);
  const r = await jwtVerify(refresh, key, { issuer: 'iss-e2e', audience: 'aud-e2e' });
  expect(r.payload.exp! - r.payload.iat!).toBe(120);
  const me = () => fetch(`${stack.url}/api/profiles/users/me/`, { headers: { authorization: `Bearer ${access}` } });
  expect((await me()).status).toBe(200);
  await new Promise((r) => setTimeout(r, 4_000));
  expect((await me()).status).toBe(401);
}, 30_000);

it('JWT_PREVIOUS_SECRET and JWT_PREVIOUS_SECRET_UNTIL: a token signed with the previous key is accepted inside the window', async () => {
  const { access } = (await (await login()).json()) as { access: string };
  const claims = decodeJwt(access);
  const old = await new SignJWT({ typ: 'access', rid: claims.rid, su: claims.su })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(String(claims.sub))
    .setJti(crypto.randomUUID())
    .setIssuedAt()
    .setExpirationTime('1m')
    .setIssuer('iss-e2e')
    .setAudience('aud-e2e')
    .sign(new TextEncoder().encode(PREVIOUS));
  expect((await fetch(`${stack.url}/api/profiles/users/me/`, { headers: { authorization: `Bearer ${old}` } })).status).toBe(200);
});

it('CORS_ORIGINS grants the extra origin', async () => {
  const res = await fetch(`${stack.url}/api/health`, { headers: { origin: 'https://app.e2e.test' } });
  expect(res.headers.get('access-control-allow-origin')).toBe('https://app.e2e.test');
});

it('MAX_JSON_BYTES refuses a larger JSON body with 413; LOG_LEVEL=info writes request lines', async () => {
  const big = await fetch(`${stack.url}/api/architect/auth/login/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'x@y.z', password: 'p'.repeat(3000) }) });
  expect(big.status).toBe(413);
  expect(stack.output()).toMatch(/"msg":"request".*"path":"\/api\/architect\/auth\/login\/".*"status":413/);
});

it('DEV_EXPOSE_CODES=0 keeps the reset code out of the response; MAIL_FROM sends it from the configured sender', async () => {
  const res = await fetch(`${stack.url}/api/profiles/password/reset/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'clinica@demo.reflexo.pe' }) });
  expect(res.status).toBe(200);
  expect(await res.json()).not.toHaveProperty('code');
  // The code leaves through the outbox: npm start's sender drains it every 2 s.
  let mail: Awaited<ReturnType<typeof mailsTo>>[number] | undefined;
  for (const until = Date.now() + 15_000; !mail && Date.now() < until; await new Promise((r) => setTimeout(r, 250))) mail = (await mailsTo('clinica@demo.reflexo.pe')).pop();
  expect(mail?.from).toBe('e2e-sender@clinic.test');
});

it('PASSWORD_SCRYPT_N is the cost of new hashes', async () => {
  const name = `cfg${process.pid}`;
  const res = await fetch(`${stack.url}/api/architect/auth/register/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `${name}@e2e.test`, user_name: name, password: 'Ventana-Azul-77', password_confirm: 'Ventana-Azul-77' }),
  });
  expect(res.status).toBe(201);
  await withClient(ownerUrl, async (c) => {
    const { rows } = await c.query('SELECT password_hash FROM users WHERE email = $1', [`${name}@e2e.test`]);
    expect(rows[0].password_hash).toMatch(/^scrypt\$2048\$/);
  });
});

it('PUBLIC_BASE_URL is the base of absolute links; DB_POOL_MAX bounds the connections under load', async () => {
  const { access } = (await (await login()).json()) as { access: string };
  const auth = { authorization: `Bearer ${access}` };
  const page = await fetch(`${stack.url}/api/architect/audit-logs/?page_size=1`, { headers: auth });
  expect(page.status).toBe(200);
  expect(((await page.json()) as { next: string }).next).toMatch(/^https:\/\/api\.e2e\.test\/api\/architect\/audit-logs\//);
  const answers = await Promise.all(Array.from({ length: 24 }, () => fetch(`${stack.url}/api/patients/patients/?page=1`, { headers: auth }).then((r) => r.status)));
  expect(answers.every((s) => s === 200)).toBe(true);
  await withClient(ownerUrl, async (c) => {
    const { rows } = await c.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND usename = 'reflexo_api'`, [database]);
    expect(rows[0].n).toBeGreaterThan(0);
    expect(rows[0].n).toBeLessThanOrEqual(3);
  });
});

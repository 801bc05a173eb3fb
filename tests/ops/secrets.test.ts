import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * lib/secrets.ts against a stand-in for the AWS Parameters and Secrets extension (its HTTP interface
 * on localhost): which secrets a container asks for, and what it makes of them.
 */
const SECRETS: Record<string, string> = {
  'reflexo/prod/jwt-secret@AWSCURRENT': 'k'.repeat(64),
  'reflexo/prod/jwt-secret@AWSPREVIOUS': 'p'.repeat(64),
  'reflexo/prod/db-api@AWSCURRENT': JSON.stringify({ username: 'reflexo_api', password: 'pa:ss/w@rd?', host: 'cluster.internal', port: 5432 }),
  'reflexo/prod/db-owner@AWSCURRENT': JSON.stringify({ username: 'reflexo_owner', password: 'owner-pw' }),
};
const NAMES = ['SECRETS_PREFIX', 'JWT_SECRET', 'JWT_PREVIOUS_SECRET', 'JWT_PREVIOUS_SECRET_UNTIL', 'DATABASE_URL', 'MIGRATE_DATABASE_URL', 'PARAMETERS_SECRETS_EXTENSION_HTTP_PORT', 'AWS_SESSION_TOKEN'];
const saved = Object.fromEntries(NAMES.map((n) => [n, process.env[n]]));
let server: Server;
let asked: string[] = [];
let missing = new Set<string>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://localhost');
    const key = `${url.searchParams.get('secretId')}@${url.searchParams.get('versionStage') ?? 'AWSCURRENT'}`;
    asked.push(key);
    if (url.pathname !== '/secretsmanager/get' || req.headers['x-aws-parameters-secrets-token'] !== 'session-token') {
      res.writeHead(401).end();
      return;
    }
    if (!(key in SECRETS) || missing.has(key)) {
      res.writeHead(400).end('{"__type":"ResourceNotFoundException"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ Name: url.searchParams.get('secretId'), SecretString: SECRETS[key] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  asked = [];
  missing = new Set();
  for (const n of NAMES) delete process.env[n];
  Object.assign(process.env, {
    SECRETS_PREFIX: 'reflexo/prod',
    PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String((server.address() as AddressInfo).port),
    AWS_SESSION_TOKEN: 'session-token',
    DATABASE_URL: 'postgres://reflexo_api@proxy.example:5432/reflexo?sslmode=verify-full',
  });
});
afterEach(() => {
  for (const n of NAMES) {
    if (saved[n] === undefined) delete process.env[n];
    else process.env[n] = saved[n];
  }
});

/** A fresh module, as a fresh container gets. */
function freshSecrets(): typeof import('../../lib/secrets') {
  let mod!: typeof import('../../lib/secrets');
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require('../../lib/secrets');
  });
  return mod;
}

it('an API container: the JWT key, and the API credentials completing the proxy URL; nothing else', async () => {
  await freshSecrets().loadSecrets();
  expect(asked.sort()).toEqual(['reflexo/prod/db-api@AWSCURRENT', 'reflexo/prod/jwt-secret@AWSCURRENT']);
  expect(process.env.JWT_SECRET).toBe('k'.repeat(64));
  const url = new URL(process.env.DATABASE_URL!);
  expect([url.username, decodeURIComponent(url.password), url.host, url.pathname, url.search]).toEqual(['reflexo_api', 'pa:ss/w@rd?', 'proxy.example:5432', '/reflexo', '?sslmode=verify-full']);
  expect(process.env.JWT_PREVIOUS_SECRET).toBeUndefined();
});

it('once per container: a second request asks nothing', async () => {
  const secrets = freshSecrets();
  await secrets.loadSecrets();
  await secrets.loadSecrets();
  expect(asked).toHaveLength(2);
});

it('the migrate container also completes the owner URL from db-owner', async () => {
  process.env.MIGRATE_DATABASE_URL = 'postgres://reflexo_owner@proxy.example:5432/reflexo?sslmode=verify-full';
  await freshSecrets().loadSecrets();
  expect(asked).toContain('reflexo/prod/db-owner@AWSCURRENT');
  expect(new URL(process.env.MIGRATE_DATABASE_URL!).password).toBe('owner-pw');
});

it('while a rotation window is open, the previous JWT key is the secret\'s AWSPREVIOUS version', async () => {
  process.env.JWT_PREVIOUS_SECRET_UNTIL = new Date(Date.now() + 60_000).toISOString();
  await freshSecrets().loadSecrets();
  expect(asked).toContain('reflexo/prod/jwt-secret@AWSPREVIOUS');
  expect(process.env.JWT_PREVIOUS_SECRET).toBe('p'.repeat(64));
});

it('a closed window asks for no previous key', async () => {
  process.env.JWT_PREVIOUS_SECRET_UNTIL = new Date(Date.now() - 60_000).toISOString();
  await freshSecrets().loadSecrets();
  expect(asked).not.toContain('reflexo/prod/jwt-secret@AWSPREVIOUS');
});

it('a window on a secret never rotated (no AWSPREVIOUS) is not fatal', async () => {
  process.env.JWT_PREVIOUS_SECRET_UNTIL = new Date(Date.now() + 60_000).toISOString();
  missing.add('reflexo/prod/jwt-secret@AWSPREVIOUS');
  await expect(freshSecrets().loadSecrets()).resolves.toBeUndefined();
  expect(process.env.JWT_SECRET).toBe('k'.repeat(64));
  expect(process.env.JWT_PREVIOUS_SECRET).toBeUndefined();
});

it('a missing current secret fails the request, and the next request tries again', async () => {
  missing.add('reflexo/prod/jwt-secret@AWSCURRENT');
  const secrets = freshSecrets();
  await expect(secrets.loadSecrets()).rejects.toThrow(/cannot read secret reflexo\/prod\/jwt-secret: HTTP 400/);
  missing.clear();
  await secrets.loadSecrets();
  expect(process.env.JWT_SECRET).toBe('k'.repeat(64));
});

it('values the environment already holds are not looked up; locally (no prefix) nothing is', async () => {
  process.env.JWT_SECRET = 'from-the-environment-and-long-enough-0123456789';
  process.env.DATABASE_URL = 'postgres://u:given@db/x';
  await freshSecrets().loadSecrets();
  expect(asked).toEqual([]);
  delete process.env.SECRETS_PREFIX;
  delete process.env.JWT_SECRET;
  await freshSecrets().loadSecrets();
  expect(asked).toEqual([]);
});

it('credentials that are not {"username","password"} JSON are refused', () => {
  const { withCredentials } = freshSecrets();
  expect(() => withCredentials('postgres://h/db', 'plain', 'x')).toThrow(/not JSON/);
  expect(() => withCredentials('postgres://h/db', '{"user":"a"}', 'x')).toThrow(/no username\/password/);
});

import { sql } from 'kysely';
import { getPool, SecondConnectionError } from '../../lib/db/pool';
import { ANONYMOUS, keepEvenIfRolledBack, withTenant } from '../../lib/db/tenant';
import { createUser, ownerKysely, uniq } from '../helpers/fixtures';
import { buildEvent } from '../helpers/http';
import { freshIp } from '../helpers/identity';
import { startContainer, type Container } from '../helpers/lambda-container';

/*
 * Production gives each Lambda container ONE connection. The whole suite runs with a pool of one
 * (tests/helpers/env.ts); this file also runs the identity function exactly as deployed (bundled,
 * in its own Node process, config picking the Lambda pool size) and checks what used to deadlock:
 * writes that must survive an error response.
 */
describe('the guard in lib/db', () => {
  it('refuses a second transaction or any pool use while a request holds its connection', async () => {
    await expect(withTenant(ANONYMOUS, () => withTenant(ANONYMOUS, async () => 1))).rejects.toBeInstanceOf(SecondConnectionError);
    await expect(withTenant(ANONYMOUS, async () => getPool().query('SELECT 1'))).rejects.toBeInstanceOf(SecondConnectionError);
    // Outside a transaction the pool is there as usual.
    expect((await getPool().query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('keeps a durable write when the request fails, and writes it once when it succeeds', async () => {
    const failed = uniq('durable-fail');
    const kept = uniq('durable-ok');
    const note = (key: string) => (db: Parameters<Parameters<typeof keepEvenIfRolledBack>[1]>[0]) =>
      sql`INSERT INTO auth_failures (kind, key) VALUES ('login_account', ${key})`.execute(db);
    await expect(
      withTenant(ANONYMOUS, async (db) => {
        keepEvenIfRolledBack(db, note(failed));
        await sql`INSERT INTO auth_failures (kind, key) VALUES ('login_account', ${`${failed}-rolled-back`})`.execute(db);
        throw new Error('the request fails');
      }),
    ).rejects.toThrow('the request fails');
    await withTenant(ANONYMOUS, async (db) => keepEvenIfRolledBack(db, note(kept)));
    const rows = await ownerKysely().selectFrom('auth_failures').select('key').where('key', 'like', 'durable-%').execute();
    const keys = rows.map((r) => r.key);
    expect(keys.filter((k) => k === failed)).toHaveLength(1);
    expect(keys).not.toContain(`${failed}-rolled-back`);
    expect(keys.filter((k) => k === kept)).toHaveLength(1);
  });
});

describe('architect-auth bundled and run as on Lambda (one connection)', () => {
  let container: Container;
  beforeAll(async () => {
    container = await startContainer('functions/reflexo/architect-auth', { LOG_LEVEL: 'silent' });
  }, 60_000);
  afterAll(() => container?.stop());

  const post = (path: string, json: unknown, ip = freshIp()) => {
    const event = buildEvent({ method: 'POST', path, json });
    event.requestContext.http.sourceIp = ip;
    return container.invoke(event);
  };

  it('6 wrong passwords: five 401 within 1 s each, then 429 with Retry-After', async () => {
    const u = await createUser();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const started = Date.now();
      const res = await post('/api/architect/auth/login/', { email: u.email, password: `Wrong#${i}pass` });
      statuses.push(res.status);
      expect(Date.now() - started).toBeLessThan(1000);
      if (i === 5) expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const failures = await ownerKysely().selectFrom('auth_failures').select('id').where('key', '=', u.email.toLowerCase()).execute();
    expect(failures).toHaveLength(5);
    const audited = await ownerKysely().selectFrom('audit_log').select('id').where('user_id', '=', u.id).where('action', '=', 'login_failed').execute();
    expect(audited).toHaveLength(5);
  });

  it('a reused refresh token revokes its family', async () => {
    const u = await createUser();
    const first = (await post('/api/architect/auth/login/', { email: u.email, password: u.password })).body;
    const second = await post('/api/architect/auth/token/refresh/', { refresh: first.refresh });
    expect(second.status).toBe(200);
    expect((await post('/api/architect/auth/token/refresh/', { refresh: first.refresh })).status).toBe(401);
    expect((await post('/api/architect/auth/token/refresh/', { refresh: second.body.refresh })).status).toBe(401);
    const family = await ownerKysely().selectFrom('refresh_tokens').select('revoked_at').where('user_id', '=', u.id).execute();
    expect(family).toHaveLength(2);
    expect(family.every((r) => r.revoked_at !== null)).toBe(true);
  });
});

describe('profiles-password bundled and run as on Lambda (one connection)', () => {
  let container: Container;
  beforeAll(async () => {
    container = await startContainer('functions/reflexo/profiles-password', { LOG_LEVEL: 'silent', DEV_EXPOSE_CODES: '1' });
  }, 60_000);
  afterAll(() => container?.stop());

  it('wrong reset codes count against the code: 4 × 400, then 429, and the right code is dead', async () => {
    const u = await createUser();
    const ip = freshIp();
    const send = (path: string, json: unknown) => {
      const event = buildEvent({ method: 'POST', path, json });
      event.requestContext.http.sourceIp = ip;
      return container.invoke(event);
    };
    const requested = await send('/api/profiles/password/reset/', { email: u.email });
    expect(requested.status).toBe(200);
    const code = requested.body.code as string;
    const wrong = code === '000000' ? '111111' : '000000';
    const body = (c: string) => ({ email: u.email, code: c, new_password: 'Reset#Nueva#99', new_password_confirm: 'Reset#Nueva#99' });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await send('/api/profiles/password/reset/confirm/', body(wrong))).status);
    expect(statuses).toEqual([400, 400, 400, 400, 429]);
    expect((await send('/api/profiles/password/reset/confirm/', body(code))).status).toBe(429);
    const stored = await ownerKysely().selectFrom('one_time_codes').select('attempts').where('user_id', '=', u.id).executeTakeFirstOrThrow();
    expect(stored.attempts).toBe(5);
  });
});

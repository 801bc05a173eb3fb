import { SignJWT } from 'jose';
import { handler as auth } from '../../functions/reflexo/architect-auth';
import { handler } from '../../functions/reflexo/locations';
import { MAX_TOKEN_LENGTH, signToken, verifyToken } from '../../lib/auth/tokens';
import { createHandler } from '../../lib/http/app';
import { defineGroup, route } from '../../lib/http/route';
import { createTenant, createUser, ownerKysely } from '../helpers/fixtures';
import { call, type Handler } from '../helpers/http';

/* What the shared authentication step accepts and refuses, on a real route. */
const path = '/api/locations/regions/15/';
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

async function forge(claims: Record<string, unknown>, secret = process.env.JWT_SECRET!) {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));
}

describe('access tokens', () => {
  it('a valid access token is accepted', async () => {
    const u = await createUser();
    expect((await call(handler, { path, token: u.token })).status).toBe(200);
  });

  it.each([
    ['alg none', async (sub: number) => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: String(sub), typ: 'access', iss: 'reflexo-api', aud: 'reflexo-clients', exp: 9999999999, iat: 1, jti: crypto.randomUUID() })}.`],
    ['wrong key', async (sub: number) => forge({ sub: String(sub), typ: 'access', iss: 'reflexo-api', aud: 'reflexo-clients', exp: 9999999999, iat: 1, jti: crypto.randomUUID() }, 'another-secret-another-secret-another-secret')],
    ['expired', async (sub: number) => forge({ sub: String(sub), typ: 'access', iss: 'reflexo-api', aud: 'reflexo-clients', exp: Math.floor(Date.now() / 1000) - 10, iat: 1, jti: crypto.randomUUID() })],
    ['wrong audience', async (sub: number) => forge({ sub: String(sub), typ: 'access', iss: 'reflexo-api', aud: 'other', exp: 9999999999, iat: 1, jti: crypto.randomUUID() })],
    ['no jti', async (sub: number) => forge({ sub: String(sub), typ: 'access', iss: 'reflexo-api', aud: 'reflexo-clients', exp: 9999999999, iat: 1 })],
    ['refresh token used as access', async (sub: number) => (await signToken('refresh', { id: sub, reflexoId: null, isSuperuser: false })).token],
    ['malformed', async () => 'abc.def.ghi'],
  ])('%s → 401 token_not_valid', async (_name, make) => {
    const u = await createUser();
    const res = await call(handler, { path, token: await make(u.id) });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ detail: 'El token no es válido o ha expirado.', code: 'token_not_valid' });
  });

  it('a revoked token (jti in revoked_tokens) → 401', async () => {
    const u = await createUser();
    const t = await signToken('access', { id: u.id, reflexoId: null, isSuperuser: false });
    await ownerKysely().insertInto('revoked_tokens').values({ jti: t.jti, user_id: u.id, expires_at: new Date(t.exp * 1000) }).execute();
    expect((await call(handler, { path, token: t.token })).status).toBe(401);
  });

  it('a deactivated or deleted user → 401', async () => {
    const u = await createUser();
    await ownerKysely().updateTable('users').set({ is_active: false }).where('id', '=', u.id).execute();
    expect((await call(handler, { path, token: u.token })).status).toBe(401);
    const v = await createUser();
    await ownerKysely().deleteFrom('users').where('id', '=', v.id).execute();
    expect((await call(handler, { path, token: v.token })).status).toBe(401);
  });

  it('when the tenant changed after login the database wins, not the token', async () => {
    const a = await createTenant();
    const b = await createTenant();
    const u = await createUser({ reflexoId: a.id });
    await ownerKysely().updateTable('users').set({ reflexo_id: b.id }).where('id', '=', u.id).execute();
    const lines: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((c: any) => (lines.push(String(c)), true));
    process.env.LOG_LEVEL = 'info';
    try {
      expect((await call(handler, { path, token: u.token })).status).toBe(200);
    } finally {
      process.env.LOG_LEVEL = 'silent';
      spy.mockRestore();
    }
    expect(JSON.parse(lines.find((l) => l.includes('"request"'))!).tenant).toBe(b.id);
  });
});

describe('verified tokens remembered per container', () => {
  afterEach(() => jest.useRealTimers());

  it('a token already verified is still refused once it expires, and as a refresh token', async () => {
    const issued = await signToken('access', { id: 2_000_000_001, reflexoId: null, isSuperuser: false });
    expect((await verifyToken(issued.token, 'access')).sub).toBe('2000000001');
    expect((await verifyToken(issued.token, 'access')).jti).toBe(issued.jti);
    await expect(verifyToken(issued.token, 'refresh')).rejects.toThrow();
    // Only the clock moves (the database is not involved in verifying a signature).
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'queueMicrotask', 'hrtime', 'performance'] });
    jest.setSystemTime((issued.exp + 1) * 1000);
    await expect(verifyToken(issued.token, 'access')).rejects.toThrow();
  });

  it('a remembered token’s claims cannot be changed by the caller that got them', async () => {
    const issued = await signToken('access', { id: 2_000_000_002, reflexoId: 7, isSuperuser: false });
    const first = await verifyToken(issued.token, 'access');
    first.rid = 8;
    first.su = true;
    expect(await verifyToken(issued.token, 'access')).toMatchObject({ rid: 7, su: false });
  });
});

describe('oversized and garbage bearer tokens', () => {
  const huge = `${'a'.repeat(40 * 1024)}.${'b'.repeat(12 * 1024)}.${'c'.repeat(12 * 1024)}`;
  const tokenNotValid = { detail: 'El token no es válido o ha expirado.', code: 'token_not_valid' };

  it.each([
    ['64 KB', huge],
    ['not base64url', 'ñ%$.{}.!!'],
    ['two segments', 'abc.def'],
    ['empty signature', 'abc.def.'],
  ])('%s → 401 in the Reflexo shape', async (_name, token) => {
    const res = await call(handler, { path, token });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(tokenNotValid);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
  });

  it('a 64 KB token → 401 in the FastAPI shape on /api/v1', async () => {
    const v1 = createHandler(
      defineGroup({
        name: 'v1-probe',
        prefixes: ['/api/v1/probe'],
        tag: 'test',
        routes: [route({ method: 'GET', path: '/api/v1/probe', access: 'user', summary: 'test only', db: false, handler: async () => ({}) })],
      }),
    ) as unknown as Handler;
    const res = await call(v1, { path: '/api/v1/probe', token: huge });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ detail: 'El token no es válido o ha expirado.' });
  });

  it('a correctly signed token over the length limit is refused before its signature is checked', async () => {
    const sub = String((await createUser()).id);
    const padded = await forge({ sub, typ: 'access', iss: 'reflexo-api', aud: 'reflexo-clients', exp: 9999999999, iat: 1, jti: crypto.randomUUID(), pad: 'x'.repeat(MAX_TOKEN_LENGTH) });
    await expect(verifyToken(padded, 'access')).rejects.toThrow('token too long');
    expect((await call(handler, { path, token: padded })).status).toBe(401);
  });

  it('every token the API issues fits well under the limit', async () => {
    const issued = await signToken('refresh', { id: 2_000_000_000, reflexoId: 2_000_000_000, isSuperuser: true }, crypto.randomUUID());
    expect(issued.token.length).toBeLessThan(MAX_TOKEN_LENGTH / 2);
  });

  it('an oversized refresh token → 401 token_not_valid', async () => {
    const res = await call(auth, { method: 'POST', path: '/api/architect/auth/token/refresh/', json: { refresh: huge.slice(0, 4000) } });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(tokenNotValid);
  });
});

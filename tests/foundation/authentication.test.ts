import { SignJWT } from 'jose';
import { handler } from '../../functions/reflexo/locations';
import { signToken } from '../../lib/auth/tokens';
import { createTenant, createUser, ownerKysely } from '../helpers/fixtures';
import { call } from '../helpers/http';

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

import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { handler as auth } from '../../functions/reflexo/architect-auth';
import { handler as profiles } from '../../functions/reflexo/profiles-users';
import { signToken } from '../../lib/auth/tokens';
import { login as loginDomain } from '../../lib/domain/identity-auth';
import { ANONYMOUS, withTenant } from '../../lib/db/tenant';
import { createTenant, createUser, ownerKysely, uniq } from '../helpers/fixtures';
import { call } from '../helpers/http';
import { callFrom, freshIp } from '../helpers/identity';

/* Register, login (with throttling in PostgreSQL), logout and refresh-token rotation. */

const registration = (over: Record<string, unknown> = {}) => {
  const name = uniq('reg');
  return { email: `${name}@test.reflexo.pe`, user_name: name, name: 'Ana', paternal_lastname: 'Quispe', maternal_lastname: 'Rojas', password: 'Ventana-Azul-77', password_confirm: 'Ventana-Azul-77', ...over };
};
const login = (ip: string, email: string, password: string) => callFrom(auth, ip, { method: 'POST', path: '/api/architect/auth/login/', json: { email, password } });

describe('register', () => {
  it('creates a user without clinic or role, with a scrypt hash that records its parameters, and audits it', async () => {
    const body = registration();
    const res = await call(auth, { method: 'POST', path: '/api/architect/auth/register', json: { ...body, is_superuser: true, is_staff: true, reflexo_id: 1, role_id: 1 } });
    expect(res.status).toBe(201);
    const row = await ownerKysely().selectFrom('users').selectAll().where('email', '=', body.email).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ reflexo_id: null, role_id: null, is_staff: false, is_superuser: false, is_active: true, name: 'Ana' });
    expect(row.password_hash).toMatch(/^scrypt\$\d+\$8\$1\$[^$]+\$[^$]+$/);
    expect(row.password_hash).not.toContain(body.password);
    const audit = await ownerKysely().selectFrom('audit_log').selectAll().where('entity_id', '=', String(row.id)).where('action', '=', 'register').execute();
    expect(audit).toHaveLength(1);
    expect((await ownerKysely().selectFrom('password_history').select('id').where('user_id', '=', row.id).execute()).length).toBe(1);
  });

  it.each([
    ['mismatched confirmation', { password_confirm: 'Otra-Cosa-99' }, 'password_confirm'],
    ['short password', { password: 'Ab1#', password_confirm: 'Ab1#' }, 'password'],
    ['common password', { password: 'password', password_confirm: 'password' }, 'password'],
    ['common digits', { password: '12345678', password_confirm: '12345678' }, 'password'],
    ['too long', { password: 'a'.repeat(129), password_confirm: 'a'.repeat(129) }, 'password'],
    ['bad e-mail', { email: 'not-an-email' }, 'email'],
    ['missing user_name', { user_name: undefined }, 'user_name'],
  ])('%s → 400 on %s', async (_name, over, field) => {
    const res = await call(auth, { method: 'POST', path: '/api/architect/auth/register/', json: registration(over) });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body)).toEqual([field]);
  });

  it('a taken e-mail or user name → 400 on that field', async () => {
    const first = registration();
    expect((await call(auth, { method: 'POST', path: '/api/architect/auth/register/', json: first })).status).toBe(201);
    const sameEmail = await call(auth, { method: 'POST', path: '/api/architect/auth/register/', json: registration({ email: first.email.toUpperCase() }) });
    expect(sameEmail.status).toBe(400);
    expect(sameEmail.body).toEqual({ email: ['Ya existe un usuario con este email.'] });
    const sameName = await call(auth, { method: 'POST', path: '/api/architect/auth/register/', json: registration({ user_name: first.user_name }) });
    expect(sameName.status).toBe(400);
    expect(Object.keys(sameName.body)).toEqual(['user_name']);
  });
});

describe('login', () => {
  it('returns tokens whose claims carry the user, and records last_login and an audit entry', async () => {
    const u = await createUser();
    const res = await login(freshIp(), u.email.toUpperCase(), u.password);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ email: u.email, refresh: expect.any(String), access: expect.any(String), user_id: u.id });
    const [header, payload] = res.body.access.split('.').slice(0, 2).map((p: string) => JSON.parse(Buffer.from(p, 'base64url').toString()));
    expect(header.alg).toBe('HS256');
    expect(payload).toMatchObject({ sub: String(u.id), typ: 'access', iss: 'reflexo-api', aud: 'reflexo-clients' });
    expect(payload.exp - payload.iat).toBe(3600);
    const refresh = JSON.parse(Buffer.from(res.body.refresh.split('.')[1], 'base64url').toString());
    expect(refresh.exp - refresh.iat).toBe(7 * 24 * 3600);
    expect(refresh.typ).toBe('refresh');
    const row = await ownerKysely().selectFrom('users').select('last_login').where('id', '=', u.id).executeTakeFirstOrThrow();
    expect(row.last_login).not.toBeNull();
    const audit = await ownerKysely().selectFrom('audit_log').select('action').where('user_id', '=', u.id).execute();
    expect(audit.map((a) => a.action)).toContain('login');
    expect((await call(profiles, { path: '/api/profiles/users/me/', token: res.body.access })).status).toBe(200);
  });

  it('wrong password, unknown e-mail and inactive account all answer the same 401; failures are audited', async () => {
    const u = await createUser();
    const ip = freshIp();
    const wrong = await login(ip, u.email, 'Nope#12345');
    const unknown = await login(ip, `${uniq('ghost')}@test.reflexo.pe`, 'Nope#12345');
    await ownerKysely().updateTable('users').set({ is_active: false }).where('id', '=', u.id).execute();
    const inactive = await login(ip, u.email, u.password);
    for (const r of [wrong, unknown, inactive]) {
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ detail: 'Credenciales inválidas. Verifique su email y contraseña.' });
    }
    const failed = await ownerKysely().selectFrom('audit_log').select('action').where('user_id', '=', u.id).where('action', '=', 'login_failed').execute();
    expect(failed).toHaveLength(2);
  });

  it('5 failures for one account → 429 with Retry-After (even with the right password, from another IP)', async () => {
    const u = await createUser();
    for (let i = 0; i < 5; i++) expect((await login(freshIp(), u.email, `Wrong#${i}xyz`)).status).toBe(401);
    const blocked = await login(freshIp(), u.email, u.password);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(800);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(900);
    const stored = await ownerKysely().selectFrom('auth_failures').select('id').where('kind', '=', 'login_account').where('key', '=', u.email.toLowerCase()).execute();
    expect(stored).toHaveLength(5);
  });

  it('5 failures from one client IP across accounts → 429 for that IP only', async () => {
    const ip = freshIp();
    for (let i = 0; i < 5; i++) expect((await login(ip, `${uniq('nobody')}@test.reflexo.pe`, 'Wrong#123x')).status).toBe(401);
    const u = await createUser();
    expect((await login(ip, u.email, u.password)).status).toBe(429);
    expect((await login(freshIp(), u.email, u.password)).status).toBe(200);
  });

  it('loopback (local gateway or proxy) is never IP-throttled; the account limit still applies', async () => {
    for (let i = 0; i < 6; i++) expect((await login('127.0.0.1', `${uniq('nobody')}@test.reflexo.pe`, 'Wrong#123x')).status).toBe(401);
    const u = await createUser();
    expect((await login('127.0.0.1', u.email, u.password)).status).toBe(200);
    for (let i = 0; i < 5; i++) await login('127.0.0.1', u.email, 'Wrong#123x');
    expect((await login('127.0.0.1', u.email, u.password)).status).toBe(429);
    expect(await ownerKysely().selectFrom('auth_failures').select('id').where('kind', '=', 'login_ip').where('key', '=', '127.0.0.1').execute()).toEqual([]);
  });

  it('a success resets the count', async () => {
    const u = await createUser();
    const ip = freshIp();
    for (let i = 0; i < 4; i++) await login(ip, u.email, 'Wrong#123x');
    expect((await login(ip, u.email, u.password)).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await login(ip, u.email, 'Wrong#123x')).status).toBe(401);
    expect((await login(ip, u.email, u.password)).status).toBe(200);
  });

  it('failures older than 15 minutes do not count', async () => {
    const u = await createUser();
    const ip = freshIp();
    await ownerKysely()
      .insertInto('auth_failures')
      .values(Array.from({ length: 5 }, () => ({ kind: 'login_account', key: u.email.toLowerCase(), created_at: new Date(Date.now() - 16 * 60 * 1000) })))
      .execute();
    expect((await login(ip, u.email, u.password)).status).toBe(200);
    // A new failure prunes the stale rows of its key.
    await login(ip, u.email, 'Wrong#123x');
    const rows = await ownerKysely().selectFrom('auth_failures').select('id').where('kind', '=', 'login_account').where('key', '=', u.email.toLowerCase()).execute();
    expect(rows).toHaveLength(1);
  });

  it('expired refresh tokens of the user are pruned at the next login', async () => {
    const u = await createUser();
    await ownerKysely().insertInto('refresh_tokens').values({ jti: randomUUID(), family: randomUUID(), user_id: u.id, expires_at: new Date(Date.now() - 1000) }).execute();
    expect((await login(freshIp(), u.email, u.password)).status).toBe(200);
    const rows = await ownerKysely().selectFrom('refresh_tokens').select('expires_at').where('user_id', '=', u.id).execute();
    expect(rows).toHaveLength(1);
    expect(new Date(rows[0].expires_at).getTime()).toBeGreaterThan(Date.now());
  });

  it('never writes the password to the log', async () => {
    const u = await createUser();
    const lines: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((c: any) => (lines.push(String(c)), true));
    const level = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'info';
    try {
      await login(freshIp(), u.email, 'Secreto#Muy#Unico#42');
      await login(freshIp(), u.email, u.password);
    } finally {
      spy.mockRestore();
      process.env.LOG_LEVEL = level;
    }
    expect(lines.join('')).not.toContain('Secreto#Muy#Unico#42');
    expect(lines.join('')).not.toContain(u.password);
  });
});

describe('logout', () => {
  it('requires a token', async () => {
    const res = await call(auth, { method: 'POST', path: '/api/architect/auth/logout/', json: {} });
    expect(res.status).toBe(401);
  });

  it('revokes the access token and, when sent, the refresh token and its family', async () => {
    const u = await createUser();
    const session = (await login(freshIp(), u.email, u.password)).body;
    const out = await call(auth, { method: 'POST', path: '/api/architect/auth/logout', token: session.access, json: { refresh: session.refresh } });
    expect(out.status).toBe(200);
    expect((await call(profiles, { path: '/api/profiles/users/me/', token: session.access })).status).toBe(401);
    const refreshed = await call(auth, { method: 'POST', path: '/api/architect/auth/token/refresh/', json: { refresh: session.refresh } });
    expect(refreshed.status).toBe(401);
    expect(refreshed.body.code).toBe('token_not_valid');
    const revoked = await ownerKysely().selectFrom('revoked_tokens').select('jti').where('user_id', '=', u.id).execute();
    expect(revoked).toHaveLength(2);
    // A second session of the same user is untouched.
    const other = (await login(freshIp(), u.email, u.password)).body;
    expect((await call(profiles, { path: '/api/profiles/users/me/', token: other.access })).status).toBe(200);
  });

  it("an invalid or someone else's refresh token → 400 and nothing is revoked", async () => {
    const u = await createUser();
    const v = await createUser();
    const mine = (await login(freshIp(), u.email, u.password)).body;
    const theirs = (await login(freshIp(), v.email, v.password)).body;
    const bad = await call(auth, { method: 'POST', path: '/api/architect/auth/logout/', token: mine.access, json: { refresh: 'garbage' } });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body)).toEqual(['refresh']);
    const foreign = await call(auth, { method: 'POST', path: '/api/architect/auth/logout/', token: mine.access, json: { refresh: theirs.refresh } });
    expect(foreign.status).toBe(400);
    expect((await call(profiles, { path: '/api/profiles/users/me/', token: mine.access })).status).toBe(200);
  });
});

describe('token refresh', () => {
  const refresh = (token: string) => call(auth, { method: 'POST', path: '/api/architect/auth/token/refresh/', json: { refresh: token } });

  it('rotates: a new working pair; reusing the spent token revokes the whole family', async () => {
    const u = await createUser();
    const first = (await login(freshIp(), u.email, u.password)).body;
    const second = await refresh(first.refresh);
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ access: expect.any(String), refresh: expect.any(String) });
    expect(second.body.refresh).not.toBe(first.refresh);
    expect((await call(profiles, { path: '/api/profiles/users/me/', token: second.body.access })).status).toBe(200);

    const replay = await refresh(first.refresh);
    expect(replay.status).toBe(401);
    // The legitimate holder's newer token died with the family.
    expect((await refresh(second.body.refresh)).status).toBe(401);
    const rows = await ownerKysely().selectFrom('refresh_tokens').select(['revoked_at']).where('user_id', '=', u.id).execute();
    expect(rows.length).toBe(2);
    expect(rows.every((r) => r.revoked_at !== null)).toBe(true);
  });

  it('refuses refresh tokens signed with another key or expired', async () => {
    const u = await createUser();
    const session = (await login(freshIp(), u.email, u.password)).body;
    const claims = JSON.parse(Buffer.from(session.refresh.split('.')[1], 'base64url').toString());
    const sign = (c: Record<string, unknown>, secret: string) => new SignJWT(c).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));
    expect((await refresh(await sign(claims, 'another-secret-another-secret-another-secret'))).status).toBe(401);
    expect((await refresh(await sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 5 }, process.env.JWT_SECRET!))).status).toBe(401);
    // The same claims re-signed with the right key are accepted: the refusals above were the key and the expiry.
    expect((await refresh(await sign(claims, process.env.JWT_SECRET!))).status).toBe(200);
  });

  it('refuses access tokens, unknown (never issued) refresh tokens, forged and malformed ones', async () => {
    const u = await createUser();
    const session = (await login(freshIp(), u.email, u.password)).body;
    expect((await refresh(session.access)).status).toBe(401);
    const neverStored = await signToken('refresh', { id: u.id, reflexoId: null, isSuperuser: false }, randomUUID());
    expect((await refresh(neverStored.token)).status).toBe(401);
    const forged = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${session.refresh.split('.')[1]}.`;
    expect((await refresh(forged)).status).toBe(401);
    expect((await refresh('abc')).status).toBe(401);
    const missing = await call(auth, { method: 'POST', path: '/api/architect/auth/token/refresh/', json: {} });
    expect(missing.status).toBe(400);
    expect(Object.keys(missing.body)).toEqual(['refresh']);
  });

  it('a deactivated user cannot refresh', async () => {
    const u = await createUser();
    const session = (await login(freshIp(), u.email, u.password)).body;
    await ownerKysely().updateTable('users').set({ is_active: false }).where('id', '=', u.id).execute();
    expect((await refresh(session.refresh)).status).toBe(401);
  });
});

describe('users of a deactivated clinic', () => {
  const deactivate = (id: number) => ownerKysely().updateTable('tenants').set({ is_active: false }).where('id', '=', id).execute();
  const inactive = { detail: 'La clínica de este usuario está desactivada.' };

  it('login with the right password → 403 (audited as a failed login, not counted against the throttle); a wrong one is still 401', async () => {
    const tenant = await createTenant();
    const u = await createUser({ reflexoId: tenant.id });
    await deactivate(tenant.id);
    const ip = freshIp();
    const res = await login(ip, u.email, u.password);
    expect(res.status).toBe(403);
    expect(res.body).toEqual(inactive);
    expect((await login(ip, u.email, 'Wrong#123x')).status).toBe(401);
    const audit = await ownerKysely().selectFrom('audit_log').select(['action', 'reflexo_id']).where('user_id', '=', u.id).orderBy('id').execute();
    expect(audit).toEqual([
      { action: 'login_failed', reflexo_id: tenant.id },
      { action: 'login_failed', reflexo_id: tenant.id },
    ]);
    // Only the wrong password counts: one per account, one per IP.
    const failures = await ownerKysely().selectFrom('auth_failures').select('kind').where((eb) => eb.or([eb('key', '=', u.email.toLowerCase()), eb('key', '=', ip)])).execute();
    expect(failures.map((f) => f.kind).sort()).toEqual(['login_account', 'login_ip']);
    expect(await ownerKysely().selectFrom('refresh_tokens').select('jti').where('user_id', '=', u.id).execute()).toEqual([]);
    expect((await ownerKysely().selectFrom('users').select('last_login').where('id', '=', u.id).executeTakeFirstOrThrow()).last_login).toBeNull();
  });

  it('a refresh token issued before the deactivation → 403 and is not spent: it works again once the clinic is back', async () => {
    const tenant = await createTenant();
    const u = await createUser({ reflexoId: tenant.id });
    const session = (await login(freshIp(), u.email, u.password)).body;
    await deactivate(tenant.id);
    const refused = await call(auth, { method: 'POST', path: '/api/architect/auth/token/refresh/', json: { refresh: session.refresh } });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual(inactive);
    await ownerKysely().updateTable('tenants').set({ is_active: true }).where('id', '=', tenant.id).execute();
    expect((await call(auth, { method: 'POST', path: '/api/architect/auth/token/refresh/', json: { refresh: session.refresh } })).status).toBe(200);
  });

  it('a user without a clinic is not affected by any clinic being inactive', async () => {
    const loner = await createUser();
    expect((await login(freshIp(), loner.email, loner.password)).status).toBe(200);
  });
});

describe('login identifier (the domain both surfaces call)', () => {
  const domainLogin = (identifier: string, password: string) => withTenant(ANONYMOUS, (db) => loginDomain(db, { identifier, password }, freshIp()));

  it('takes the e-mail or the user name, case-insensitively, and returns the account with its tokens', async () => {
    const u = await createUser();
    const userName = u.email.split('@')[0];
    for (const identifier of [u.email, u.email.toUpperCase(), userName, userName.toUpperCase()]) {
      const s = await domainLogin(identifier, u.password);
      expect(s.user).toMatchObject({ id: u.id, email: u.email, user_name: userName, role_name: null });
      expect(s.user).not.toHaveProperty('password_hash');
      expect(s.user.last_login).not.toBeNull();
      expect(s.expiresIn).toBeGreaterThan(3500);
      expect(typeof s.access).toBe('string');
    }
    await expect(domainLogin(userName, 'Wrong#123x')).rejects.toMatchObject({ status: 401, code: 'invalid_credentials' });
  });

  it("an e-mail wins over another account's user name that looks the same", async () => {
    const owner = await createUser();
    const other = await createUser({ password: 'Otra#Clave#2026' });
    await ownerKysely().updateTable('users').set({ user_name: owner.email.toUpperCase() }).where('id', '=', other.id).execute();
    expect((await domainLogin(owner.email, owner.password)).user.id).toBe(owner.id);
    await expect(domainLogin(owner.email, other.password)).rejects.toMatchObject({ status: 401 });
  });

  it('user names are unique regardless of case (migration 0013)', async () => {
    const a = await createUser();
    const name = a.email.split('@')[0];
    await expect(createUser({ email: `${name.toUpperCase()}@otro.reflexo.pe` })).rejects.toMatchObject({ code: '23505', constraint: 'users_user_name_key' });
  });
});

import { handler as auth } from '../../functions/v1/auth';
import { handler as users } from '../../functions/v1/users';
import { handler as reflexoProfile } from '../../functions/reflexo/profiles-users';
import { createUser, ownerKysely, tenantWithAdmin, uniq, type TestUser } from '../helpers/fixtures';
import { call } from '../helpers/http';
import { callFrom, freshIp } from '../helpers/identity';

/* v1 auth (JSON and OAuth2 form login, refresh both ways, logout, profile) and the clinic's users and roles. */
let admin: TestUser;
let tenantId: number;
let clinic: string;

beforeAll(async () => {
  const t = await tenantWithAdmin();
  admin = t.admin;
  tenantId = t.tenant.id;
  clinic = t.tenant.name;
});

const loginJson = (username: string, password: string, ip = freshIp()) => callFrom(auth, ip, { method: 'POST', path: '/api/v1/auth/login', json: { username, password } });

describe('login', () => {
  it('by user name or e-mail, case-insensitive: the spec’s response plus refresh_token and the clinic', async () => {
    const u = await createUser({ reflexoId: tenantId, role: 'Admin' });
    const userName = u.email.split('@')[0];
    for (const id of [userName, userName.toUpperCase(), u.email.toUpperCase()]) {
      const res = await loginJson(id, u.password);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        access_token: expect.any(String),
        token_type: 'bearer',
        expires_in: 3600,
        refresh_token: expect.any(String),
        user: { id: u.id, username: userName, email: u.email, role: 'Admin', full_name: 'Test Usuario Prueba', consultorio: clinic },
      });
    }
  });

  it('as the OAuth2 password form (what Swagger UI’s Authorize button sends), and the token works on Reflexo too', async () => {
    const u = await createUser({ reflexoId: tenantId });
    const form = new URLSearchParams({ grant_type: 'password', username: u.email, password: u.password, scope: '' }).toString();
    const res = await call(auth, { method: 'POST', path: '/api/v1/auth/login', raw: { body: form, contentType: 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(200);
    const me = await call(reflexoProfile, { path: '/api/profiles/users/me/', token: res.body.access_token });
    expect(me.status).toBe(200);
    expect(me.body.email).toBe(u.email);
    // and a Reflexo token works on v1
    expect((await call(auth, { path: '/api/v1/auth/profile', token: u.token })).status).toBe(200);
  });

  it('wrong password 401 in FastAPI shape; five failures lock the account whether reached by e-mail or user name (429)', async () => {
    const u = await createUser({ reflexoId: tenantId });
    const bad = await loginJson(u.email, 'Nope#12345');
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual({ detail: expect.any(String) });
    for (let i = 0; i < 2; i++) await loginJson(u.email, `Wrong#${i}aa`);
    for (let i = 0; i < 2; i++) await loginJson(u.email.split('@')[0], `Wrong#${i}bb`);
    const locked = await loginJson(u.email.split('@')[0], u.password);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect((await call(auth, { method: 'POST', path: '/api/v1/auth/login', json: { username: 'x' } })).status).toBe(422);
  });
});

describe('refresh, logout, profile', () => {
  it('refresh with {"refresh_token"} rotates; reusing it revokes the family; with an empty body a valid bearer gets a new pair', async () => {
    const u = await createUser({ reflexoId: tenantId });
    const first = (await loginJson(u.email, u.password)).body;
    const second = await call(auth, { method: 'POST', path: '/api/v1/auth/refresh', json: { refresh_token: first.refresh_token } });
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: expect.any(Number), refresh_token: expect.any(String) });
    expect((await call(auth, { method: 'POST', path: '/api/v1/auth/refresh', json: { refresh_token: first.refresh_token } })).status).toBe(401);
    expect((await call(auth, { method: 'POST', path: '/api/v1/auth/refresh', json: { refresh_token: second.body.refresh_token } })).status).toBe(401);

    const byBearer = await call(auth, { method: 'POST', path: '/api/v1/auth/refresh', token: second.body.access_token, json: {} });
    expect(byBearer.status).toBe(200);
    expect((await call(auth, { path: '/api/v1/auth/profile', token: byBearer.body.access_token })).status).toBe(200);
    const none = await call(auth, { method: 'POST', path: '/api/v1/auth/refresh', json: {} });
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ detail: 'Not authenticated' });
  });

  it('logout revokes the token; the profile reads and updates the caller', async () => {
    const u = await createUser({ reflexoId: tenantId });
    const s = (await loginJson(u.email, u.password)).body;
    const profile = await call(auth, { path: '/api/v1/auth/profile', token: s.access_token });
    expect(profile.body).toMatchObject({ id: u.id, email: u.email, consultorio: clinic, activo: true });
    const updated = await call(auth, { method: 'PUT', path: '/api/v1/auth/profile', token: s.access_token, json: { full_name: 'María José Quispe Rojas', telefono: '987654321' } });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ nombres: 'María', apellidos: 'José Quispe Rojas', full_name: 'María José Quispe Rojas', telefono: '987654321' });
    expect((await call(auth, { method: 'POST', path: '/api/v1/auth/logout', token: s.access_token, json: { refresh_token: s.refresh_token } })).status).toBe(204);
    const after = await call(auth, { path: '/api/v1/auth/profile', token: s.access_token });
    expect(after.status).toBe(401);
    expect(after.body).toEqual({ detail: 'Could not validate credentials' });
    expect(after.headers['www-authenticate']).toBe('Bearer');
  });
});

describe('users and roles', () => {
  it('a clinic admin creates, reads, updates and deletes users of their clinic; they log in on v1', async () => {
    const username = uniq('v1user');
    const created = await call(users, { method: 'POST', path: '/api/v1/users', token: admin.token, json: { username, email: `${username}@example.com`, password: 'Clave#Segura2026', nombres: 'Rosa', apellidos: 'Huamán Flores', telefono: '912345678' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ username, full_name: 'Rosa Huamán Flores', reflexo_id: tenantId, activo: true });
    expect((await loginJson(username, 'Clave#Segura2026')).status).toBe(200);
    const list = await call(users, { path: '/api/v1/users', token: admin.token });
    expect(list.body.map((x: { id: number }) => x.id)).toContain(created.body.id);
    expect(list.headers['x-total-count']).toBe(String(list.body.length));
    const edited = await call(users, { method: 'PUT', path: `/api/v1/users/${created.body.id}`, token: admin.token, json: { activo: false } });
    expect(edited.body.activo).toBe(false);
    expect((await loginJson(username, 'Clave#Segura2026')).status).toBe(401);
    expect((await call(users, { method: 'DELETE', path: `/api/v1/users/${created.body.id}`, token: admin.token })).status).toBe(204);
    expect(await ownerKysely().selectFrom('users').select('id').where('id', '=', created.body.id).executeTakeFirst()).toBeUndefined();
  });

  it('another clinic’s user is a 404; a staff member gets 403; a duplicate user name is a 422 naming it', async () => {
    const other = await tenantWithAdmin();
    expect((await call(users, { path: `/api/v1/users/${other.admin.id}`, token: admin.token })).status).toBe(404);
    expect((await call(users, { method: 'PUT', path: `/api/v1/users/${other.admin.id}`, token: admin.token, json: { activo: false } })).status).toBe(404);
    const staff = await createUser({ reflexoId: tenantId });
    expect((await call(users, { path: '/api/v1/users', token: staff.token })).status).toBe(403);
    const dup = await call(users, { method: 'POST', path: '/api/v1/users', token: admin.token, json: { username: admin.email.split('@')[0], email: `${uniq('d')}@example.com`, password: 'Clave#Segura2026', nombres: 'X' } });
    expect(dup.status).toBe(422);
    expect(dup.body.detail[0].loc).toEqual(['body', 'user_name']);
    expect((await call(users, { path: '/api/v1/users/abc', token: admin.token })).status).toBe(422);
  });

  it('roles: the global catalog, with the fixed code of the clinic-administrator role', async () => {
    const res = await call(users, { path: '/api/v1/roles', token: admin.token });
    expect(res.status).toBe(200);
    expect(res.body).toContainEqual(expect.objectContaining({ codigo: 'admin', guard_name: 'api' }));
  });
});

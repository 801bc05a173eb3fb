import { handler as users } from '../../functions/reflexo/architect-users';
import { handler as auth } from '../../functions/reflexo/architect-auth';
import { PLATFORM_PERMISSION } from '../../lib/auth/actor';
import { createTenant, createUser, ownerKysely, tenantWithAdmin, uniq } from '../helpers/fixtures';
import { call } from '../helpers/http';
import { callFrom, freshIp } from '../helpers/identity';
import { encode, ENCODINGS, sendEveryWay } from '../helpers/encodings';

/* /api/architect/users: who may list and manage users, privilege flags, tenant isolation, DRF aliases. */

const newUser = (over: Record<string, unknown> = {}) => {
  const n = uniq('usr');
  return { email: `${n}@test.reflexo.pe`, user_name: n, name: 'Luz', paternal_lastname: 'Mamani', maternal_lastname: 'Soto', sex: 'F', phone: '999111222', password: 'Passw0rd#123', ...over };
};
const forbiddenBody = { error: 'No tienes permisos para acceder a esta información' };
const login = async (email: string, password = 'Passw0rd#123') => (await callFrom(auth, freshIp(), { method: 'POST', path: '/api/architect/auth/login/', json: { email, password } })).body;

describe('list', () => {
  it('superuser sees every user; staff sees only themself; a normal user gets 403', async () => {
    const su = await createUser({ superuser: true });
    const { admin } = await tenantWithAdmin();
    const all = await call(users, { path: '/api/architect/users', token: su.token });
    expect(all.status).toBe(200);
    expect(all.body.map((u: { id: number }) => u.id)).toEqual(expect.arrayContaining([su.id, admin.id]));
    expect(all.body[0]).not.toHaveProperty('password');
    expect(all.body[0]).not.toHaveProperty('password_hash');
    const own = await call(users, { path: '/api/architect/users/', token: admin.token });
    expect(own.body).toEqual([expect.objectContaining({ id: admin.id, is_staff: true })]);
    const normal = await createUser({ reflexoId: admin.reflexoId });
    const denied = await call(users, { path: '/api/architect/users/', token: normal.token });
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual(forbiddenBody);
    expect((await call(users, { path: '/api/architect/users/' })).status).toBe(401);
  });
});

describe('create', () => {
  it('a superuser may set is_staff / is_superuser and the clinic; the password is write-only and hashed', async () => {
    const su = await createUser({ superuser: true });
    const tenant = await createTenant();
    const body = newUser({ is_staff: true, is_superuser: true, reflexo_id: tenant.id });
    const res = await call(users, { method: 'POST', path: '/api/architect/users/create/', token: su.token, json: body });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ email: body.email, is_staff: true, is_superuser: true, reflexo_id: tenant.id, account_statement: 'A', phone: '999111222', sex: 'F' });
    expect(res.body).not.toHaveProperty('password');
    const row = await ownerKysely().selectFrom('users').select('password_hash').where('id', '=', res.body.id).executeTakeFirstOrThrow();
    expect(row.password_hash.startsWith('scrypt$')).toBe(true);
    const login = await callFrom(auth, freshIp(), { method: 'POST', path: '/api/architect/auth/login/', json: { email: body.email, password: body.password } });
    expect(login.status).toBe(200);
  });

  it("a clinic admin's is_staff / is_superuser / other clinic are refused, naming each field; nothing is created", async () => {
    const { admin } = await tenantWithAdmin();
    const other = await createTenant();
    const body = newUser({ is_staff: true, is_superuser: true, reflexo_id: other.id });
    const res = await call(users, { method: 'POST', path: '/api/architect/users/create/', token: admin.token, json: body });
    expect(res.status).toBe(400);
    const msg = ['Solo un superusuario puede establecer este campo.'];
    expect(res.body).toEqual({ is_staff: msg, is_superuser: msg, reflexo_id: msg });
    expect(await ownerKysely().selectFrom('users').select('id').where('email', '=', body.email).executeTakeFirst()).toBeUndefined();
    // One field alone is refused alone; so is "no clinic".
    const one = await call(users, { method: 'POST', path: '/api/architect/users/', token: admin.token, json: newUser({ is_superuser: true }) });
    expect(one.body).toEqual({ is_superuser: msg });
    expect((await call(users, { method: 'POST', path: '/api/architect/users/create/', token: admin.token, json: newUser({ reflexo_id: null }) })).body).toEqual({ reflexo_id: msg });
  });

  it('the values a clinic admin would get anyway pass (forms send every field): the user lands in their clinic', async () => {
    const { tenant, admin } = await tenantWithAdmin();
    const res = await call(users, { method: 'POST', path: '/api/architect/users/create/', token: admin.token, json: newUser({ is_staff: false, is_superuser: false, reflexo_id: tenant.id }) });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ is_staff: false, is_superuser: false, reflexo_id: tenant.id });
  });

  it('role_id names an existing role (400 otherwise); a clinic admin may make another clinic admin', async () => {
    const { tenant, admin } = await tenantWithAdmin();
    const unknown = await call(users, { method: 'POST', path: '/api/architect/users/create/', token: admin.token, json: newUser({ role_id: 999999 }) });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual({ role_id: ['Clave primaria "999999" inválida - objeto no existe.'] });
    const adminRole = (await ownerKysely().selectFrom('roles').select('id').where('code', '=', 'admin').executeTakeFirstOrThrow()).id;
    const made = await call(users, { method: 'POST', path: '/api/architect/users/create/', token: admin.token, json: newUser({ role_id: adminRole }) });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ role_id: adminRole, reflexo_id: tenant.id });
    const body = newUser();
    const second = await call(users, { method: 'POST', path: '/api/architect/users/create/', token: (await login(made.body.email)).access, json: body });
    expect(second.status).toBe(201);
  });

  it('a normal user → 403; weak password, duplicate e-mail, missing fields → 400', async () => {
    const { tenant, admin } = await tenantWithAdmin();
    const normal = await createUser({ reflexoId: tenant.id });
    const denied = await call(users, { method: 'POST', path: '/api/architect/users/create/', token: normal.token, json: newUser() });
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual(forbiddenBody);
    const weak = await call(users, { method: 'POST', path: '/api/architect/users/create/', token: admin.token, json: newUser({ password: 'soloLetras' }) });
    expect(weak.status).toBe(400);
    expect(weak.body.password).toEqual(expect.arrayContaining(['La contraseña debe contener al menos un número.', 'La contraseña debe contener al menos un símbolo.']));
    const dup = await call(users, { method: 'POST', path: '/api/architect/users/create/', token: admin.token, json: newUser({ email: admin.email }) });
    expect(dup.status).toBe(400);
    expect(Object.keys(dup.body)).toEqual(['email']);
    const missing = await call(users, { method: 'POST', path: '/api/architect/users/create/', token: admin.token, json: { name: 'x' } });
    expect(missing.status).toBe(400);
    expect(Object.keys(missing.body).sort()).toEqual(['email', 'password', 'user_name']);
  });
});

describe('edit and delete', () => {
  it('PUT needs the full body; PATCH changes only what is sent; a new password is hashed and stays write-only', async () => {
    const { tenant, admin } = await tenantWithAdmin();
    const target = await createUser({ reflexoId: tenant.id });
    const incomplete = await call(users, { method: 'PUT', path: `/api/architect/users/${target.id}/edit/`, token: admin.token, json: { name: 'Solo' } });
    expect(incomplete.status).toBe(400);
    const put = await call(users, {
      method: 'PUT',
      path: `/api/architect/users/${target.id}/edit/`,
      token: admin.token,
      json: { name: 'Usuario', paternal_lastname: 'Actualizado', maternal_lastname: 'Total', user_name: uniq('put'), document_number: '87654321', email: target.email },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ name: 'Usuario', paternal_lastname: 'Actualizado', document_number: '87654321' });
    const patch = await call(users, { method: 'PATCH', path: `/api/architect/users/${target.id}/edit`, token: admin.token, json: { phone: '911222333', password: 'Nuev0#Clave!', is_superuser: false } });
    expect(patch.status).toBe(200);
    expect(patch.body).toMatchObject({ phone: '911222333', name: 'Usuario', is_superuser: false });
    expect(patch.body).not.toHaveProperty('password');
    const login = await callFrom(auth, freshIp(), { method: 'POST', path: '/api/architect/auth/login/', json: { email: target.email, password: 'Nuev0#Clave!' } });
    expect(login.status).toBe(200);
    const audit = await ownerKysely().selectFrom('audit_log').select('changed_fields').where('entity', '=', 'users').where('entity_id', '=', String(target.id)).where('action', '=', 'update').execute();
    expect(audit.map((a) => a.changed_fields)).toContainEqual(expect.arrayContaining(['phone', 'password']));
  });

  it("a clinic admin's edit that would change is_staff, is_superuser or the clinic is refused whole; the row is unchanged", async () => {
    const { tenant, admin } = await tenantWithAdmin();
    const other = await createTenant();
    const target = await createUser({ reflexoId: tenant.id, staff: true });
    const before = await ownerKysely().selectFrom('users').selectAll().where('id', '=', target.id).executeTakeFirstOrThrow();
    const msg = ['Solo un superusuario puede establecer este campo.'];
    const cases: [Record<string, unknown>, Record<string, string[]>][] = [
      [{ is_superuser: true, name: 'Hackeado' }, { is_superuser: msg }],
      [{ is_staff: false }, { is_staff: msg }],
      [{ reflexo_id: other.id }, { reflexo_id: msg }],
      [{ reflexo_id: null }, { reflexo_id: msg }],
    ];
    for (const [json, expected] of cases) {
      for (const method of ['PATCH', 'PUT']) {
        const body = method === 'PUT' ? { email: target.email, user_name: before.user_name, name: null, document_number: null, paternal_lastname: null, maternal_lastname: null, ...json } : json;
        const res = await call(users, { method, path: `/api/architect/users/${target.id}/edit/`, token: admin.token, json: body });
        expect(res.status).toBe(400);
        expect(res.body).toEqual(expected);
      }
    }
    expect(await ownerKysely().selectFrom('users').selectAll().where('id', '=', target.id).executeTakeFirstOrThrow()).toEqual(before);
    // Sent back unchanged, the same fields pass.
    const same = await call(users, { method: 'PATCH', path: `/api/architect/users/${target.id}/`, token: admin.token, json: { is_staff: true, is_superuser: false, reflexo_id: tenant.id, name: 'Igual' } });
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ is_staff: true, is_superuser: false, reflexo_id: tenant.id, name: 'Igual' });
  });

  it('a superuser still sets the flags and the clinic on edit', async () => {
    const su = await createUser({ superuser: true });
    const { tenant } = await tenantWithAdmin();
    const other = await createTenant();
    const target = await createUser({ reflexoId: tenant.id });
    const res = await call(users, { method: 'PATCH', path: `/api/architect/users/${target.id}/edit/`, token: su.token, json: { is_staff: true, is_superuser: true, reflexo_id: other.id } });
    expect(res.status).toBe(200);
    expect(await ownerKysely().selectFrom('users').select(['is_staff', 'is_superuser', 'reflexo_id']).where('id', '=', target.id).executeTakeFirstOrThrow()).toEqual({ is_staff: true, is_superuser: true, reflexo_id: other.id });
  });

  it('a superuser assigns a self-registered user to a clinic', async () => {
    const su = await createUser({ superuser: true });
    const loner = await createUser();
    const tenant = await createTenant();
    const res = await call(users, { method: 'PATCH', path: `/api/architect/users/${loner.id}/edit/`, token: su.token, json: { reflexo_id: tenant.id } });
    expect(res.status).toBe(200);
    expect(res.body.reflexo_id).toBe(tenant.id);
  });

  it('hard delete removes the row; a clinic admin cannot delete a superuser; unknown id → 404', async () => {
    const { tenant, admin } = await tenantWithAdmin();
    const target = await createUser({ reflexoId: tenant.id });
    const del = await call(users, { method: 'DELETE', path: `/api/architect/users/${target.id}/delete/`, token: admin.token });
    expect(del.status).toBe(200);
    expect(await ownerKysely().selectFrom('users').select('id').where('id', '=', target.id).executeTakeFirst()).toBeUndefined();
    const boss = await createUser({ reflexoId: tenant.id, superuser: true });
    const refused = await call(users, { method: 'DELETE', path: `/api/architect/users/${boss.id}/delete/`, token: admin.token });
    expect(refused.status).toBe(403);
    expect(await ownerKysely().selectFrom('users').select('id').where('id', '=', boss.id).executeTakeFirst()).toBeDefined();
    const su = await createUser({ superuser: true });
    expect((await call(users, { method: 'DELETE', path: `/api/architect/users/${boss.id}/delete/`, token: su.token })).status).toBe(200);
    expect((await call(users, { method: 'DELETE', path: `/api/architect/users/999999999/delete/`, token: su.token })).status).toBe(404);
    expect((await call(users, { method: 'DELETE', path: `/api/architect/users/abc/delete/`, token: su.token })).status).toBe(404);
  });

  it("a clinic admin cannot edit, read or delete platform staff of their clinic (403): a password reset would hand over every clinic", async () => {
    const { tenant, admin } = await tenantWithAdmin();
    const staff = await createUser({ reflexoId: tenant.id, staff: true });
    await ownerKysely().updateTable('users').set({ permissions: [PLATFORM_PERMISSION] }).where('id', '=', staff.id).execute();
    const before = await ownerKysely().selectFrom('users').selectAll().where('id', '=', staff.id).executeTakeFirstOrThrow();
    for (const c of [
      { method: 'PATCH', path: `/api/architect/users/${staff.id}/edit/`, json: { password: 'Tomada#123x' } },
      { method: 'GET', path: `/api/architect/users/${staff.id}/` },
      { method: 'DELETE', path: `/api/architect/users/${staff.id}/delete/` },
    ]) {
      const res = await call(users, { ...c, token: admin.token });
      expect(res.status).toBe(403);
      expect(res.body).toEqual(forbiddenBody);
    }
    expect(await ownerKysely().selectFrom('users').selectAll().where('id', '=', staff.id).executeTakeFirstOrThrow()).toEqual(before);
  });

  it('a normal user, or staff without the Admin role, cannot create, edit or delete anyone (403)', async () => {
    const { tenant, admin } = await tenantWithAdmin();
    const staff = await createUser({ reflexoId: tenant.id, staff: true });
    expect((await call(users, { method: 'POST', path: '/api/architect/users/create/', token: staff.token, json: newUser() })).status).toBe(403);
    expect((await call(users, { method: 'PATCH', path: `/api/architect/users/${admin.id}/edit/`, token: staff.token, json: { password: 'Tomada#123x' } })).status).toBe(403);
    const normal = await createUser({ reflexoId: tenant.id });
    expect((await call(users, { method: 'PATCH', path: `/api/architect/users/${admin.id}/edit/`, token: normal.token, json: { name: 'x' } })).status).toBe(403);
    expect((await call(users, { method: 'DELETE', path: `/api/architect/users/${admin.id}/delete/`, token: normal.token })).status).toBe(403);
  });
});

describe('tenant isolation', () => {
  it("clinic B's admin cannot read, edit or delete clinic A's users (404), and A's row is unchanged", async () => {
    const a = await tenantWithAdmin();
    const b = await tenantWithAdmin();
    const victim = await createUser({ reflexoId: a.tenant.id });
    const before = await ownerKysely().selectFrom('users').selectAll().where('id', '=', victim.id).executeTakeFirstOrThrow();
    expect((await call(users, { path: `/api/architect/users/${victim.id}/`, token: b.admin.token })).status).toBe(404);
    expect((await call(users, { method: 'PUT', path: `/api/architect/users/${victim.id}/edit/`, token: b.admin.token, json: { email: 'x@y.pe', user_name: 'x', name: null, document_number: null, paternal_lastname: null, maternal_lastname: null } })).status).toBe(404);
    expect((await call(users, { method: 'PATCH', path: `/api/architect/users/${victim.id}/edit/`, token: b.admin.token, json: { name: 'Hacked' } })).status).toBe(404);
    expect((await call(users, { method: 'DELETE', path: `/api/architect/users/${victim.id}/delete/`, token: b.admin.token })).status).toBe(404);
    const after = await ownerKysely().selectFrom('users').selectAll().where('id', '=', victim.id).executeTakeFirstOrThrow();
    expect(after).toEqual(before);
  });
});

describe('DRF router dialect', () => {
  it('POST on the collection, GET/PUT/PATCH/DELETE on <id>/ reach the same handlers', async () => {
    const { admin } = await tenantWithAdmin();
    const body = newUser();
    const created = await call(users, { method: 'POST', path: '/api/architect/users/', token: admin.token, json: body });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect((await call(users, { path: `/api/architect/users/${id}/`, token: admin.token })).body.email).toBe(body.email);
    expect((await call(users, { path: `/api/architect/users/${id}`, token: admin.token })).status).toBe(200);
    const put = await call(users, { method: 'PUT', path: `/api/architect/users/${id}/`, token: admin.token, json: { email: body.email, user_name: body.user_name, name: 'Put', document_number: null, paternal_lastname: 'P', maternal_lastname: 'M' } });
    expect(put.status).toBe(200);
    expect(put.body.name).toBe('Put');
    const patch = await call(users, { method: 'PATCH', path: `/api/architect/users/${id}/`, token: admin.token, json: { name: 'Patch' } });
    expect(patch.body.name).toBe('Patch');
    expect((await call(users, { method: 'DELETE', path: `/api/architect/users/${id}/`, token: admin.token })).status).toBe(200);
    expect((await call(users, { path: `/api/architect/users/${id}/`, token: admin.token })).status).toBe(404);
  });
});

describe('DRF-era input', () => {
  const stored = (ids: number[]) =>
    Promise.all(
      ids.map(async (id) => {
        const { id: _id, email: _e, user_name: _u, password_hash: _p, created_at: _c, updated_at: _up, ...rest } = await ownerKysely().selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
        return rest;
      }),
    );

  it('create and update as JSON, JSON strings, urlencoded and multipart store the same user', async () => {
    const { tenant, admin } = await tenantWithAdmin();
    const adminRole = (await ownerKysely().selectFrom('roles').select('id').where('code', '=', 'admin').executeTakeFirstOrThrow()).id;
    const created = await sendEveryWay(users, { method: 'POST', path: '/api/architect/users/create/', token: admin.token }, () =>
      newUser({ document_number: '40123456', is_active: true, is_staff: false, reflexo_id: tenant.id, role_id: adminRole }),
    );
    for (const e of ENCODINGS) expect(created[e].status).toBe(201);
    const ids = ENCODINGS.map((e) => created[e].body.id as number);
    const rows = await stored(ids);
    expect(rows[0]).toMatchObject({ name: 'Luz', document_number: '40123456', is_active: true, is_staff: false, reflexo_id: tenant.id, role_id: adminRole, phone: '999111222', sex: 'F' });
    for (const r of rows) expect(r).toEqual(rows[0]);

    for (const [n, e] of ENCODINGS.entries()) {
      const res = await call(users, {
        method: 'PATCH',
        path: `/api/architect/users/${ids[n]}/edit/`,
        token: admin.token,
        ...encode({ name: 'Rosa', phone: '988777666', is_active: false, role_id: adminRole, reflexo_id: tenant.id }, e),
      });
      expect(res.status).toBe(200);
    }
    const edited = await stored(ids);
    expect(edited[0]).toMatchObject({ name: 'Rosa', phone: '988777666', is_active: false, role_id: adminRole });
    for (const r of edited) expect(r).toEqual(edited[0]);
  });

  it('a form that sends is_superuser "true" is refused as JSON would be', async () => {
    const { admin } = await tenantWithAdmin();
    const res = await sendEveryWay(users, { method: 'POST', path: '/api/architect/users/create/', token: admin.token }, () => newUser({ is_superuser: true }));
    for (const e of ENCODINGS) {
      expect(res[e].status).toBe(400);
      expect(Object.keys(res[e].body)).toEqual(['is_superuser']);
    }
  });
});

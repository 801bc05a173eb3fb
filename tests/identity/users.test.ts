import { handler as users } from '../../functions/reflexo/architect-users';
import { handler as auth } from '../../functions/reflexo/architect-auth';
import { createTenant, createUser, ownerKysely, tenantWithAdmin, uniq } from '../helpers/fixtures';
import { call } from '../helpers/http';
import { callFrom, freshIp } from '../helpers/identity';

/* /api/architect/users: who may list and manage users, privilege flags, tenant isolation, DRF aliases. */

const newUser = (over: Record<string, unknown> = {}) => {
  const n = uniq('usr');
  return { email: `${n}@test.reflexo.pe`, user_name: n, name: 'Luz', paternal_lastname: 'Mamani', maternal_lastname: 'Soto', sex: 'F', phone: '999111222', password: 'Passw0rd#123', ...over };
};
const forbiddenBody = { error: 'No tienes permisos para acceder a esta información' };

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

  it("a clinic admin's flags are ignored (false) and the user lands in the admin's clinic", async () => {
    const { tenant, admin } = await tenantWithAdmin();
    const other = await createTenant();
    const res = await call(users, { method: 'POST', path: '/api/architect/users/create/', token: admin.token, json: newUser({ is_staff: true, is_superuser: true, reflexo_id: other.id }) });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ is_staff: false, is_superuser: false, reflexo_id: tenant.id });
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
    const patch = await call(users, { method: 'PATCH', path: `/api/architect/users/${target.id}/edit`, token: admin.token, json: { phone: '911222333', password: 'Nuev0#Clave!', is_superuser: true } });
    expect(patch.status).toBe(200);
    expect(patch.body).toMatchObject({ phone: '911222333', name: 'Usuario', is_superuser: false });
    expect(patch.body).not.toHaveProperty('password');
    const login = await callFrom(auth, freshIp(), { method: 'POST', path: '/api/architect/auth/login/', json: { email: target.email, password: 'Nuev0#Clave!' } });
    expect(login.status).toBe(200);
    const audit = await ownerKysely().selectFrom('audit_log').select('changed_fields').where('entity', '=', 'users').where('entity_id', '=', String(target.id)).where('action', '=', 'update').execute();
    expect(audit.map((a) => a.changed_fields)).toContainEqual(expect.arrayContaining(['phone', 'password']));
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

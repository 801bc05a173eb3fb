import { handler as roles } from '../../functions/reflexo/architect-roles';
import { handler as users } from '../../functions/reflexo/architect-users';
import { PLATFORM_PERMISSION } from '../../lib/auth/actor';
import { createUser, ownerKysely, tenantWithAdmin, uniq, type TestUser } from '../helpers/fixtures';
import { call } from '../helpers/http';
import { encode, ENCODINGS, sendEveryWay } from '../helpers/encodings';

/*
 * /api/architect/roles: one catalog every clinic shares. Clinic admins and superusers read it; only
 * the platform (superusers, platform staff) writes it. DRF error bodies and aliases.
 */

const denied = { detail: 'You do not have permission to perform this action.' };

/** A user with the platform permission and no clinic (platform staff). */
async function platformStaff(): Promise<TestUser> {
  const u = await createUser({ staff: true });
  await ownerKysely().updateTable('users').set({ permissions: [PLATFORM_PERMISSION] }).where('id', '=', u.id).execute();
  return u;
}

const roleRow = (id: number) => ownerKysely().selectFrom('roles').select(['id', 'name', 'guard_name', 'code', 'updated_at']).where('id', '=', id).executeTakeFirst();
const insertRole = async (name = uniq('Rol ')) => (await ownerKysely().insertInto('roles').values({ name }).returning('id').executeTakeFirstOrThrow()).id as number;

describe('reads', () => {
  it('list alphabetically for a clinic Admin and a superuser', async () => {
    const { admin } = await tenantWithAdmin();
    const su = await createUser({ superuser: true });
    await ownerKysely().insertInto('roles').values([{ name: `zz${uniq()}` }, { name: `AA${uniq()}` }]).execute();
    for (const token of [admin.token, su.token]) {
      const res = await call(roles, { path: '/api/architect/roles/', token });
      expect(res.status).toBe(200);
      const names = res.body.map((r: { name: string }) => r.name);
      expect(names).toEqual([...names].sort((x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0)));
      expect(res.body.every((r: { guard_name: string }) => r.guard_name === 'api')).toBe(true);
      expect(res.body[0]).not.toHaveProperty('code');
    }
  });

  it('staff without the Admin role and normal users → 403 on every route; no token → 401', async () => {
    const staff = await createUser({ staff: true, role: 'Member' });
    const normal = await createUser();
    const id = await insertRole(uniq('keep'));
    const calls = [
      { path: '/api/architect/roles/' },
      { path: `/api/architect/roles/${id}/` },
      { method: 'POST', path: '/api/architect/roles/create/', json: { name: uniq('r') } },
      { method: 'PUT', path: `/api/architect/roles/${id}/edit/`, json: { name: uniq('r') } },
      { method: 'PATCH', path: `/api/architect/roles/${id}/edit/`, json: { name: uniq('r') } },
      { method: 'DELETE', path: `/api/architect/roles/${id}/delete/` },
    ];
    for (const c of calls) {
      for (const u of [staff, normal]) {
        const res = await call(roles, { ...c, token: u.token });
        expect(res.status).toBe(403);
        expect(res.body).toEqual(denied);
      }
      expect((await call(roles, c)).status).toBe(401);
    }
    expect(await roleRow(id)).toBeDefined();
  });
});

describe('writes belong to the platform', () => {
  it("a clinic's Admin gets the spec's 403 on create, edit, delete and every alias; the rows are untouched", async () => {
    const { admin } = await tenantWithAdmin();
    const su = await createUser({ superuser: true });
    // A role a superuser created, and the global clinic-administrator role itself.
    const made = await call(roles, { method: 'POST', path: '/api/architect/roles/create/', token: su.token, json: { name: uniq('Del superusuario ') } });
    expect(made.status).toBe(201);
    const adminRoleId = (await ownerKysely().selectFrom('roles').select('id').where('code', '=', 'admin').executeTakeFirstOrThrow()).id as number;
    for (const id of [made.body.id, adminRoleId]) {
      const before = await roleRow(id);
      const name = uniq('Renombrado ');
      for (const c of [
        { method: 'PUT', path: `/api/architect/roles/${id}/edit/`, json: { name } },
        { method: 'PATCH', path: `/api/architect/roles/${id}/edit/`, json: { name } },
        { method: 'PUT', path: `/api/architect/roles/${id}/`, json: { name } },
        { method: 'PATCH', path: `/api/architect/roles/${id}`, json: { name } },
        { method: 'DELETE', path: `/api/architect/roles/${id}/delete/` },
        { method: 'DELETE', path: `/api/architect/roles/${id}/` },
      ]) {
        const res = await call(roles, { ...c, token: admin.token });
        expect(res.status).toBe(403);
        expect(res.body).toEqual(denied);
      }
      expect(await roleRow(id)).toEqual(before);
    }
    const name = uniq('Nuevo ');
    for (const path of ['/api/architect/roles/create/', '/api/architect/roles/']) {
      const res = await call(roles, { method: 'POST', path, token: admin.token, json: { name } });
      expect(res.status).toBe(403);
      expect(res.body).toEqual(denied);
    }
    expect(await ownerKysely().selectFrom('roles').select('id').where('name', '=', name).executeTakeFirst()).toBeUndefined();
    // The role check comes before the body's: a clinic admin learns nothing from an invalid body.
    expect((await call(roles, { method: 'POST', path: '/api/architect/roles/create/', token: admin.token, json: {} })).status).toBe(403);
  });

  it('platform staff and superusers create, edit and delete; every write is audited', async () => {
    for (const actor of [await platformStaff(), await createUser({ superuser: true })]) {
      const name = uniq('Plataforma ');
      const created = await call(roles, { method: 'POST', path: '/api/architect/roles/create/', token: actor.token, json: { name, guard_name: 'api' } });
      expect(created.status).toBe(201);
      const id = created.body.id;
      const put = await call(roles, { method: 'PUT', path: `/api/architect/roles/${id}/edit/`, token: actor.token, json: { name: `${name}-put` } });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({ id, name: `${name}-put`, guard_name: 'api' });
      expect((await roleRow(id))?.name).toBe(`${name}-put`);
      expect((await call(roles, { method: 'DELETE', path: `/api/architect/roles/${id}/delete/`, token: actor.token })).body).toEqual({ message: 'Rol eliminado' });
      expect(await roleRow(id)).toBeUndefined();
      const audit = await ownerKysely().selectFrom('audit_log').select(['action', 'user_id', 'reflexo_id']).where('entity', '=', 'roles').where('entity_id', '=', String(id)).orderBy('id').execute();
      expect(audit).toEqual(['create', 'update', 'delete'].map((action) => ({ action, user_id: actor.id, reflexo_id: null })));
    }
  });

  it('the clinic-administrator role cannot be deleted (409 {"error"}); renaming it keeps every clinic admin an admin', async () => {
    const staff = await platformStaff();
    const { tenant, admin } = await tenantWithAdmin();
    const adminRole = await ownerKysely().selectFrom('roles').select(['id', 'name']).where('code', '=', 'admin').executeTakeFirstOrThrow();
    const refused = await call(roles, { method: 'DELETE', path: `/api/architect/roles/${adminRole.id}/delete/`, token: staff.token });
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({ error: expect.stringContaining('no puede eliminarse') });
    expect(await roleRow(adminRole.id as number)).toBeDefined();

    const renamed = uniq('Administración ');
    try {
      const res = await call(roles, { method: 'PATCH', path: `/api/architect/roles/${adminRole.id}/edit/`, token: staff.token, json: { name: renamed } });
      expect(res.status).toBe(200);
      expect(res.body.name).toBe(renamed);
      expect((await roleRow(adminRole.id as number))?.code).toBe('admin');
      // The clinic's admin still reads roles and manages the clinic's users.
      expect((await call(roles, { path: '/api/architect/roles/', token: admin.token })).status).toBe(200);
      const n = uniq('tras');
      const made = await call(users, { method: 'POST', path: '/api/architect/users/create/', token: admin.token, json: { email: `${n}@test.reflexo.pe`, user_name: n, password: 'Passw0rd#123' } });
      expect(made.status).toBe(201);
      expect(made.body.reflexo_id).toBe(tenant.id);
      expect((await call(users, { method: 'PATCH', path: `/api/architect/users/${made.body.id}/edit/`, token: admin.token, json: { name: 'Sigue' } })).status).toBe(200);
      // While the name is free, a role merely *called* "Admin" grants nothing.
      const impostorRole = await insertRole('Admin');
      const impostor = await createUser({ reflexoId: tenant.id });
      await ownerKysely().updateTable('users').set({ role_id: impostorRole }).where('id', '=', impostor.id).execute();
      expect((await call(users, { method: 'POST', path: '/api/architect/users/create/', token: impostor.token, json: { email: `x${n}@test.reflexo.pe`, user_name: `x${n}`, password: 'Passw0rd#123' } })).status).toBe(403);
      expect((await call(roles, { path: '/api/architect/roles/', token: impostor.token })).status).toBe(403);
    } finally {
      await ownerKysely().deleteFrom('roles').where('name', '=', 'Admin').where('code', 'is', null).execute();
      await ownerKysely().updateTable('roles').set({ name: adminRole.name }).where('id', '=', adminRole.id).execute();
    }
  });
});

describe('guard_name', () => {
  it('is "api" on every path: create without it or blank, PUT without it, PATCH to blank', async () => {
    const su = await createUser({ superuser: true });
    const plain = await call(roles, { method: 'POST', path: '/api/architect/roles/create/', token: su.token, json: { name: uniq('g') } });
    expect(plain.status).toBe(201);
    expect(plain.body).toEqual({ id: expect.any(Number), name: plain.body.name, guard_name: 'api', created_at: expect.any(String), updated_at: expect.any(String) });
    const blank = await call(roles, { method: 'POST', path: '/api/architect/roles/', token: su.token, multipart: { fields: { name: uniq('g'), guard_name: '' } } });
    expect(blank.status).toBe(201);
    expect(blank.body.guard_name).toBe('api');
    const put = await call(roles, { method: 'PUT', path: `/api/architect/roles/${plain.body.id}/edit/`, token: su.token, json: { name: `${plain.body.name}-2` } });
    expect(put.body.guard_name).toBe('api');
    await ownerKysely().updateTable('roles').set({ guard_name: 'web' }).where('id', '=', blank.body.id).execute();
    const patch = await call(roles, { method: 'PATCH', path: `/api/architect/roles/${blank.body.id}/edit/`, token: su.token, json: { guard_name: '' } });
    expect(patch.body.guard_name).toBe('api');
    for (const id of [plain.body.id, blank.body.id]) expect((await roleRow(id))?.guard_name).toBe('api');
  });
});

describe('errors and dialects', () => {
  it('400 field maps; duplicate name → 409', async () => {
    const su = await createUser({ superuser: true });
    const name = uniq('Rol ');
    expect((await call(roles, { method: 'POST', path: '/api/architect/roles/create/', token: su.token, json: { name } })).status).toBe(201);
    expect((await call(roles, { method: 'POST', path: '/api/architect/roles/create/', token: su.token, json: { name } })).status).toBe(409);
    const blank = await call(roles, { method: 'POST', path: '/api/architect/roles/create/', token: su.token, json: { name: '  ' } });
    expect(blank.status).toBe(400);
    expect(Object.keys(blank.body)).toEqual(['name']);
    const long = await call(roles, { method: 'POST', path: '/api/architect/roles/create/', token: su.token, json: { name: 'x'.repeat(101) } });
    expect(long.status).toBe(400);
    expect(Object.keys(long.body)).toEqual(['name']);
  });

  it('edit, delete and read of unknown ids → 404 {"error": "Rol no encontrado"}; bad ids → 404', async () => {
    const su = await createUser({ superuser: true });
    for (const c of [
      { method: 'PUT', path: '/api/architect/roles/999999/edit/', json: { name: 'x' } },
      { method: 'PATCH', path: '/api/architect/roles/999999/edit/', json: { name: 'x' } },
      { method: 'DELETE', path: '/api/architect/roles/999999/delete/' },
      { method: 'GET', path: '/api/architect/roles/999999/' },
    ]) {
      const res = await call(roles, { ...c, token: su.token });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: 'Rol no encontrado' });
    }
    expect((await call(roles, { method: 'DELETE', path: '/api/architect/roles/-1/delete/', token: su.token })).status).toBe(404);
  });

  it('PATCH keeps guard_name; deleting a role leaves its users without role', async () => {
    const su = await createUser({ superuser: true });
    const roleName = uniq('temp');
    const holder = await createUser({ role: roleName });
    const role = await ownerKysely().selectFrom('roles').select('id').where('name', '=', roleName).executeTakeFirstOrThrow();
    const patch = await call(roles, { method: 'PATCH', path: `/api/architect/roles/${role.id}/edit`, token: su.token, json: { guard_name: 'api' } });
    expect(patch.body).toMatchObject({ name: roleName, guard_name: 'api' });
    expect((await call(roles, { method: 'DELETE', path: `/api/architect/roles/${role.id}/delete`, token: su.token })).status).toBe(200);
    const row = await ownerKysely().selectFrom('users').select('role_id').where('id', '=', holder.id).executeTakeFirstOrThrow();
    expect(row.role_id).toBeNull();
  });

  it('DRF dialect: POST on the collection, GET/PUT/PATCH/DELETE on <id>/ (GET for a clinic admin too)', async () => {
    const su = await createUser({ superuser: true });
    const { admin } = await tenantWithAdmin();
    const created = await call(roles, { method: 'POST', path: '/api/architect/roles/', token: su.token, json: { name: uniq('drf'), guard_name: 'api' } });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect((await call(roles, { path: `/api/architect/roles/${id}/`, token: admin.token })).body.id).toBe(id);
    expect((await call(roles, { method: 'PUT', path: `/api/architect/roles/${id}/`, token: su.token, json: { name: `${created.body.name}-put` } })).status).toBe(200);
    expect((await call(roles, { method: 'PATCH', path: `/api/architect/roles/${id}`, token: su.token, json: { name: `${created.body.name}-patch` } })).body.name).toBe(`${created.body.name}-patch`);
    expect((await call(roles, { method: 'DELETE', path: `/api/architect/roles/${id}/`, token: su.token })).status).toBe(200);
    expect((await call(roles, { path: `/api/architect/roles/${id}/`, token: su.token })).body).toEqual({ error: 'Rol no encontrado' });
  });
});

describe('DRF-era input', () => {
  it('create and update as JSON, JSON strings, urlencoded and multipart store the same role', async () => {
    const staff = await platformStaff();
    const tag = uniq('');
    const created = await sendEveryWay(roles, { method: 'POST', path: '/api/architect/roles/create/', token: staff.token }, (e) => ({ name: `Form ${tag} ${e}`, guard_name: 'api' }));
    for (const e of ENCODINGS) expect(created[e].status).toBe(201);
    const ids = ENCODINGS.map((e) => created[e].body.id as number);
    // Each row as stored, without what must differ (id, the encoding in the name, the clock).
    const stored = async () =>
      Promise.all(ids.map(async (id, n) => {
        const r = (await roleRow(id))!;
        return { name: r.name.replace(` ${ENCODINGS[n]}`, ''), guard_name: r.guard_name, code: r.code };
      }));
    expect(await stored()).toEqual(ENCODINGS.map(() => ({ name: `Form ${tag}`, guard_name: 'api', code: null })));

    for (const [n, e] of ENCODINGS.entries()) {
      await ownerKysely().updateTable('roles').set({ guard_name: 'web' }).where('id', '=', ids[n]).execute();
      const res = await call(roles, { method: 'PUT', path: `/api/architect/roles/${ids[n]}/edit/`, token: staff.token, ...encode({ name: `Editado ${tag} ${e}`, guard_name: '' }, e) });
      expect(res.status).toBe(200);
    }
    expect(await stored()).toEqual(ENCODINGS.map(() => ({ name: `Editado ${tag}`, guard_name: 'api', code: null })));
  });
});

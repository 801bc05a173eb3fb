import { handler as roles } from '../../functions/reflexo/architect-roles';
import { createUser, ownerKysely, tenantWithAdmin, uniq } from '../helpers/fixtures';
import { call } from '../helpers/http';

/* /api/architect/roles: admin-only CRUD of the global catalog, DRF error bodies and aliases. */

const denied = { detail: 'You do not have permission to perform this action.' };

describe('roles', () => {
  it('lists alphabetically for a clinic Admin and a superuser', async () => {
    const { admin } = await tenantWithAdmin();
    const su = await createUser({ superuser: true });
    await ownerKysely().insertInto('roles').values([{ name: `zz${uniq()}` }, { name: `AA${uniq()}` }]).execute();
    for (const token of [admin.token, su.token]) {
      const res = await call(roles, { path: '/api/architect/roles/', token });
      expect(res.status).toBe(200);
      const names = res.body.map((r: { name: string }) => r.name);
      expect(names).toEqual([...names].sort((x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0)));
    }
  });

  it('staff without the Admin role, normal users → 403 on every route; no token → 401', async () => {
    const staff = await createUser({ staff: true, role: 'Member' });
    const role = await ownerKysely().insertInto('roles').values({ name: uniq('keep') }).returning('id').executeTakeFirstOrThrow();
    const calls = [
      { path: '/api/architect/roles/' },
      { method: 'POST', path: '/api/architect/roles/create/', json: { name: uniq('r') } },
      { method: 'PUT', path: `/api/architect/roles/${role.id}/edit/`, json: { name: uniq('r') } },
      { method: 'PATCH', path: `/api/architect/roles/${role.id}/edit/`, json: { name: uniq('r') } },
      { method: 'DELETE', path: `/api/architect/roles/${role.id}/delete/` },
    ];
    for (const c of calls) {
      const res = await call(roles, { ...c, token: staff.token });
      expect(res.status).toBe(403);
      expect(res.body).toEqual(denied);
      expect((await call(roles, c)).status).toBe(401);
    }
    expect(await ownerKysely().selectFrom('roles').select('id').where('id', '=', role.id).executeTakeFirst()).toBeDefined();
  });

  it('create with guard_name default; 400 field maps; duplicate name → 409', async () => {
    const { admin } = await tenantWithAdmin();
    const name = uniq('Rol ');
    const created = await call(roles, { method: 'POST', path: '/api/architect/roles/create/', token: admin.token, json: { name } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(Number), name, guard_name: 'api', created_at: expect.any(String), updated_at: expect.any(String) });
    expect((await call(roles, { method: 'POST', path: '/api/architect/roles/create/', token: admin.token, json: { name } })).status).toBe(409);
    const blank = await call(roles, { method: 'POST', path: '/api/architect/roles/create/', token: admin.token, json: { name: '  ' } });
    expect(blank.status).toBe(400);
    expect(Object.keys(blank.body)).toEqual(['name']);
    const long = await call(roles, { method: 'POST', path: '/api/architect/roles/create/', token: admin.token, json: { name: 'x'.repeat(101) } });
    expect(long.status).toBe(400);
  });

  it('edit and delete unknown ids → 404 {"error": "Rol no encontrado"}; bad ids → 404', async () => {
    const { admin } = await tenantWithAdmin();
    for (const c of [
      { method: 'PUT', path: '/api/architect/roles/999999/edit/', json: { name: 'x' } },
      { method: 'PATCH', path: '/api/architect/roles/999999/edit/', json: { name: 'x' } },
      { method: 'DELETE', path: '/api/architect/roles/999999/delete/' },
    ]) {
      const res = await call(roles, { ...c, token: admin.token });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: 'Rol no encontrado' });
    }
    expect((await call(roles, { method: 'DELETE', path: '/api/architect/roles/-1/delete/', token: admin.token })).status).toBe(404);
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

  it('DRF dialect: POST on the collection, GET/PUT/PATCH/DELETE on <id>/', async () => {
    const { admin } = await tenantWithAdmin();
    const created = await call(roles, { method: 'POST', path: '/api/architect/roles/', token: admin.token, json: { name: uniq('drf'), guard_name: 'api' } });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect((await call(roles, { path: `/api/architect/roles/${id}/`, token: admin.token })).body.id).toBe(id);
    expect((await call(roles, { method: 'PUT', path: `/api/architect/roles/${id}/`, token: admin.token, json: { name: `${created.body.name}-put` } })).status).toBe(200);
    expect((await call(roles, { method: 'PATCH', path: `/api/architect/roles/${id}`, token: admin.token, json: { name: `${created.body.name}-patch` } })).body.name).toBe(`${created.body.name}-patch`);
    expect((await call(roles, { method: 'DELETE', path: `/api/architect/roles/${id}/`, token: admin.token })).status).toBe(200);
    expect((await call(roles, { path: `/api/architect/roles/${id}/`, token: admin.token })).body).toEqual({ error: 'Rol no encontrado' });
  });
});

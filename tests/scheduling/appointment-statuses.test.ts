import { handler } from '../../functions/reflexo/appointment-statuses';
import { createUser, ownerKysely, tenantWithAdmin, uniq } from '../helpers/fixtures';
import { call } from '../helpers/http';
import { createPatient, createTherapist, limaDate, STATUS } from '../helpers/scheduling-fixtures';

/* Appointment statuses: global catalog, read by everyone, changed by platform staff only. */
const P = '/api/appointments/appointment-statuses';
let su: string;
let user: string;
let tenantA: number;
let tenantB: number;
let userB: string;

beforeAll(async () => {
  su = (await createUser({ superuser: true })).token;
  const a = await tenantWithAdmin();
  tenantA = a.tenant.id;
  user = a.admin.token;
  const b = await tenantWithAdmin();
  tenantB = b.tenant.id;
  userB = b.admin.token;
});

const newStatus = async (name = uniq('Estado ')) => {
  const res = await call(handler, { method: 'POST', path: `${P}/create/`, token: su, json: { name, description: 'Descripción' } });
  expect(res.status).toBe(201);
  return res.body;
};

describe('list and detail', () => {
  it('lists the seeded statuses in a DRF page, any authenticated user', async () => {
    const res = await call(handler, { path: `${P}/`, token: user, query: { page_size: 100 } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ next: null, previous: null });
    // Seeded ids 2–4 (id 1 may be deactivated for a moment by the security fuzz suite running alongside).
    expect(res.body.results.map((s: any) => s.id)).toEqual(expect.arrayContaining([2, 3, 4]));
    expect(res.body.results.find((s: any) => s.id === 3)).toEqual({ id: 3, name: expect.any(String), description: expect.any(String), created_at: expect.any(String), updated_at: expect.any(String) });
    const kinds = await ownerKysely().selectFrom('appointment_statuses').select(['id', 'kind']).where('id', '<=', 4).orderBy('id').execute();
    expect(kinds).toEqual([{ id: 1, kind: 'pending' }, { id: 2, kind: 'completed' }, { id: 3, kind: 'cancelled' }, { id: 4, kind: 'rescheduled' }]);
  });

  it('filters by name and search, orders by -name; bad ordering → 400', async () => {
    const tag = uniq('');
    const s = await newStatus(`Zeta ${tag}`);
    const a = await newStatus(`Alfa ${tag}`);
    const byName = await call(handler, { path: `${P}`, token: user, query: { name: s.name.toUpperCase() } });
    expect(byName.body.results.map((r: any) => r.id)).toEqual([s.id]);
    const search = await call(handler, { path: `${P}/`, token: user, query: { search: tag } });
    expect(search.body.results.map((r: any) => r.id)).toEqual([s.id, a.id]);
    const ordered = await call(handler, { path: `${P}/`, token: user, query: { search: tag, ordering: 'name' } });
    expect(ordered.body.results.map((r: any) => r.id)).toEqual([a.id, s.id]);
    const reversed = await call(handler, { path: `${P}/`, token: user, query: { search: tag, ordering: '-created_at' } });
    expect(reversed.body.results.map((r: any) => r.id)).toEqual([a.id, s.id]);
    expect((await call(handler, { path: `${P}/`, token: user, query: { ordering: 'password' } })).status).toBe(400);
  });

  it('detail; unknown → 404; unauthenticated → 401', async () => {
    const res = await call(handler, { path: `${P}/2/`, token: user });
    const row = await ownerKysely().selectFrom('appointment_statuses').select('name').where('id', '=', 2).executeTakeFirst();
    expect(res.body).toMatchObject({ id: 2, name: row!.name });
    expect((await call(handler, { path: `${P}/999999/`, token: user })).status).toBe(404);
    expect((await call(handler, { path: `${P}/abc/`, token: user })).status).toBe(404);
    expect((await call(handler, { path: `${P}/` })).status).toBe(401);
  });
});

describe('writes (global administrators)', () => {
  it('creates (201), both dialects; duplicate name → 409; blank name → 400; a tenant admin → 403', async () => {
    const s = await newStatus();
    expect(s).toEqual({ id: expect.any(Number), name: s.name, description: 'Descripción', created_at: expect.any(String), updated_at: expect.any(String) });
    const drf = await call(handler, { method: 'POST', path: P, token: su, json: { name: uniq('DRF ') } });
    expect(drf.status).toBe(201);
    expect(drf.body.description).toBeNull();
    const dup = await call(handler, { method: 'POST', path: `${P}/create/`, token: su, json: { name: s.name.toLowerCase() } });
    expect(dup.status).toBe(409);
    expect(dup.body).toEqual({ name: ['Ya existe un estado de cita con este nombre.'] });
    const blank = await call(handler, { method: 'POST', path: `${P}/create/`, token: su, json: { name: '  ' } });
    expect(blank.status).toBe(400);
    expect(blank.body).toHaveProperty('name');
    const missing = await call(handler, { method: 'POST', path: `${P}/create/`, token: su, json: {} });
    expect(missing.body).toEqual({ name: ['Este campo es requerido.'] });
    expect((await call(handler, { method: 'POST', path: `${P}/create/`, token: user, json: { name: uniq('X') } })).status).toBe(403);
  });

  it('PUT replaces, PATCH changes one field, on /edit/ and on /<id>/', async () => {
    const s = await newStatus();
    const put = await call(handler, { method: 'PUT', path: `${P}/${s.id}/edit/`, token: su, json: { name: `${s.name} 2` } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ name: `${s.name} 2`, description: null });
    const patch = await call(handler, { method: 'PATCH', path: `${P}/${s.id}`, token: su, json: { description: 'Nueva' } });
    expect(patch.body).toMatchObject({ name: `${s.name} 2`, description: 'Nueva' });
    const taken = await newStatus();
    const put2 = await call(handler, { method: 'PUT', path: `${P}/${s.id}/`, token: su, json: { name: taken.name } });
    expect(put2.status).toBe(409);
    expect((await call(handler, { method: 'PATCH', path: `${P}/999999/edit/`, token: su, json: { description: 'x' } })).status).toBe(404);
    expect((await call(handler, { method: 'PATCH', path: `${P}/${s.id}/edit/`, token: user, json: { description: 'x' } })).status).toBe(403);
  });

  it('soft delete hides it (204), activate restores it, ?hard=true erases it', async () => {
    const s = await newStatus();
    expect((await call(handler, { method: 'DELETE', path: `${P}/${s.id}/delete/`, token: su })).status).toBe(204);
    expect((await call(handler, { path: `${P}/${s.id}/`, token: su })).status).toBe(404);
    expect((await call(handler, { method: 'DELETE', path: `${P}/${s.id}/delete/`, token: su })).status).toBe(404);
    const row = await ownerKysely().selectFrom('appointment_statuses').selectAll().where('id', '=', s.id).executeTakeFirst();
    expect(row!.deleted_at).not.toBeNull();
    const activated = await call(handler, { method: 'POST', path: `${P}/${s.id}/activate/`, token: su });
    expect(activated.status).toBe(200);
    expect(activated.body).toMatchObject({ id: s.id, appointments_count: 0, deleted_at: null });
    expect((await call(handler, { method: 'DELETE', path: `${P}/${s.id}/`, token: su, query: { hard: 'true' } })).status).toBe(204);
    expect(await ownerKysely().selectFrom('appointment_statuses').select('id').where('id', '=', s.id).executeTakeFirst()).toBeUndefined();
    expect((await call(handler, { method: 'POST', path: `${P}/${s.id}/activate/`, token: su })).body).toEqual({ detail: 'No encontrado.' });
    expect((await call(handler, { method: 'DELETE', path: `${P}/${s.id}/delete/`, token: su, query: { hard: 'maybe' } })).status).toBe(400);
  });

  it('a system status cannot be hard-deleted, nor one that appointments use (409)', async () => {
    const sys = await call(handler, { method: 'DELETE', path: `${P}/${STATUS.cancelled}/delete/`, token: su, query: { hard: 'true' } });
    expect(sys.status).toBe(409);
    const s = await newStatus();
    const patient = await createPatient(tenantA);
    const therapist = await createTherapist(tenantA);
    await ownerKysely()
      .insertInto('appointments')
      .values({ reflexo_id: tenantA, patient_id: patient.id, therapist_id: therapist.id, appointment_date: limaDate(3), hour: '09:00', appointment_status_id: s.id })
      .execute();
    expect((await call(handler, { method: 'DELETE', path: `${P}/${s.id}/delete/`, token: su, query: { hard: 'true' } })).status).toBe(409);
  });
});

describe('who writes a shared catalog', () => {
  it('platform staff (the architect.view_all_tenants permission) may; a clinic admin or user may not (403), whatever the route', async () => {
    const platform = await createUser({ staff: true });
    await ownerKysely().updateTable('users').set({ permissions: ['architect.view_all_tenants'] }).where('id', '=', platform.id).execute();
    const created = await call(handler, { method: 'POST', path: `${P}/create/`, token: platform.token, json: { name: uniq('Plataforma '), description: 'x' } });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect((await call(handler, { method: 'PATCH', path: `${P}/${id}/edit/`, token: platform.token, json: { description: 'y' } })).body.description).toBe('y');
    expect((await call(handler, { method: 'POST', path: `${P}/${id}/deactivate/`, token: platform.token })).status).toBe(200);
    expect((await call(handler, { method: 'POST', path: `${P}/${id}/activate/`, token: platform.token })).status).toBe(200);
    const clinicUser = (await createUser({ reflexoId: tenantA })).token;
    for (const token of [user, clinicUser]) {
      const refusals = [
        await call(handler, { method: 'POST', path: `${P}/create/`, token, json: { name: uniq('No ') } }),
        await call(handler, { method: 'POST', path: P, token, json: { name: uniq('No ') } }),
        await call(handler, { method: 'PUT', path: `${P}/${id}/`, token, json: { name: uniq('No ') } }),
        await call(handler, { method: 'PATCH', path: `${P}/${id}/edit/`, token, json: { description: 'z' } }),
        await call(handler, { method: 'DELETE', path: `${P}/${id}/delete/`, token }),
        await call(handler, { method: 'POST', path: `${P}/${id}/deactivate/`, token }),
        await call(handler, { method: 'POST', path: `${P}/${id}/activate/`, token }),
      ];
      expect(refusals.map((r) => r.status)).toEqual(Array(7).fill(403));
    }
    expect(await ownerKysely().selectFrom('appointment_statuses').select(['description', 'deleted_at']).where('id', '=', id).executeTakeFirst()).toEqual({ description: 'y', deleted_at: null });
    expect((await call(handler, { method: 'DELETE', path: `${P}/${id}/`, token: platform.token, query: { hard: 'true' } })).status).toBe(204);
  });
});

describe('active, activate, deactivate, appointments', () => {
  it('active/ lists live statuses with the caller tenant’s appointments_count', async () => {
    const s = await newStatus();
    const patient = await createPatient(tenantA);
    const therapist = await createTherapist(tenantA);
    for (const hour of ['08:00', '10:00']) {
      await ownerKysely()
        .insertInto('appointments')
        .values({ reflexo_id: tenantA, patient_id: patient.id, therapist_id: therapist.id, appointment_date: limaDate(5), hour, appointment_status_id: s.id, room: 'Sala 1' })
        .execute();
    }
    const a = await call(handler, { path: `${P}/active/`, token: user });
    expect(a.status).toBe(200);
    expect(a.body.find((r: any) => r.id === s.id)).toEqual({ ...s, appointments_count: 2, deleted_at: null, updated_at: expect.any(String) });
    const b = await call(handler, { path: `${P}/active/`, token: userB });
    expect(b.body.find((r: any) => r.id === s.id).appointments_count).toBe(0);

    const deact = await call(handler, { method: 'POST', path: `${P}/${s.id}/deactivate/`, token: su });
    expect(deact.body).toMatchObject({ id: s.id, deleted_at: expect.any(String) });
    expect((await call(handler, { path: `${P}/active/`, token: user })).body.map((r: any) => r.id)).not.toContain(s.id);
    expect((await call(handler, { method: 'POST', path: `${P}/999999/deactivate/`, token: su })).status).toBe(404);
    expect((await call(handler, { method: 'POST', path: `${P}/${s.id}/activate/`, token: user })).status).toBe(403);
    await call(handler, { method: 'POST', path: `${P}/${s.id}/activate/`, token: su });

    const list = await call(handler, { path: `${P}/${s.id}/appointments/`, token: user });
    expect(list.status).toBe(200);
    expect(list.body.status).toEqual({ id: s.id, name: s.name, description: 'Descripción' });
    expect(list.body.count).toBe(2);
    expect(list.body.appointments[0]).toEqual({
      id: expect.any(Number),
      patient_name: `${patient.name} Pérez`,
      therapist_name: expect.stringMatching(/ García$/),
      appointment_date: limaDate(5),
      hour: '10:00:00',
      appointment_type: null,
      room: 'Sala 1',
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    const paged = await call(handler, { path: `${P}/${s.id}/appointments`, token: user, query: { page_size: 1, page: 2 } });
    expect(paged.body.count).toBe(2);
    expect(paged.body.appointments.map((x: any) => x.hour)).toEqual(['08:00:00']);
    expect((await call(handler, { path: `${P}/${s.id}/appointments/`, token: user, query: { page_size: 5000 } })).status).toBe(400);
    // Tenant B sees the status but none of tenant A's appointments.
    expect((await call(handler, { path: `${P}/${s.id}/appointments/`, token: userB })).body).toMatchObject({ count: 0, appointments: [] });
    expect((await call(handler, { path: `${P}/999999/appointments/`, token: user })).status).toBe(404);
    expect(tenantB).not.toBe(tenantA);
  });
});

it('an empty PATCH changes nothing (200), never a 500', async () => {
  const s = await newStatus();
  const res = await call(handler, { method: 'PATCH', path: `${P}/${s.id}/edit/`, token: su, json: { unknown: 'x' } });
  expect(res.status).toBe(200);
  expect(res.body).toEqual(s);
});

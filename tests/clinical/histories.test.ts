import { handler } from '../../functions/reflexo/configurations-histories';
import { createTenant, createUser, ownerKysely, tenantWithAdmin, type TestUser } from '../helpers/fixtures';
import { insertPatient } from '../helpers/clinical-fixtures';
import { call } from '../helpers/http';

/* Module 6: /api/configurations/histories/ (tenant-owned, local_id per clinic). */
const H = '/api/configurations/histories';
let tenantId: number;
let staff: TestUser;
beforeAll(async () => {
  tenantId = (await createTenant()).id;
  staff = await createUser({ reflexoId: tenantId });
});
const post = (json: unknown, token = staff.token, path = `${H}/create/`) => call(handler, { method: 'POST', path, json, token });

describe('histories', () => {
  it('creates {id, reflexo_id}; a second live history for the patient → 409 with existing_history_id', async () => {
    const p = await insertPatient(tenantId, { name: 'Juan', paternal_lastname: 'Pérez' });
    const res = await post({ patient: p.id });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(Number), reflexo_id: tenantId });
    const dup = await post({ patient: p.id }, staff.token, H);
    expect(dup.status).toBe(409);
    expect(dup.body).toEqual({ error: 'Ya existe un historial activo para este paciente', existing_history_id: res.body.id });
    const audit = await ownerKysely().selectFrom('audit_log').select('action').where('entity', '=', 'histories').where('entity_id', '=', String(res.body.id)).execute();
    expect(audit).toEqual([{ action: 'create' }]);
  });

  it('detail carries the clinical fields with their defaults; list is {"histories": [...]}', async () => {
    const p = await insertPatient(tenantId, { name: 'María', paternal_lastname: 'González' });
    const { id } = (await post({ patient: p.id })).body;
    const detail = await call(handler, { path: `${H}/${id}/`, token: staff.token });
    expect(detail.body).toEqual({
      id,
      local_id: expect.any(Number),
      patient: p.id,
      patient_name: 'María González',
      reflexo_id: tenantId,
      testimony: true,
      private_observation: null,
      observation: null,
      height: null,
      weight: null,
      last_weight: null,
      menstruation: true,
      diu_type: null,
      gestation: true,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    const list = await call(handler, { path: `${H}/`, token: staff.token });
    expect(Object.keys(list.body)).toEqual(['histories']);
    expect(list.body.histories).toContainEqual({ id, local_id: detail.body.local_id, patient: p.id, patient_name: 'María González', reflexo_id: tenantId });
    expect((await call(handler, { path: H, token: staff.token, query: { patient: p.id } })).body.histories).toHaveLength(1);
  });

  it('PUT and PATCH edit the clinical fields (numbers out, decimals validated), both dialects', async () => {
    const p = await insertPatient(tenantId);
    const { id } = (await post({ patient: p.id })).body;
    const put = await call(handler, {
      method: 'PUT',
      path: `${H}/${id}/edit/`,
      token: staff.token,
      json: { testimony: true, private_observation: 'Interna', observation: 'Dolor lumbar leve', height: 1.68, weight: 62.5, last_weight: '61.0', menstruation: true, diu_type: 'Cobre', gestation: false },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ height: 1.68, weight: 62.5, last_weight: 61, diu_type: 'Cobre', gestation: false });
    const patch = await call(handler, { method: 'PATCH', path: `${H}/${id}`, token: staff.token, json: { observation: 'Control a los 7 días' } });
    expect(patch.body).toMatchObject({ observation: 'Control a los 7 días', private_observation: 'Interna', height: 1.68 });
    const bad = await call(handler, { method: 'PATCH', path: `${H}/${id}/`, token: staff.token, json: { height: -1, weight: 'mucho', gestation: 'si' } });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      height: ['Asegúrese de que este valor es mayor que 0.'],
      weight: ['Se requiere un número válido.'],
      gestation: ['Debe ser un valor booleano válido.'],
    });
  });

  it('validates the patient: required, live, same clinic', async () => {
    expect((await post({})).body).toEqual({ patient: ['Este campo es requerido.'] });
    expect((await post({ patient: 999999999 })).body).toEqual({ patient: ['El paciente no existe o está inactivo.'] });
    const gone = await insertPatient(tenantId, { deleted_at: new Date() });
    expect((await post({ patient: gone.id })).status).toBe(400);
    const foreign = await insertPatient((await createTenant()).id);
    expect((await post({ patient: foreign.id })).body).toEqual({ patient: ['El paciente no existe o está inactivo.'] });
  });

  it('numbers local_id per clinic, gap-free under 30 concurrent creates', async () => {
    const clinic = (await createTenant()).id;
    const user = await createUser({ reflexoId: clinic });
    const patients = await Promise.all(Array.from({ length: 30 }, () => insertPatient(clinic)));
    // One duplicate in the burst: its failed create must not consume a number.
    const results = await Promise.all([...patients, patients[0]].map((p) => post({ patient: p.id }, user.token)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(30);
    expect(results.filter((r) => r.status === 409)).toHaveLength(1);
    const rows = await ownerKysely().selectFrom('histories').select('local_id').where('reflexo_id', '=', clinic).orderBy('local_id').execute();
    expect(rows.map((r) => r.local_id)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });

  it('soft delete frees the patient for a new history; hard delete removes the row', async () => {
    const p = await insertPatient(tenantId);
    const first = (await post({ patient: p.id })).body;
    expect((await call(handler, { method: 'DELETE', path: `${H}/${first.id}/delete/`, token: staff.token })).status).toBe(204);
    expect((await call(handler, { path: `${H}/${first.id}/`, token: staff.token })).status).toBe(404);
    const second = await post({ patient: p.id });
    expect(second.status).toBe(201);
    expect((await call(handler, { method: 'DELETE', path: `${H}/${second.body.id}/`, token: staff.token, query: { hard: 'true' } })).status).toBe(204);
    expect(await ownerKysely().selectFrom('histories').select('id').where('id', '=', second.body.id).executeTakeFirst()).toBeUndefined();
    expect((await ownerKysely().selectFrom('histories').select('deleted_at').where('id', '=', first.id).executeTakeFirstOrThrow()).deleted_at).not.toBeNull();
  });

  it('clinic B cannot list, read, edit or delete clinic A\'s histories', async () => {
    const p = await insertPatient(tenantId);
    const { id } = (await post({ patient: p.id })).body;
    const b = await tenantWithAdmin();
    const t = b.admin.token;
    expect((await call(handler, { path: H, token: t })).body).toEqual({ histories: [] });
    expect((await call(handler, { path: `${H}/${id}/`, token: t })).status).toBe(404);
    expect((await call(handler, { method: 'PATCH', path: `${H}/${id}/edit/`, token: t, json: { observation: 'x' } })).status).toBe(404);
    expect((await call(handler, { method: 'DELETE', path: `${H}/${id}/delete/`, token: t, query: { hard: 'true' } })).status).toBe(404);
    expect((await ownerKysely().selectFrom('histories').selectAll().where('id', '=', id).executeTakeFirstOrThrow())).toMatchObject({ observation: null, deleted_at: null });
    expect((await call(handler, { path: H })).status).toBe(401);
  });
});

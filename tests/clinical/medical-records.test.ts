import { handler } from '../../functions/reflexo/patients-medical-records';
import { createUser, ownerKysely, tenantWithAdmin, type TestUser } from '../helpers/fixtures';
import { insertDiagnosis, insertPatient } from '../helpers/clinical-fixtures';
import { call } from '../helpers/http';

/* Module 3: /api/patients/medical-records/ (tenant-owned). */
const M = '/api/patients/medical-records';
let tenantId: number;
let staff: TestUser;
let patientId: number;
let diagnoseId: number;

beforeAll(async () => {
  const t = await tenantWithAdmin();
  tenantId = t.tenant.id;
  staff = await createUser({ reflexoId: tenantId });
  patientId = (await insertPatient(tenantId)).id;
  diagnoseId = (await insertDiagnosis()).id;
});

const body = (over: Record<string, unknown> = {}) => ({
  patient_id: patientId,
  diagnose_id: diagnoseId,
  diagnosis_date: '2025-09-25',
  notes: 'Control de seguimiento',
  symptoms: 'Dolor leve',
  treatment: 'Medicación antiinflamatoria',
  status: 'active',
  ...over,
});
const post = (json: unknown, token = staff.token, path = `${M}/create/`) => call(handler, { method: 'POST', path, json, token });

const KEYS = ['created_at', 'diagnose_id', 'diagnosis_date', 'id', 'notes', 'patient_id', 'reflexo_id', 'status', 'symptoms', 'treatment', 'updated_at'];

describe('medical records', () => {
  it('creates (201, spec fields, audited); status defaults to active; the trio is unique (400 non_field_errors)', async () => {
    const res = await post(body({ diagnosis_date: '2025-01-02' }));
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(KEYS);
    expect(res.body).toMatchObject({ patient_id: patientId, diagnose_id: diagnoseId, diagnosis_date: '2025-01-02', status: 'active', reflexo_id: tenantId });
    const dup = await post(body({ diagnosis_date: '2025-01-02', notes: 'otra' }));
    expect(dup.status).toBe(400);
    expect(dup.body).toEqual({ non_field_errors: ['Los campos patient_id, diagnose_id, diagnosis_date deben formar un conjunto único.'] });
    const minimal = await post({ patient_id: patientId, diagnose_id: diagnoseId, diagnosis_date: '2025-01-03' }, staff.token, M);
    expect(minimal.status).toBe(201);
    expect(minimal.body).toMatchObject({ status: 'active', notes: null });
    const audit = await ownerKysely().selectFrom('audit_log').select(['action', 'changed_fields']).where('entity', '=', 'medical_records').where('entity_id', '=', String(res.body.id)).execute();
    expect(audit).toEqual([{ action: 'create', changed_fields: expect.arrayContaining(['patient_id', 'notes']) }]);
  });

  it('validates required fields, dates and live references', async () => {
    expect((await post({})).body).toEqual({
      patient_id: ['Este campo es requerido.'],
      diagnose_id: ['Este campo es requerido.'],
      diagnosis_date: ['Este campo es requerido.'],
    });
    expect((await post(body({ diagnosis_date: '2025-02-30' }))).body.diagnosis_date).toBeDefined();
    expect((await post(body({ diagnose_id: 999999999 }))).body).toEqual({ diagnose_id: ['El diagnóstico no existe o está inactivo.'] });
    const deletedDx = await insertDiagnosis({ deleted_at: new Date() });
    expect((await post(body({ diagnose_id: deletedDx.id }))).status).toBe(400);
    const deletedPatient = await insertPatient(tenantId, { deleted_at: new Date() });
    expect((await post(body({ patient_id: deletedPatient.id }))).body).toEqual({ patient_id: ['El paciente no existe o está inactivo.'] });
  });

  it('the tenant must agree: another clinic\'s patient is unknown to a clinic user; a global admin naming another clinic gets non_field_errors', async () => {
    const other = await tenantWithAdmin();
    const foreign = await insertPatient(other.tenant.id);
    expect((await post(body({ patient_id: foreign.id }))).body).toEqual({ patient_id: ['El paciente no existe o está inactivo.'] });
    const root = await createUser({ superuser: true });
    const clash = await post(body({ patient_id: foreign.id, reflexo_id: tenantId }), root.token);
    expect(clash.status).toBe(400);
    expect(clash.body).toEqual({ non_field_errors: ['Paciente y diagnóstico pertenecen a diferentes empresas (tenant).'] });
    const ok = await post(body({ patient_id: foreign.id, diagnosis_date: '2025-03-01' }), root.token);
    expect(ok.status).toBe(201);
    expect(ok.body.reflexo_id).toBe(other.tenant.id);
  });

  it('lists patients-style pages with filters patient_id, diagnose_id, status, date_from, date_to', async () => {
    const p = (await insertPatient(tenantId)).id;
    const dx2 = (await insertDiagnosis()).id;
    await post(body({ patient_id: p, diagnosis_date: '2025-05-01' }));
    await post(body({ patient_id: p, diagnosis_date: '2025-05-10', status: 'completed' }));
    await post(body({ patient_id: p, diagnose_id: dx2, diagnosis_date: '2025-05-20' }));
    const list = (query: Record<string, string | number>) => call(handler, { path: `${M}/`, token: staff.token, query: { patient_id: p, ...query } });
    const all = await list({});
    expect(all.body).toMatchObject({ count: 3, num_pages: 1, current_page: 1 });
    expect(all.body.results.map((r: any) => r.diagnosis_date)).toEqual(['2025-05-20', '2025-05-10', '2025-05-01']);
    expect((await list({ diagnose_id: dx2 })).body.count).toBe(1);
    expect((await list({ status: 'completed' })).body.count).toBe(1);
    expect((await list({ date_from: '2025-05-05', date_to: '2025-05-15' })).body.results.map((r: any) => r.diagnosis_date)).toEqual(['2025-05-10']);
    const paged = await list({ page_size: 2, page: 2 });
    expect(paged.body).toMatchObject({ count: 3, num_pages: 2, current_page: 2 });
    expect(paged.body.results).toHaveLength(1);
    expect((await list({ date_from: 'ayer' })).status).toBe(400);
  });

  it('detail, PUT, PATCH (both dialects), soft and hard delete', async () => {
    const created = (await post(body({ diagnosis_date: '2025-06-01' }))).body;
    expect((await call(handler, { path: `${M}/${created.id}/`, token: staff.token })).body).toEqual(created);
    const put = await call(handler, { method: 'PUT', path: `${M}/${created.id}/edit/`, token: staff.token, json: body({ diagnosis_date: '2025-06-01', notes: 'Control de seguimiento actualizado' }) });
    expect(put.status).toBe(200);
    expect(put.body.notes).toBe('Control de seguimiento actualizado');
    expect((await call(handler, { method: 'PUT', path: `${M}/${created.id}/`, token: staff.token, json: { notes: 'x' } })).status).toBe(400);
    const patch = await call(handler, { method: 'PATCH', path: `${M}/${created.id}`, token: staff.token, json: { notes: 'Control finalizado', status: 'completed' } });
    expect(patch.body).toMatchObject({ notes: 'Control finalizado', status: 'completed', symptoms: 'Dolor leve' });
    expect((await call(handler, { method: 'DELETE', path: `${M}/${created.id}/delete/`, token: staff.token })).status).toBe(204);
    expect((await ownerKysely().selectFrom('medical_records').select('deleted_at').where('id', '=', created.id).executeTakeFirstOrThrow()).deleted_at).not.toBeNull();
    expect((await call(handler, { path: `${M}/${created.id}/`, token: staff.token })).status).toBe(404);
    const again = (await post(body({ diagnosis_date: '2025-06-01' }))).body;
    expect((await call(handler, { method: 'DELETE', path: `${M}/${again.id}/`, token: staff.token, query: { hard: 'true' } })).status).toBe(204);
    expect(await ownerKysely().selectFrom('medical_records').select('id').where('id', '=', again.id).executeTakeFirst()).toBeUndefined();
    const actions = await ownerKysely().selectFrom('audit_log').select('action').where('entity', '=', 'medical_records').where('entity_id', '=', String(created.id)).orderBy('id').execute();
    expect(actions.map((a) => a.action)).toEqual(['create', 'update', 'update', 'delete']);
  });

  it('clinic B cannot list, read, edit or delete clinic A\'s records', async () => {
    const a = (await post(body({ diagnosis_date: '2025-07-01' }))).body;
    const b = await tenantWithAdmin();
    const t = b.admin.token;
    expect((await call(handler, { path: M, token: t })).body.count).toBe(0);
    expect((await call(handler, { path: M, token: t, query: { patient_id: patientId } })).body.count).toBe(0);
    expect((await call(handler, { path: `${M}/${a.id}/`, token: t })).status).toBe(404);
    expect((await call(handler, { method: 'PATCH', path: `${M}/${a.id}/edit/`, token: t, json: { notes: 'x' } })).status).toBe(404);
    expect((await call(handler, { method: 'DELETE', path: `${M}/${a.id}/delete/`, token: t, query: { hard: 'true' } })).status).toBe(404);
    const row = await ownerKysely().selectFrom('medical_records').selectAll().where('id', '=', a.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ notes: 'Control de seguimiento', deleted_at: null });
    expect((await call(handler, { path: M })).status).toBe(401);
  });
});

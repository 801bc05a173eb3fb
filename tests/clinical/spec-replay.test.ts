import { handler as diagnoses } from '../../functions/reflexo/patients-diagnoses';
import { handler as patients } from '../../functions/reflexo/patients-patients';
import { handler as medicalRecords } from '../../functions/reflexo/patients-medical-records';
import { handler as histories } from '../../functions/reflexo/configurations-histories';
import { handler as documentTypes } from '../../functions/reflexo/configurations-document-types';
import { handler as paymentTypes } from '../../functions/reflexo/configurations-payment-types';
import { handler as paymentStatuses } from '../../functions/reflexo/configurations-payment-statuses';
import { handler as prices } from '../../functions/reflexo/configurations-predetermined-prices';
import { handler as locations } from '../../functions/reflexo/locations';
import { createTenant, createUser, ownerKysely, uniq, type TestUser } from '../helpers/fixtures';
import { insertDiagnosis } from '../helpers/clinical-fixtures';
import { platformStaff } from '../helpers/clinical-actors';
import { expectKeys } from '../helpers/identity';
import { call, type Handler } from '../helpers/http';

/*
 * Modules 3, 6 and 7 of reflexo-api.md replayed in the order the contract shows them, with its own
 * request bodies: every example gets the contract's status and carries its response keys, and the
 * documented error cases get theirs. Where this API deliberately differs (shared rows are written by
 * platform staff; ubigeo ids are INEI codes) the replay says so next to the call.
 */
const stamps = { created_at: '', updated_at: '' };
const diagnosisExample = { id: 3, name: 'Lumbalgia', code: 'DX001', ...stamps };
const patientExample = {
  id: 2,
  document_number: '87654321',
  paternal_lastname: 'González',
  maternal_lastname: 'López',
  name: 'María',
  email: 'maria.gonzalez@example.com',
  phone1: '987654321',
  sex: 'F',
  address: 'Calle Secundaria 456',
  reflexo_id: 1,
  ...stamps,
};
const medicalRecordExample = {
  id: 2,
  patient_id: 2,
  diagnose_id: 1,
  diagnosis_date: '2025-09-25',
  notes: '',
  symptoms: '',
  treatment: '',
  status: 'active',
  reflexo_id: 1,
  ...stamps,
};
const historySummaryExample = { id: 1, local_id: 1, patient: 1, patient_name: 'Juan Pérez', reflexo_id: 1 };
const historyExample = {
  ...historySummaryExample,
  testimony: true,
  private_observation: '',
  observation: '',
  height: 1.68,
  weight: 62.5,
  last_weight: 61.0,
  menstruation: true,
  diu_type: 'Cobre',
  gestation: false,
  ...stamps,
};
const stampsNull = { ...stamps, deleted_at: null };
const regionExample = { id: 1, name: 'Lima', ubigeo_code: 15, ...stampsNull };
const provinceExample = { id: 1, name: 'Lima', ubigeo_code: 1501, sequence: 1, region: 1, region_name: 'Lima', ...stampsNull };
const districtExample = { id: 1, name: 'Miraflores', ubigeo_code: 150101, sequence: 1, province: 1, province_name: 'Lima', region_name: 'Lima', ...stampsNull };

const patientCreate = {
  document_number: '87654321',
  paternal_lastname: 'González',
  maternal_lastname: 'López',
  name: 'María',
  email: 'maria.gonzalez@example.com',
  phone1: '987654321',
  sex: 'F',
  address: 'Calle Secundaria 456',
  document_type_id: 1,
  region_code: 1,
  province_code: 101,
  district_code: 10101,
  ocupation: 'Estudiante',
  health_condition: 'Sin antecedentes',
};

let clinic: number;
let user: TestUser;
let platform: TestUser;
beforeAll(async () => {
  clinic = (await createTenant()).id;
  user = await createUser({ reflexoId: clinic });
  platform = await platformStaff();
});

describe('Module 3 — /api/patients/', () => {
  it('diagnoses: list, create (400 on a taken code), PUT, PATCH, search, delete (404 after); 401 without a token', async () => {
    // A run that died halfway may have left the example's code live; the contract's own code is replayed.
    await ownerKysely().updateTable('diagnoses').set({ deleted_at: new Date() }).where('code', '=', 'DX001').where('deleted_at', 'is', null).execute();
    await insertDiagnosis({ name: 'Cervicalgia' });
    const D = '/api/patients/diagnoses';

    const list = await call(diagnoses, { path: `${D}/`, token: user.token });
    expect(list.status).toBe(200);
    expectKeys(list.body, { count: 2, next: null, previous: null, results: [] });
    expectKeys(list.body.results[0], diagnosisExample);

    // Writes are platform staff's (the spec lets any user): replayed as platform staff. Diagnoses are
    // shared by every test file, so the names carry this run's tag and the search looks for it.
    const tag = uniq('sr').toLowerCase();
    const created = await call(diagnoses, { method: 'POST', path: `${D}/create/`, token: platform.token, json: { name: `Lumbalgia ${tag}`, code: 'DX001' } });
    expect(created.status).toBe(201);
    expectKeys(created.body, diagnosisExample);
    const id = created.body.id;
    const taken = await call(diagnoses, { method: 'POST', path: `${D}/create/`, token: platform.token, json: { name: `Lumbalgia ${tag}`, code: 'DX001' } });
    expect([taken.status, taken.body]).toEqual([400, { code: ['Un diagnóstico con este código ya existe.'] }]);

    const put = await call(diagnoses, { method: 'PUT', path: `${D}/${id}/edit/`, token: platform.token, json: { name: `Lumbalgia crónica ${tag}`, code: 'DX001' } });
    expect(put.status).toBe(200);
    expectKeys(put.body, diagnosisExample);
    expect(put.body.name).toBe(`Lumbalgia crónica ${tag}`);

    const patch = await call(diagnoses, { method: 'PATCH', path: `${D}/${id}/edit/`, token: platform.token, json: { name: `Lumbalgia aguda ${tag}` } });
    expect(patch.status).toBe(200);
    expect(patch.body).toMatchObject({ name: `Lumbalgia aguda ${tag}`, code: 'DX001' });

    const search = await call(diagnoses, { path: `${D}/search/`, token: user.token, query: { q: `lumbalgia aguda ${tag}` } });
    expect(search.status).toBe(200);
    expectKeys(search.body, { count: 1, next: null, previous: null, results: [] });
    expect(search.body.results.map((d: { id: number }) => d.id)).toEqual([id]);
    for (const d of search.body.results) expectKeys(d, diagnosisExample);

    const del = await call(diagnoses, { method: 'DELETE', path: `${D}/${id}/delete/`, token: platform.token });
    expect([del.status, del.body]).toEqual([200, { message: 'Diagnóstico eliminado' }]);
    const gone = await call(diagnoses, { method: 'DELETE', path: `${D}/${id}/delete/`, token: platform.token });
    expect([gone.status, gone.body]).toEqual([404, { error: 'Diagnóstico no encontrado' }]);
    expect((await call(diagnoses, { path: `${D}/` })).status).toBe(401);
    expect((await call(diagnoses, { method: 'POST', path: `${D}/create/`, token: platform.token, json: {} })).status).toBe(400);
  });

  it('patients: create (409 on a duplicate), list, PUT, PATCH, search, delete (204); 400, 401 and 404', async () => {
    const P = '/api/patients/patients';
    // The example's ubigeo 1 / 101 / 10101 is Amazonas / Chachapoyas / Chachapoyas in INEI codes.
    const created = await call(patients, { method: 'POST', path: `${P}/create/`, token: user.token, json: patientCreate });
    expect(created.status).toBe(201);
    expectKeys(created.body, patientExample);
    const id = created.body.id;

    const dup = await call(patients, { method: 'POST', path: `${P}/create/`, token: user.token, json: patientCreate });
    expect(dup.status).toBe(409);
    expect(dup.body).toEqual({ message: 'El paciente ya existe', data: { id, document_number: '87654321', name: 'María', email: 'maria.gonzalez@example.com' } });

    const list = await call(patients, { path: `${P}/`, token: user.token });
    expect(list.status).toBe(200);
    expectKeys(list.body, { count: 2, num_pages: 1, current_page: 1, results: [] });
    expectKeys(list.body.results[0], patientExample);

    const put = await call(patients, { method: 'PUT', path: `${P}/${id}/edit/`, token: user.token, json: { ...patientCreate, name: 'María Elena' } });
    expect(put.status).toBe(200);
    expectKeys(put.body, patientExample);
    expect(put.body.name).toBe('María Elena');

    const patch = await call(patients, { method: 'PATCH', path: `${P}/${id}/edit/`, token: user.token, json: { phone1: '999111222', address: 'Nueva Dirección 789' } });
    expect(patch.status).toBe(200);
    expect(patch.body).toMatchObject({ name: 'María Elena', phone1: '999111222', address: 'Nueva Dirección 789' });

    const search = await call(patients, { path: `${P}/search/`, token: user.token, query: { q: 'maria', page: 1 } });
    expect(search.status).toBe(200);
    expect(search.body).toMatchObject({ count: 1, num_pages: 1, current_page: 1 });
    expectKeys(search.body.results[0], patientExample);

    const del = await call(patients, { method: 'DELETE', path: `${P}/${id}/delete/`, token: user.token });
    expect(del.status).toBe(204);
    expect(del.raw.length).toBe(0);
    expect((await call(patients, { path: `${P}/${id}/`, token: user.token })).status).toBe(404);
    expect((await call(patients, { method: 'PATCH', path: `${P}/${id}/edit/`, token: user.token, json: { name: 'x' } })).status).toBe(404);

    const invalid = await call(patients, { method: 'POST', path: `${P}/create/`, token: user.token, json: {} });
    expect(invalid.status).toBe(400);
    for (const f of ['document_number', 'paternal_lastname', 'name', 'email', 'document_type_id', 'region_code', 'province_code', 'district_code', 'ocupation', 'health_condition']) {
      expect([f, invalid.body[f]]).toEqual([f, ['Este campo es requerido.']]);
    }
    const badNesting = await call(patients, { method: 'POST', path: `${P}/create/`, token: user.token, json: { ...patientCreate, document_number: '11112222', email: 'otra@example.com', district_code: 150122 } });
    expect(badNesting.body).toEqual({ district_code: ['El distrito no pertenece a la provincia indicada.'] });
    expect((await call(patients, { path: `${P}/` })).status).toBe(401);
  });

  it('medical records: create (400 when patient and clinic disagree), list, PUT, PATCH, detail, delete (204); 400 and 404', async () => {
    const M = '/api/patients/medical-records';
    const patient = (await call(patients, { method: 'POST', path: '/api/patients/patients/create/', token: user.token, json: { ...patientCreate, document_number: '55554444', email: 'mr@example.com' } })).body;
    const dx = (await insertDiagnosis()).id;
    const body = { patient_id: patient.id, diagnose_id: dx, diagnosis_date: '2025-09-25', notes: 'Control de seguimiento', symptoms: 'Dolor leve', treatment: 'Medicación antiinflamatoria', status: 'active' };

    const created = await call(medicalRecords, { method: 'POST', path: `${M}/create/`, token: user.token, json: body });
    expect(created.status).toBe(201);
    expectKeys(created.body, medicalRecordExample);
    const id = created.body.id;

    // The example's 400: a global administrator naming a clinic the patient is not in.
    const elsewhere = (await createTenant()).id;
    const root = await createUser({ superuser: true });
    const mismatch = await call(medicalRecords, { method: 'POST', path: `${M}/create/`, token: root.token, json: { ...body, diagnosis_date: '2025-09-26', reflexo_id: elsewhere } });
    expect([mismatch.status, mismatch.body]).toEqual([400, { non_field_errors: ['Paciente y diagnóstico pertenecen a diferentes empresas (tenant).'] }]);

    const list = await call(medicalRecords, { path: `${M}/`, token: user.token });
    expect(list.status).toBe(200);
    expectKeys(list.body, { count: 2, num_pages: 1, current_page: 1, results: [] });
    expectKeys(list.body.results[0], medicalRecordExample);

    const put = await call(medicalRecords, {
      method: 'PUT',
      path: `${M}/${id}/edit/`,
      token: user.token,
      json: { ...body, notes: 'Control de seguimiento actualizado', symptoms: 'Dolor leve persistente', treatment: 'Medicación antiinflamatoria y fisioterapia' },
    });
    expect(put.status).toBe(200);
    expectKeys(put.body, medicalRecordExample);

    const patch = await call(medicalRecords, { method: 'PATCH', path: `${M}/${id}/edit/`, token: user.token, json: { notes: 'Control finalizado', status: 'completed' } });
    expect(patch.status).toBe(200);
    expect(patch.body).toMatchObject({ notes: 'Control finalizado', status: 'completed', symptoms: 'Dolor leve persistente' });

    const detail = await call(medicalRecords, { path: `${M}/${id}/`, token: user.token });
    expect(detail.status).toBe(200);
    expectKeys(detail.body, medicalRecordExample);

    expect((await call(medicalRecords, { method: 'DELETE', path: `${M}/${id}/delete/`, token: user.token })).status).toBe(204);
    expect((await call(medicalRecords, { path: `${M}/${id}/`, token: user.token })).status).toBe(404);
    expect((await call(medicalRecords, { method: 'POST', path: `${M}/create/`, token: user.token, json: { notes: 'x' } })).status).toBe(400);
    expect((await call(medicalRecords, { path: `${M}/` })).status).toBe(401);
  });
});

describe('Module 6 — /api/configurations/', () => {
  it('histories: list, create (409 for a second one), detail, PUT, PATCH, delete (204); 400, 404', async () => {
    const H = '/api/configurations/histories';
    const juan = (await call(patients, { method: 'POST', path: '/api/patients/patients/create/', token: user.token, json: { ...patientCreate, name: 'Juan', paternal_lastname: 'Pérez', document_number: '12345678', email: 'juan.perez@example.com' } })).body;

    const created = await call(histories, { method: 'POST', path: `${H}/create/`, token: user.token, json: { patient: juan.id } });
    expect(created.status).toBe(201);
    expectKeys(created.body, { id: 3, reflexo_id: 1 });
    const id = created.body.id;
    const again = await call(histories, { method: 'POST', path: `${H}/create/`, token: user.token, json: { patient: juan.id } });
    expect([again.status, again.body]).toEqual([409, { error: 'Ya existe un historial activo para este paciente', existing_history_id: id }]);

    const list = await call(histories, { path: `${H}/`, token: user.token });
    expect(list.status).toBe(200);
    expectKeys(list.body, { histories: [] });
    expectKeys(list.body.histories[0], historySummaryExample);
    expect(list.body.histories).toContainEqual(expect.objectContaining({ id, patient: juan.id, patient_name: 'Juan Pérez' }));

    const edit = {
      testimony: true,
      private_observation: 'Observación interna del especialista',
      observation: 'Paciente refiere dolor lumbar leve',
      height: 1.68,
      weight: 62.5,
      last_weight: 61.0,
      menstruation: true,
      diu_type: 'Cobre',
      gestation: false,
    };
    const put = await call(histories, { method: 'PUT', path: `${H}/${id}/edit/`, token: user.token, json: edit });
    expect(put.status).toBe(200);
    expectKeys(put.body, historyExample);
    expect(put.body).toMatchObject(edit);

    const detail = await call(histories, { path: `${H}/${id}/`, token: user.token });
    expect(detail.status).toBe(200);
    expectKeys(detail.body, historyExample);
    expect(detail.body).toMatchObject({ ...edit, patient_name: 'Juan Pérez' });

    const patch = await call(histories, { method: 'PATCH', path: `${H}/${id}/edit/`, token: user.token, json: { private_observation: 'Revisión posterior sin novedades', observation: 'Control a los 7 días' } });
    expect(patch.status).toBe(200);
    expect(patch.body).toMatchObject({ private_observation: 'Revisión posterior sin novedades', observation: 'Control a los 7 días', height: 1.68 });

    expect((await call(histories, { method: 'DELETE', path: `${H}/${id}/delete/`, token: user.token })).status).toBe(204);
    expect((await call(histories, { path: `${H}/${id}/`, token: user.token })).status).toBe(404);
    expect((await call(histories, { method: 'POST', path: `${H}/create/`, token: user.token, json: {} })).body).toEqual({ patient: ['Este campo es requerido.'] });
    // The spec's 403 "the patient is not in your clinic": another clinic's patient does not exist for this caller (never a 403 that confirms it).
    const foreign = (await call(patients, { method: 'POST', path: '/api/patients/patients/create/', token: (await createUser({ reflexoId: (await createTenant()).id })).token, json: patientCreate })).body;
    expect((await call(histories, { method: 'POST', path: `${H}/create/`, token: user.token, json: { patient: foreign.id } })).body).toEqual({ patient: ['El paciente no existe o está inactivo.'] });
    expect((await call(histories, { path: `${H}/` })).status).toBe(401);
  });

  // Writes are platform staff's (the spec says "no auth"); the examples that rename row 1 are replayed on the row just created,
  // since row 1 is the DNI every clinic uses.
  it.each([
    ['document_types', documentTypes, 'Factura', 'Documento Nacional de Identidad', 'DNI Actualizado'],
    ['payment_types', paymentTypes, 'Yape', 'Pago en Efectivo', 'Efectivo Actualizado'],
  ] as [string, Handler, string, string, string][])('%s: public list and detail, create, PUT, PATCH, delete (204); 400, 404', async (table, handler, name, putName, patchName) => {
    const base = `/api/configurations/${table}`;
    const list = await call(handler, { path: `${base}/` });
    expect(list.status).toBe(200);
    expectKeys(list.body, { [table]: [] });
    expect(Object.keys(list.body[table][0]).sort()).toEqual(['id', 'name']);

    const created = await call(handler, { method: 'POST', path: `${base}/create/`, token: platform.token, json: { name } });
    expect([created.status, created.body]).toEqual([201, { id: expect.any(Number), name }]);
    const id = created.body.id;

    const detail = await call(handler, { path: `${base}/1/` });
    expect(detail.status).toBe(200);
    expectKeys(detail.body, { id: 1, name: '', ...stamps });

    const put = await call(handler, { method: 'PUT', path: `${base}/${id}/edit/`, token: platform.token, json: { name: putName } });
    expect([put.status, put.body.name]).toEqual([200, putName]);
    const patch = await call(handler, { method: 'PATCH', path: `${base}/${id}/edit/`, token: platform.token, json: { name: patchName } });
    expect([patch.status, patch.body.name]).toEqual([200, patchName]);

    expect((await call(handler, { method: 'DELETE', path: `${base}/${id}/delete/`, token: platform.token })).status).toBe(204);
    expect((await call(handler, { path: `${base}/${id}/` })).status).toBe(404);
    expect((await call(handler, { method: 'POST', path: `${base}/create/`, token: platform.token, json: {} })).body).toEqual({ name: ['Este campo es requerido.'] });
  });

  it('payment_statuses: public list and detail {id, name, description}, create, PUT, PATCH, delete (204); 400, 404', async () => {
    const base = '/api/configurations/payment_statuses';
    const list = await call(paymentStatuses, { path: `${base}/` });
    expect(list.status).toBe(200);
    expect(list.body.payment_statuses.length).toBeGreaterThan(0);
    for (const s of list.body.payment_statuses) expect(Object.keys(s).sort()).toEqual(['description', 'id', 'name']);

    const created = await call(paymentStatuses, { method: 'POST', path: `${base}/create/`, token: platform.token, json: { name: 'Reembolsado', description: 'Pago reembolsado al cliente' } });
    expect([created.status, created.body]).toEqual([201, { id: expect.any(Number), name: 'Reembolsado', description: 'Pago reembolsado al cliente' }]);
    const id = created.body.id;
    expect((await call(paymentStatuses, { path: `${base}/${id}/` })).body).toEqual(created.body);

    const put = await call(paymentStatuses, { method: 'PUT', path: `${base}/${id}/edit/`, token: platform.token, json: { name: 'Pendiente', description: 'Pago pendiente de confirmación y validación' } });
    expect([put.status, put.body]).toEqual([200, { id, name: 'Pendiente', description: 'Pago pendiente de confirmación y validación' }]);
    const patch = await call(paymentStatuses, { method: 'PATCH', path: `${base}/${id}/edit/`, token: platform.token, json: { description: 'Pago pendiente de confirmación actualizado' } });
    expect([patch.status, patch.body]).toEqual([200, { id, name: 'Pendiente', description: 'Pago pendiente de confirmación actualizado' }]);

    expect((await call(paymentStatuses, { method: 'DELETE', path: `${base}/${id}/delete/`, token: platform.token })).status).toBe(204);
    expect((await call(paymentStatuses, { path: `${base}/${id}/` })).status).toBe(404);
    expect((await call(paymentStatuses, { method: 'POST', path: `${base}/create/`, token: platform.token, json: {} })).body).toEqual({ name: ['Este campo es requerido.'] });
  });

  it('predetermined prices: list, create, detail ("300.00"), PUT, PATCH, delete (204); 400, 403 without a clinic, 404', async () => {
    const PP = '/api/configurations/predetermined_prices';
    const created = await call(prices, { method: 'POST', path: `${PP}/create/`, token: user.token, json: { name: 'Consulta de Emergencia', price: 300.0 } });
    expect([created.status, created.body]).toEqual([201, { id: expect.any(Number), reflexo_id: clinic }]);
    const id = created.body.id;

    const list = await call(prices, { path: `${PP}/`, token: user.token });
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ predetermined_prices: [{ id, name: 'Consulta de Emergencia', price: '300.00' }] });

    const detail = await call(prices, { path: `${PP}/${id}/`, token: user.token });
    expect(detail.status).toBe(200);
    expectKeys(detail.body, { id: 1, name: '', price: '150.00', reflexo_id: 1, ...stamps });
    expect(detail.body.price).toBe('300.00');

    const put = await call(prices, { method: 'PUT', path: `${PP}/${id}/edit/`, token: user.token, json: { name: 'Consulta General', price: 180.0 } });
    expect([put.status, put.body.name, put.body.price]).toEqual([200, 'Consulta General', '180.00']);
    const patch = await call(prices, { method: 'PATCH', path: `${PP}/${id}/edit/`, token: user.token, json: { price: 200.0 } });
    expect([patch.status, patch.body.price]).toEqual([200, '200.00']);

    expect((await call(prices, { method: 'DELETE', path: `${PP}/${id}/delete/`, token: user.token })).status).toBe(204);
    expect((await call(prices, { path: `${PP}/${id}/`, token: user.token })).status).toBe(404);
    expect((await call(prices, { method: 'POST', path: `${PP}/create/`, token: user.token, json: { name: 'Gratis', price: 0 } })).body).toEqual({ price: ['Asegúrese de que este valor es mayor que 0.'] });
    expect((await call(prices, { path: `${PP}/`, token: (await createUser()).token })).status).toBe(403);
    expect((await call(prices, { path: `${PP}/` })).status).toBe(401);
  });
});

describe('Module 7 — /api/locations/ (ids are INEI ubigeo codes)', () => {
  const get = (path: string, query?: Record<string, string>) => call(locations, { path, query, token: user.token });

  it('regions: list and detail; 401, 404', async () => {
    const list = await get('/api/locations/regions/');
    expect(list.status).toBe(200);
    for (const r of list.body) expectKeys(r, regionExample);
    // The example's `regions/1/` replays as is (1 is Amazonas here); Lima is 15.
    const one = await get('/api/locations/regions/1/');
    expect(one.status).toBe(200);
    expectKeys(one.body, regionExample);
    expect((await get('/api/locations/regions/15/')).body).toMatchObject({ name: 'Lima', ubigeo_code: 15 });
    expect((await get('/api/locations/regions/999/')).status).toBe(404);
    expect((await call(locations, { path: '/api/locations/regions/' })).status).toBe(401);
  });

  it('provinces: list, ?region=, detail; 404', async () => {
    const list = await get('/api/locations/provinces/');
    expect(list.status).toBe(200);
    expectKeys(list.body[0], provinceExample);
    const byRegion = await get('/api/locations/provinces/', { region: '1' });
    expect(byRegion.status).toBe(200);
    expect(byRegion.body.length).toBeGreaterThan(0);
    expect(byRegion.body.every((p: { region: number }) => p.region === 1)).toBe(true);
    // The example's province 1 "Lima" is 1501 here.
    const lima = await get('/api/locations/provinces/1501/');
    expectKeys(lima.body, provinceExample);
    expect(lima.body).toMatchObject({ name: 'Lima', ubigeo_code: 1501, sequence: 1, region: 15, region_name: 'Lima' });
    expect((await get('/api/locations/provinces/1/')).status).toBe(404);
  });

  it('districts: list, ?province=, detail; 404', async () => {
    const list = await get('/api/locations/districts/');
    expect(list.status).toBe(200);
    expectKeys(list.body[0], districtExample);
    // The example's province 1 is Lima (1501) here; its district "Miraflores" is 150122.
    const byProvince = await get('/api/locations/districts/', { province: '1501' });
    expect(byProvince.body.every((d: { province: number }) => d.province === 1501)).toBe(true);
    const miraflores = await get('/api/locations/districts/150122/');
    expectKeys(miraflores.body, districtExample);
    expect(miraflores.body).toMatchObject({ name: 'Miraflores', province: 1501, province_name: 'Lima', region_name: 'Lima' });
    expect((await get('/api/locations/districts/', { province: '1' })).body).toEqual([]);
    expect((await get('/api/locations/districts/1/')).status).toBe(404);
  });
});

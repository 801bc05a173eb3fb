import { handler } from '../../functions/reflexo/patients-patients';
import { createTenant, createUser, ownerKysely, tenantWithAdmin, type TestUser } from '../helpers/fixtures';
import { insertPatient, patientBody } from '../helpers/clinical-fixtures';
import { call } from '../helpers/http';

/* Module 3: /api/patients/patients/ from HTTP to the database. */
const P = '/api/patients/patients';
let tenantId: number;
let staff: TestUser;

beforeAll(async () => {
  ({ tenant: { id: tenantId } } = await tenantWithAdmin());
  staff = await createUser({ reflexoId: tenantId });
});

const post = (json: unknown, token = staff.token, path = `${P}/create/`) => call(handler, { method: 'POST', path, json, token });

const PATIENT_KEYS = [
  'address',
  'created_at',
  'document_number',
  'email',
  'id',
  'maternal_lastname',
  'name',
  'paternal_lastname',
  'phone1',
  'reflexo_id',
  'sex',
  'updated_at',
];

describe('create', () => {
  it('creates a patient in the caller\'s clinic with the spec\'s response fields, and audits it', async () => {
    const body = patientBody();
    const res = await post(body);
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(PATIENT_KEYS);
    expect(res.body).toMatchObject({ document_number: body.document_number, name: 'María', sex: 'F', reflexo_id: tenantId, email: body.email });
    const row = await ownerKysely().selectFrom('patients').selectAll().where('id', '=', res.body.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ region_id: 15, province_id: 1501, district_id: 150122, ocupation: 'Estudiante', estado_paciente: 'activo', deleted_at: null });
    const audit = await ownerKysely().selectFrom('audit_log').selectAll().where('entity', '=', 'patients').where('entity_id', '=', String(res.body.id)).execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'create', reflexo_id: tenantId, user_id: staff.id });
    expect(audit[0].changed_fields).toContain('email');
    expect(JSON.stringify(audit[0])).not.toContain(body.email);
  });

  it('accepts the *_id location fields and the DRF POST on the collection (without trailing slash)', async () => {
    const { region_code, province_code, district_code, ...rest } = patientBody();
    void region_code, province_code, district_code;
    const res = await post({ ...rest, region_id: 4, province_id: 401, district_id: 40101 }, staff.token, P);
    expect(res.status).toBe(201);
    const row = await ownerKysely().selectFrom('patients').select(['region_id', 'province_id', 'district_id']).where('id', '=', res.body.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ region_id: 4, province_id: 401, district_id: 40101 });
  });

  it('requires the spec\'s fields (DRF field map, Spanish)', async () => {
    const res = await post({});
    expect(res.status).toBe(400);
    for (const f of ['document_number', 'paternal_lastname', 'name', 'email', 'document_type_id', 'ocupation', 'health_condition']) {
      expect(res.body[f]).toEqual(['Este campo es requerido.']);
    }
  });

  it('requires a location and validates its nesting', async () => {
    const { region_code, ...noRegion } = patientBody();
    void region_code;
    expect((await post(noRegion)).body).toEqual({ region_code: ['Este campo es requerido.'] });
    const badProvince = await post(patientBody({ region_code: 4, province_code: 1501, district_code: 150122 }));
    expect(badProvince.status).toBe(400);
    expect(badProvince.body).toEqual({ province_code: ['La provincia no pertenece a la región indicada.'] });
    const badDistrict = await post(patientBody({ district_code: 40101 }));
    expect(badDistrict.body).toEqual({ district_code: ['El distrito no pertenece a la provincia indicada.'] });
    const unknown = await post(patientBody({ region_code: 99 }));
    expect(unknown.body.region_code).toEqual(['Clave primaria "99" inválida - objeto no existe.']);
    const clash = await post(patientBody({ region_id: 4 }));
    expect(clash.body).toEqual({ region_id: ['No coincide con region_code.'] });
  });

  it('rejects bad values without a 500', async () => {
    const res = await post(patientBody({ email: 'no-es-email', sex: 'X', document_type_id: 1.5, name: '  ' }));
    expect(res.status).toBe(400);
    expect(res.body.email).toEqual(['Introduzca una dirección de correo electrónico válida.']);
    expect(res.body.sex).toBeDefined();
    expect(res.body.document_type_id).toEqual(['Tipo incorrecto. Se esperaba el id, el nombre o el código del registro.']);
    expect(res.body.name).toEqual(['Este campo no puede estar en blanco.']);
    // A text is the type's name (issue 12): one no row has is DRF's "does not exist".
    expect((await post(patientBody({ document_type_id: 'abc' }))).body).toEqual({ document_type_id: ['Objeto con name=abc no existe.'] });
    expect((await post(patientBody({ region_code: 'quince' }))).body).toEqual({ region_code: ['Introduzca un número entero válido.'] });
    expect((await post(patientBody({ document_type_id: 999999 }))).body).toEqual({ document_type_id: ['Clave primaria "999999" inválida - objeto no existe.'] });
    expect((await post(patientBody({ document_number: 'x'.repeat(21) }))).status).toBe(400);
  });

  it('a duplicate document number or e-mail in the clinic → 409 naming the existing patient; another clinic may reuse them', async () => {
    const body = patientBody();
    const first = await post(body);
    const dupDoc = await post(patientBody({ document_number: body.document_number }));
    expect(dupDoc.status).toBe(409);
    expect(dupDoc.body).toEqual({ message: 'El paciente ya existe', data: { id: first.body.id, document_number: body.document_number, name: 'María', email: body.email } });
    const dupEmail = await post(patientBody({ email: body.email.toUpperCase() }));
    expect(dupEmail.status).toBe(409);
    expect(dupEmail.body.data.id).toBe(first.body.id);
    const other = await tenantWithAdmin();
    expect((await post(body, other.admin.token)).status).toBe(201);
  });

  it('a global administrator must name the clinic', async () => {
    const root = await createUser({ superuser: true });
    expect((await post(patientBody(), root.token)).body).toEqual({ reflexo_id: ['Un administrador global debe indicar reflexo_id.'] });
    const ok = await post(patientBody({ reflexo_id: tenantId }), root.token);
    expect(ok.status).toBe(201);
    expect(ok.body.reflexo_id).toBe(tenantId);
  });

  it('requires authentication; a user without a clinic cannot create', async () => {
    expect((await call(handler, { method: 'POST', path: `${P}/create/`, json: patientBody() })).status).toBe(401);
    const loose = await createUser();
    expect((await post(patientBody(), loose.token)).status).toBe(403);
  });
});

describe('list, search, detail', () => {
  let tenant: number;
  let token: string;
  beforeAll(async () => {
    tenant = (await createTenant()).id;
    token = (await createUser({ reflexoId: tenant })).token;
    await insertPatient(tenant, { name: 'María Elena', paternal_lastname: 'González', email: 'maria.elena@example.com' });
    await insertPatient(tenant, { name: 'Juan', paternal_lastname: 'Pérez', document_number: '12345678' });
    await insertPatient(tenant, { name: 'Marco', paternal_lastname: 'Ñahui' });
    await insertPatient(tenant, { name: 'Borrado', paternal_lastname: 'Mar', deleted_at: new Date() });
  });

  it('lists {count, num_pages, current_page, results}, newest first, paginated by per_page (or page_size)', async () => {
    const res = await call(handler, { path: `${P}/`, token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ count: 3, num_pages: 1, current_page: 1 });
    expect(res.body.results.map((p: any) => p.name)).toEqual(['Marco', 'Juan', 'María Elena']);
    expect(Object.keys(res.body.results[0]).sort()).toEqual(PATIENT_KEYS);
    const page2 = await call(handler, { path: P, token, query: { per_page: 2, page: 2 } });
    expect(page2.body).toMatchObject({ count: 3, num_pages: 2, current_page: 2 });
    expect(page2.body.results.map((p: any) => p.name)).toEqual(['María Elena']);
    const beyond = await call(handler, { path: P, token, query: { page: 9 } });
    expect(beyond.body).toMatchObject({ count: 3, results: [] });
    expect((await call(handler, { path: P, token, query: { per_page: 0 } })).status).toBe(400);
    // page_size, the spec's other lists' name, pages the same way; per_page wins when both are sent.
    const sized = await call(handler, { path: P, token, query: { page_size: 2 } });
    expect(sized.body).toMatchObject({ count: 3, num_pages: 2, current_page: 1 });
    expect(sized.body.results.map((p: any) => p.name)).toEqual(['Marco', 'Juan']);
    expect((await call(handler, { path: P, token, query: { page_size: 2, per_page: 1 } })).body).toMatchObject({ num_pages: 3 });
    expect((await call(handler, { path: P, token, query: { page_size: 'x' } })).body).toEqual({ page_size: ['Debe ser un número entero positivo.'] });
  });

  it('search/?q= matches names, surnames, document and e-mail, accent- and case-insensitively', async () => {
    const names = async (q: string) => (await call(handler, { path: `${P}/search/`, token, query: { q } })).body.results.map((p: any) => p.name).sort();
    expect(await names('maria')).toEqual(['María Elena']);
    expect(await names('MAR')).toEqual(['Marco', 'María Elena']);
    expect(await names('nahui')).toEqual(['Marco']);
    expect(await names('345678')).toEqual(['Juan']);
    expect(await names('maria.elena@')).toEqual(['María Elena']);
    expect(await names('juan perez')).toEqual(['Juan']);
    expect(await names('%')).toEqual([]);
    const res = await call(handler, { path: `${P}/search`, token, query: { q: 'mar', per_page: 1 } });
    expect(res.body).toMatchObject({ count: 2, num_pages: 2, current_page: 1 });
    expect((await call(handler, { path: `${P}/search/`, token })).body).toEqual({ q: ['Este campo es requerido.'] });
  });

  it('detail GET <id>/ with the edit-form fields (catalog rows as objects and as ids); unknown or soft-deleted → 404', async () => {
    const p = await insertPatient(tenant, { phone2: '011234567', birth_date: '1990-05-15' });
    const res = await call(handler, { path: `${P}/${p.id}/`, token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: p.id,
      phone2: '011234567',
      birth_date: '1990-05-15',
      document_type_id: 1,
      document_type: { id: 1, name: expect.any(String) },
      region: { id: 15, name: 'Lima' },
      province: { id: 1501, name: 'Lima' },
      district: { id: 150122, name: 'Miraflores' },
      region_id: 15,
      province_id: 1501,
      district_id: 150122,
      region_code: 15,
      province_code: 1501,
      district_code: 150122,
      ocupation: 'Docente',
      health_condition: 'Sano',
    });
    // The v1 fields stay v1's.
    expect(res.body).not.toHaveProperty('estado_paciente');
    expect((await call(handler, { path: `${P}/999999999/`, token })).status).toBe(404);
    const gone = await insertPatient(tenant, { deleted_at: new Date() });
    expect((await call(handler, { path: `${P}/${gone.id}/`, token })).body).toEqual({ detail: 'Paciente no encontrado.' });
    expect((await call(handler, { path: `${P}/abc/`, token })).status).toBe(404);
  });
});

describe('edit and delete', () => {
  it('PUT replaces, PATCH changes only what is sent; both dialects', async () => {
    const created = (await post(patientBody())).body;
    const put = await call(handler, { method: 'PUT', path: `${P}/${created.id}/edit/`, token: staff.token, json: patientBody({ name: 'María Elena', document_number: created.document_number, email: created.email }) });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id: created.id, name: 'María Elena' });
    const patch = await call(handler, { method: 'PATCH', path: `${P}/${created.id}`, token: staff.token, json: { phone1: '999111222', address: 'Nueva Dirección 789' } });
    expect(patch.status).toBe(200);
    expect(patch.body).toMatchObject({ name: 'María Elena', phone1: '999111222', address: 'Nueva Dirección 789' });
    expect(new Date(patch.body.updated_at).getTime()).toBeGreaterThanOrEqual(new Date(created.updated_at).getTime());
    const drfPut = await call(handler, { method: 'PUT', path: `${P}/${created.id}/`, token: staff.token, json: { name: 'Sin resto' } });
    expect(drfPut.status).toBe(400);
    const audit = await ownerKysely().selectFrom('audit_log').select(['action', 'changed_fields']).where('entity', '=', 'patients').where('entity_id', '=', String(created.id)).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['create', 'update', 'update']);
    expect(audit[2].changed_fields.sort()).toEqual(['address', 'phone1']);
  });

  it('PATCH of a location re-checks nesting against the stored levels', async () => {
    const created = (await post(patientBody())).body;
    const bad = await call(handler, { method: 'PATCH', path: `${P}/${created.id}/edit/`, token: staff.token, json: { district_code: 40101 } });
    expect(bad.body).toEqual({ district_code: ['El distrito no pertenece a la provincia indicada.'] });
    const ok = await call(handler, { method: 'PATCH', path: `${P}/${created.id}/edit/`, token: staff.token, json: { district_code: 150101 } });
    expect(ok.status).toBe(200);
  });

  it('editing into another patient\'s document → 409', async () => {
    const a = (await post(patientBody())).body;
    const b = (await post(patientBody())).body;
    const res = await call(handler, { method: 'PATCH', path: `${P}/${b.id}/edit/`, token: staff.token, json: { document_number: a.document_number } });
    expect(res.status).toBe(409);
    expect(res.body.data.id).toBe(a.id);
  });

  it('DELETE is soft by default (204, hidden, row kept); ?hard=true removes the row; the DRF form too', async () => {
    const a = (await post(patientBody())).body;
    const del = await call(handler, { method: 'DELETE', path: `${P}/${a.id}/delete/`, token: staff.token });
    expect(del.status).toBe(204);
    expect(del.raw.length).toBe(0);
    const row = await ownerKysely().selectFrom('patients').select('deleted_at').where('id', '=', a.id).executeTakeFirstOrThrow();
    expect(row.deleted_at).not.toBeNull();
    expect((await call(handler, { path: `${P}/${a.id}/`, token: staff.token })).status).toBe(404);
    expect((await call(handler, { method: 'DELETE', path: `${P}/${a.id}/delete/`, token: staff.token })).status).toBe(404);
    // The document number is free again once the holder is deleted.
    expect((await post(patientBody({ document_number: a.document_number, email: a.email }))).status).toBe(201);

    const b = (await post(patientBody())).body;
    expect((await call(handler, { method: 'DELETE', path: `${P}/${b.id}/`, token: staff.token, query: { hard: 'true' } })).status).toBe(204);
    expect(await ownerKysely().selectFrom('patients').select('id').where('id', '=', b.id).executeTakeFirst()).toBeUndefined();
    const audit = await ownerKysely().selectFrom('audit_log').select('action').where('entity', '=', 'patients').where('entity_id', '=', String(b.id)).orderBy('id').execute();
    expect(audit.map((x) => x.action)).toEqual(['create', 'hard_delete']);
  });
});

describe('an edit form round-trips', () => {
  const row = (id: number) => ownerKysely().selectFrom('patients').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('a PUT built from the GET of the same patient succeeds and changes nothing (either dialect)', async () => {
    const created = (await post(patientBody({ birth_date: '1988-02-29', phone2: '014445566', maternal_lastname: null, address: null }))).body;
    for (const path of [`${P}/${created.id}/edit/`, `${P}/${created.id}/`]) {
      const before = await row(created.id);
      const detail = (await call(handler, { path: `${P}/${created.id}/`, token: staff.token })).body;
      const put = await call(handler, { method: 'PUT', path, token: staff.token, json: detail });
      expect(put.status).toBe(200);
      const after = await row(created.id);
      expect({ ...after, updated_at: null }).toEqual({ ...before, updated_at: null });
      const again = (await call(handler, { path: `${P}/${created.id}/`, token: staff.token })).body;
      expect({ ...again, updated_at: null }).toEqual({ ...detail, updated_at: null });
    }
    expect((await row(created.id)).birth_date).toBe('1988-02-29');
  });

  it('the detail\'s objects alone are enough to write the location and the document type', async () => {
    const created = (await post(patientBody())).body;
    const { region_code, province_code, district_code, document_type_id, ...rest } = patientBody({ document_number: created.document_number, email: created.email });
    void region_code, province_code, district_code, document_type_id;
    const put = await call(handler, {
      method: 'PUT',
      path: `${P}/${created.id}/edit/`,
      token: staff.token,
      json: { ...rest, document_type: { id: 3, name: 'Pasaporte' }, region: { id: 4, name: 'Arequipa' }, province: { id: 401 }, district: { id: 40101 } },
    });
    expect(put.status).toBe(200);
    expect(await row(created.id)).toMatchObject({ document_type_id: 3, region_id: 4, province_id: 401, district_id: 40101 });
    const clash = await call(handler, { method: 'PATCH', path: `${P}/${created.id}/edit/`, token: staff.token, json: { region_id: 15, region: { id: 4 } } });
    expect(clash.body).toEqual({ region: ['No coincide con region_id.'] });
  });
});

describe('the document type by id or by name', () => {
  const typeOf = async (id: number) => (await ownerKysely().selectFrom('patients').select('document_type_id').where('id', '=', id).executeTakeFirstOrThrow()).document_type_id;
  const codeId = async (code: string) => (await ownerKysely().selectFrom('document_types').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id as number;

  it('accepts the id, or the row\'s name or code in any case, in document_type_id or document_type', async () => {
    const byName = await post({ ...patientBody(), document_type_id: undefined, document_type: 'dni' });
    expect(byName.status).toBe(201);
    expect(await typeOf(byName.body.id)).toBe(await codeId('DNI'));
    const byCode = await post(patientBody({ document_type_id: 'passport' }));
    expect(byCode.status).toBe(201);
    expect(await typeOf(byCode.body.id)).toBe(await codeId('PASSPORT'));
    const patch = await call(handler, { method: 'PATCH', path: `${P}/${byName.body.id}/edit/`, token: staff.token, json: { document_type: 'RUC' } });
    expect(patch.status).toBe(200);
    expect(await typeOf(byName.body.id)).toBe(await codeId('RUC'));
    const same = await call(handler, { method: 'PATCH', path: `${P}/${byName.body.id}/edit/`, token: staff.token, json: { document_type_id: await codeId('DNI'), document_type: 'DNI' } });
    expect(same.status).toBe(200);
  });

  it('an unknown name or id → 400 with DRF\'s field message on the field sent; nothing written', async () => {
    const count = async () => (await ownerKysely().selectFrom('patients').select('id').where('reflexo_id', '=', tenantId).execute()).length;
    const before = await count();
    const unknownName = await post(patientBody({ document_type_id: undefined, document_type: 'Libreta Militar' }));
    expect(unknownName.status).toBe(400);
    expect(unknownName.body).toEqual({ document_type: ['Objeto con name=Libreta Militar no existe.'] });
    expect((await post(patientBody({ document_type_id: 'Libreta Militar' }))).body).toEqual({ document_type_id: ['Objeto con name=Libreta Militar no existe.'] });
    expect((await post(patientBody({ document_type_id: 999999 }))).body).toEqual({ document_type_id: ['Clave primaria "999999" inválida - objeto no existe.'] });
    expect((await post(patientBody({ document_type_id: '999999' }))).body).toEqual({ document_type_id: ['Clave primaria "999999" inválida - objeto no existe.'] });
    const clash = await post(patientBody({ document_type_id: 1, document_type: 'passport' }));
    expect(clash.body).toEqual({ document_type: ['No coincide con document_type_id.'] });
    const missing = await post(patientBody({ document_type_id: undefined }));
    expect(missing.body).toEqual({ document_type_id: ['Este campo es requerido.'] });
    expect(await count()).toBe(before);
  });
});

describe('two clinics', () => {
  it('clinic B cannot list, search, read, edit or delete clinic A\'s patients; A\'s rows stay unchanged', async () => {
    const a = await tenantWithAdmin();
    const b = await tenantWithAdmin();
    const pa = await insertPatient(a.tenant.id, { name: 'Secreto', paternal_lastname: 'Aislado' });
    const tokenB = b.admin.token;
    expect((await call(handler, { path: P, token: tokenB })).body.count).toBe(0);
    expect((await call(handler, { path: `${P}/search/`, token: tokenB, query: { q: 'Secreto' } })).body.count).toBe(0);
    expect((await call(handler, { path: `${P}/${pa.id}/`, token: tokenB })).status).toBe(404);
    expect((await call(handler, { method: 'PUT', path: `${P}/${pa.id}/edit/`, token: tokenB, json: patientBody() })).status).toBe(404);
    expect((await call(handler, { method: 'PATCH', path: `${P}/${pa.id}/edit/`, token: tokenB, json: { name: 'Hackeado' } })).status).toBe(404);
    expect((await call(handler, { method: 'DELETE', path: `${P}/${pa.id}/delete/`, token: tokenB, query: { hard: 'true' } })).status).toBe(404);
    const row = await ownerKysely().selectFrom('patients').selectAll().where('id', '=', pa.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ name: 'Secreto', deleted_at: null });
    // A names its own patient; a global administrator sees both clinics.
    expect((await call(handler, { path: `${P}/search/`, token: a.admin.token, query: { q: 'Secreto' } })).body.count).toBe(1);
    const root = await createUser({ superuser: true });
    expect((await call(handler, { path: `${P}/${pa.id}/`, token: root.token })).status).toBe(200);
  });
});

import { handler } from '../../functions/v1/segments';
import { createSegment, patientSegmentCounts } from '../../lib/domain/segments';
import { withTenant } from '../../lib/db/tenant';
import { actorOf, createAppointment } from '../helpers/crm-fixtures';
import { createUser, ownerKysely, tenantWithAdmin, uniq, type TestUser } from '../helpers/fixtures';
import { call } from '../helpers/http';
import { createPatient, createTherapist, limaDate } from '../helpers/scheduling-fixtures';

/*
 * v1 segments: every rule field and operator evaluated by PostgreSQL against patients whose visits
 * and attributes are known, manual members, the live total, validation (422 naming the rule), and
 * two-clinic isolation.
 */
let admin: TestUser;
let tenantId: number;
let other: { admin: TestUser; tenantId: number };
let a: number, b: number, c: number, gone: number;
let d1: number, d2: number;

const ageOn = (today: string, birth: string) => Number(today.slice(0, 4)) - Number(birth.slice(0, 4)) - (today.slice(5) < birth.slice(5) ? 1 : 0);
const yearsAgo = (date: string, years: number) => `${Number(date.slice(0, 4)) - years}${date.slice(4)}`;
const aBirth = () => yearsAgo(limaDate(-1), 30);
// Six months away from a's birthday month, so the month rules tell them apart.
const bBirth = `1960-${String(((Number(aBirth().slice(5, 7)) + 5) % 12) + 1).padStart(2, '0')}-15`;

beforeAll(async () => {
  const t = await tenantWithAdmin();
  admin = t.admin;
  tenantId = t.tenant.id;
  const o = await tenantWithAdmin();
  other = { admin: o.admin, tenantId: o.tenant.id };
  d1 = (await createTherapist(tenantId)).id;
  d2 = (await createTherapist(tenantId)).id;
  a = (await createPatient(tenantId, { estado_paciente: 'activo', fuente_captacion: 'Facebook', aseguradora: 'AUNA', linea_negocio: 'Ortodoncia', sex: 'F', birth_date: aBirth(), email: `${uniq('a')}@x.pe` })).id;
  b = (await createPatient(tenantId, { estado_paciente: 'inactivo', fuente_captacion: 'Google', aseguradora: null, sex: 'M', birth_date: bBirth })).id;
  c = (await createPatient(tenantId, { estado_paciente: 'activo', fuente_captacion: 'facebook ', aseguradora: 'Rímac' })).id;
  gone = (await createPatient(tenantId, { estado_paciente: 'activo', fuente_captacion: 'Facebook', deleted_at: new Date() })).id;
  await createAppointment(tenantId, a, d1, limaDate(-10), '10:00:00', 'completed');
  await createAppointment(tenantId, a, d1, limaDate(3), '10:00:00', 'pending');
  await createAppointment(tenantId, b, d2, limaDate(-100), '09:00:00', 'pending');
  await createAppointment(tenantId, c, d2, limaDate(-2), '11:00:00', 'cancelled', { cancelled_at: new Date() });
});

const create = (json: unknown, token = admin.token) => call(handler, { method: 'POST', path: '/api/v1/segments', token, json });

async function members(reglas: unknown[]): Promise<number[]> {
  const res = await create({ nombre: uniq('Seg '), reglas });
  expect(res.status).toBe(201);
  const list = await call(handler, { path: `/api/v1/segments/${res.body.id}/patients`, token: admin.token });
  expect(list.status).toBe(200);
  expect(Number(list.headers['x-total-count'])).toBe(res.body.total);
  return list.body.map((p: { id: number }) => p.id).sort((x: number, y: number) => x - y);
}
const ids = (...xs: number[]) => xs.sort((x, y) => x - y);

describe('rules, evaluated by PostgreSQL', () => {
  it.each([
    ['estado_paciente igual (case and spaces aside)', [{ campo: 'estado_paciente', operador: 'igual', valor: ' ACTIVO' }], () => ids(a, c)],
    ['estado_paciente distinto', [{ campo: 'estado_paciente', operador: 'distinto', valor: 'activo' }], () => ids(b)],
    ['fuente_captacion en', [{ campo: 'fuente_captacion', operador: 'en', valor: ['facebook', 'Instagram'] }], () => ids(a, c)],
    ['fuente_captacion no_en', [{ campo: 'fuente_captacion', operador: 'no_en', valor: ['Facebook'] }], () => ids(b)],
    ['aseguradora vacio', [{ campo: 'aseguradora', operador: 'vacio' }], () => ids(b)],
    ['aseguradora no_vacio', [{ campo: 'aseguradora', operador: 'no_vacio' }], () => ids(a, c)],
    ['aseguradora distinto (a patient without one is not AUNA)', [{ campo: 'aseguradora', operador: 'distinto', valor: 'auna' }], () => ids(b, c)],
    ['linea_negocio igual', [{ campo: 'linea_negocio', operador: 'igual', valor: 'Ortodoncia' }], () => ids(a)],
    ['genero igual (lower case accepted)', [{ campo: 'genero', operador: 'igual', valor: 'f' }], () => ids(a)],
    ['genero vacio', [{ campo: 'genero', operador: 'vacio' }], () => ids(c)],
    ['edad igual (on the clinic’s calendar)', [{ campo: 'edad', operador: 'igual', valor: 30 }], () => ids(a)],
    ['edad entre', [{ campo: 'edad', operador: 'entre', valor: [30, 150] }], () => ids(a, b)],
    ['edad mayor_o_igual', [{ campo: 'edad', operador: 'mayor_o_igual', valor: 31 }], () => ids(b)],
    ['edad menor_o_igual (no birth date: no age)', [{ campo: 'edad', operador: 'menor_o_igual', valor: 30 }], () => ids(a)],
    ['mes_cumpleanos igual', [{ campo: 'mes_cumpleanos', operador: 'igual', valor: Number(aBirth().slice(5, 7)) }], () => ids(a)],
    ['mes_cumpleanos en', [{ campo: 'mes_cumpleanos', operador: 'en', valor: [Number(aBirth().slice(5, 7)), Number(bBirth.slice(5, 7))] }], () => ids(a, b)],
    ['ultima_visita antes_de', [{ campo: 'ultima_visita', operador: 'antes_de', valor: limaDate(-50) }], () => ids(b)],
    ['ultima_visita despues_de', [{ campo: 'ultima_visita', operador: 'despues_de', valor: limaDate(-50) }], () => ids(a)],
    ['ultima_visita entre (a cancelled appointment is no visit)', [{ campo: 'ultima_visita', operador: 'entre', valor: [limaDate(-200), limaDate(0)] }], () => ids(a, b)],
    ['dias_sin_visita (never came counts)', [{ campo: 'dias_sin_visita', operador: 'mayor_o_igual', valor: 30 }], () => ids(b, c)],
    ['dias_sin_visita, the visit inside the window', [{ campo: 'dias_sin_visita', operador: 'mayor_o_igual', valor: 11 }], () => ids(b, c)],
    ['dias_sin_visita, the visit just outside the window', [{ campo: 'dias_sin_visita', operador: 'mayor_o_igual', valor: 10 }], () => ids(a, b, c)],
    ['cita_proxima igual true', [{ campo: 'cita_proxima', operador: 'igual', valor: true }], () => ids(a)],
    ['cita_proxima igual false', [{ campo: 'cita_proxima', operador: 'igual', valor: false }], () => ids(b, c)],
    ['doctor_id igual (seen by)', [{ campo: 'doctor_id', operador: 'igual', valor: 'd2' }], () => ids(b)],
    ['doctor_id en', [{ campo: 'doctor_id', operador: 'en', valor: ['d1', 'd2'] }], () => ids(a, b)],
    ['rules combine with AND', [{ campo: 'estado_paciente', operador: 'igual', valor: 'activo' }, { campo: 'cita_proxima', operador: 'igual', valor: false }], () => ids(c)],
    ['no rules: every live patient (a deleted one never)', [], () => ids(a, b, c)],
  ])('%s', async (_name, rules, expected) => {
    const withDoctors = (rules as { valor?: unknown }[]).map((r) => ({ ...r, valor: r.valor === 'd1' ? d1 : r.valor === 'd2' ? d2 : Array.isArray(r.valor) ? r.valor.map((v) => (v === 'd1' ? d1 : v === 'd2' ? d2 : v)) : r.valor }));
    const got = await members(withDoctors);
    expect(got).toEqual(expected());
    expect(got).not.toContain(gone);
  });

  it('the ages used above are what the calendar says', () => {
    expect(ageOn(limaDate(0), aBirth())).toBe(30);
    expect(ageOn(limaDate(0), bBirth)).toBeGreaterThan(31);
  });
});

describe('validation', () => {
  it.each([
    [{ campo: 'color', operador: 'igual', valor: 'x' }, 'campo', 'literal_error'],
    [{ campo: 'estado_paciente', operador: 'mayor', valor: 'x' }, 'operador', 'literal_error'],
    [{ campo: 'edad', operador: 'igual', valor: 'treinta' }, 'valor', 'value_error'],
    [{ campo: 'edad', operador: 'entre', valor: [50, 20] }, 'valor', 'value_error'],
    [{ campo: 'ultima_visita', operador: 'antes_de', valor: '2024-02-30' }, 'valor', 'value_error'],
    [{ campo: 'fuente_captacion', operador: 'en', valor: [] }, 'valor', 'value_error'],
    [{ campo: 'cita_proxima', operador: 'igual', valor: 'si' }, 'valor', 'value_error'],
    [{ campo: 'genero', operador: 'igual', valor: 'X' }, 'valor', 'value_error'],
  ])('422 naming the rule: %j', async (rule, at, type) => {
    const res = await create({ nombre: uniq('Bad '), reglas: [{ campo: 'estado_paciente', operador: 'igual', valor: 'activo' }, rule] });
    expect(res.status).toBe(422);
    expect(res.body.detail).toEqual([expect.objectContaining({ loc: ['body', 'reglas', 1, at], type })]);
    expect(await ownerKysely().selectFrom('segments').select('id').where('reflexo_id', '=', tenantId).where('name', 'like', 'Bad %').execute()).toEqual([]);
  });

  it('a doctor of another clinic is an unknown doctor (422); a manual segment takes no rules; names are unique per clinic (409)', async () => {
    const theirs = (await createTherapist(other.tenantId)).id;
    const res = await create({ nombre: uniq('Doc '), reglas: [{ campo: 'doctor_id', operador: 'en', valor: [d1, theirs] }] });
    expect(res.status).toBe(422);
    expect(res.body.detail[0].loc).toEqual(['body', 'reglas', 0, 'valor']);
    expect(res.body.detail[0].msg).toContain(String(theirs));
    expect((await create({ nombre: uniq('M '), tipo: 'manual', reglas: [{ campo: 'edad', operador: 'igual', valor: 3 }] })).status).toBe(422);
    const name = uniq('Único ');
    expect((await create({ nombre: name })).status).toBe(201);
    const again = await create({ nombre: ` ${name.toUpperCase()} ` });
    expect(again.status).toBe(409);
    expect(again.body.detail).toContain('nombre');
    // Another clinic may use the same name.
    expect((await create({ nombre: name }, other.admin.token)).status).toBe(201);
    expect((await create({ nombre: '' })).status).toBe(422);
    expect((await create({ nombre: 'x', reglas: 'no' })).status).toBe(422);
  });
});

describe('CRUD, members and the live total', () => {
  it('creates, shows and lists segments with their totals, as a paginated v1 list', async () => {
    const res = await create({ nombre: uniq('Activos '), descripcion: 'Pacientes activos', reglas: [{ campo: 'estado_paciente', operador: 'igual', valor: 'activo' }] });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ descripcion: 'Pacientes activos', tipo: 'dinamico', reglas: [{ campo: 'estado_paciente', operador: 'igual', valor: 'activo' }], total: 2, miembros_manuales: 0 });
    expect(res.body.created_at).toMatch(/Z$/);
    const one = await call(handler, { path: `/api/v1/segments/${res.body.id}`, token: admin.token });
    expect(one.body).toEqual(res.body);
    // The total is live: a new active patient counts at once.
    const late = (await createPatient(tenantId, { estado_paciente: 'activo' })).id;
    expect((await call(handler, { path: `/api/v1/segments/${res.body.id}`, token: admin.token })).body.total).toBe(3);
    await ownerKysely().updateTable('patients').set({ deleted_at: new Date() }).where('id', '=', late).execute();
    const list = await call(handler, { path: '/api/v1/segments', query: { size: 2 }, token: admin.token });
    expect(list.status).toBe(200);
    expect(list.body).toHaveLength(2);
    expect(list.body[0].id).toBe(res.body.id); // newest first
    expect(list.body[0].total).toBe(2);
    expect(Number(list.headers['x-total-count'])).toBeGreaterThan(2);
    expect(list.headers.link).toContain('rel="next"');
    expect((await call(handler, { path: '/api/v1/segments/abc', token: admin.token })).status).toBe(422);
    expect((await call(handler, { path: '/api/v1/segments/999999999', token: admin.token })).status).toBe(404);
    expect((await call(handler, { path: '/api/v1/segments' })).status).toBe(401);
  });

  it('the patients list is paginated, in name order, with the v1 patient fields', async () => {
    const seg = (await create({ nombre: uniq('Todos ') })).body;
    const page2 = await call(handler, { path: `/api/v1/segments/${seg.id}/patients`, query: { page: 2, size: 1 }, token: admin.token });
    expect(page2.status).toBe(200);
    expect(page2.body).toHaveLength(1);
    expect(page2.headers['x-total-count']).toBe('3');
    expect(page2.headers.link).toContain('rel="prev"');
    const all = await call(handler, { path: `/api/v1/segments/${seg.id}/patients`, token: admin.token });
    const pa = all.body.find((p: { id: number }) => p.id === a);
    expect(pa).toMatchObject({ apellidos: 'Pérez Ramos', estado_paciente: 'activo', fuente_captacion: 'Facebook', aseguradora: 'AUNA', genero: 'F', fecha_nacimiento: aBirth(), origen: 'reglas' });
    expect(pa.dni).toMatch(/^\d+$/);
    const past = await call(handler, { path: `/api/v1/segments/${seg.id}/patients`, query: { page: 9 }, token: admin.token });
    expect(past.body).toEqual([]);
    expect(past.headers['x-total-count']).toBe('3');
  });

  it('adds patients by hand, takes rule-matched ones out by hand, and a manual segment has only its additions', async () => {
    const seg = (await create({ nombre: uniq('Mix '), reglas: [{ campo: 'estado_paciente', operador: 'igual', valor: 'activo' }] })).body;
    const path = `/api/v1/segments/${seg.id}/patients`;
    const add = await call(handler, { method: 'POST', path, token: admin.token, json: { agregar: [b, b] } });
    expect(add.status).toBe(200);
    expect(add.body).toEqual({ segmento_id: seg.id, agregados: 1, quitados: 0, total: 3 });
    const out = await call(handler, { method: 'POST', path, token: admin.token, json: { quitar: [c] } });
    expect(out.body).toEqual({ segmento_id: seg.id, agregados: 0, quitados: 1, total: 2 });
    const list = await call(handler, { path, token: admin.token });
    expect(list.body.map((p: { id: number; origen: string }) => [p.id, p.origen]).sort()).toEqual([[a, 'reglas'], [b, 'manual']].sort());
    // Adding c back by hand undoes the exclusion.
    expect((await call(handler, { method: 'POST', path, token: admin.token, json: { agregar: [c] } })).body.total).toBe(3);
    expect((await call(handler, { path: `/api/v1/segments/${seg.id}`, token: admin.token })).body.miembros_manuales).toBe(2);

    const theirs = (await createPatient(other.tenantId)).id;
    const bad = await call(handler, { method: 'POST', path, token: admin.token, json: { agregar: [a, theirs] } });
    expect(bad.status).toBe(422);
    expect(bad.body.detail).toEqual([expect.objectContaining({ loc: ['body', 'agregar', 1], input: theirs })]);
    expect((await call(handler, { method: 'POST', path, token: admin.token, json: { agregar: [a], quitar: [a] } })).status).toBe(422);
    expect((await call(handler, { method: 'POST', path, token: admin.token, json: {} })).status).toBe(422);
    expect(await ownerKysely().selectFrom('segment_members').select('patient_id').where('segment_id', '=', seg.id).where('patient_id', '=', theirs).execute()).toEqual([]);

    const manual = (await create({ nombre: uniq('Lista '), tipo: 'manual' })).body;
    expect(manual.total).toBe(0);
    const r = await call(handler, { method: 'POST', path: `/api/v1/segments/${manual.id}/patients`, token: admin.token, json: { agregar: [a, c] } });
    expect(r.body.total).toBe(2);
  });

  it('PUT changes only the fields sent; DELETE answers 204, and refuses while a campaign not yet sent uses it', async () => {
    const seg = (await create({ nombre: uniq('Edit '), descripcion: 'uno', reglas: [{ campo: 'genero', operador: 'igual', valor: 'M' }] })).body;
    const put = await call(handler, { method: 'PUT', path: `/api/v1/segments/${seg.id}`, token: admin.token, json: { descripcion: 'dos' } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ nombre: seg.nombre, descripcion: 'dos', reglas: seg.reglas, total: 1 });
    const rules = await call(handler, { method: 'PUT', path: `/api/v1/segments/${seg.id}`, token: admin.token, json: { reglas: [{ campo: 'genero', operador: 'vacio' }] } });
    expect(rules.body).toMatchObject({ descripcion: 'dos', reglas: [{ campo: 'genero', operador: 'vacio' }], total: 1 });
    expect((await call(handler, { method: 'PUT', path: `/api/v1/segments/${seg.id}`, token: admin.token, json: { reglas: [{ campo: 'x', operador: 'y' }] } })).status).toBe(422);

    const campaign = await ownerKysely()
      .insertInto('campaigns')
      .values({ reflexo_id: tenantId, name: 'Usa el segmento', subject: 's', content_html: '<p>x</p>', content_text: 'x', segment_id: seg.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    const refused = await call(handler, { method: 'DELETE', path: `/api/v1/segments/${seg.id}`, token: admin.token });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain('Usa el segmento');
    await ownerKysely().updateTable('campaigns').set({ status: 'enviada' }).where('id', '=', campaign.id).execute();
    expect((await call(handler, { method: 'DELETE', path: `/api/v1/segments/${seg.id}`, token: admin.token })).status).toBe(204);
    expect((await call(handler, { path: `/api/v1/segments/${seg.id}`, token: admin.token })).status).toBe(404);
    // The sent campaign stays, without a segment.
    expect((await ownerKysely().selectFrom('campaigns').select('segment_id').where('id', '=', campaign.id).executeTakeFirstOrThrow()).segment_id).toBeNull();
  });
});

describe('two clinics', () => {
  it('another clinic’s segment is a 404 on every route and stays as it was; lists show only the caller’s segments', async () => {
    const mine = (await create({ nombre: uniq('Mío '), reglas: [{ campo: 'estado_paciente', operador: 'igual', valor: 'activo' }] })).body;
    const before = await ownerKysely().selectFrom('segments').selectAll().where('id', '=', mine.id).executeTakeFirstOrThrow();
    const t = other.admin.token;
    const base = `/api/v1/segments/${mine.id}`;
    const theirPatient = (await createPatient(other.tenantId)).id;
    for (const req of [
      { path: base },
      { method: 'PUT', path: base, json: { nombre: 'Robado' } },
      { method: 'DELETE', path: base },
      { path: `${base}/patients` },
      { method: 'POST', path: `${base}/patients`, json: { agregar: [theirPatient] } },
    ]) {
      const res = await call(handler, { ...req, token: t });
      expect([req.method ?? 'GET', req.path, res.status]).toEqual([req.method ?? 'GET', req.path, 404]);
    }
    expect(await ownerKysely().selectFrom('segments').selectAll().where('id', '=', mine.id).executeTakeFirstOrThrow()).toEqual(before);
    expect(await ownerKysely().selectFrom('segment_members').select('id').where('segment_id', '=', mine.id).execute()).toEqual([]);
    const theirs = await call(handler, { path: '/api/v1/segments', query: { size: 200 }, token: t });
    expect(theirs.body.map((s: { id: number }) => s.id)).not.toContain(mine.id);
    // Their "every patient" segment counts their patients only.
    const all = (await create({ nombre: uniq('Todos '), reglas: [] }, t)).body;
    const theirList = await call(handler, { path: `/api/v1/segments/${all.id}/patients`, query: { size: 200 }, token: t });
    expect(theirList.body.map((p: { id: number }) => p.id)).not.toEqual(expect.arrayContaining([a]));
  });

  it('a user without a clinic gets 403', async () => {
    const loner = await createUser({ reflexoId: null });
    expect((await call(handler, { path: '/api/v1/segments', token: loner.token })).status).toBe(403);
  });
});

describe('for the v1 patients group', () => {
  it('patientSegmentCounts counts live patients by estado_paciente, fuente_captacion, aseguradora and linea_negocio', async () => {
    const t = await tenantWithAdmin();
    await createPatient(t.tenant.id, { estado_paciente: 'activo', fuente_captacion: 'Facebook', aseguradora: 'AUNA', linea_negocio: 'Ortodoncia' });
    await createPatient(t.tenant.id, { estado_paciente: 'activo', fuente_captacion: 'Facebook', aseguradora: null });
    await createPatient(t.tenant.id, { estado_paciente: 'inactivo', fuente_captacion: ' ' });
    await createPatient(t.tenant.id, { estado_paciente: 'activo', deleted_at: new Date() });
    const counts = await withTenant({ reflexoId: t.tenant.id, global: false, userId: t.admin.id }, (db) => patientSegmentCounts(db, actorOf(t.admin)));
    expect(counts).toEqual({
      total: 3,
      estado_paciente: [{ value: 'activo', total: 2 }, { value: 'inactivo', total: 1 }],
      fuente_captacion: [{ value: 'Facebook', total: 2 }, { value: null, total: 1 }],
      aseguradora: [{ value: null, total: 2 }, { value: 'AUNA', total: 1 }],
      linea_negocio: [{ value: null, total: 2 }, { value: 'Ortodoncia', total: 1 }],
    });
  });

  it('createSegment saves an ad-hoc filter as a segment (and validates it as the route does)', async () => {
    const seg = await withTenant({ reflexoId: tenantId, global: false, userId: admin.id }, (db) =>
      createSegment(db, actorOf(admin), { name: uniq('Filtro '), rules: [{ campo: 'aseguradora', operador: 'igual', valor: 'AUNA' }] }),
    );
    expect(seg).toMatchObject({ kind: 'dinamico', total: 1, rules: [{ campo: 'aseguradora', operador: 'igual', valor: 'AUNA' }] });
    await expect(withTenant({ reflexoId: tenantId, global: false, userId: admin.id }, (db) => createSegment(db, actorOf(admin), { name: uniq('F '), rules: [{ campo: 'nope', operador: 'igual' }] }))).rejects.toMatchObject({
      issues: [expect.objectContaining({ loc: ['body', 'reglas', 0, 'campo'] })],
    });
  });
});

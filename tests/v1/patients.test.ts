import { handler } from '../../functions/v1/patients';
import { handler as reflexoPatients } from '../../functions/reflexo/patients-patients';
import { createUser, ownerKysely, tenantWithAdmin, uniq, type TestUser } from '../helpers/fixtures';
import { patientBody } from '../helpers/clinical-fixtures';
import { call } from '../helpers/http';
import { createPatient, createTherapist, limaDate, nextDocument, STATUS } from '../helpers/scheduling-fixtures';
import { statementsOf } from '../helpers/statements';

/* v1 patients: CRUD, filters, search, visit figures, history, appointments, segments; through the real handler. */
let staff: TestUser;
let tenantId: number;
const P = '/api/v1/patients';

beforeAll(async () => {
  const t = await tenantWithAdmin();
  tenantId = t.tenant.id;
  staff = await createUser({ reflexoId: tenantId });
});

const create = (json: Record<string, unknown>, token = staff.token) => call(handler, { method: 'POST', path: P, token, json });
const body = (over: Record<string, unknown> = {}) => ({ nombres: 'Ana', apellidos: 'López García', dni: nextDocument(), ...over });
const ids = (res: { body: { id: number }[] }) => res.body.map((p) => p.id);

let hourSeq = 0;
async function appointment(reflexoId: number, patientId: number, therapistId: number, date: string, status: number = STATUS.pending, over: Record<string, unknown> = {}) {
  hourSeq++;
  const hour = `${String(6 + (hourSeq % 14)).padStart(2, '0')}:${String((Math.floor(hourSeq / 14) * 5) % 60).padStart(2, '0')}:00`;
  return ((await ownerKysely()
    .insertInto('appointments')
    .values({ reflexo_id: reflexoId, patient_id: patientId, therapist_id: therapistId, appointment_date: date, hour, appointment_status_id: status, ...over })
    .returning('id')
    .executeTakeFirstOrThrow()) as { id: number }).id;
}

describe('CRUD', () => {
  it('creates with the spec’s shape, reads, edits the fields sent, and soft-deletes', async () => {
    const dni = nextDocument();
    const made = await create({
      nombres: 'Ana',
      apellidos: 'López García',
      dni,
      telefono: '555-1234',
      email: `${uniq('ana')}@email.com`,
      fecha_nacimiento: '1990-05-15',
      genero: 'f',
      direccion: 'Calle Falsa 123',
      estado_paciente: 'activo',
      fuente_captacion: 'facebook',
      aseguradora: 'EsSalud',
      linea_negocio: 'Odontologia',
      presupuesto: 500,
    });
    expect(made.status).toBe(201);
    expect(made.body).toEqual({
      id: expect.any(Number),
      nombres: 'Ana',
      apellidos: 'López García',
      dni,
      telefono: '555-1234',
      email: expect.stringMatching(/@email\.com$/),
      fecha_nacimiento: '1990-05-15',
      genero: 'F',
      direccion: 'Calle Falsa 123',
      estado_paciente: 'activo',
      fuente_captacion: 'Facebook',
      aseguradora: 'EsSalud',
      linea_negocio: 'Odontología',
      presupuesto: 500,
      ultima_cita: null,
      proxima_cita: null,
      total_citas: 0,
      citas_realizadas: 0,
      created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/),
      updated_at: expect.stringMatching(/Z$/),
    });
    const id = made.body.id;
    const row = await ownerKysely().selectFrom('patients').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ reflexo_id: tenantId, name: 'Ana', paternal_lastname: 'López', maternal_lastname: 'García', document_number: dni, phone1: '555-1234', sex: 'F', presupuesto: '500.00', fuente_captacion: 'Facebook' });

    const got = await call(handler, { path: `${P}/${id}`, token: staff.token });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(made.body);

    const edited = await call(handler, { method: 'PUT', path: `${P}/${id}`, token: staff.token, json: { apellidos: 'López', presupuesto: '750.5', telefono: null, estado_paciente: 'inactivo' } });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ nombres: 'Ana', apellidos: 'López', dni, presupuesto: 750.5, telefono: null, estado_paciente: 'inactivo', fuente_captacion: 'Facebook' });
    expect(await ownerKysely().selectFrom('patients').select(['paternal_lastname', 'maternal_lastname', 'presupuesto', 'phone1']).where('id', '=', id).executeTakeFirstOrThrow()).toEqual({
      paternal_lastname: 'López',
      maternal_lastname: null,
      presupuesto: '750.50',
      phone1: null,
    });

    const gone = await call(handler, { method: 'DELETE', path: `${P}/${id}`, token: staff.token });
    expect(gone.status).toBe(204);
    expect((await ownerKysely().selectFrom('patients').select('deleted_at').where('id', '=', id).executeTakeFirstOrThrow()).deleted_at).not.toBeNull();
    expect((await call(handler, { path: `${P}/${id}`, token: staff.token })).status).toBe(404);
    // The DNI is free again.
    expect((await create(body({ dni }))).status).toBe(201);
  });

  it('409 {"detail"} for a DNI or e-mail another live patient of the clinic holds (create and edit)', async () => {
    const dni = nextDocument();
    const email = `${uniq('dup')}@email.com`;
    expect((await create(body({ dni, email }))).status).toBe(201);
    const again = await create(body({ dni }));
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ detail: expect.any(String) });
    expect((await create(body({ email }))).status).toBe(409);
    const other = await create(body());
    const clash = await call(handler, { method: 'PUT', path: `${P}/${other.body.id}`, token: staff.token, json: { dni } });
    expect(clash.status).toBe(409);
    expect((await ownerKysely().selectFrom('patients').select('document_number').where('id', '=', other.body.id).executeTakeFirstOrThrow()).document_number).toBe(other.body.dni);
  });

  it('the catalog fields take the clinic’s catalog values (its spelling), 422 listing every field refused; any value while a catalog is empty', async () => {
    const bad = await create(body({ fuente_captacion: 'Radio', aseguradora: 'Ninguna', linea_negocio: 'Consulta' }));
    expect(bad.status).toBe(422);
    expect(bad.body.detail.map((d: { loc: string[] }) => d.loc)).toEqual([
      ['body', 'fuente_captacion'],
      ['body', 'aseguradora'],
    ]);
    expect(bad.body.detail[0].input).toBe('Radio');
    const ok = await create(body({ fuente_captacion: ' INSTAGRAM ', aseguradora: 'rimac seguros' }));
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ fuente_captacion: 'Instagram', aseguradora: 'Rímac Seguros' });
    const badEdit = await call(handler, { method: 'PUT', path: `${P}/${ok.body.id}`, token: staff.token, json: { linea_negocio: 'Astrología' } });
    expect(badEdit.status).toBe(422);
    expect(badEdit.body.detail[0].loc).toEqual(['body', 'linea_negocio']);

    const { tenant, admin: a } = await tenantWithAdmin();
    await ownerKysely().deleteFrom('clinic_catalog_entries').where('reflexo_id', '=', tenant.id).where('catalog', '=', 'sources').execute();
    const free = await create(body({ fuente_captacion: 'Radio' }), a.token);
    expect(free.status).toBe(201);
    expect(free.body.fuente_captacion).toBe('Radio');
  });

  it('422 in FastAPI shape for body, path and query errors', async () => {
    const { dni: _dni, ...noDni } = body();
    const missing = await create(noDni);
    expect(missing.status).toBe(422);
    expect(missing.body.detail).toEqual([expect.objectContaining({ loc: ['body', 'dni'], msg: expect.any(String), type: expect.any(String) })]);
    const sex = await create(body({ genero: 'X' }));
    expect(sex.body.detail[0]).toMatchObject({ loc: ['body', 'genero'], input: 'X' });
    const money = await create(body({ presupuesto: -5 }));
    expect(money.body.detail[0].loc).toEqual(['body', 'presupuesto']);
    const day = await create(body({ fecha_nacimiento: '1990-02-30' }));
    expect(day.body.detail[0].loc).toEqual(['body', 'fecha_nacimiento']);
    const blank = await call(handler, { method: 'PUT', path: `${P}/${(await createPatient(tenantId)).id}`, token: staff.token, json: { nombres: '' } });
    expect(blank.status).toBe(422);
    expect(blank.body.detail[0].loc).toEqual(['body', 'nombres']);
    for (const path of [`${P}/abc`, `${P}/abc/history`, `${P}/abc/appointments`]) {
      const res = await call(handler, { path, token: staff.token });
      expect([path, res.status, res.body.detail[0].loc]).toEqual([path, 422, ['path', 'patient_id']]);
    }
    const query = await call(handler, { path: P, token: staff.token, query: { doctor_id: 'uno' } });
    expect(query.status).toBe(422);
    expect(query.body.detail[0].loc).toEqual(['query', 'doctor_id']);
    const noQ = await call(handler, { path: `${P}/search`, token: staff.token });
    expect(noQ.status).toBe(422);
    expect(noQ.body.detail[0].loc).toEqual(['query', 'q']);
  });
});

describe('lists and search', () => {
  it('a bare array, newest first, with X-Total-Count and Link; filters estado_paciente, fuente_captacion, aseguradora, linea_negocio, doctor_id, search', async () => {
    const { tenant, admin: a } = await tenantWithAdmin();
    const mk = async (over: Record<string, unknown>) => (await createPatient(tenant.id, over)).id;
    const maria = await mk({ name: 'María José', paternal_lastname: 'Núñez', estado_paciente: 'activo', fuente_captacion: 'Facebook', aseguradora: 'SIS', linea_negocio: 'Consulta', phone1: '999 888 777' });
    const pedro = await mk({ name: 'Pedro', paternal_lastname: 'Ruiz', estado_paciente: 'inactivo', fuente_captacion: 'Google', aseguradora: 'SIS', email: 'pedro@correo.pe' });
    const lucia = await mk({ name: 'Lucía', paternal_lastname: 'Salas', estado_paciente: 'activo', fuente_captacion: 'facebook', linea_negocio: 'Estética' });

    const first = await call(handler, { path: P, token: a.token, query: { size: 2 } });
    expect(first.status).toBe(200);
    expect(ids(first)).toEqual([lucia, pedro]);
    expect(first.headers['x-total-count']).toBe('3');
    expect(first.headers.link).toContain('rel="next"');
    expect(ids(await call(handler, { path: P, token: a.token, query: { size: 2, page: 2 } }))).toEqual([maria]);

    const list = async (query: Record<string, string | number>) => {
      const res = await call(handler, { path: P, token: a.token, query });
      expect(res.status).toBe(200);
      return { ids: ids(res), total: res.headers['x-total-count'] };
    };
    expect(await list({ estado_paciente: 'Activo' })).toEqual({ ids: [lucia, maria], total: '2' });
    expect(await list({ fuente_captacion: 'FACEBOOK' })).toEqual({ ids: [lucia, maria], total: '2' });
    expect(await list({ aseguradora: 'sis', estado_paciente: 'inactivo' })).toEqual({ ids: [pedro], total: '1' });
    expect(await list({ linea_negocio: 'Estética' })).toEqual({ ids: [lucia], total: '1' });
    expect(await list({ search: 'maria nunez' })).toEqual({ ids: [maria], total: '1' });
    expect(await list({ search: '888-777' })).toEqual({ ids: [maria], total: '1' });
    expect(await list({ search: 'activo' })).toEqual({ ids: [], total: '0' });
    expect(await list({ search: 'lucia', estado_paciente: 'activo' })).toEqual({ ids: [lucia], total: '1' });
    expect((await list({ size: 1, page: 5, estado_paciente: 'activo' })).total).toBe('2');

    // doctor_id: patients with a live, not cancelled appointment with that doctor (past or future).
    const d = (await createTherapist(tenant.id)).id;
    await appointment(tenant.id, maria, d, limaDate(-20), STATUS.completed);
    await appointment(tenant.id, pedro, d, limaDate(10));
    await appointment(tenant.id, lucia, d, limaDate(-5), STATUS.cancelled, { cancelled_at: new Date() });
    expect(await list({ doctor_id: d })).toEqual({ ids: [pedro, maria], total: '2' });
    expect(await list({ doctor_id: d, estado_paciente: 'activo' })).toEqual({ ids: [maria], total: '1' });
  });

  it('/search?q= finds by name, DNI, phone or e-mail, without case or accents; static paths win over /{patient_id}', async () => {
    const { tenant, admin: a } = await tenantWithAdmin();
    const dni = nextDocument();
    const p = (await createPatient(tenant.id, { name: 'Íñigo', paternal_lastname: 'Álvarez', document_number: dni, phone1: '(01) 555-4433', email: 'inigo.alvarez@correo.pe' })).id;
    await createPatient(tenant.id, { name: 'Otro', paternal_lastname: 'Paciente', document_number: 'SIN-NUMEROS' });
    for (const q of ['inigo', 'ALVAREZ', 'íñigo álvarez', dni, dni.slice(2, 6), '5554433', '555-4433', 'INIGO.ALVAREZ@correo']) {
      const res = await call(handler, { path: `${P}/search`, token: a.token, query: { q } });
      expect([q, res.status, ids(res)]).toEqual([q, 200, [p]]);
      expect(res.headers['x-total-count']).toBe('1');
    }
    const none = await call(handler, { path: `${P}/search`, token: a.token, query: { q: 'zzzz' } });
    expect(none.body).toEqual([]);
    expect(none.headers['x-total-count']).toBe('0');
    // Another clinic's patient never matches.
    const theirs = await tenantWithAdmin();
    await createPatient(theirs.tenant.id, { name: 'Íñigo', paternal_lastname: 'Álvarez' });
    expect(ids(await call(handler, { path: `${P}/search`, token: a.token, query: { q: 'inigo' } }))).toEqual([p]);
  });
});

describe('visit figures', () => {
  it('ultima_cita, proxima_cita, total_citas, citas_realizadas from the appointments, on list, search and detail', async () => {
    const { tenant, admin: a } = await tenantWithAdmin();
    const d = (await createTherapist(tenant.id)).id;
    const p = (await createPatient(tenant.id, { name: 'Visitas' })).id;
    const q = (await createPatient(tenant.id, { name: 'Otra' })).id;
    const none = (await createPatient(tenant.id, { name: 'Nunca' })).id;
    await appointment(tenant.id, p, d, limaDate(-30), STATUS.completed);
    await appointment(tenant.id, p, d, limaDate(-3), STATUS.completed);
    await appointment(tenant.id, p, d, limaDate(-7), STATUS.pending);
    await appointment(tenant.id, p, d, limaDate(4));
    await appointment(tenant.id, p, d, limaDate(12));
    // Not counted: cancelled (later than the last visit and sooner than the next), deleted.
    await appointment(tenant.id, p, d, limaDate(-1), STATUS.cancelled, { cancelled_at: new Date() });
    await appointment(tenant.id, p, d, limaDate(2), STATUS.pending, { cancelled_at: new Date() });
    await appointment(tenant.id, p, d, limaDate(1), STATUS.pending, { deleted_at: new Date() });
    await appointment(tenant.id, q, d, limaDate(-100), STATUS.completed);

    const expected = { ultima_cita: limaDate(-3), proxima_cita: limaDate(4), total_citas: 5, citas_realizadas: 2 };
    const list = await call(handler, { path: P, token: a.token });
    const byId = Object.fromEntries(list.body.map((x: { id: number }) => [x.id, x]));
    expect(byId[p]).toMatchObject(expected);
    expect(byId[q]).toMatchObject({ ultima_cita: limaDate(-100), proxima_cita: null, total_citas: 1, citas_realizadas: 1 });
    expect(byId[none]).toMatchObject({ ultima_cita: null, proxima_cita: null, total_citas: 0, citas_realizadas: 0 });
    expect((await call(handler, { path: `${P}/${p}`, token: a.token })).body).toMatchObject(expected);
    expect((await call(handler, { path: `${P}/search`, token: a.token, query: { q: 'visitas' } })).body[0]).toMatchObject(expected);
    // The filtered statement (a filter, a phone-shaped word) carries them too.
    const filtered = await call(handler, { path: P, token: a.token, query: { estado_paciente: 'activo', doctor_id: d } });
    expect(Object.fromEntries(filtered.body.map((x: { id: number }) => [x.id, x]))[p]).toMatchObject(expected);
    await ownerKysely().updateTable('patients').set({ phone1: '944 321 765' }).where('id', '=', p).execute();
    expect((await call(handler, { path: P, token: a.token, query: { search: '321765' } })).body).toEqual([expect.objectContaining({ id: p, ...expected })]);
  });
});

describe('constant queries', () => {
  it('a list page with its visit figures costs the same statements for 2 patients as for 30, filtered or not', async () => {
    const { tenant, admin: a } = await tenantWithAdmin();
    const d = (await createTherapist(tenant.id)).id;
    for (let i = 0; i < 30; i++) {
      const p = (await createPatient(tenant.id, { estado_paciente: 'activo' })).id;
      await appointment(tenant.id, p, d, limaDate(-1 - i), STATUS.completed);
    }
    const list = (query: Record<string, string | number>) => statementsOf(() => call(handler, { path: P, token: a.token, query }));
    const small = await list({ size: 2 });
    expect(small).toBeGreaterThan(2);
    expect(await list({ size: 30 })).toBe(small);
    expect(await list({ size: 30, estado_paciente: 'activo', doctor_id: d })).toBe(await list({ size: 2, estado_paciente: 'activo', doctor_id: d }));
  });
});

describe('history, appointments', () => {
  it('/history: the clinical history and medical records kept on the Reflexo surface', async () => {
    const p = (await createPatient(tenantId)).id;
    const empty = await call(handler, { path: `${P}/${p}/history`, token: staff.token });
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({ paciente_id: p, historia: null, registros_medicos: [], total_registros_medicos: 0 });

    const o = ownerKysely();
    const h = (await o
      .insertInto('histories')
      .values({ reflexo_id: tenantId, local_id: 900_000 + (p % 100_000), patient_id: p, observation: 'Dolor lumbar', height: '1.70', weight: '68.50', testimony: true })
      .returning('id')
      .executeTakeFirstOrThrow()) as { id: number };
    const dx = (await o.insertInto('diagnoses').values({ code: uniq('DX'), name: 'Lumbalgia' }).returning('id').executeTakeFirstOrThrow()) as { id: number };
    await o.insertInto('medical_records').values({ reflexo_id: tenantId, patient_id: p, diagnose_id: dx.id, diagnosis_date: '2024-01-10', symptoms: 'Dolor', treatment: 'Reposo' }).execute();
    await o.insertInto('medical_records').values({ reflexo_id: tenantId, patient_id: p, diagnose_id: dx.id, diagnosis_date: '2024-02-10', notes: 'Control' }).execute();
    await o.insertInto('medical_records').values({ reflexo_id: tenantId, patient_id: p, diagnose_id: dx.id, diagnosis_date: '2024-03-10', deleted_at: new Date() }).execute();

    const res = await call(handler, { path: `${P}/${p}/history`, token: staff.token });
    expect(res.status).toBe(200);
    expect(res.body.historia).toMatchObject({ id: h.id, observacion: 'Dolor lumbar', talla: 1.7, peso: 68.5, ultimo_peso: null, testimonio: true });
    expect(res.body.registros_medicos.map((r: { fecha_diagnostico: string }) => r.fecha_diagnostico)).toEqual(['2024-02-10', '2024-01-10']);
    expect(res.body.registros_medicos[1]).toMatchObject({ diagnostico_id: dx.id, sintomas: 'Dolor', tratamiento: 'Reposo', notas: null });
    expect(res.body.total_registros_medicos).toBe(2);
  });

  it('/appointments: the patient’s appointments as Citas, latest first, paginated', async () => {
    const d = (await createTherapist(tenantId, { first_name: 'Carlos', last_name_paternal: 'Gómez', last_name_maternal: null })).id;
    const p = (await createPatient(tenantId, { name: 'Ana', paternal_lastname: 'López', maternal_lastname: 'García', phone1: '555-1234' })).id;
    const other = (await createPatient(tenantId)).id;
    const day = limaDate(-2);
    const first = await appointment(tenantId, p, d, limaDate(-9), STATUS.completed, { hour: '10:00:00', ailments: 'Revisión' });
    const second = await appointment(tenantId, p, d, day, STATUS.pending, { hour: '15:30:00', duration_minutes: 45 });
    await appointment(tenantId, other, d, day, STATUS.pending);
    const res = await call(handler, { path: `${P}/${p}/appointments`, token: staff.token });
    expect(res.status).toBe(200);
    expect(res.headers['x-total-count']).toBe('2');
    expect(ids(res)).toEqual([second, first]);
    expect(res.body[0]).toMatchObject({
      paciente: { id: p, nombres: 'Ana', apellidos: 'López García', telefono: '555-1234' },
      doctor: { id: d, nombres: 'Carlos', apellidos: 'Gómez' },
      fecha_hora: `${day}T20:30:00Z`,
      duracion_minutos: 45,
      estado: 'Programada',
      recordatorio_enviado: false,
    });
    expect(res.body[1]).toMatchObject({ estado: 'Completada', motivo_consulta: 'Revisión' });
    const page2 = await call(handler, { path: `${P}/${p}/appointments`, token: staff.token, query: { size: 1, page: 2 } });
    expect(ids(page2)).toEqual([first]);
    expect(page2.headers.link).toContain('rel="prev"');
  });
});

describe('segments', () => {
  it('GET counts the clinic’s patients by estado_paciente, fuente_captacion, aseguradora and linea_negocio', async () => {
    const { tenant, admin: a } = await tenantWithAdmin();
    await createPatient(tenant.id, { estado_paciente: 'activo', fuente_captacion: 'Facebook', aseguradora: 'SIS' });
    await createPatient(tenant.id, { estado_paciente: 'activo', fuente_captacion: 'Facebook' });
    await createPatient(tenant.id, { estado_paciente: 'inactivo', linea_negocio: 'Consulta' });
    await createPatient(tenant.id, { estado_paciente: 'activo', deleted_at: new Date() });
    const res = await call(handler, { path: `${P}/segments`, token: a.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      total: 3,
      estado_paciente: [
        { valor: 'activo', total: 2 },
        { valor: 'inactivo', total: 1 },
      ],
      fuente_captacion: [
        { valor: 'Facebook', total: 2 },
        { valor: null, total: 1 },
      ],
      aseguradora: [
        { valor: null, total: 2 },
        { valor: 'SIS', total: 1 },
      ],
      linea_negocio: [
        { valor: null, total: 2 },
        { valor: 'Consulta', total: 1 },
      ],
    });
  });

  it('POST saves the list’s filter as a segment (201 Segmento, its live total); 422 for unknown rules; 409 for a name taken', async () => {
    const { tenant, admin: a } = await tenantWithAdmin();
    const d = (await createTherapist(tenant.id)).id;
    const p1 = (await createPatient(tenant.id, { estado_paciente: 'activo', fuente_captacion: 'Facebook' })).id;
    await createPatient(tenant.id, { estado_paciente: 'activo', fuente_captacion: 'Google' });
    await createPatient(tenant.id, { estado_paciente: 'inactivo', fuente_captacion: 'Facebook' });
    await appointment(tenant.id, p1, d, limaDate(-3), STATUS.completed);
    const nombre = uniq('Activos FB ');
    const res = await call(handler, { method: 'POST', path: `${P}/segments`, token: a.token, json: { nombre, filtros: { estado_paciente: 'activo', fuente_captacion: ['Facebook', 'Instagram'] } } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id: expect.any(Number),
      nombre,
      tipo: 'dinamico',
      reglas: [
        { campo: 'estado_paciente', operador: 'igual', valor: 'activo' },
        { campo: 'fuente_captacion', operador: 'en', valor: ['Facebook', 'Instagram'] },
      ],
      total: 1,
      miembros_manuales: 0,
    });
    expect(await ownerKysely().selectFrom('segments').select(['reflexo_id', 'name']).where('id', '=', res.body.id).executeTakeFirstOrThrow()).toEqual({ reflexo_id: tenant.id, name: nombre });
    const byDoctor = await call(handler, { method: 'POST', path: `${P}/segments`, token: a.token, json: { nombre: uniq('Dr '), filtros: { doctor_id: d } } });
    expect(byDoctor.status).toBe(201);
    expect(byDoctor.body.total).toBe(1);

    const unknown = await call(handler, { method: 'POST', path: `${P}/segments`, token: a.token, json: { nombre: uniq('X '), reglas: [{ campo: 'color', operador: 'igual', valor: 'rojo' }] } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.detail[0].loc).toEqual(['body', 'reglas', 0, 'campo']);
    const noName = await call(handler, { method: 'POST', path: `${P}/segments`, token: a.token, json: { filtros: { estado_paciente: 'activo' } } });
    expect(noName.status).toBe(422);
    expect(noName.body.detail[0].loc).toEqual(['body', 'nombre']);
    const taken = await call(handler, { method: 'POST', path: `${P}/segments`, token: a.token, json: { nombre } });
    expect(taken.status).toBe(409);
    expect(taken.body).toEqual({ detail: expect.any(String) });
  });
});

describe('isolation', () => {
  it('another clinic’s patient is 404 on every route with an id, never listed, never written', async () => {
    const other = await tenantWithAdmin();
    const theirs = (await createPatient(other.tenant.id, { name: 'Ajena' })).id;
    for (const [method, path, json] of [
      ['GET', `${P}/${theirs}`],
      ['PUT', `${P}/${theirs}`, { nombres: 'Robada' }],
      ['DELETE', `${P}/${theirs}`],
      ['GET', `${P}/${theirs}/history`],
      ['GET', `${P}/${theirs}/appointments`],
    ] as [string, string, unknown?][]) {
      const res = await call(handler, { method, path, token: staff.token, json });
      expect([method, path, res.status]).toEqual([method, path, 404]);
      expect(res.body).toEqual({ detail: expect.any(String) });
    }
    expect(await ownerKysely().selectFrom('patients').select(['name', 'deleted_at']).where('id', '=', theirs).executeTakeFirstOrThrow()).toEqual({ name: 'Ajena', deleted_at: null });
    expect(ids(await call(handler, { path: P, token: staff.token, query: { size: 200 } }))).not.toContain(theirs);
    const anonymous = await call(handler, { path: P });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual({ detail: 'Not authenticated' });
  });
});

describe('cross-surface', () => {
  it('a patient created on v1 reads on the Reflexo patients handler field by field', async () => {
    const made = await create(body({ nombres: 'Rosa', apellidos: 'Quispe Mamani', telefono: '987000111', email: `${uniq('rosa')}@correo.pe`, fecha_nacimiento: '1985-12-01', genero: 'F', direccion: 'Av. Sol 1' }));
    expect(made.status).toBe(201);
    const r = await call(reflexoPatients, { path: `/api/patients/patients/${made.body.id}/`, token: staff.token });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      id: made.body.id,
      reflexo_id: tenantId,
      name: 'Rosa',
      paternal_lastname: 'Quispe',
      maternal_lastname: 'Mamani',
      document_number: made.body.dni,
      phone1: '987000111',
      phone2: null,
      email: made.body.email,
      sex: 'F',
      birth_date: '1985-12-01',
      address: 'Av. Sol 1',
      document_type: null,
      region: null,
      province: null,
      district: null,
      ocupation: null,
      health_condition: null,
    });
    const listed = await call(reflexoPatients, { path: '/api/patients/patients/search/', token: staff.token, query: { q: made.body.dni } });
    expect(listed.body.results.map((x: { id: number }) => x.id)).toEqual([made.body.id]);
  });

  it('a patient created on Reflexo reads on v1 field by field', async () => {
    const b = patientBody({ name: 'Julio', paternal_lastname: 'Cárdenas', maternal_lastname: 'Vega', birth_date: '1970-07-20', sex: 'M' });
    const r = await call(reflexoPatients, { method: 'POST', path: '/api/patients/patients/create/', token: staff.token, json: b });
    expect(r.status).toBe(201);
    const v = await call(handler, { path: `${P}/${r.body.id}`, token: staff.token });
    expect(v.status).toBe(200);
    expect(v.body).toEqual({
      id: r.body.id,
      nombres: 'Julio',
      apellidos: 'Cárdenas Vega',
      dni: b.document_number,
      telefono: b.phone1,
      email: b.email,
      fecha_nacimiento: '1970-07-20',
      genero: 'M',
      direccion: b.address,
      estado_paciente: 'activo',
      fuente_captacion: null,
      aseguradora: null,
      linea_negocio: null,
      presupuesto: null,
      ultima_cita: null,
      proxima_cita: null,
      total_citas: 0,
      citas_realizadas: 0,
      created_at: expect.stringMatching(/Z$/),
      updated_at: expect.stringMatching(/Z$/),
    });
    expect(Date.parse(v.body.created_at)).toBe(Date.parse(r.body.created_at));
  });
});

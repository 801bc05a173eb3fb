import { handler } from '../../functions/reflexo/patients-patients';
import { withTenant } from '../../lib/db/tenant';
import type { Actor } from '../../lib/auth/actor';
import { ValidationError } from '../../lib/errors';
import {
  createPatient,
  deletePatient,
  editPatient,
  getPatient,
  getPatientHistory,
  listPatientMedicalRecords,
  listPatients,
  searchPatients,
  type PatientInput,
} from '../../lib/domain/patients';
import { createTenant, createUser, ownerKysely, uniq } from '../helpers/fixtures';
import { insertDiagnosis, insertPatient } from '../helpers/clinical-fixtures';
import { call } from '../helpers/http';

/*
 * The patients domain as the v1 surface will call it: a plain input with none of the fields only
 * the Reflexo contract requires (document type, ubigeo, occupation, health condition), v1's own
 * fields, and the history and medical-record reads of one patient. Such a patient still lists on
 * the Reflexo surface, with nulls.
 */
let clinic: number;
let user: Awaited<ReturnType<typeof createUser>>;
let actor: Actor;
beforeAll(async () => {
  clinic = (await createTenant()).id;
  user = await createUser({ reflexoId: clinic });
  actor = { userId: user.id, reflexoId: clinic, isSuperuser: false, isStaff: false, role: null, isClinicAdmin: false, isPlatform: false, jti: 'test', tokenExp: 0 };
});
const inClinic = <T>(fn: (db: Parameters<Parameters<typeof withTenant>[1]>[0]) => Promise<T>) => withTenant({ reflexoId: clinic, global: false, userId: user.id }, (db) => fn(db));

const v1Patient = (over: PatientInput = {}): PatientInput => ({
  name: 'Ana',
  paternal_lastname: 'López',
  maternal_lastname: 'García',
  document_number: uniq('').slice(0, 8),
  phone1: '555-1234',
  email: `${uniq('ana')}@email.com`,
  birth_date: '1990-05-15',
  sex: 'F',
  address: 'Calle Falsa 123',
  estado_paciente: 'activo',
  fuente_captacion: 'Facebook',
  aseguradora: 'AUNA',
  linea_negocio: 'Ortodoncia',
  presupuesto: '500.00',
  ...over,
});

describe('a neutral patient', () => {
  it('is created without document type, ubigeo, occupation or health condition, and stores the v1 fields exactly', async () => {
    const p = await inClinic((db) => createPatient(db, actor, v1Patient({ presupuesto: 500.1 })));
    expect(p).toMatchObject({ reflexo_id: clinic, document_type_id: null, region_id: null, occupation: null, health_condition: null, birth_date: '1990-05-15', fuente_captacion: 'Facebook', presupuesto: '500.10' });
    const row = await ownerKysely().selectFrom('patients').selectAll().where('id', '=', p.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ estado_paciente: 'activo', aseguradora: 'AUNA', linea_negocio: 'Ortodoncia', presupuesto: '500.10', ocupation: null });
  });

  it('lists and shows on the Reflexo surface with nulls', async () => {
    const p = await inClinic((db) => createPatient(db, actor, v1Patient()));
    const list = await call(handler, { path: '/api/patients/patients/', token: user.token });
    expect(list.body.results.find((r: { id: number }) => r.id === p.id)).toMatchObject({ name: 'Ana', paternal_lastname: 'López' });
    const detail = await call(handler, { path: `/api/patients/patients/${p.id}/`, token: user.token });
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ document_type: null, document_type_id: null, region: null, region_code: null, district: null, ocupation: null, health_condition: null, birth_date: '1990-05-15' });
    // A Reflexo PATCH leaves alone what it does not send; one ubigeo level alone names the missing ones as this contract does.
    const phone = await call(handler, { method: 'PATCH', path: `/api/patients/patients/${p.id}/edit/`, token: user.token, json: { phone1: '999000111' } });
    expect([phone.status, phone.body.phone1]).toEqual([200, '999000111']);
    const oneLevel = await call(handler, { method: 'PATCH', path: `/api/patients/patients/${p.id}/edit/`, token: user.token, json: { region_code: 15 } });
    expect(oneLevel.body).toEqual({ province_code: ['Este campo es requerido para validar la ubicación.'], district_code: ['Este campo es requerido para validar la ubicación.'] });
  });

  it('still needs what the table needs: a name, a paternal surname and a document number', async () => {
    const err = await inClinic((db) => createPatient(db, actor, { name: ' ', email: 'x@example.com' })).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues.map((i) => i.loc.join('.')).sort()).toEqual(['body.document_number', 'body.name', 'body.paternal_lastname']);
  });

  it('a location, when given, must be whole and nest; all three null clear it', async () => {
    const p = await inClinic((db) => createPatient(db, actor, v1Patient({ region_id: 15, province_id: 1501, district_id: 150122 })));
    const partial = await inClinic((db) => createPatient(db, actor, v1Patient({ region_id: 15 }))).catch((e) => e);
    expect((partial as ValidationError).issues.map((i) => i.loc[1]).sort()).toEqual(['district_id', 'province_id']);
    const nested = await inClinic((db) => editPatient(db, actor, p.id, { district_id: 40101 })).catch((e) => e);
    expect((nested as ValidationError).issues).toEqual([expect.objectContaining({ loc: ['body', 'district_id'], msg: 'El distrito no pertenece a la provincia indicada.' })]);
    const cleared = await inClinic((db) => editPatient(db, actor, p.id, { region_id: null, province_id: null, district_id: null }));
    expect(cleared).toMatchObject({ region_id: null, province_id: null, district_id: null });
  });

  it('edit, get, list, search and delete take and give the same record', async () => {
    const p = await inClinic((db) => createPatient(db, actor, v1Patient({ name: 'Zoraida', paternal_lastname: uniq('Quispe') })));
    const edited = await inClinic((db) => editPatient(db, actor, p.id, { estado_paciente: 'inactivo', presupuesto: null, document_type: 'dni' }));
    expect(edited).toMatchObject({ estado_paciente: 'inactivo', presupuesto: null, document_type_name: 'DNI' });
    expect(await inClinic((db) => getPatient(db, actor, p.id))).toEqual(edited);
    const found = await inClinic((db) => searchPatients(db, actor, { q: `zoraida ${p.paternal_lastname}`, page: 1, perPage: 10 }));
    expect(found.rows.map((r) => r.id)).toEqual([p.id]);
    expect((await inClinic((db) => listPatients(db, actor, { page: 1, perPage: 100 }))).rows.map((r) => r.id)).toContain(p.id);
    await inClinic((db) => deletePatient(db, actor, p.id, false));
    expect(await inClinic((db) => getPatient(db, actor, p.id)).catch((e) => e.status)).toBe(404);
  });

  it('reads one patient\'s history and medical records; another clinic\'s patient is a 404', async () => {
    const p = await insertPatient(clinic);
    expect(await inClinic((db) => getPatientHistory(db, actor, p.id))).toBeNull();
    const h = await ownerKysely().insertInto('histories').values({ reflexo_id: clinic, local_id: 900000 + (p.id % 90000), patient_id: p.id, height: '1.68' }).returning('id').executeTakeFirstOrThrow();
    const dx = await insertDiagnosis();
    await ownerKysely().insertInto('medical_records').values([
      { reflexo_id: clinic, patient_id: p.id, diagnose_id: dx.id, diagnosis_date: '2025-01-10' },
      { reflexo_id: clinic, patient_id: p.id, diagnose_id: dx.id, diagnosis_date: '2025-03-10' },
    ]).execute();
    expect(await inClinic((db) => getPatientHistory(db, actor, p.id))).toMatchObject({ id: h.id, patient_id: p.id, height: '1.68' });
    const records = await inClinic((db) => listPatientMedicalRecords(db, actor, p.id, { page: 1, size: 10 }));
    expect(records.count).toBe(2);
    expect(records.rows.map((r) => r.diagnosis_date)).toEqual(['2025-03-10', '2025-01-10']);
    const foreign = await insertPatient((await createTenant()).id);
    expect(await inClinic((db) => getPatientHistory(db, actor, foreign.id)).catch((e) => e.status)).toBe(404);
    expect(await inClinic((db) => listPatientMedicalRecords(db, actor, foreign.id, { page: 1, size: 10 })).catch((e) => e.status)).toBe(404);
  });
});

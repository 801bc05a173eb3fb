import { handler as patients } from '../../functions/reflexo/patients-patients';
import { handler as diagnoses } from '../../functions/reflexo/patients-diagnoses';
import { handler as medicalRecords } from '../../functions/reflexo/patients-medical-records';
import { handler as histories } from '../../functions/reflexo/configurations-histories';
import { handler as documentTypes } from '../../functions/reflexo/configurations-document-types';
import { handler as paymentTypes } from '../../functions/reflexo/configurations-payment-types';
import { handler as paymentStatuses } from '../../functions/reflexo/configurations-payment-statuses';
import { handler as prices } from '../../functions/reflexo/configurations-predetermined-prices';
import { createUser, ownerKysely, tenantWithAdmin, uniq, type TestUser } from '../helpers/fixtures';
import { insertDiagnosis, insertPatient, patientBody } from '../helpers/clinical-fixtures';
import { platformStaff } from '../helpers/clinical-actors';
import { call, type Handler } from '../helpers/http';
import { encode, ENCODINGS, sendEveryWay, type Encoding } from '../helpers/encodings';

/*
 * What DRF-era clients send: one create and one update of every resource of modules 3 and 6, as
 * JSON, as JSON with every value a string, urlencoded and multipart. The database must hold the
 * same row each way (ids, timestamps and the values a test makes unique per encoding aside).
 */
let clinic: number;
let staff: TestUser;
let platform: TestUser;
beforeAll(async () => {
  clinic = (await tenantWithAdmin()).tenant.id;
  staff = await createUser({ reflexoId: clinic });
  platform = await platformStaff();
});

type Row = Record<string, unknown>;
const without = (row: Row, keys: string[]) => Object.fromEntries(Object.entries(row).filter(([k]) => !keys.includes(k)));
const rowOf = async (table: string, id: number, ignore: string[]) =>
  without((await ownerKysely().selectFrom(table).selectAll().where('id', '=', id).executeTakeFirstOrThrow()) as Row, ['id', 'created_at', 'updated_at', ...ignore]);

/** Creates every way; returns the stored rows by encoding (each one created, status `status`). */
async function createdEveryWay(handler: Handler, path: string, token: string, body: (e: Encoding) => Row | Promise<Row>, table: string, ignore: string[], status = 201) {
  const res = await sendEveryWay(handler, { method: 'POST', path, token }, body);
  const rows = {} as Record<Encoding, Row>;
  for (const e of ENCODINGS) {
    expect([e, res[e].status, res[e].body]).toEqual([e, status, expect.anything()]);
    rows[e] = await rowOf(table, res[e].body.id, ignore);
  }
  return rows;
}

/** Updates a fresh target per encoding with the same change; returns the stored rows by encoding. */
async function updatedEveryWay(handler: Handler, method: 'PUT' | 'PATCH', pathOf: (id: number) => string, token: string, target: () => Promise<number>, body: (id: number) => Row, table: string, ignore: string[]) {
  const rows = {} as Record<Encoding, Row>;
  for (const e of ENCODINGS) {
    const id = await target();
    const res = await call(handler, { method, path: pathOf(id), token, ...encode(body(id), e) });
    expect([e, res.status]).toEqual([e, 200]);
    rows[e] = await rowOf(table, id, ignore);
  }
  return rows;
}

const expectSameEveryWay = (rows: Record<Encoding, Row>, expected: Row) => {
  expect(rows.json).toMatchObject(expected);
  for (const e of ENCODINGS) expect([e, rows[e]]).toEqual([e, rows.json]);
};

describe('patients', () => {
  const P = '/api/patients/patients';
  const ignore = ['document_number', 'email', 'search_text', 'deleted_at'];

  it('create', async () => {
    const rows = await createdEveryWay(patients, `${P}/create/`, staff.token, () => patientBody({ birth_date: '1990-05-15', phone2: '014445566', maternal_lastname: null }), 'patients', ignore);
    expectSameEveryWay(rows, { reflexo_id: clinic, document_type_id: 1, region_id: 15, province_id: 1501, district_id: 150122, sex: 'F', birth_date: '1990-05-15', maternal_lastname: null, ocupation: 'Estudiante' });
  });

  it('update, with the document type named by its code', async () => {
    const passport = (await ownerKysely().selectFrom('document_types').select('id').where('code', '=', 'PASSPORT').executeTakeFirstOrThrow()).id;
    const rows = await updatedEveryWay(
      patients,
      'PATCH',
      (id) => `${P}/${id}/edit/`,
      staff.token,
      async () => (await insertPatient(clinic)).id,
      () => ({ phone1: '999111222', sex: 'M', birth_date: '1991-01-02', district_code: 150101, document_type: 'passport', maternal_lastname: null, address: '' }),
      'patients',
      ignore,
    );
    expectSameEveryWay(rows, { phone1: '999111222', sex: 'M', birth_date: '1991-01-02', district_id: 150101, document_type_id: passport, maternal_lastname: null, address: null });
  });
});

describe('diagnoses (as platform staff)', () => {
  const D = '/api/patients/diagnoses';
  it('create', async () => {
    const rows = await createdEveryWay(diagnoses, `${D}/create/`, platform.token, () => ({ name: 'Lumbalgia', code: uniq('DRF') }), 'diagnoses', ['code']);
    expectSameEveryWay(rows, { name: 'Lumbalgia', deleted_at: null });
  });
  it('update', async () => {
    const codes = new Map<number, string>();
    const rows = await updatedEveryWay(
      diagnoses,
      'PUT',
      (id) => `${D}/${id}/edit/`,
      platform.token,
      async () => {
        const d = await insertDiagnosis();
        codes.set(d.id, d.code);
        return d.id;
      },
      (id) => ({ name: 'Lumbalgia crónica', code: codes.get(id)! }),
      'diagnoses',
      ['code'],
    );
    expectSameEveryWay(rows, { name: 'Lumbalgia crónica' });
  });
});

describe('medical records', () => {
  const M = '/api/patients/medical-records';
  let dx: number;
  beforeAll(async () => {
    dx = (await insertDiagnosis()).id;
  });
  it('create', async () => {
    const rows = await createdEveryWay(
      medicalRecords,
      `${M}/create/`,
      staff.token,
      async () => ({ patient_id: (await insertPatient(clinic)).id, diagnose_id: dx, diagnosis_date: '2025-09-25', notes: 'Control de seguimiento', symptoms: null, treatment: 'Reposo', status: 'active' }),
      'medical_records',
      ['patient_id'],
    );
    expectSameEveryWay(rows, { reflexo_id: clinic, diagnose_id: dx, diagnosis_date: '2025-09-25', symptoms: null, status: 'active' });
  });
  it('update', async () => {
    const owners = new Map<number, number>();
    const rows = await updatedEveryWay(
      medicalRecords,
      'PUT',
      (id) => `${M}/${id}/edit/`,
      staff.token,
      async () => {
        const p = (await insertPatient(clinic)).id;
        const r = await ownerKysely().insertInto('medical_records').values({ reflexo_id: clinic, patient_id: p, diagnose_id: dx, diagnosis_date: '2025-01-01', notes: 'antes' }).returning('id').executeTakeFirstOrThrow();
        owners.set(r.id, p);
        return r.id;
      },
      (id) => ({ patient_id: owners.get(id)!, diagnose_id: dx, diagnosis_date: '2025-02-03', notes: 'Control finalizado', symptoms: '', treatment: null, status: 'completed' }),
      'medical_records',
      ['patient_id'],
    );
    expectSameEveryWay(rows, { diagnosis_date: '2025-02-03', notes: 'Control finalizado', symptoms: null, treatment: null, status: 'completed' });
  });
});

describe('histories', () => {
  const H = '/api/configurations/histories';
  const ignore = ['patient_id', 'local_id'];
  it('create', async () => {
    const rows = await createdEveryWay(
      histories,
      `${H}/create/`,
      staff.token,
      async () => ({ patient: (await insertPatient(clinic)).id, testimony: false, height: 1.68, weight: '62.5', last_weight: null, menstruation: false, diu_type: 'Cobre', gestation: false }),
      'histories',
      ignore,
    );
    expectSameEveryWay(rows, { reflexo_id: clinic, testimony: false, height: '1.68', weight: '62.50', last_weight: null, menstruation: false, gestation: false, diu_type: 'Cobre' });
  });
  it('update', async () => {
    let local = 800000;
    const rows = await updatedEveryWay(
      histories,
      'PATCH',
      (id) => `${H}/${id}/edit/`,
      staff.token,
      async () => {
        const p = (await insertPatient(clinic)).id;
        return (await ownerKysely().insertInto('histories').values({ reflexo_id: clinic, local_id: local++, patient_id: p, height: '1.50', weight: '70.00' }).returning('id').executeTakeFirstOrThrow()).id;
      },
      () => ({ height: null, weight: 61, gestation: true, testimony: 'false', private_observation: 'Revisión posterior sin novedades', observation: '' }),
      'histories',
      ignore,
    );
    expectSameEveryWay(rows, { height: null, weight: '61.00', gestation: true, testimony: false, private_observation: 'Revisión posterior sin novedades', observation: null });
  });
});

describe.each([
  ['document_types', documentTypes],
  ['payment_types', paymentTypes],
] as [string, Handler][])('%s (as platform staff)', (table, handler) => {
  const base = `/api/configurations/${table}`;
  it('create', async () => {
    const rows = await createdEveryWay(handler, `${base}/create/`, platform.token, () => ({ name: 'Carné de Extranjería 2' }), table, []);
    expectSameEveryWay(rows, { name: 'Carné de Extranjería 2', code: null, deleted_at: null });
  });
  it('update', async () => {
    const rows = await updatedEveryWay(handler, 'PUT', (id) => `${base}/${id}/edit/`, platform.token, async () => (await ownerKysely().insertInto(table).values({ name: uniq('T ') }).returning('id').executeTakeFirstOrThrow()).id, () => ({ name: 'Renombrado' }), table, []);
    expectSameEveryWay(rows, { name: 'Renombrado' });
  });
});

describe('payment statuses (as platform staff)', () => {
  const base = '/api/configurations/payment_statuses';
  it('create', async () => {
    const rows = await createdEveryWay(paymentStatuses, `${base}/create/`, platform.token, () => ({ name: 'Reembolsado', description: 'Pago reembolsado al cliente' }), 'payment_statuses', []);
    expectSameEveryWay(rows, { name: 'Reembolsado', description: 'Pago reembolsado al cliente', code: null });
  });
  it('update (a blank description clears it)', async () => {
    const rows = await updatedEveryWay(
      paymentStatuses,
      'PATCH',
      (id) => `${base}/${id}/edit/`,
      platform.token,
      async () => (await ownerKysely().insertInto('payment_statuses').values({ name: uniq('S '), description: 'antes' }).returning('id').executeTakeFirstOrThrow()).id,
      () => ({ name: 'Parcial', description: null }),
      'payment_statuses',
      [],
    );
    expectSameEveryWay(rows, { name: 'Parcial', description: null });
  });
});

describe('predetermined prices', () => {
  const PP = '/api/configurations/predetermined_prices';
  it('create', async () => {
    // Names are unique per clinic: one per encoding.
    const rows = await createdEveryWay(prices, `${PP}/create/`, staff.token, (e) => ({ name: `Consulta de Emergencia ${e}`, price: 300.5 }), 'predetermined_prices', ['name']);
    expectSameEveryWay(rows, { reflexo_id: clinic, price: '300.50', duration_minutes: null });
  });
  it('update', async () => {
    const rows = await updatedEveryWay(
      prices,
      'PUT',
      (id) => `${PP}/${id}/edit/`,
      staff.token,
      async () => (await ownerKysely().insertInto('predetermined_prices').values({ reflexo_id: clinic, name: uniq('Consulta '), price: '150.00' }).returning('id').executeTakeFirstOrThrow()).id,
      (id) => ({ name: `Consulta General ${id}`, price: 180, reflexo_id: clinic }),
      'predetermined_prices',
      ['name'],
    );
    expectSameEveryWay(rows, { price: '180.00' });
  });
});

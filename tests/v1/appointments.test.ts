import { handler } from '../../functions/v1/appointments';
import { handler as doctorsHandler } from '../../functions/v1/doctors';
import { handler as reflexoHandler } from '../../functions/reflexo/appointments-appointments';
import { isoWeekday } from '../../lib/time';
import { createUser, ownerKysely, tenantWithAdmin, uniq, type TestUser } from '../helpers/fixtures';
import { call } from '../helpers/http';
import { lastMailTo, mailsTo } from '../helpers/mail';
import { createPatient, createTherapist, limaDate } from '../helpers/scheduling-fixtures';

/*
 * v1 appointments through the real handler: the spec's Cita shape, fecha_hora ↔ the Reflexo date +
 * hour, the doctor's schedule, statuses, the reminder read back from the SES stand-in, and a
 * 50-request booking race. The race simulates 20 Lambda containers (one connection each) with a pool
 * of 20, as tests/scheduling/booking-concurrency.test.ts does; every request still uses one connection.
 */
process.env.DB_POOL_MAX = '20';

const P = '/api/v1/appointments';
const R = '/api/appointments/appointments';
let admin: TestUser;
let tenantId: number;
let patient: { id: number; name: string };
let doctor: number;

/** Lima is UTC−5 all year (no DST): 10:00 there is 15:00Z. */
const utc = (date: string, hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return `${date}T${String(h + 5).padStart(2, '0')}:${String(m).padStart(2, '0')}:00Z`;
};
const book = (json: Record<string, unknown>, token = admin.token) => call(handler, { method: 'POST', path: P, token, json });
const addBlock = (d: number, body: Record<string, unknown>) => call(doctorsHandler, { method: 'POST', path: `/api/v1/doctors/${d}/schedule`, token: admin.token, json: body });
/** Distinct days (a week apart from other tests' days) so tests never collide on a slot. */
let dayOffset = 3;
const nextDay = () => limaDate(dayOffset++);

beforeAll(async () => {
  const t = await tenantWithAdmin();
  admin = t.admin;
  tenantId = t.tenant.id;
  patient = await createPatient(tenantId, { phone1: '555-1234', email: `${uniq('p')}@example.com` });
  doctor = (await createTherapist(tenantId, { first_name: 'Carlos', last_name_paternal: 'Gómez', last_name_maternal: null })).id;
  // Open the pool's connections before the race (see the Reflexo concurrency test).
  await Promise.all(Array.from({ length: 20 }, () => call(handler, { path: P, token: admin.token })));
});

describe('the Cita shape and fecha_hora ↔ the Reflexo date + hour', () => {
  it('POST books (201) in the spec’s shape exactly, opens the ticket, and the Reflexo surface reads the same appointment field by field', async () => {
    const date = nextDay();
    const res = await book({
      paciente_id: patient.id,
      doctor_id: doctor,
      fecha_hora: utc(date, '10:00'),
      motivo_consulta: 'Revisión y limpieza anual',
      telefono_contacto: '555-1234',
      email_contacto: 'ana@email.com',
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      paciente: { id: patient.id, nombres: patient.name, apellidos: 'Pérez Ramos', telefono: '555-1234' },
      doctor: { id: doctor, nombres: 'Carlos', apellidos: 'Gómez' },
      fecha_hora: `${date}T15:00:00Z`,
      duracion_minutos: 60,
      motivo_consulta: 'Revisión y limpieza anual',
      estado: 'Programada',
      telefono_contacto: '555-1234',
      email_contacto: 'ana@email.com',
      recordatorio_enviado: false,
      created_at: expect.stringMatching(/Z$/),
      updated_at: expect.stringMatching(/Z$/),
    });
    const ticket = await ownerKysely().selectFrom('tickets').select(['status', 'appointment_id']).where('appointment_id', '=', res.body.id).executeTakeFirst();
    expect(ticket).toEqual({ status: 'pending', appointment_id: res.body.id });

    const reflexo = await call(reflexoHandler, { path: `${R}/${res.body.id}/`, token: admin.token });
    expect(reflexo.status).toBe(200);
    expect(reflexo.body).toMatchObject({
      id: res.body.id,
      patient: { id: patient.id, name: patient.name, paternal_lastname: 'Pérez' },
      therapist: { id: doctor, first_name: 'Carlos', last_name_paternal: 'Gómez' },
      appointment_date: date,
      hour: '10:00:00',
      duration_minutes: 60,
      ailments: 'Revisión y limpieza anual',
      is_cancelled: false,
      ticket_number: expect.stringMatching(/^TKT-/),
    });
    expect(reflexo.body.appointment_status.name).toBeTruthy();
  });

  it('fecha_hora with an offset is that instant; without one it is the clinic’s wall clock; `paciente: {id}` and `doctor: {id}` work too', async () => {
    const date = nextDay();
    const offset = await book({ paciente: { id: patient.id }, doctor: { id: doctor }, fecha_hora: `${date}T09:30:00-05:00` });
    expect(offset.status).toBe(201);
    expect(offset.body.fecha_hora).toBe(`${date}T14:30:00Z`);
    const wall = await book({ paciente_id: patient.id, doctor_id: doctor, fecha_hora: `${date}T16:45:00` });
    expect(wall.status).toBe(201);
    expect(wall.body.fecha_hora).toBe(`${date}T21:45:00Z`);
    const stored = await ownerKysely().selectFrom('appointments').select(['id', 'appointment_date', 'hour']).where('id', 'in', [offset.body.id, wall.body.id]).orderBy('id').execute();
    expect(stored.map((r: any) => [r.hour, typeof r.appointment_date === 'string' ? r.appointment_date : r.appointment_date.toISOString().slice(0, 10)])).toEqual([
      ['09:30:00', date],
      ['16:45:00', date],
    ]);
    // An instant after 19:00 in Lima is the next UTC day but still the same clinic day.
    const late = await book({ paciente_id: patient.id, doctor_id: doctor, fecha_hora: `${limaDate(dayOffset)}T02:00:00Z` });
    expect(late.status).toBe(201);
    const lateReflexo = await call(reflexoHandler, { path: `${R}/${late.body.id}/`, token: admin.token });
    expect(lateReflexo.body).toMatchObject({ appointment_date: date, hour: '21:00:00' });
  });

  it('the reverse: an appointment booked on the Reflexo surface reads on v1 field by field', async () => {
    const date = nextDay();
    const r = await call(reflexoHandler, {
      method: 'POST',
      path: `${R}/create/`,
      token: admin.token,
      json: { patient: patient.id, therapist: doctor, appointment_date: date, hour: '08:15', duration_minutes: 45, ailments: 'Dolor lumbar' },
    });
    expect(r.status).toBe(201);
    const v1 = await call(handler, { path: `${P}/${r.body.id}`, token: admin.token });
    expect(v1.status).toBe(200);
    expect(v1.body).toMatchObject({
      id: r.body.id,
      paciente: { id: patient.id, nombres: patient.name, apellidos: 'Pérez Ramos', telefono: '555-1234' },
      doctor: { id: doctor, nombres: 'Carlos', apellidos: 'Gómez' },
      fecha_hora: `${date}T13:15:00Z`,
      duracion_minutos: 45,
      motivo_consulta: 'Dolor lumbar',
      estado: 'Programada',
      telefono_contacto: null,
      email_contacto: null,
      recordatorio_enviado: false,
    });
  });

  it('a clinic in a DST zone converts with that zone’s offset of the day', async () => {
    const t = await tenantWithAdmin();
    await ownerKysely().updateTable('tenants').set({ time_zone: 'America/New_York' }).where('id', '=', t.tenant.id).execute();
    const p = await createPatient(t.tenant.id);
    const d = (await createTherapist(t.tenant.id)).id;
    const year = new Date().getUTCFullYear() + 1;
    // 15 January: EST (UTC−5); 15 July: EDT (UTC−4).
    const winter = await book({ paciente_id: p.id, doctor_id: d, fecha_hora: `${year}-01-15T10:00:00` }, t.admin.token);
    const summer = await book({ paciente_id: p.id, doctor_id: d, fecha_hora: `${year}-07-15T10:00:00` }, t.admin.token);
    expect([winter.status, summer.status]).toEqual([201, 201]);
    expect(winter.body.fecha_hora).toBe(`${year}-01-15T15:00:00Z`);
    expect(summer.body.fecha_hora).toBe(`${year}-07-15T14:00:00Z`);
    // A day's agenda reads the zone with its page: the same instants.
    const day = async (date: string) => (await call(handler, { path: `${P}/date/${date}`, token: t.admin.token })).body.map((c: any) => c.fecha_hora);
    expect(await day(`${year}-01-15`)).toEqual([`${year}-01-15T15:00:00Z`]);
    expect(await day(`${year}-07-15`)).toEqual([`${year}-07-15T14:00:00Z`]);
    // 02:30 on the spring-forward Sunday does not exist there.
    const march = new Date(Date.UTC(year, 2, 1));
    const secondSunday = 1 + ((7 - march.getUTCDay()) % 7) + 7;
    const gap = await book({ paciente_id: p.id, doctor_id: d, fecha_hora: `${year}-03-${String(secondSunday).padStart(2, '0')}T02:30:00` }, t.admin.token);
    expect(gap.status).toBe(422);
    expect(gap.body.detail[0].loc).toEqual(['body', 'fecha_hora']);
  });
});

describe('booking rules', () => {
  it('the duration defaults to the slot length of the doctor’s schedule block; outside the schedule, in a break or on a day off: 422 on fecha_hora', async () => {
    const d = (await createTherapist(tenantId)).id;
    const date = nextDay();
    expect((await addBlock(d, { dia_semana: isoWeekday(date), hora_inicio: '09:00', hora_fin: '13:00', duracion_cita: 30, descansos: [{ inicio: '11:00', fin: '11:30' }] })).status).toBe(201);
    const ok = await book({ paciente_id: patient.id, doctor_id: d, fecha_hora: utc(date, '09:00') });
    expect(ok.status).toBe(201);
    expect(ok.body.duracion_minutos).toBe(30);
    for (const [hhmm, extra] of [['14:00', {}], ['11:00', {}], ['12:30', { duracion_minutos: 60 }]] as const) {
      const refused = await book({ paciente_id: patient.id, doctor_id: d, fecha_hora: utc(date, hhmm), ...extra });
      expect(refused.status).toBe(422);
      expect(refused.body.detail).toEqual([expect.objectContaining({ loc: ['body', 'fecha_hora'], type: 'outside_schedule', msg: expect.stringContaining('fuera del horario') })]);
    }
    const off = await call(doctorsHandler, { method: 'POST', path: `/api/v1/doctors/${d}/schedule/exceptions`, token: admin.token, json: { fecha: date, motivo: 'Congreso' } });
    expect(off.status).toBe(201);
    expect((await book({ paciente_id: patient.id, doctor_id: d, fecha_hora: utc(date, '10:00') })).status).toBe(422);
    // Nothing was booked by the refusals.
    expect(await ownerKysely().selectFrom('appointments').select('id').where('therapist_id', '=', d).execute()).toHaveLength(1);
  });

  it('an overlapping booking of the doctor is 409 {"detail"}; 422 in FastAPI shape for bad input, past times and another clinic’s patient', async () => {
    const date = nextDay();
    expect((await book({ paciente_id: patient.id, doctor_id: doctor, fecha_hora: utc(date, '10:00') })).status).toBe(201);
    const clash = await book({ paciente_id: patient.id, doctor_id: doctor, fecha_hora: utc(date, '10:30') });
    expect(clash.status).toBe(409);
    expect(clash.body).toEqual({ detail: 'El doctor ya tiene una cita en ese horario.' });

    const missing = await book({ fecha_hora: utc(date, '12:00') });
    expect(missing.status).toBe(422);
    expect(missing.body.detail.map((i: { loc: string[] }) => i.loc)).toEqual([
      ['body', 'paciente_id'],
      ['body', 'doctor_id'],
    ]);
    const badTime = await book({ paciente_id: patient.id, doctor_id: doctor, fecha_hora: `${date}T25:00:00Z` });
    expect(badTime.status).toBe(422);
    expect(badTime.body.detail[0]).toMatchObject({ loc: ['body', 'fecha_hora'], input: `${date}T25:00:00Z` });
    const badEstado = await book({ paciente_id: patient.id, doctor_id: doctor, fecha_hora: utc(date, '12:00'), estado: 'Perdida' });
    expect(badEstado.status).toBe(422);
    expect(badEstado.body.detail[0]).toMatchObject({ loc: ['body', 'estado'], msg: 'Estado desconocido. Valores válidos: Programada, Confirmada, En curso, Completada, Cancelada, No asistió' });
    const past = await book({ paciente_id: patient.id, doctor_id: doctor, fecha_hora: utc(limaDate(-2), '10:00') });
    expect(past.status).toBe(422);
    expect(past.body.detail[0].loc).toEqual(['body', 'fecha_hora']);
    const nobody = await book({ paciente_id: patient.id, doctor_id: 999999999, fecha_hora: utc(date, '12:00') });
    expect(nobody.status).toBe(422);
    expect(nobody.body.detail[0]).toMatchObject({ loc: ['body', 'doctor_id'], msg: 'El doctor no existe o no está activo.', input: 999999999 });
    const other = await tenantWithAdmin();
    const theirs = await createPatient(other.tenant.id);
    const foreign = await book({ paciente_id: theirs.id, doctor_id: doctor, fecha_hora: utc(date, '12:00') });
    expect(foreign.status).toBe(422);
    expect(foreign.body.detail[0]).toMatchObject({ loc: ['body', 'paciente_id'], input: theirs.id });
    // estado on creation, accent- and case-insensitive.
    const confirmed = await book({ paciente_id: patient.id, doctor_id: doctor, fecha_hora: utc(date, '12:00'), estado: 'confirmada' });
    expect(confirmed.status).toBe(201);
    expect(confirmed.body.estado).toBe('Confirmada');
  });

  it('50 parallel bookings of one slot: exactly one 201 and 49 × 409, one appointment and one ticket', async () => {
    const t = await tenantWithAdmin();
    const token = (await createUser({ reflexoId: t.tenant.id })).token;
    const p = await createPatient(t.tenant.id);
    const d = (await createTherapist(t.tenant.id)).id;
    const date = limaDate(9);
    const results = await Promise.all(Array.from({ length: 50 }, () => book({ paciente_id: p.id, doctor_id: d, fecha_hora: utc(date, '10:00') }, token)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    expect(results.find((r) => r.status === 409)!.body).toEqual({ detail: 'El doctor ya tiene una cita en ese horario.' });
    const rows = await ownerKysely().selectFrom('appointments').select('id').where('reflexo_id', '=', t.tenant.id).execute();
    expect(rows).toHaveLength(1);
    const tickets = await ownerKysely().selectFrom('tickets').select(['ticket_number', 'appointment_id']).where('reflexo_id', '=', t.tenant.id).execute();
    expect(tickets).toEqual([{ ticket_number: 'TKT-000001', appointment_id: rows[0].id }]);
  });
});

describe('reads', () => {
  let clinic: { token: string; tenant: number; patients: number[]; doctors: number[]; ids: number[]; day1: string; day2: string };

  beforeAll(async () => {
    const t = await tenantWithAdmin();
    const patients = [(await createPatient(t.tenant.id)).id, (await createPatient(t.tenant.id)).id];
    const doctors = [(await createTherapist(t.tenant.id)).id, (await createTherapist(t.tenant.id)).id];
    const day1 = limaDate(4);
    const day2 = limaDate(5);
    const ids: number[] = [];
    for (const [pi, di, d, h] of [[0, 0, day2, '09:00'], [0, 1, day1, '11:00'], [1, 0, day1, '08:00'], [1, 1, day2, '15:00']] as const) {
      const r = await book({ paciente_id: patients[pi], doctor_id: doctors[di], fecha_hora: utc(d, h) }, t.admin.token);
      expect(r.status).toBe(201);
      ids.push(r.body.id);
    }
    await call(handler, { method: 'PATCH', path: `${P}/${ids[3]}/status`, token: t.admin.token, json: { estado: 'Completada' } });
    clinic = { token: t.admin.token, tenant: t.tenant.id, patients, doctors, ids, day1, day2 };
  });

  const list = (query: Record<string, string | number> = {}, path = P) => call(handler, { path, query, token: clinic.token });

  it('the list is a bare array in chronological order with X-Total-Count and Link; filters fecha_desde, fecha_hasta, doctor_id, paciente_id, estado', async () => {
    const all = await list();
    expect(all.status).toBe(200);
    expect(all.body.map((c: { id: number }) => c.id)).toEqual([clinic.ids[2], clinic.ids[1], clinic.ids[0], clinic.ids[3]]);
    expect(all.headers['x-total-count']).toBe('4');
    const paged = await list({ page: 2, size: 3 });
    expect(paged.body.map((c: { id: number }) => c.id)).toEqual([clinic.ids[3]]);
    expect(paged.headers.link).toContain('rel="prev"');
    expect((await list({ fecha_desde: clinic.day2 })).body.map((c: { id: number }) => c.id)).toEqual([clinic.ids[0], clinic.ids[3]]);
    expect((await list({ fecha_hasta: clinic.day1 })).headers['x-total-count']).toBe('2');
    expect((await list({ doctor_id: clinic.doctors[1] })).body.map((c: { id: number }) => c.id)).toEqual([clinic.ids[1], clinic.ids[3]]);
    expect((await list({ paciente_id: clinic.patients[1] })).body.map((c: { id: number }) => c.id)).toEqual([clinic.ids[2], clinic.ids[3]]);
    expect((await list({ estado: 'Completada' })).body.map((c: { id: number }) => c.id)).toEqual([clinic.ids[3]]);
    expect((await list({ estado: 'Programada', doctor_id: clinic.doctors[0] })).body.map((c: { id: number }) => c.id)).toEqual([clinic.ids[2], clinic.ids[0]]);
    const badEstado = await list({ estado: 'x' });
    expect(badEstado.status).toBe(422);
    expect(badEstado.body.detail[0].loc).toEqual(['query', 'estado']);
    const reversed = await list({ fecha_desde: clinic.day2, fecha_hasta: clinic.day1 });
    expect(reversed.status).toBe(422);
    expect(reversed.body.detail[0].loc).toEqual(['query', 'fecha_hasta']);
  });

  it('date/{date} is one clinic day; a bad date is 422', async () => {
    const day = await list({}, `${P}/date/${clinic.day1}`);
    expect(day.status).toBe(200);
    expect(day.body.map((c: { id: number }) => c.id)).toEqual([clinic.ids[2], clinic.ids[1]]);
    expect(day.body[0].fecha_hora).toBe(utc(clinic.day1, '08:00'));
    // Page by page, each with the day's total; past the end, no rows and the same total.
    for (const [page, ids] of [[1, [clinic.ids[2]]], [2, [clinic.ids[1]]], [3, []]] as const) {
      const res = await list({ page, size: 1 }, `${P}/date/${clinic.day1}`);
      expect(res.body.map((c: { id: number }) => c.id)).toEqual(ids);
      expect(res.headers['x-total-count']).toBe('2');
    }
    for (const bad of ['2024-13-01', '2024-02-30', 'manana']) {
      const res = await list({}, `${P}/date/${bad}`);
      expect(res.status).toBe(422);
      expect(res.body.detail[0].loc).toEqual(['path', 'date']);
    }
  });

  it('doctor/{id} and patient/{id} list theirs; another clinic’s doctor or patient is 404', async () => {
    const byDoctor = await list({}, `${P}/doctor/${clinic.doctors[0]}`);
    expect(byDoctor.body.map((c: { id: number }) => c.id)).toEqual([clinic.ids[2], clinic.ids[0]]);
    expect(byDoctor.headers['x-total-count']).toBe('2');
    const byPatient = await list({ estado: 'Completada' }, `${P}/patient/${clinic.patients[1]}`);
    expect(byPatient.body.map((c: { id: number }) => c.id)).toEqual([clinic.ids[3]]);
    expect((await list({}, `${P}/doctor/${doctor}`)).status).toBe(404);
    expect((await list({}, `${P}/patient/${patient.id}`)).status).toBe(404);
    expect((await list({}, `${P}/doctor/abc`)).status).toBe(422);
  });

  it('another clinic’s appointment is 404 on every route and stays unchanged; its rows never list here', async () => {
    const theirs = clinic.ids[0];
    for (const [method, path, json] of [
      ['GET', `${P}/${theirs}`, undefined],
      ['PUT', `${P}/${theirs}`, { motivo_consulta: 'x' }],
      ['PATCH', `${P}/${theirs}/status`, { estado: 'Cancelada' }],
      ['POST', `${P}/${theirs}/reminder`, undefined],
      ['DELETE', `${P}/${theirs}`, undefined],
    ] as const) {
      const res = await call(handler, { method, path, json, token: admin.token });
      expect([method, res.status]).toEqual([method, 404]);
    }
    const row = await ownerKysely().selectFrom('appointments').select(['deleted_at', 'ailments', 'cancelled_at', 'reminder_sent_at']).where('id', '=', theirs).executeTakeFirst();
    expect(row).toEqual({ deleted_at: null, ailments: null, cancelled_at: null, reminder_sent_at: null });
    const mine = await call(handler, { path: P, token: admin.token, query: { size: 200 } });
    expect(mine.body.some((c: { id: number }) => clinic.ids.includes(c.id))).toBe(false);
    const notInt = await call(handler, { path: `${P}/1.5`, token: admin.token });
    expect(notInt.status).toBe(422);
    expect(notInt.body.detail[0].loc).toEqual(['path', 'appointment_id']);
    const anonymous = await call(handler, { path: P });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual({ detail: 'Not authenticated' });
  });

  it('available-slots?doctor_id=&date= answers exactly what /doctors/{id}/available-slots does', async () => {
    const d = (await createTherapist(tenantId)).id;
    const date = nextDay();
    await addBlock(d, { dia_semana: isoWeekday(date), hora_inicio: '09:00', hora_fin: '11:00', duracion_cita: 60 });
    expect((await book({ paciente_id: patient.id, doctor_id: d, fecha_hora: utc(date, '09:00') })).status).toBe(201);
    const here = await call(handler, { path: `${P}/available-slots`, query: { doctor_id: d, date }, token: admin.token });
    expect(here.status).toBe(200);
    expect(here.body).toEqual({
      doctor_id: d,
      fecha_desde: date,
      fecha_hasta: date,
      zona_horaria: 'America/Lima',
      tiene_horario: true,
      slots: [{ fecha: date, hora_inicio: '10:00', hora_fin: '11:00', inicio: utc(date, '10:00'), fin: utc(date, '11:00') }],
    });
    const there = await call(doctorsHandler, { path: `/api/v1/doctors/${d}/available-slots`, query: { date }, token: admin.token });
    expect(here.body).toEqual(there.body);
    const noDoctor = await call(handler, { path: `${P}/available-slots`, query: { date }, token: admin.token });
    expect(noDoctor.status).toBe(422);
    expect(noDoctor.body.detail[0].loc).toEqual(['query', 'doctor_id']);
    expect((await call(handler, { path: `${P}/available-slots`, query: { doctor_id: clinic.doctors[0], date }, token: admin.token })).status).toBe(404);
  });
});

describe('writes', () => {
  it('PUT changes the fields sent (null clears), moves the appointment on the Reflexo agenda too; 409 into a taken slot; 422 outside the schedule', async () => {
    const date = nextDay();
    const a = (await book({ paciente_id: patient.id, doctor_id: doctor, fecha_hora: utc(date, '09:00'), motivo_consulta: 'Control', email_contacto: 'x@example.com' })).body;
    const b = (await book({ paciente_id: patient.id, doctor_id: doctor, fecha_hora: utc(date, '12:00') })).body;
    const moved = await call(handler, { method: 'PUT', path: `${P}/${a.id}`, token: admin.token, json: { fecha_hora: `${date}T10:30:00`, duracion_minutos: 30, email_contacto: null, motivo_consulta: 'Control anual' } });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ id: a.id, fecha_hora: utc(date, '10:30'), duracion_minutos: 30, email_contacto: null, motivo_consulta: 'Control anual', estado: 'Programada' });
    const reflexo = await call(reflexoHandler, { path: `${R}/${a.id}/`, token: admin.token });
    expect(reflexo.body).toMatchObject({ appointment_date: date, hour: '10:30:00', duration_minutes: 30, ailments: 'Control anual' });
    const clash = await call(handler, { method: 'PUT', path: `${P}/${a.id}`, token: admin.token, json: { fecha_hora: utc(date, '11:45') } });
    expect(clash.status).toBe(409);
    expect(clash.body).toEqual({ detail: expect.any(String) });
    expect((await call(handler, { path: `${P}/${b.id}`, token: admin.token })).body.fecha_hora).toBe(utc(date, '12:00'));

    const d = (await createTherapist(tenantId)).id;
    await addBlock(d, { dia_semana: isoWeekday(date), hora_inicio: '14:00', hora_fin: '16:00', duracion_cita: 30 });
    const outside = await call(handler, { method: 'PUT', path: `${P}/${a.id}`, token: admin.token, json: { doctor_id: d } });
    expect(outside.status).toBe(422);
    expect(outside.body.detail[0]).toMatchObject({ loc: ['body', 'fecha_hora'], type: 'outside_schedule' });
    const inside = await call(handler, { method: 'PUT', path: `${P}/${a.id}`, token: admin.token, json: { doctor: { id: d }, fecha_hora: utc(date, '14:00') } });
    expect(inside.status).toBe(200);
    expect(inside.body.doctor.id).toBe(d);
  });

  it('PATCH /status accepts {"estado"} and {"status"}: the catalog status by kind; Cancelada frees the slot and cancels the pending ticket', async () => {
    const date = nextDay();
    const a = (await book({ paciente_id: patient.id, doctor_id: doctor, fecha_hora: utc(date, '09:00') })).body;
    const patch = (json: unknown) => call(handler, { method: 'PATCH', path: `${P}/${a.id}/status`, token: admin.token, json });
    const kindOf = async () =>
      (await ownerKysely().selectFrom('appointments as a').innerJoin('appointment_statuses as s', 's.id', 'a.appointment_status_id').select('s.kind').where('a.id', '=', a.id).executeTakeFirstOrThrow()).kind;
    for (const [json, estado, kind] of [
      [{ estado: 'Confirmada' }, 'Confirmada', 'confirmed'],
      [{ status: 'En curso' }, 'En curso', 'in_progress'],
      [{ status: 'no asistio' }, 'No asistió', 'no_show'],
      [{ estado: 'Completada' }, 'Completada', 'completed'],
      [{ estado: 'Programada' }, 'Programada', 'pending'],
    ] as const) {
      const res = await patch(json);
      expect([res.status, res.body.estado]).toEqual([200, estado]);
      expect(await kindOf()).toBe(kind);
    }
    const cancelled = await patch({ status: 'Cancelada' });
    expect(cancelled.body.estado).toBe('Cancelada');
    const reflexo = await call(reflexoHandler, { path: `${R}/${a.id}/`, token: admin.token });
    expect(reflexo.body.is_cancelled).toBe(true);
    const ticket = await ownerKysely().selectFrom('tickets').select('status').where('appointment_id', '=', a.id).executeTakeFirstOrThrow();
    expect(ticket.status).toBe('cancelled');
    // The slot is free again: another booking takes it; the cancelled one cannot come back into it.
    expect((await book({ paciente_id: patient.id, doctor_id: doctor, fecha_hora: utc(date, '09:00') })).status).toBe(201);
    expect((await patch({ estado: 'Programada' })).status).toBe(409);

    const unknown = await patch({ estado: 'Reprogramada' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.detail[0]).toMatchObject({ loc: ['body', 'estado'], msg: expect.stringContaining('Valores válidos: Programada, Confirmada, En curso, Completada, Cancelada, No asistió') });
    const none = await patch({});
    expect(none.status).toBe(422);
    expect(none.body.detail[0].loc).toEqual(['body', 'estado']);
  });

  it('DELETE is a soft delete (204): gone from both surfaces, the row kept with deleted_at, the pending ticket cancelled', async () => {
    const a = (await book({ paciente_id: patient.id, doctor_id: doctor, fecha_hora: utc(nextDay(), '09:00') })).body;
    const res = await call(handler, { method: 'DELETE', path: `${P}/${a.id}`, token: admin.token });
    expect(res.status).toBe(204);
    expect((await call(handler, { path: `${P}/${a.id}`, token: admin.token })).status).toBe(404);
    expect((await call(reflexoHandler, { path: `${R}/${a.id}/`, token: admin.token })).status).toBe(404);
    expect((await call(handler, { method: 'DELETE', path: `${P}/${a.id}`, token: admin.token })).status).toBe(404);
    const row = await ownerKysely().selectFrom('appointments').select('deleted_at').where('id', '=', a.id).executeTakeFirstOrThrow();
    expect(row.deleted_at).not.toBeNull();
    const ticket = await ownerKysely().selectFrom('tickets').select(['status', 'is_active']).where('appointment_id', '=', a.id).executeTakeFirstOrThrow();
    expect(ticket).toEqual({ status: 'cancelled', is_active: false });
  });
});

describe('reminder', () => {
  it('e-mails the contact address (HTML + text: clinic, date and hour in the clinic’s zone, doctor) and sets recordatorio_enviado', async () => {
    const date = nextDay();
    const email = `${uniq('c')}@example.com`;
    const a = (await book({ paciente_id: patient.id, doctor_id: doctor, fecha_hora: utc(date, '10:00'), email_contacto: email, motivo_consulta: 'Limpieza' })).body;
    const res = await call(handler, { method: 'POST', path: `${P}/${a.id}/reminder`, token: admin.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ enviado: true, appointment_id: a.id, email, cita: { id: a.id, recordatorio_enviado: true } });
    const clinic = (await ownerKysely().selectFrom('tenants').select('name').where('id', '=', tenantId).executeTakeFirstOrThrow()).name;
    const mail = await lastMailTo(email);
    expect(mail?.subject).toContain(clinic);
    const day = Number(date.slice(8));
    for (const body of [mail!.body.text!, mail!.body.html!]) {
      expect(body).toContain(clinic);
      expect(body).toContain(`${day} de `);
      expect(body).toContain('10:00');
      expect(body).toContain('America/Lima');
      expect(body).toContain('Carlos Gómez');
    }
    expect(mail!.body.html).toContain('<table>');
    expect((await call(handler, { path: `${P}/${a.id}`, token: admin.token })).body.recordatorio_enviado).toBe(true);
    // A second click the same day queues nothing new.
    const again = await call(handler, { method: 'POST', path: `${P}/${a.id}/reminder`, token: admin.token });
    expect(again.body.enviado).toBe(false);
    expect(await mailsTo(email)).toHaveLength(1);
  });

  it('without a contact e-mail it goes to the patient’s; with neither 422; a cancelled appointment 409', async () => {
    const date = nextDay();
    const withPatientMail = (await book({ paciente_id: patient.id, doctor_id: doctor, fecha_hora: utc(date, '08:00') })).body;
    const sent = await call(handler, { method: 'POST', path: `${P}/${withPatientMail.id}/reminder`, token: admin.token });
    expect(sent.status).toBe(200);
    const patientEmail = (await ownerKysely().selectFrom('patients').select('email').where('id', '=', patient.id).executeTakeFirstOrThrow()).email;
    expect(sent.body.email).toBe(patientEmail);
    expect((await lastMailTo(patientEmail))?.subject).toContain('Recordatorio');

    const noMail = await createPatient(tenantId, { email: null });
    const a = (await book({ paciente_id: noMail.id, doctor_id: doctor, fecha_hora: utc(date, '09:00') })).body;
    const refused = await call(handler, { method: 'POST', path: `${P}/${a.id}/reminder`, token: admin.token });
    expect(refused.status).toBe(422);
    expect(refused.body.detail[0]).toMatchObject({ type: 'missing_email', msg: expect.stringContaining('e-mail') });
    expect((await call(handler, { path: `${P}/${a.id}`, token: admin.token })).body.recordatorio_enviado).toBe(false);

    await call(handler, { method: 'PATCH', path: `${P}/${withPatientMail.id}/status`, token: admin.token, json: { estado: 'Cancelada' } });
    const cancelled = await call(handler, { method: 'POST', path: `${P}/${withPatientMail.id}/reminder`, token: admin.token });
    expect(cancelled.status).toBe(409);
    expect(cancelled.body).toEqual({ detail: expect.stringContaining('no se envía recordatorio') });
  });
});

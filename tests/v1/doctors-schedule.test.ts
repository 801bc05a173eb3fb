import { handler } from '../../functions/v1/doctors';
import { isoWeekday } from '../../lib/time';
import { ownerKysely, tenantWithAdmin, type TestUser } from '../helpers/fixtures';
import { call } from '../helpers/http';
import { createPatient, createTherapist, limaDate, STATUS } from '../helpers/scheduling-fixtures';

/* v1 doctors' weekly schedules, date exceptions and free slots, through the real handler. */
let admin: TestUser;
let tenantId: number;
let doctor: number;
const P = (id: number) => `/api/v1/doctors/${id}`;

beforeAll(async () => {
  const t = await tenantWithAdmin();
  admin = t.admin;
  tenantId = t.tenant.id;
  doctor = (await createTherapist(tenantId)).id;
});

const addBlock = (body: Record<string, unknown>, id = doctor, token = admin.token) => call(handler, { method: 'POST', path: `${P(id)}/schedule`, token, json: body });

describe('weekly schedule', () => {
  it('adds blocks (ISO weekday, hours, slot length, breaks), lists them in order, edits and deletes', async () => {
    const d = (await createTherapist(tenantId)).id;
    const mon = await addBlock({ dia_semana: 1, hora_inicio: '09:00', hora_fin: '13:00', duracion_cita: 30, descansos: [{ inicio: '11:00', fin: '11:30' }] }, d);
    expect(mon.status).toBe(201);
    expect(mon.body).toMatchObject({ doctor_id: d, dia_semana: 1, hora_inicio: '09:00', hora_fin: '13:00', duracion_cita: 30, descansos: [{ inicio: '11:00', fin: '11:30' }] });
    expect(mon.body.created_at).toMatch(/Z$/);
    const sun = await addBlock({ dia_semana: 7, hora_inicio: '08:00', hora_fin: '10:00' }, d);
    expect(sun.body.duracion_cita).toBe(30);
    const list = await call(handler, { path: `${P(d)}/schedule`, token: admin.token });
    expect(list.body.map((b: { dia_semana: number }) => b.dia_semana)).toEqual([1, 7]);

    const edited = await call(handler, { method: 'PUT', path: `${P(d)}/schedule/${sun.body.id}`, token: admin.token, json: { hora_fin: '12:00' } });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ dia_semana: 7, hora_inicio: '08:00', hora_fin: '12:00' });
    expect((await call(handler, { method: 'DELETE', path: `${P(d)}/schedule/${sun.body.id}`, token: admin.token })).status).toBe(204);
    expect(await ownerKysely().selectFrom('doctor_schedules').select('id').where('therapist_id', '=', d).execute()).toHaveLength(1);
  });

  it('refuses an overlapping block on the same weekday (PostgreSQL decides): 409; other weekdays and touching blocks are fine', async () => {
    const d = (await createTherapist(tenantId)).id;
    expect((await addBlock({ dia_semana: 2, hora_inicio: '09:00', hora_fin: '12:00' }, d)).status).toBe(201);
    const clash = await addBlock({ dia_semana: 2, hora_inicio: '11:00', hora_fin: '14:00' }, d);
    expect(clash.status).toBe(409);
    expect(clash.body).toEqual({ detail: expect.stringContaining('superpone') });
    expect((await addBlock({ dia_semana: 2, hora_inicio: '12:00', hora_fin: '14:00' }, d)).status).toBe(201);
    expect((await addBlock({ dia_semana: 3, hora_inicio: '09:00', hora_fin: '12:00' }, d)).status).toBe(201);
  });

  it('422 in FastAPI shape for impossible blocks: weekday 8, end before start, a break outside the block', async () => {
    const bad = await addBlock({ dia_semana: 8, hora_inicio: '09:00', hora_fin: '12:00' });
    expect(bad.status).toBe(422);
    expect(bad.body.detail[0]).toMatchObject({ loc: ['body', 'dia_semana'], input: 8 });
    const reversed = await addBlock({ dia_semana: 4, hora_inicio: '12:00', hora_fin: '09:00' });
    expect(reversed.status).toBe(422);
    expect(reversed.body.detail[0].loc).toEqual(['body', 'hora_fin']);
    const outside = await addBlock({ dia_semana: 4, hora_inicio: '09:00', hora_fin: '12:00', descansos: [{ inicio: '12:30', fin: '13:00' }] });
    expect(outside.status).toBe(422);
    expect(outside.body.detail[0].loc).toEqual(['body', 'descansos', 0]);
  });

  it('another clinic’s doctor is 404; a non-integer id is 422; no token is 401 with WWW-Authenticate: Bearer', async () => {
    const other = await tenantWithAdmin();
    const theirs = (await createTherapist(other.tenant.id)).id;
    const res = await addBlock({ dia_semana: 1, hora_inicio: '09:00', hora_fin: '10:00' }, theirs);
    expect(res.status).toBe(404);
    expect((await call(handler, { path: `${P(theirs)}/schedule`, token: admin.token })).status).toBe(404);
    expect((await call(handler, { path: `${P(theirs)}/available-slots`, query: { date: limaDate(1) }, token: admin.token })).status).toBe(404);
    const notInt = await call(handler, { path: '/api/v1/doctors/abc/schedule', token: admin.token });
    expect(notInt.status).toBe(422);
    expect(notInt.body.detail[0].loc).toEqual(['path', 'doctor_id']);
    const anonymous = await call(handler, { path: `${P(doctor)}/schedule` });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual({ detail: 'Not authenticated' });
    expect(anonymous.headers['www-authenticate']).toBe('Bearer');
  });
});

describe('available slots', () => {
  it('schedule − breaks − exceptions − booked appointments, in Lima time and UTC', async () => {
    const d = (await createTherapist(tenantId)).id;
    const day = limaDate(7);
    const weekday = isoWeekday(day);
    await addBlock({ dia_semana: weekday, hora_inicio: '09:00', hora_fin: '12:00', duracion_cita: 60, descansos: [{ inicio: '10:00', fin: '11:00' }] }, d);
    let slots = await call(handler, { path: `${P(d)}/available-slots`, query: { date: day }, token: admin.token });
    expect(slots.status).toBe(200);
    expect(slots.body).toMatchObject({ doctor_id: d, fecha_desde: day, fecha_hasta: day, zona_horaria: 'America/Lima', tiene_horario: true });
    expect(slots.body.slots).toEqual([
      { fecha: day, hora_inicio: '09:00', hora_fin: '10:00', inicio: `${day}T14:00:00Z`, fin: `${day}T15:00:00Z` },
      { fecha: day, hora_inicio: '11:00', hora_fin: '12:00', inicio: `${day}T16:00:00Z`, fin: `${day}T17:00:00Z` },
    ]);
    // A booked appointment takes its slot; a cancelled one does not.
    const patient = (await createPatient(tenantId)).id;
    await ownerKysely().insertInto('appointments').values({ reflexo_id: tenantId, patient_id: patient, therapist_id: d, appointment_date: day, hour: '09:00', appointment_status_id: STATUS.pending }).execute();
    await ownerKysely().insertInto('appointments').values({ reflexo_id: tenantId, patient_id: patient, therapist_id: d, appointment_date: day, hour: '11:00', appointment_status_id: STATUS.cancelled, cancelled_at: new Date() }).execute();
    slots = await call(handler, { path: `${P(d)}/available-slots`, query: { date: day }, token: admin.token });
    expect(slots.body.slots.map((s: { hora_inicio: string }) => s.hora_inicio)).toEqual(['11:00']);
    // A day off removes it all.
    const off = await call(handler, { method: 'POST', path: `${P(d)}/schedule/exceptions`, token: admin.token, json: { fecha: day, motivo: 'Congreso' } });
    expect(off.status).toBe(201);
    expect(off.body).toMatchObject({ fecha: day, dia_completo: true, motivo: 'Congreso' });
    slots = await call(handler, { path: `${P(d)}/available-slots`, query: { date: day }, token: admin.token });
    expect(slots.body.slots).toEqual([]);
    expect((await call(handler, { method: 'DELETE', path: `${P(d)}/schedule/exceptions/${off.body.id}`, token: admin.token })).status).toBe(204);
  });

  it('a range of up to 31 days, never in the past; beyond 31 days 422; a doctor without schedule has none', async () => {
    const d = (await createTherapist(tenantId)).id;
    for (let w = 1; w <= 7; w++) await addBlock({ dia_semana: w, hora_inicio: '08:00', hora_fin: '09:00', duracion_cita: 60 }, d);
    const from = limaDate(-3);
    const to = limaDate(27);
    const range = await call(handler, { path: `${P(d)}/available-slots`, query: { from, to }, token: admin.token });
    expect(range.status).toBe(200);
    const dates = range.body.slots.map((s: { fecha: string }) => s.fecha);
    expect(dates.every((x: string) => x >= limaDate(0))).toBe(true);
    expect(dates).toContain(to);
    expect(dates.length).toBeGreaterThanOrEqual(27);
    const tooLong = await call(handler, { path: `${P(d)}/available-slots`, query: { from: limaDate(1), to: limaDate(40) }, token: admin.token });
    expect(tooLong.status).toBe(422);
    expect((await call(handler, { path: `${P(d)}/available-slots`, token: admin.token })).status).toBe(422);
    const none = (await createTherapist(tenantId)).id;
    const empty = await call(handler, { path: `${P(none)}/available-slots`, query: { date: limaDate(1) }, token: admin.token });
    expect(empty.body).toMatchObject({ tiene_horario: false, slots: [] });
  });
});

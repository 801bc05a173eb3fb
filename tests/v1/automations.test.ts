import { handler } from '../../functions/v1/automations';
import { runScheduledAutomations } from '../../lib/domain/automations';
import { ownerKysely, tenantWithAdmin, type TestUser } from '../helpers/fixtures';
import { call } from '../helpers/http';
import { createPatient, createTherapist, STATUS } from '../helpers/scheduling-fixtures';

/*
 * v1 automations through the real handler, and the scheduled runner on a clock the test sets: the
 * reminder window (appointments starting in the next N hours, nothing earlier or later), 29 February
 * birthdays on 28 February in other years, and reruns that queue nothing twice. Every delivery is a
 * row of the outbox; the mail itself is the outbox's business (tests/mail).
 */
const P = '/api/v1/automations';
let admin: TestUser;
let tenantId: number;
let otherAdmin: TestUser;

beforeAll(async () => {
  const t = await tenantWithAdmin();
  admin = t.admin;
  tenantId = t.tenant.id;
  otherAdmin = (await tenantWithAdmin()).admin;
});

const create = (json: Record<string, unknown>, token = admin.token) => call(handler, { method: 'POST', path: P, token, json });
const run = (now: string) => runScheduledAutomations({ now: new Date(now), clinics: [tenantId] });
const deliveries = async (automationId: number) =>
  (await ownerKysely().selectFrom('automation_deliveries').select(['patient_id', 'occurrence']).where('automation_id', '=', automationId).orderBy('patient_id').execute()) as { patient_id: number; occurrence: string }[];

describe('routes', () => {
  it('create (201), read, list, edit the fields sent, run now, logs, delete (204); 422 for an unknown trigger parameter', async () => {
    const made = await create({ nombre: 'Seguimiento', disparador: 'seguimiento_post_cita', parametros: { dias_despues: 2 }, asunto: 'Gracias {{nombres}}', contenido: '<p>¿Cómo sigue?</p>' });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ nombre: 'Seguimiento', disparador: 'seguimiento_post_cita', parametros: { dias_despues: 2 } });
    const id = made.body.id;
    expect((await call(handler, { path: `${P}/${id}`, token: admin.token })).body.id).toBe(id);
    const list = await call(handler, { path: P, token: admin.token });
    expect(list.body.map((a: { id: number }) => a.id)).toContain(id);
    const edited = await call(handler, { method: 'PUT', path: `${P}/${id}`, token: admin.token, json: { parametros: { dias_despues: 3 } } });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ nombre: 'Seguimiento', parametros: { dias_despues: 3 } });
    const now = await call(handler, { method: 'POST', path: `${P}/${id}/execute`, token: admin.token });
    expect(now.status).toBe(200);
    expect(now.body).toMatchObject({ automatizacion_id: id, origen: 'manual', errores: 0 });
    const logs = await call(handler, { path: `${P}/${id}/logs`, token: admin.token });
    expect(logs.body[0]).toMatchObject({ id: now.body.id, origen: 'manual' });
    const bad = await create({ nombre: 'X', disparador: 'recordatorio_cita', parametros: { dias: 1 }, asunto: 'A', contenido: '<p>B</p>' });
    expect(bad.status).toBe(422);
    expect(bad.body.detail[0].loc).toEqual(['body', 'parametros', 'dias']);
    expect((await call(handler, { method: 'DELETE', path: `${P}/${id}`, token: admin.token })).status).toBe(204);
    expect((await call(handler, { path: `${P}/${id}`, token: admin.token })).status).toBe(404);
  });

  it("another clinic's automation is a 404 on every route with an id, and stays as it was", async () => {
    const theirs = (await create({ nombre: 'Ajena', disparador: 'cumpleanos', asunto: 'Feliz día', contenido: '<p>Hola</p>' }, otherAdmin.token)).body;
    for (const [method, path, json] of [
      ['GET', `${P}/${theirs.id}`],
      ['PUT', `${P}/${theirs.id}`, { nombre: 'Mía' }],
      ['POST', `${P}/${theirs.id}/execute`],
      ['GET', `${P}/${theirs.id}/logs`],
      ['DELETE', `${P}/${theirs.id}`],
    ] as [string, string, Record<string, unknown>?][]) {
      expect({ method, path, status: (await call(handler, { method, path, token: admin.token, json })).status }).toEqual({ method, path, status: 404 });
    }
    expect((await call(handler, { path: `${P}/${theirs.id}`, token: otherAdmin.token })).body.nombre).toBe('Ajena');
  });
});

describe('the runner on a set clock', () => {
  it('reminders: only appointments starting within the next N hours; a rerun queues nothing twice; later, the next one', async () => {
    const doctor = (await createTherapist(tenantId)).id;
    const a = await call(handler, { method: 'POST', path: P, token: admin.token, json: { nombre: 'Recordatorio', disparador: 'recordatorio_cita', parametros: { horas_antes: 24 }, asunto: 'Su cita', contenido: '<p>Le esperamos el {{fecha_cita}}</p>' } });
    const id = a.body.id;
    // The clock: 2031-06-10 10:00 in Lima (15:00Z). Appointments in Lima wall time.
    const book = async (date: string, hour: string) => {
      const p = await createPatient(tenantId, { email: `rec-${date}-${hour.replace(':', '')}-${Date.now()}@paciente.test` });
      await ownerKysely().insertInto('appointments').values({ reflexo_id: tenantId, patient_id: p.id, therapist_id: doctor, appointment_date: date, hour, duration_minutes: 30, appointment_status_id: STATUS.pending }).execute();
      return p.id;
    };
    const inTwoHours = await book('2031-06-10', '12:00');
    const inThirtyHours = await book('2031-06-11', '16:00');
    await book('2031-06-10', '09:00'); // an hour ago

    expect((await run('2031-06-10T15:00:00Z')).errors).toBe(0);
    expect((await deliveries(id)).map((d) => d.patient_id)).toEqual([inTwoHours]);
    const queued = await ownerKysely().selectFrom('mail_outbox').select('id').where('reflexo_id', '=', tenantId).where('idempotency_key', 'like', `%${id}%`).execute();
    expect(queued.length).toBeGreaterThanOrEqual(1);

    await run('2031-06-10T15:00:00Z'); // the same run again (an overlapping or retried run)
    await run('2031-06-10T15:15:00Z');
    expect((await deliveries(id)).map((d) => d.patient_id)).toEqual([inTwoHours]);
    const logs = (await call(handler, { path: `${P}/${id}/logs`, token: admin.token })).body;
    expect(logs[0]).toMatchObject({ origen: 'programada', encolados: 0, repetidos: 1 });

    await run('2031-06-10T22:30:00Z'); // 17:30 in Lima: the 16:00 appointment tomorrow is now 22.5 h away
    expect((await deliveries(id)).map((d) => d.patient_id).sort((x, y) => x - y)).toEqual([inTwoHours, inThirtyHours].sort((x, y) => x - y));
  });

  it('birthdays: 29 February greets on 28 February in a year without it, on the 29th in a leap year, once a year', async () => {
    const a = await call(handler, { method: 'POST', path: P, token: admin.token, json: { nombre: 'Cumpleaños', disparador: 'cumpleanos', asunto: 'Feliz cumpleaños {{nombres}}', contenido: '<p>¡{{edad}} años!</p>' } });
    const id = a.body.id;
    const leapling = (await createPatient(tenantId, { email: `bisiesto-${Date.now()}@paciente.test`, birth_date: '2000-02-29' })).id;
    await run('2031-02-27T15:00:00Z');
    expect(await deliveries(id)).toEqual([]);
    await run('2031-02-28T15:00:00Z');
    await run('2031-02-28T20:00:00Z');
    expect(await deliveries(id)).toEqual([{ patient_id: leapling, occurrence: 'anio:2031' }]);
    await run('2032-02-28T15:00:00Z'); // 2032 is a leap year: not yet
    expect((await deliveries(id)).length).toBe(1);
    await run('2032-02-29T15:00:00Z');
    expect(await deliveries(id)).toEqual([
      { patient_id: leapling, occurrence: 'anio:2031' },
      { patient_id: leapling, occurrence: 'anio:2032' },
    ]);
  });
});

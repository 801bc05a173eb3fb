import { handler } from '../../functions/reflexo/appointments-appointments';
import { createUser, ownerKysely, tenantWithAdmin } from '../helpers/fixtures';
import { call } from '../helpers/http';
import { createPatient, createTherapist, limaDate } from '../helpers/scheduling-fixtures';

/*
 * Double booking and ticket numbering under real concurrency: 50 requests at once through the
 * in-process handler against one PostgreSQL. Each Lambda container has one connection; 20
 * containers serving these requests at once are simulated by a pool of 20 (the suite's default is
 * one, which would serialise the race away).
 */
process.env.DB_POOL_MAX = '20';
const P = '/api/appointments/appointments/create/';

async function clinic() {
  const { tenant } = await tenantWithAdmin();
  const token = (await createUser({ reflexoId: tenant.id })).token;
  return { id: tenant.id, token, patient: await createPatient(tenant.id), therapist: await createTherapist(tenant.id) };
}

/*
 * Containers that are already running hold an open connection each. Without this, the race would
 * also time the pool opening 20 connections at once, which on a loaded test machine can exceed the
 * 5 s connection timeout (a 503 that says nothing about booking).
 */
beforeAll(async () => {
  const k = await clinic();
  await Promise.all(Array.from({ length: 20 }, () => call(handler, { path: '/api/appointments/appointments/check_availability/', token: k.token, query: { date: limaDate(30), hour: '10:00' } })));
});

it('50 simultaneous bookings of the same therapist and slot: exactly one 201, 49 × 409, one appointment, one ticket', async () => {
  const k = await clinic();
  const date = limaDate(7);
  const results = await Promise.all(
    Array.from({ length: 50 }, () =>
      call(handler, { method: 'POST', path: P, token: k.token, json: { patient: k.patient.id, therapist: k.therapist.id, appointment_date: date, hour: '10:00' } }),
    ),
  );
  const statuses = results.map((r) => r.status).sort();
  expect(statuses.filter((s) => s === 201)).toHaveLength(1);
  expect(statuses.filter((s) => s === 409)).toHaveLength(49);
  expect(results.find((r) => r.status === 409)!.body).toEqual({ detail: 'El terapeuta ya tiene una cita en ese horario.', code: 'therapist_unavailable' });
  const appointments = await ownerKysely().selectFrom('appointments').select('id').where('reflexo_id', '=', k.id).execute();
  expect(appointments).toHaveLength(1);
  const tickets = await ownerKysely().selectFrom('tickets').select(['ticket_number', 'appointment_id']).where('reflexo_id', '=', k.id).execute();
  expect(tickets).toEqual([{ ticket_number: 'TKT-000001', appointment_id: appointments[0].id }]);
});

it('50 different slots in parallel: 50 appointments, 50 tickets, 50 distinct consecutive numbers', async () => {
  const k = await clinic();
  const therapists = [k.therapist, ...(await Promise.all(Array.from({ length: 4 }, () => createTherapist(k.id))))];
  const date = limaDate(8);
  const results = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      call(handler, {
        method: 'POST',
        path: P,
        token: k.token,
        json: {
          patient: k.patient.id,
          therapist: therapists[i % 5].id,
          appointment_date: date,
          hour: `${String(7 + Math.floor(i / 5)).padStart(2, '0')}:00`,
          payment: '50.00',
        },
      }),
    ),
  );
  expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
  const tickets = await ownerKysely().selectFrom('tickets').select(['ticket_number', 'appointment_id']).where('reflexo_id', '=', k.id).orderBy('ticket_number').execute();
  expect(tickets).toHaveLength(50);
  expect(tickets.map((t: any) => t.ticket_number)).toEqual(Array.from({ length: 50 }, (_, i) => `TKT-${String(i + 1).padStart(6, '0')}`));
  expect(new Set(tickets.map((t: any) => t.appointment_id)).size).toBe(50);
  expect(new Set(results.map((r) => r.body.ticket_number)).size).toBe(50);
  const counter = await ownerKysely().selectFrom('ticket_counters').select('last_number').where('reflexo_id', '=', k.id).executeTakeFirst();
  expect(counter).toEqual({ last_number: 50 });
});

import { handler as therapists } from '../../functions/reflexo/therapists-therapists';
import { handler as appointments } from '../../functions/reflexo/appointments-appointments';
import { handler as statuses } from '../../functions/reflexo/appointment-statuses';
import { handler as tickets } from '../../functions/reflexo/appointments-tickets';
import { createUser, ownerKysely, tenantWithAdmin } from '../helpers/fixtures';
import { call } from '../helpers/http';
import { expectKeys, TINY_PNG } from '../helpers/identity';
import { catalogByCode, createPatient, limaDate } from '../helpers/scheduling-fixtures';

/*
 * Modules 4 and 5 of reflexo-api.md, replayed in the order the contract shows them, with its own
 * request bodies: every example gets the contract's status and carries every key its response shows,
 * and the documented error cases answer as documented. Two substitutions, both README decisions:
 * ubigeo ids are INEI codes (Lima 15 / 1501 / Miraflores 150122, not the example's 30 / 591 / 5626),
 * and the example's dates (September 2025) are moved into the future, since the contract itself
 * refuses appointments in the past.
 */
const T = '/api/therapists/therapists';
const A = '/api/appointments/appointments';
const S = '/api/appointments/appointment-statuses';
const K = '/api/appointments/tickets';

const therapistExample = {
  id: 1,
  reflexo_id: 1,
  reflexo_name: 'Reflexo A',
  document_type: { id: 1, name: 'DNI' },
  document_number: '12345678',
  last_name_paternal: 'Pérez',
  last_name_maternal: 'García',
  first_name: 'Ana',
  full_name: 'Ana Pérez García',
  birth_date: '1990-01-01',
  gender: 'F',
  personal_reference: 'REF001',
  is_active: true,
  phone: '999888777',
  email: 'ana.perez@gmail.com',
  region: { id: 30, name: 'Lima' },
  province: { id: 591, name: 'Lima' },
  district: { id: 5626, name: 'Miraflores' },
  address: 'Av. Principal 123',
  profile_picture: null,
  profile_picture_url: null,
  created_at: '',
  updated_at: '',
};
const appointmentExample = {
  id: 1,
  patient: { id: 1, name: 'Juan', paternal_lastname: 'Pérez', document_number: '12345678' },
  therapist: { id: 1, first_name: 'Ana', last_name_paternal: 'García', document_number: '87654321' },
  appointment_date: '2025-09-26',
  hour: '10:00:00',
  appointment_status: { id: 1, name: 'Programada' },
  appointment_type: 'Consulta',
  room: 'Consultorio 1',
  ailments: 'Dolor lumbar',
  diagnosis: 'Lumbalgia',
  observation: 'Paciente refiere dolor moderado',
  reflexo_id: 1,
  created_at: '',
  updated_at: '',
};
const statusExample = { id: 5, name: 'Reagendada', description: '', created_at: '', updated_at: '' };
const statusWithCountExample = { ...statusExample, appointments_count: 3, deleted_at: null };
const ticketExample = {
  id: 1,
  ticket_number: 'TKT-001',
  appointment: { id: 1, patient: {}, therapist: {}, appointment_date: '', hour: '' },
  amount: 150.0,
  payment_method: 'cash',
  payment_date: '',
  status: 'paid',
  description: '',
  is_active: true,
  reflexo_id: 1,
  created_at: '',
  updated_at: '',
};
const pageExample = { count: 2, next: null, previous: null, results: [] };

let clinic: { id: number };
let admin: string;
let cat: Awaited<ReturnType<typeof catalogByCode>>;
beforeAll(async () => {
  const t = await tenantWithAdmin();
  clinic = t.tenant;
  admin = t.admin.token;
  cat = await catalogByCode();
});

const spanishDocument = () => ({ document_type_id: cat.documentType.DNI });
const lima = { region_id: 15, province_id: 1501, district_id: 150122 };

describe('Module 4 — /api/therapists/therapists/', () => {
  it('create → 201, list → 200, PUT → 200, PATCH → 200, detail → 200, photo up and down, soft and hard delete → 204', async () => {
    const created = await call(therapists, {
      method: 'POST',
      path: `${T}/create/`,
      token: admin,
      json: {
        ...spanishDocument(),
        document_number: '12345678',
        last_name_paternal: 'Pérez',
        last_name_maternal: 'García',
        first_name: 'Ana',
        email: 'ana.perez@gmail.com',
        ...lima,
        phone: '999888777',
        address: 'Av. Principal 123',
        birth_date: '1990-01-01',
        gender: 'F',
        personal_reference: 'REF001',
      },
    });
    expect(created.status).toBe(201);
    expectKeys(created.body, therapistExample);
    expect(created.body).toMatchObject({ full_name: 'Ana Pérez García', is_active: true, profile_picture: null, district: { id: 150122, name: 'Miraflores' } });
    const id = created.body.id;

    const list = await call(therapists, { path: `${T}/`, token: admin });
    expect(list.status).toBe(200);
    expectKeys(list.body, pageExample);
    expectKeys(list.body.results[0], therapistExample);

    const put = await call(therapists, {
      method: 'PUT',
      path: `${T}/${id}/edit/`,
      token: admin,
      json: {
        ...spanishDocument(),
        document_number: '12345678',
        last_name_paternal: 'Pérez',
        last_name_maternal: 'García',
        first_name: 'Ana María',
        email: 'ana.perez@gmail.com',
        ...lima,
        phone: '999888777',
        address: 'Av. Principal 123',
        birth_date: '1990-01-01',
        gender: 'F',
        personal_reference: 'REF001',
      },
    });
    expect(put.status).toBe(200);
    expectKeys(put.body, therapistExample);
    expect(put.body.full_name).toBe('Ana María Pérez García');

    const patch = await call(therapists, { method: 'PATCH', path: `${T}/${id}/edit/`, token: admin, json: { phone: '999111222', address: 'Nueva Dirección 456' } });
    expect(patch.status).toBe(200);
    expectKeys(patch.body, therapistExample);
    expect(patch.body).toMatchObject({ first_name: 'Ana María', phone: '999111222', address: 'Nueva Dirección 456' });

    const detail = await call(therapists, { path: `${T}/${id}/`, token: admin });
    expect(detail.status).toBe(200);
    expectKeys(detail.body, therapistExample);

    const photo = await call(therapists, { method: 'POST', path: `${T}/${id}/photo/`, token: admin, multipart: { files: [{ field: 'photo_file', filename: 'foto.png', contentType: 'image/png', data: TINY_PNG }] } });
    expect(photo.status).toBe(200);
    expectKeys(photo.body, { message: 'Foto actualizada', therapist: {} });
    expectKeys(photo.body.therapist, { id: 2, profile_picture: '', profile_picture_url: '' });
    expect(photo.body.message).toBe('Foto actualizada');
    const unphoto = await call(therapists, { method: 'DELETE', path: `${T}/${id}/photo/delete/`, token: admin });
    expect(unphoto.status).toBe(200);
    expect(unphoto.body).toEqual({ message: 'Foto eliminada definitivamente', therapist: { id, profile_picture: null, profile_picture_url: null } });

    expect((await call(therapists, { method: 'DELETE', path: `${T}/${id}/delete/`, token: admin })).status).toBe(204);
    // "El terapeuta deja de aparecer en la API ... pero la fila sigue en la base de datos."
    expect((await call(therapists, { path: `${T}/${id}/`, token: admin })).status).toBe(404);
    expect(await ownerKysely().selectFrom('therapists').select('deleted_at').where('id', '=', id).executeTakeFirst()).toEqual({ deleted_at: expect.any(Date) });
    expect((await call(therapists, { method: 'DELETE', path: `${T}/${id}/hard-delete/`, token: admin })).status).toBe(204);
    expect(await ownerKysely().selectFrom('therapists').select('id').where('id', '=', id).executeTakeFirst()).toBeUndefined();
  });

  it('the documented errors: 400 invalid data, 401 without a token, 404 unknown therapist', async () => {
    const bad = await call(therapists, { method: 'POST', path: `${T}/create/`, token: admin, json: { first_name: 'Ana' } });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ document_number: ['Este campo es requerido.'], email: ['Este campo es requerido.'] });
    const domain = await call(therapists, { method: 'POST', path: `${T}/create/`, token: admin, json: { ...spanishDocument(), document_number: '87654321', last_name_paternal: 'P', last_name_maternal: 'G', first_name: 'A', email: 'a@hotmail.com', ...lima } });
    expect(domain.body).toEqual({ email: ['El email debe terminar en @gmail.com.'] });
    expect((await call(therapists, { path: `${T}/` })).status).toBe(401);
    expect((await call(therapists, { path: `${T}/99999999/`, token: admin })).status).toBe(404);
  });
});

describe('Module 5 — /api/appointments/', () => {
  let patient: { id: number };
  let therapist: number;
  const day = (n: number) => limaDate(30 + n);
  beforeAll(async () => {
    patient = await createPatient(clinic.id);
    therapist = (
      await call(therapists, {
        method: 'POST',
        path: `${T}/`,
        token: admin,
        json: { ...spanishDocument(), document_number: '87654321', last_name_paternal: 'García', last_name_maternal: 'López', first_name: 'Ana', email: 'ana.garcia@gmail.com', ...lima },
      })
    ).body.id;
  });

  it('appointments: create → 201 (with its ticket), list, PUT, PATCH, detail, completed, pending, by_date_range, check_availability, cancel, reschedule, delete', async () => {
    const created = await call(appointments, {
      method: 'POST',
      path: `${A}/create/`,
      token: admin,
      json: { patient: patient.id, therapist, appointment_date: day(1), hour: '14:00', appointment_status: 4, appointment_type: 'Consulta', room: 'Consultorio 2', ailments: 'Dolor cervical', diagnosis: 'Cervicalgia', observation: 'Primera consulta' },
    });
    expect(created.status).toBe(201);
    expectKeys(created.body, appointmentExample);
    expect(created.body).toMatchObject({ hour: '14:00:00', room: 'Consultorio 2', ticket_number: expect.stringMatching(/^TKT-/), payment_status: { id: cat.paymentStatus.pending } });
    const id = created.body.id;

    const list = await call(appointments, { path: `${A}/`, token: admin });
    expect(list.status).toBe(200);
    expectKeys(list.body, pageExample);
    expectKeys(list.body.results[0], appointmentExample);

    const put = await call(appointments, {
      method: 'PUT',
      path: `${A}/${id}/edit/`,
      token: admin,
      json: { patient: patient.id, therapist, appointment_date: day(1), hour: '15:00', appointment_status: 2, appointment_type: 'Seguimiento', room: 'Consultorio 1', ailments: 'Dolor cervical mejorado', diagnosis: 'Cervicalgia en recuperación', observation: 'Seguimiento de tratamiento' },
    });
    expect(put.status).toBe(200);
    expectKeys(put.body, appointmentExample);

    const patch = await call(appointments, { method: 'PATCH', path: `${A}/${id}/edit/`, token: admin, json: { hour: '16:00', observation: 'Cambio de horario por solicitud del paciente' } });
    expect(patch.status).toBe(200);
    expect(patch.body).toMatchObject({ hour: '16:00:00', appointment_type: 'Seguimiento', observation: 'Cambio de horario por solicitud del paciente' });

    const detail = await call(appointments, { path: `${A}/${id}/`, token: admin });
    expect(detail.status).toBe(200);
    expectKeys(detail.body, appointmentExample);

    for (const path of [`${A}/completed/`, `${A}/pending/`]) {
      const r = await call(appointments, { path, token: admin });
      expect([path, r.status]).toEqual([path, 200]);
      expectKeys(r.body, pageExample);
    }
    expect((await call(appointments, { path: `${A}/completed/`, token: admin })).body.results.map((r: any) => r.id)).toContain(id);
    const range = await call(appointments, { path: `${A}/by_date_range/`, token: admin, query: { start_date: day(0), end_date: day(4) } });
    expect(range.status).toBe(200);
    expect(range.body.results.map((r: any) => r.id)).toContain(id);
    const availability = await call(appointments, { path: `${A}/check_availability/`, token: admin, query: { date: day(1), hour: '14:00' } });
    expect(availability.status).toBe(200);
    expect(availability.body).toMatchObject({ available: true, available_therapists: expect.arrayContaining([expect.objectContaining({ id: therapist })]) });

    const cancel = await call(appointments, { method: 'POST', path: `${A}/${id}/cancel/`, token: admin });
    expect(cancel.status).toBe(200);
    expect(cancel.body).toMatchObject({ is_cancelled: true });

    const other = await call(appointments, { method: 'POST', path: `${A}/create/`, token: admin, json: { patient: patient.id, therapist, appointment_date: day(2), hour: '09:00' } });
    const reschedule = await call(appointments, { method: 'POST', path: `${A}/${other.body.id}/reschedule/`, token: admin, json: { appointment_date: day(3), hour: '10:00', reason: 'Cambio solicitado por el paciente' } });
    expect(reschedule.status).toBe(200);
    expectKeys(reschedule.body, appointmentExample);
    expect(reschedule.body).toMatchObject({ appointment_date: day(3), hour: '10:00:00', reschedule_reason: 'Cambio solicitado por el paciente' });

    expect((await call(appointments, { method: 'DELETE', path: `${A}/${id}/delete/`, token: admin })).status).toBe(204);
    expect(await ownerKysely().selectFrom('appointments').select('deleted_at').where('id', '=', id).executeTakeFirst()).toEqual({ deleted_at: expect.any(Date) });
    expect((await call(appointments, { method: 'DELETE', path: `${A}/${other.body.id}/delete/`, token: admin, query: { hard: 'true' } })).status).toBe(204);
    expect(await ownerKysely().selectFrom('appointments').select('id').where('id', '=', other.body.id).executeTakeFirst()).toBeUndefined();
  });

  it('appointments: the documented errors (400, 401, 404, 409)', async () => {
    expect((await call(appointments, { method: 'POST', path: `${A}/create/`, token: admin, json: { patient: patient.id } })).status).toBe(400);
    expect((await call(appointments, { method: 'POST', path: `${A}/create/`, token: admin, json: { patient: patient.id, therapist, appointment_date: limaDate(-1), hour: '10:00' } })).body).toEqual({
      appointment_date: ['No se pueden crear citas en fechas pasadas.'],
    });
    expect((await call(appointments, { path: `${A}/` })).status).toBe(401);
    expect((await call(appointments, { path: `${A}/99999999/`, token: admin })).status).toBe(404);
    const first = await call(appointments, { method: 'POST', path: `${A}/create/`, token: admin, json: { patient: patient.id, therapist, appointment_date: day(5), hour: '10:00', room: 'Consultorio 1' } });
    expect(first.status).toBe(201);
    const taken = await call(appointments, { method: 'POST', path: `${A}/create/`, token: admin, json: { patient: patient.id, therapist, appointment_date: day(5), hour: '10:00' } });
    expect(taken.status).toBe(409);
    expect(taken.body).toEqual({ detail: 'El terapeuta ya tiene una cita en ese horario.', code: 'therapist_unavailable' });
  });

  it('appointment statuses: list, create → 201, PUT, PATCH, delete (soft and ?hard=true) → 204, detail, active, activate, deactivate, appointments; 404 and 409', async () => {
    const su = (await createUser({ superuser: true })).token;
    const list = await call(statuses, { path: `${S}/`, token: admin });
    expect(list.status).toBe(200);
    expectKeys(list.body, pageExample);
    expectKeys(list.body.results[0], statusExample);

    const created = await call(statuses, { method: 'POST', path: `${S}/create/`, token: su, json: { name: 'Reagendada', description: 'Cita reagendada por solicitud del paciente' } });
    expect(created.status).toBe(201);
    expectKeys(created.body, statusExample);
    const id = created.body.id;
    const dup = await call(statuses, { method: 'POST', path: `${S}/create/`, token: su, json: { name: 'Reagendada' } });
    expect(dup.status).toBe(409);

    const put = await call(statuses, { method: 'PUT', path: `${S}/${id}/edit/`, token: su, json: { name: 'Reagendada', description: 'Cita reagendada por solicitud del paciente o terapeuta' } });
    expect(put.status).toBe(200);
    expectKeys(put.body, statusExample);
    const patch = await call(statuses, { method: 'PATCH', path: `${S}/${id}/edit/`, token: su, json: { description: 'Cita reagendada por cualquier motivo válido' } });
    expect(patch.body).toMatchObject({ name: 'Reagendada', description: 'Cita reagendada por cualquier motivo válido' });
    const detail = await call(statuses, { path: `${S}/${id}/`, token: admin });
    expect(detail.status).toBe(200);
    expectKeys(detail.body, statusExample);

    const active = await call(statuses, { path: `${S}/active/`, token: admin });
    expect(active.status).toBe(200);
    expectKeys(active.body.find((s: any) => s.id === id), statusWithCountExample);
    const deactivated = await call(statuses, { method: 'POST', path: `${S}/${id}/deactivate/`, token: su });
    expect(deactivated.status).toBe(200);
    expectKeys(deactivated.body, statusWithCountExample);
    expect(deactivated.body.deleted_at).toEqual(expect.any(String));
    const activated = await call(statuses, { method: 'POST', path: `${S}/${id}/activate/`, token: su });
    expect(activated.status).toBe(200);
    expect(activated.body.deleted_at).toBeNull();

    await call(appointments, { method: 'POST', path: `${A}/create/`, token: admin, json: { patient: patient.id, therapist, appointment_date: day(6), hour: '10:00', appointment_status: id } });
    const withStatus = await call(statuses, { path: `${S}/${id}/appointments/`, token: admin });
    expect(withStatus.status).toBe(200);
    expectKeys(withStatus.body, { status: {}, appointments: [], count: 2 });
    expectKeys(withStatus.body.status, { id: 4, name: '', description: '' });
    expectKeys(withStatus.body.appointments[0], { id: 1, patient_name: '', therapist_name: '', appointment_date: '', hour: '', appointment_type: '', room: '', created_at: '', updated_at: '' });

    expect((await call(statuses, { method: 'DELETE', path: `${S}/${id}/delete/`, token: su })).status).toBe(204);
    expect((await call(statuses, { path: `${S}/active/`, token: admin })).body.map((s: any) => s.id)).not.toContain(id);
    expect((await call(statuses, { method: 'POST', path: `${S}/${id}/activate/`, token: su })).status).toBe(200);
    const fresh = await call(statuses, { method: 'POST', path: `${S}/create/`, token: su, json: { name: 'Reagendada sin uso' } });
    expect((await call(statuses, { method: 'DELETE', path: `${S}/${fresh.body.id}/delete/`, token: su, query: { hard: 'true' } })).status).toBe(204);
    expect(await ownerKysely().selectFrom('appointment_statuses').select('id').where('id', '=', fresh.body.id).executeTakeFirst()).toBeUndefined();

    for (const r of [await call(statuses, { method: 'POST', path: `${S}/99999999/activate/`, token: su }), await call(statuses, { path: `${S}/99999999/appointments/`, token: admin })]) {
      expect(r.status).toBe(404);
      expect(r.body).toEqual({ detail: 'No encontrado.' });
    }
  });

  it('tickets: list, deprecated create, PUT, PATCH, detail, paid/pending/cancelled, mark_as_paid without parameters, mark_paid, mark_as_cancelled, cancel, lookups, statistics, delete', async () => {
    // The clinic's price list, as the predetermined-prices example shows it.
    await ownerKysely().insertInto('predetermined_prices').values({ reflexo_id: clinic.id, name: 'Consulta General', price: '150.00' }).execute();
    const book = (n: number, extra: Record<string, unknown> = {}) =>
      call(appointments, { method: 'POST', path: `${A}/create/`, token: admin, json: { patient: patient.id, therapist, appointment_date: day(10), hour: `${String(8 + n).padStart(2, '0')}:00`, ...extra } }).then((r) => r.body);
    const ticketOf = async (appointmentId: number) => (await ownerKysely().selectFrom('tickets').select(['id', 'ticket_number']).where('appointment_id', '=', appointmentId).executeTakeFirstOrThrow()) as { id: number; ticket_number: string };

    const a = await book(0);
    const ta = await ticketOf(a.id);
    const list = await call(tickets, { path: `${K}/`, token: admin });
    expect(list.status).toBe(200);
    expectKeys(list.body, pageExample);
    expectKeys(list.body.results[0], ticketExample);
    expect(typeof list.body.results[0].amount).toBe('number');

    const deprecated = await call(tickets, { method: 'POST', path: `${K}/create/`, token: admin, json: { appointment: a.id, amount: 150.0, payment_method: 'cash' } });
    expect(deprecated.status).toBe(409); // the appointment already has its ticket
    const b = await book(1);
    await ownerKysely().deleteFrom('tickets').where('appointment_id', '=', b.id).execute();
    const made = await call(tickets, { method: 'POST', path: `${K}/create/`, token: admin, json: { appointment: b.id, amount: 150.0, payment_method: 'cash' } });
    expect(made.status).toBe(201);
    expectKeys(made.body, ticketExample);
    expect(made.body.amount).toBe(150);

    const put = await call(tickets, { method: 'PUT', path: `${K}/${made.body.id}/edit/`, token: admin, json: { amount: 180.0, payment_method: 'card', status: 'paid', description: 'Consulta de fisioterapia - Actualizada' } });
    expect(put.status).toBe(200);
    expectKeys(put.body, ticketExample);
    expect(put.body).toMatchObject({ amount: 180, payment_method: 'card', status: 'paid' });
    const c = await book(2, { payment: 120 });
    const tc = await ticketOf(c.id);
    const patch = await call(tickets, { method: 'PATCH', path: `${K}/${tc.id}/edit/`, token: admin, json: { status: 'paid' } });
    expect(patch.status).toBe(200);
    expect(patch.body).toMatchObject({ status: 'paid', amount: 120, payment_date: expect.any(String) });
    const detail = await call(tickets, { path: `${K}/${tc.id}/`, token: admin });
    expect(detail.status).toBe(200);
    expectKeys(detail.body, ticketExample);

    // The documented call, with no body, on a ticket booked without a price.
    const paid = await call(tickets, { method: 'POST', path: `${K}/${ta.id}/mark_as_paid/`, token: admin });
    expect(paid.status).toBe(200);
    expectKeys(paid.body, { message: '', ticket: {} });
    expectKeys(paid.body.ticket, { id: 1, ticket_number: '', status: 'paid', payment_date: '' });
    expect(paid.body).toMatchObject({ message: 'Ticket marcado como pagado', ticket: { status: 'paid' } });
    const d = await book(3);
    expect((await call(tickets, { method: 'POST', path: `${K}/${(await ticketOf(d.id)).id}/mark_paid/`, token: admin })).body.ticket.status).toBe('paid');

    const paidList = await call(tickets, { path: `${K}/paid/`, token: admin });
    expect(paidList.status).toBe(200);
    expectKeys(paidList.body, pageExample);
    expectKeys(paidList.body.results[0], { id: 1, ticket_number: '', amount: 150.0, payment_method: '', status: 'paid', payment_date: '' });
    expect((await call(tickets, { path: `${K}/pending/`, token: admin })).status).toBe(200);

    const e = await book(4);
    const te = await ticketOf(e.id);
    const cancelled = await call(tickets, { method: 'POST', path: `${K}/${te.id}/mark_as_cancelled/`, token: admin });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toEqual({ message: 'Ticket marcado como cancelado', ticket: { id: te.id, ticket_number: te.ticket_number, status: 'cancelled' } });
    expect((await call(tickets, { method: 'POST', path: `${K}/${te.id}/cancel/`, token: admin })).status).toBe(200);
    expect((await call(tickets, { path: `${K}/cancelled/`, token: admin })).body.results.map((t: any) => t.id)).toContain(te.id);

    expect((await call(tickets, { path: `${K}/by_payment_method/`, token: admin, query: { payment_method: 'cash' } })).status).toBe(200);
    expect((await call(tickets, { path: `${K}/by_payment_method/`, token: admin, query: { method: 'card' } })).body.results.map((t: any) => t.id)).toEqual([made.body.id]);
    expect((await call(tickets, { path: `${K}/by_payment_method/`, token: admin, query: { payment_method: 'transfer' } })).status).toBe(200);
    const noMethod = await call(tickets, { path: `${K}/by_payment_method/`, token: admin });
    expect([noMethod.status, noMethod.body]).toEqual([400, { error: 'Se requiere payment_method (o alias: method)' }]);
    const byTicket = await call(tickets, { path: `${K}/by_ticket_number/`, token: admin, query: { ticket_number: ta.ticket_number } });
    expect(byTicket.status).toBe(200);
    expectKeys(byTicket.body, ticketExample);
    const wrongParam = await call(tickets, { path: `${K}/by_ticket_number/`, token: admin, query: { number: ta.ticket_number } });
    expect([wrongParam.status, wrongParam.body]).toEqual([400, { error: 'Se requiere ticket_number' }]);
    expect((await call(tickets, { path: `${K}/by_number/`, token: admin, query: { number: ta.ticket_number } })).body.id).toBe(ta.id);
    const noNumber = await call(tickets, { path: `${K}/by_number/`, token: admin });
    expect([noNumber.status, noNumber.body]).toEqual([400, { error: 'Se requiere number (o alias: ticket_number)' }]);

    const stats = await call(tickets, { path: `${K}/statistics/`, token: admin });
    expect(stats.status).toBe(200);
    expectKeys(stats.body, { total_tickets: 25, paid_tickets: 20, pending_tickets: 3, cancelled_tickets: 2, paid_percentage: 80.0, total_amount_paid: 3250.5 });
    // Paid: 180 (PUT) + 120 (PATCH) + 150 + 150 (the clinic's price): exact, and a JSON number.
    expect(stats.body).toMatchObject({ paid_tickets: 4, total_amount_paid: 600 });

    expect((await call(tickets, { method: 'DELETE', path: `${K}/${made.body.id}/delete/`, token: admin })).status).toBe(204);
    expect(await ownerKysely().selectFrom('tickets').select('id').where('id', '=', made.body.id).executeTakeFirst()).toBeUndefined();
    expect((await call(tickets, { path: `${K}/99999999/`, token: admin })).status).toBe(404);
    expect((await call(tickets, { path: `${K}/` })).status).toBe(401);
  });
});

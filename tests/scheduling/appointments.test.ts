import pg from 'pg';
import { handler } from '../../functions/reflexo/appointments-appointments';
import { createUser, ownerKysely, tenantWithAdmin, uniq } from '../helpers/fixtures';
import { call } from '../helpers/http';
import { catalogByCode, createPatient, createTherapist, limaDate, STATUS } from '../helpers/scheduling-fixtures';

/* Module 5: appointments, booking rules enforced by PostgreSQL, tickets born with their appointment. */
const P = '/api/appointments/appointments';

interface Clinic {
  id: number;
  admin: string;
  staff: string;
  patient: { id: number; name: string };
  therapist: { id: number };
}
async function clinic(): Promise<Clinic> {
  const { tenant, admin } = await tenantWithAdmin();
  const staff = (await createUser({ reflexoId: tenant.id })).token;
  return { id: tenant.id, admin: admin.token, staff, patient: await createPatient(tenant.id), therapist: await createTherapist(tenant.id) };
}

let c: Clinic;
let other: Clinic;
let cat: Awaited<ReturnType<typeof catalogByCode>>;
beforeAll(async () => {
  c = await clinic();
  other = await clinic();
  cat = await catalogByCode();
});

let hourSeq = 0;
/** A fresh hour (08:00, 08:30 ... ) on a future day, so tests never collide with each other. */
const slot = () => {
  const n = hourSeq++;
  return { appointment_date: limaDate(10 + Math.floor(n / 20)), hour: `${String(8 + Math.floor((n % 20) / 2)).padStart(2, '0')}:${n % 2 ? '30' : '00'}` };
};
const book = (over: Record<string, unknown> = {}, who: Clinic = c, token = who.staff) =>
  call(handler, { method: 'POST', path: `${P}/create/`, token, json: { patient: who.patient.id, therapist: who.therapist.id, duration_minutes: 30, ...slot(), ...over } });
const ticketOf = (appointmentId: number) => ownerKysely().selectFrom('tickets').selectAll().where('appointment_id', '=', appointmentId).executeTakeFirst();

describe('create', () => {
  it('books an appointment with nested objects and opens its ticket in the same transaction (201)', async () => {
    const k = await clinic();
    const s = slot();
    const res = await call(handler, {
      method: 'POST',
      path: `${P}/create/`,
      token: k.staff,
      json: {
        patient: k.patient.id,
        therapist: k.therapist.id,
        ...s,
        appointment_type: 'Consulta',
        room: 'Consultorio 2',
        ailments: 'Dolor cervical',
        diagnosis: 'Cervicalgia',
        observation: 'Primera consulta',
        payment: 150,
        payment_type: cat.paymentType.cash,
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id: expect.any(Number),
      patient: { id: k.patient.id, name: k.patient.name, paternal_lastname: 'Pérez', document_number: expect.any(String) },
      therapist: { id: k.therapist.id, first_name: expect.any(String), last_name_paternal: 'García', document_number: expect.any(String) },
      appointment_date: s.appointment_date,
      hour: `${s.hour}:00`,
      duration_minutes: 60,
      appointment_status: { id: STATUS.pending, name: expect.any(String) },
      appointment_type: 'Consulta',
      room: 'Consultorio 2',
      ailments: 'Dolor cervical',
      diagnosis: 'Cervicalgia',
      observation: 'Primera consulta',
      payment: '150.00',
      payment_type: { id: cat.paymentType.cash, name: expect.any(String) },
      // The ticket's status seen from the agenda, never null.
      payment_status: { id: cat.paymentStatus.pending, name: expect.any(String) },
      ticket_number: 'TKT-000001',
      is_cancelled: false,
      reflexo_id: k.id,
    });
    const ticket = await ticketOf(res.body.id);
    expect(ticket).toMatchObject({ reflexo_id: k.id, ticket_number: 'TKT-000001', amount: '150.00', payment_method: 'cash', status: 'pending', payment_date: null });
    const audit = await ownerKysely().selectFrom('audit_log').select(['action', 'entity', 'changed_fields']).where('reflexo_id', '=', k.id).orderBy('id').execute();
    expect(audit.map((a: any) => `${a.action}:${a.entity}`)).toEqual(['create:appointments', 'create:tickets']);
    expect(audit[0].changed_fields).toEqual(expect.arrayContaining(['patient_id', 'therapist_id', 'payment']));
    // DRF dialect: POST on the collection; the status defaults to Pendiente.
    const drf = await call(handler, { method: 'POST', path: P, token: k.staff, json: { patient: k.patient.id, therapist: k.therapist.id, ...slot(), appointment_date: limaDate(60), payment: '80.5', payment_status: cat.paymentStatus.paid } });
    expect(drf.status).toBe(201);
    expect(drf.body).toMatchObject({ appointment_status: { id: STATUS.pending }, ticket_number: 'TKT-000002', payment: '80.50', payment_status: { id: cat.paymentStatus.paid, name: expect.any(String) } });
    expect(await ticketOf(drf.body.id)).toMatchObject({ status: 'paid', payment_date: expect.any(Date) });
  });

  it('refuses bad input with DRF field errors (400)', async () => {
    const missing = await call(handler, { method: 'POST', path: `${P}/create/`, token: c.staff, json: {} });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ patient: ['Este campo es requerido.'], therapist: ['Este campo es requerido.'], appointment_date: ['Este campo es requerido.'], hour: ['Este campo es requerido.'] });
    expect((await book({ hour: '25:00' })).body).toEqual({ hour: ['Hora inválida. Use el formato HH:MM o HH:MM:SS.'] });
    expect((await book({ appointment_date: '2026-02-30' })).status).toBe(400);
    expect((await book({ payment: -5 })).body).toEqual({ payment: ['Debe ser un monto válido, mayor o igual a 0 y con hasta 2 decimales.'] });
    expect((await book({ payment: '10.123' })).status).toBe(400);
    expect((await book({ duration_minutes: 1 })).body).toEqual({ duration_minutes: ['La duración mínima es de 5 minutos.'] });
    expect((await book({ appointment_status: 999999 })).body).toEqual({ appointment_status: ['El estado de cita no existe o está inactivo.'] });
    expect((await book({ payment_type: 999999 })).body).toEqual({ payment_type: ['El tipo de pago no existe.'] });
    expect((await book({ initial_date: limaDate(5), final_date: limaDate(1) })).body).toEqual({ final_date: ['La fecha final no puede ser anterior a la inicial.'] });
    expect((await call(handler, { method: 'POST', path: `${P}/create/`, json: {} })).status).toBe(401);
  });

  it('no dates in the clinic’s past: yesterday (and an hour already gone today) → 400', async () => {
    expect((await book({ appointment_date: limaDate(-1) })).body).toEqual({ appointment_date: ['No se pueden crear citas en fechas pasadas.'] });
    const limaNow = new Intl.DateTimeFormat('en-GB', { timeZone: 'America/Lima', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date());
    if (limaNow > '00:05') expect((await book({ appointment_date: limaDate(0), hour: '00:00' })).body).toEqual({ hour: ['La hora indicada ya pasó.'] });
    // A clinic in another time zone judges "today" by its own clock.
    const k = await clinic();
    await ownerKysely().updateTable('tenants').set({ time_zone: 'Pacific/Kiritimati' }).where('id', '=', k.id).execute();
    const kiriToday = new Intl.DateTimeFormat('en-CA', { timeZone: 'Pacific/Kiritimati' }).format(new Date());
    const kiriYesterday = new Date(`${kiriToday}T12:00:00Z`);
    kiriYesterday.setUTCDate(kiriYesterday.getUTCDate() - 1);
    const res = await book({ appointment_date: kiriYesterday.toISOString().slice(0, 10), hour: '23:00' }, k);
    expect(res.body).toEqual({ appointment_date: ['No se pueden crear citas en fechas pasadas.'] });
  });

  it('patient and therapist must be active and of the same clinic', async () => {
    expect((await book({ patient: other.patient.id })).body).toEqual({ patient: ['El paciente no existe o no está activo.'] });
    expect((await book({ therapist: other.therapist.id })).body).toEqual({ therapist: ['El terapeuta no existe o no está activo.'] });
    const gone = await createPatient(c.id, { deleted_at: new Date() });
    expect((await book({ patient: gone.id })).status).toBe(400);
    const retired = await createTherapist(c.id, { deleted_at: new Date() });
    expect((await book({ therapist: retired.id })).body).toEqual({ therapist: ['El terapeuta no existe o no está activo.'] });
    expect((await book({ reflexo_id: other.id })).body).toEqual({ reflexo_id: ['La clínica indicada no existe.'] });
  });
});

describe('catalog rows by id or name; rooms as numbers', () => {
  it('appointment_status, payment_type and payment_status accept the id or the case-insensitive name (or code); unknown → 400 on the field', async () => {
    const name = uniq('En sala ');
    const status = await ownerKysely().insertInto('appointment_statuses').values({ name }).returning('id').executeTakeFirstOrThrow();
    const res = await book({ appointment_status: name.toUpperCase(), payment_type: 'CARD', payment_status: 'Paid', payment: 70, room: 3 });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ appointment_status: { id: status.id, name }, payment_type: { id: cat.paymentType.card }, payment_status: { id: cat.paymentStatus.paid }, room: '3' });
    expect(await ticketOf(res.body.id)).toMatchObject({ payment_method: 'card', status: 'paid', amount: '70.00' });
    const stored = await ownerKysely().selectFrom('appointments').select(['appointment_status_id', 'payment_type_id', 'payment_status_id', 'room']).where('id', '=', res.body.id).executeTakeFirstOrThrow();
    expect(stored).toEqual({ appointment_status_id: status.id, payment_type_id: cat.paymentType.card, payment_status_id: cat.paymentStatus.paid, room: '3' });
    expect((await book({ appointment_status: 'Inexistente' })).body).toEqual({ appointment_status: ['No existe un estado de cita activo llamado "Inexistente".'] });
    expect((await book({ payment_type: 'bitcoin' })).body).toEqual({ payment_type: ['No existe un tipo de pago llamado "bitcoin".'] });
    expect((await book({ payment_status: 'Fiado' })).body).toEqual({ payment_status: ['No existe un estado de pago llamado "Fiado".'] });
    expect((await book({ payment_status: 999999 })).body).toEqual({ payment_status: ['El estado de pago no existe.'] });
    expect((await book({ appointment_status: '' })).body).toEqual({ appointment_status: ['Este campo no puede estar en blanco.'] });
    // A payment status that is not a ticket status cannot describe the appointment's ticket.
    const custom = await ownerKysely().insertInto('payment_statuses').values({ name: uniq('Parcial '), updated_at: new Date() }).returning('id').executeTakeFirstOrThrow();
    expect((await book({ payment_status: custom.id })).body).toEqual({ payment_status: ['El estado de pago de una cita es el de su ticket: Pendiente, Pagado o Cancelado.'] });
    // The same names on an edit.
    const edited = await call(handler, { method: 'PATCH', path: `${P}/${res.body.id}/edit/`, token: c.staff, json: { appointment_status: String(STATUS.completed), payment_type: 'transfer', room: 12 } });
    expect(edited.body).toMatchObject({ appointment_status: { id: STATUS.completed }, payment_type: { id: cat.paymentType.transfer }, room: '12' });
  });
});

describe('the payment status mirrors the ticket', () => {
  it('pending at booking; an edit of payment_status pays, reopens or cancels the ticket; ticket actions show on the appointment', async () => {
    const a = (await book({ payment: 60 })).body;
    expect(a.payment_status).toEqual({ id: cat.paymentStatus.pending, name: expect.any(String) });
    const paid = await call(handler, { method: 'PATCH', path: `${P}/${a.id}/edit/`, token: c.staff, json: { payment_status: cat.paymentStatus.paid } });
    expect(paid.body.payment_status).toMatchObject({ id: cat.paymentStatus.paid });
    expect(await ticketOf(a.id)).toMatchObject({ status: 'paid', amount: '60.00', payment_date: expect.any(Date) });
    // A paid ticket is history: a new price on the appointment leaves it alone.
    await call(handler, { method: 'PATCH', path: `${P}/${a.id}/edit/`, token: c.staff, json: { payment: 75 } });
    expect(await ticketOf(a.id)).toMatchObject({ status: 'paid', amount: '60.00' });
    const reopened = await call(handler, { method: 'PATCH', path: `${P}/${a.id}/edit/`, token: c.staff, json: { payment_status: 'pending' } });
    expect(reopened.body.payment_status).toMatchObject({ id: cat.paymentStatus.pending });
    expect(await ticketOf(a.id)).toMatchObject({ status: 'pending', payment_date: null });
    const cancelled = await call(handler, { method: 'POST', path: `${P}/${a.id}/cancel/`, token: c.staff });
    expect(cancelled.body.payment_status).toMatchObject({ id: cat.paymentStatus.cancelled });
    expect(await ticketOf(a.id)).toMatchObject({ status: 'cancelled' });
  });

  it('booked as paid without a price: the clinic’s predetermined price, else a 400 on payment (and nothing is booked)', async () => {
    const k = await clinic();
    const before = await ownerKysely().selectFrom('appointments').select('id').where('reflexo_id', '=', k.id).execute();
    const refused = await book({ payment_status: cat.paymentStatus.paid }, k);
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({ payment: ['No hay monto que cobrar: la cita no tiene precio y la clínica no tiene precios predeterminados. Indique payment.'] });
    expect(await ownerKysely().selectFrom('appointments').select('id').where('reflexo_id', '=', k.id).execute()).toEqual(before);
    await ownerKysely().insertInto('predetermined_prices').values({ reflexo_id: k.id, name: 'Sesión', price: '45.00' }).execute();
    const ok = await book({ payment_status: cat.paymentStatus.paid }, k);
    expect(ok.body).toMatchObject({ payment: '45.00', payment_status: { id: cat.paymentStatus.paid } });
    expect(await ticketOf(ok.body.id)).toMatchObject({ status: 'paid', amount: '45.00' });
  });
});

describe('no double booking (exclusion constraints)', () => {
  it('an overlapping slot of the same therapist → 409; back-to-back slots are fine', async () => {
    const date = limaDate(40);
    const first = await book({ appointment_date: date, hour: '10:00', duration_minutes: 60 });
    expect(first.status).toBe(201);
    const overlap = await book({ appointment_date: date, hour: '10:30', duration_minutes: 60 });
    expect(overlap.status).toBe(409);
    expect(overlap.body).toEqual({ detail: 'El terapeuta ya tiene una cita en ese horario.', code: 'therapist_unavailable' });
    expect((await book({ appointment_date: date, hour: '11:00', duration_minutes: 30 })).status).toBe(201);
    expect((await book({ appointment_date: date, hour: '09:30', duration_minutes: 30 })).status).toBe(201);
    // No ticket number was spent on the refused booking.
    const numbers = (await ownerKysely().selectFrom('tickets').select('ticket_number').where('reflexo_id', '=', c.id).orderBy('ticket_number').execute()).map((t: any) => t.ticket_number);
    expect(new Set(numbers).size).toBe(numbers.length);
  });

  it('the same room at the same time → 409 even with another therapist (room names compared trimmed, case-insensitive)', async () => {
    const date = limaDate(41);
    const t2 = await createTherapist(c.id);
    expect((await book({ appointment_date: date, hour: '10:00', room: 'Sala A' })).status).toBe(201);
    const res = await book({ appointment_date: date, hour: '10:15', room: ' sala a ', therapist: t2.id });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('room_unavailable');
    expect((await book({ appointment_date: date, hour: '10:15', room: 'Sala B', therapist: t2.id })).status).toBe(201);
  });

  it('cancelled and deleted appointments free their slot; another clinic is independent', async () => {
    const date = limaDate(42);
    const a = await book({ appointment_date: date, hour: '15:00' });
    expect((await call(handler, { method: 'POST', path: `${P}/${a.body.id}/cancel/`, token: c.staff })).status).toBe(200);
    const b = await book({ appointment_date: date, hour: '15:00' });
    expect(b.status).toBe(201);
    expect((await call(handler, { method: 'DELETE', path: `${P}/${b.body.id}/delete/`, token: c.staff })).status).toBe(204);
    expect((await book({ appointment_date: date, hour: '15:00' })).status).toBe(201);
    expect((await book({ appointment_date: date, hour: '15:00' }, other)).status).toBe(201);
  });
});

describe('list and detail', () => {
  let k: Clinic;
  const ids: number[] = [];
  beforeAll(async () => {
    k = await clinic();
    const t2 = await createTherapist(k.id);
    const p2 = await createPatient(k.id);
    ids.push((await book({ appointment_date: limaDate(20), hour: '09:00', ailments: 'Dolor lumbar', room: 'Sala 1' }, k)).body.id);
    ids.push((await book({ appointment_date: limaDate(21), hour: '09:00', diagnosis: 'Cervicalgia', therapist: t2.id }, k)).body.id);
    ids.push((await book({ appointment_date: limaDate(21), hour: '08:00', observation: 'Control', patient: p2.id, appointment_status: STATUS.completed }, k)).body.id);
  });

  it('lists newest first with nested objects; filters, search (incl. ticket number), ordering, pagination', async () => {
    const list = await call(handler, { path: `${P}/`, token: k.staff });
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ count: 3, next: null, previous: null });
    expect(list.body.results.map((r: any) => r.id)).toEqual([ids[1], ids[2], ids[0]]);
    const q = (query: Record<string, string | number>) => call(handler, { path: P, token: k.staff, query }).then((r) => r.body.results.map((x: any) => x.id));
    expect(await q({ appointment_date: limaDate(20) })).toEqual([ids[0]]);
    expect(await q({ appointment_status: STATUS.completed })).toEqual([ids[2]]);
    expect(await q({ therapist: k.therapist.id })).toEqual([ids[2], ids[0]]);
    expect(await q({ patient: k.patient.id })).toEqual([ids[1], ids[0]]);
    expect(await q({ room: 'sala 1' })).toEqual([ids[0]]);
    expect(await q({ search: 'lumbar' })).toEqual([ids[0]]);
    expect(await q({ search: 'cervical' })).toEqual([ids[1]]);
    expect(await q({ search: 'TKT-000003' })).toEqual([ids[2]]);
    expect(await q({ ordering: 'created_at' })).toEqual(ids);
    expect((await q({ ordering: 'hour' }))[0]).toBe(ids[2]);
    expect(await q({ ordering: '-appointment_date' })).toEqual([ids[1], ids[2], ids[0]]);
    const page = await call(handler, { path: `${P}/`, token: k.staff, query: { page_size: 2, page: 2 } });
    expect(page.body.results).toHaveLength(1);
    expect(page.body.previous).toBe('http://localhost:8000/api/appointments/appointments/?page_size=2');
    expect((await call(handler, { path: P, token: k.staff, query: { ordering: 'patient' } })).status).toBe(400);
    expect((await call(handler, { path: P, token: k.staff, query: { appointment_date: 'ayer' } })).status).toBe(400);
  });

  it('a constant number of SQL statements for a page whatever its size (no N+1)', async () => {
    for (let i = 0; i < 12; i++) await book({}, k);
    const count = async (page_size: number) => {
      const spy = jest.spyOn(pg.Client.prototype, 'query');
      const res = await call(handler, { path: P, token: k.staff, query: { page_size } });
      const n = spy.mock.calls.length;
      spy.mockRestore();
      expect(res.body.results).toHaveLength(Math.min(page_size, 15));
      return n;
    };
    const small = await count(2);
    const large = await count(15);
    expect(large).toBe(small);
    expect(small).toBeLessThanOrEqual(3); // BEGIN + caller probe, the page with everything nested and its total, COMMIT
  });

  it('every page is its slice of the whole list, with the whole total: bare agenda, a filter, an ordering; past the end the total stays', async () => {
    for (let i = 0; i < 6; i++) await book({}, k);
    const get = (query: Record<string, string | number>) => call(handler, { path: P, token: k.staff, query }).then((r) => r.body);
    const filters: Record<string, string | number>[] = [{}, { ordering: 'appointment_date' }, { appointment_date: limaDate(21) }, { therapist: k.therapist.id }, { ordering: 'hour' }, { ordering: '-created_at', search: '' }];
    for (const filter of filters) {
      const whole = await get({ ...filter, page_size: 100 });
      expect(whole.results.length).toBe(whole.count);
      const pages: number[] = [];
      for (let page = 1; (page - 1) * 4 < whole.count; page++) {
        const body = await get({ ...filter, page_size: 4, page });
        expect(body.count).toBe(whole.count);
        pages.push(...body.results.map((r: any) => r.id));
      }
      expect(pages).toEqual(whole.results.map((r: any) => r.id));
      expect(await get({ ...filter, page_size: 4, page: 50 })).toMatchObject({ count: whole.count, next: null, results: [] });
    }
  });

  it('completed/, pending/, by_date_range/', async () => {
    const ids2 = (r: any) => r.body.results.map((x: any) => x.id);
    expect(ids2(await call(handler, { path: `${P}/completed/`, token: k.staff }))).toEqual([ids[2]]);
    const pending = ids2(await call(handler, { path: `${P}/pending`, token: k.staff, query: { page_size: 100 } }));
    expect(pending).toEqual(expect.arrayContaining([ids[0], ids[1]]));
    expect(pending).not.toContain(ids[2]);
    const range = await call(handler, { path: `${P}/by_date_range/`, token: k.staff, query: { start_date: limaDate(20), end_date: limaDate(20) } });
    expect(ids2(range)).toEqual([ids[0]]);
    const missing = await call(handler, { path: `${P}/by_date_range/`, token: k.staff });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ start_date: ['Este campo es requerido.'], end_date: ['Este campo es requerido.'] });
    const inverted = await call(handler, { path: `${P}/by_date_range/`, token: k.staff, query: { start_date: limaDate(21), end_date: limaDate(20) } });
    expect(inverted.body).toEqual({ end_date: ['end_date debe ser igual o posterior a start_date.'] });
  });

  it('detail; unknown or non-numeric id → 404', async () => {
    const res = await call(handler, { path: `${P}/${ids[0]}/`, token: k.staff });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: ids[0], ailments: 'Dolor lumbar', ticket_number: 'TKT-000001' });
    expect((await call(handler, { path: `${P}/99999999/`, token: k.staff })).body).toEqual({ detail: 'Cita no encontrada.' });
    expect((await call(handler, { path: `${P}/x/`, token: k.staff })).status).toBe(404);
  });
});

describe('edit, delete', () => {
  it('PATCH changes what is sent; PUT replaces; the pending ticket follows the price and method', async () => {
    const a = (await book({ payment: 100, observation: 'x' })).body;
    const patch = await call(handler, { method: 'PATCH', path: `${P}/${a.id}/edit/`, token: c.staff, json: { hour: '16:00', observation: 'Cambio de horario', payment: '120.00', payment_type: cat.paymentType.transfer } });
    expect(patch.status).toBe(200);
    expect(patch.body).toMatchObject({ hour: '16:00:00', observation: 'Cambio de horario', payment: '120.00', payment_type: { id: cat.paymentType.transfer } });
    expect(await ticketOf(a.id)).toMatchObject({ amount: '120.00', payment_method: 'transfer' });
    const s = slot();
    const put = await call(handler, { method: 'PUT', path: `${P}/${a.id}/`, token: c.staff, json: { patient: c.patient.id, therapist: c.therapist.id, ...s, appointment_type: 'Seguimiento' } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ appointment_type: 'Seguimiento', observation: null, payment: null, hour: `${s.hour}:00` });
    expect((await call(handler, { method: 'PUT', path: `${P}/${a.id}/edit/`, token: c.staff, json: { hour: '10:00' } })).status).toBe(400);
    const audit = await ownerKysely().selectFrom('audit_log').select(['action', 'changed_fields']).where('entity', '=', 'appointments').where('entity_id', '=', String(a.id)).orderBy('id').execute();
    expect(audit.map((x: any) => x.action)).toEqual(['create', 'update', 'update']);
    expect(audit[1].changed_fields).toEqual(['hour', 'observation', 'payment', 'payment_type_id']);
  });

  it('an edit into a taken slot → 409 and nothing changes; into the past → 400', async () => {
    const date = limaDate(43);
    await book({ appointment_date: date, hour: '10:00' });
    const b = (await book({ appointment_date: date, hour: '12:00' })).body;
    const res = await call(handler, { method: 'PATCH', path: `${P}/${b.id}/edit/`, token: c.staff, json: { hour: '10:15' } });
    expect(res.status).toBe(409);
    expect((await call(handler, { path: `${P}/${b.id}/`, token: c.staff })).body.hour).toBe('12:00:00');
    expect((await call(handler, { method: 'PATCH', path: `${P}/${b.id}/edit/`, token: c.staff, json: { appointment_date: limaDate(-2) } })).status).toBe(400);
    expect((await call(handler, { method: 'PATCH', path: `${P}/${b.id}/`, token: c.staff, json: {} })).status).toBe(200);
    // Editing other fields of an appointment is allowed without re-checking its date.
    expect((await call(handler, { method: 'PATCH', path: `${P}/${b.id}/edit/`, token: c.staff, json: { diagnosis: 'ok' } })).status).toBe(200);
  });

  it('setting the Cancelada status by edit cancels the appointment and its pending ticket', async () => {
    const a = (await book()).body;
    const res = await call(handler, { method: 'PATCH', path: `${P}/${a.id}/edit/`, token: c.staff, json: { appointment_status: STATUS.cancelled } });
    expect(res.body).toMatchObject({ is_cancelled: true, appointment_status: { id: STATUS.cancelled, name: expect.any(String) } });
    expect((await ticketOf(a.id))!.status).toBe('cancelled');
  });

  it('soft delete (204) hides it and deactivates its ticket; ?hard=true is for administrators and erases the ticket too', async () => {
    const a = (await book()).body;
    expect((await call(handler, { method: 'DELETE', path: `${P}/${a.id}/delete/`, token: c.staff })).status).toBe(204);
    expect((await call(handler, { path: `${P}/${a.id}/`, token: c.staff })).status).toBe(404);
    expect(await ticketOf(a.id)).toMatchObject({ is_active: false, status: 'cancelled' });
    const b = (await book()).body;
    const forbidden = await call(handler, { method: 'DELETE', path: `${P}/${b.id}/`, token: c.staff, query: { hard: 'true' } });
    expect(forbidden.status).toBe(403);
    expect((await call(handler, { method: 'DELETE', path: `${P}/${b.id}/`, token: c.admin, query: { hard: 'true' } })).status).toBe(204);
    expect(await ownerKysely().selectFrom('appointments').select('id').where('id', '=', b.id).executeTakeFirst()).toBeUndefined();
    expect(await ticketOf(b.id)).toBeUndefined();
    expect((await call(handler, { method: 'DELETE', path: `${P}/${b.id}/delete/`, token: c.admin })).status).toBe(404);
  });
});

describe('cancel, reschedule, check_availability', () => {
  it('cancel: status Cancelada, reason kept, pending ticket cancelled; twice → 400', async () => {
    const a = (await book()).body;
    const res = await call(handler, { method: 'POST', path: `${P}/${a.id}/cancel/`, token: c.staff, json: { reason: 'Paciente enfermo' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ is_cancelled: true, cancellation_reason: 'Paciente enfermo', appointment_status: { id: STATUS.cancelled } });
    expect((await ticketOf(a.id))!.status).toBe('cancelled');
    const again = await call(handler, { method: 'POST', path: `${P}/${a.id}/cancel`, token: c.staff });
    expect(again.status).toBe(400);
    expect(again.body).toEqual({ detail: 'La cita ya está cancelada.' });
    expect((await call(handler, { method: 'POST', path: `${P}/99999999/cancel/`, token: c.staff })).status).toBe(404);
  });

  it('a paid ticket stays paid when its appointment is cancelled', async () => {
    const a = (await book({ payment: 50, payment_status: cat.paymentStatus.paid })).body;
    await call(handler, { method: 'POST', path: `${P}/${a.id}/cancel/`, token: c.staff });
    expect((await ticketOf(a.id))!.status).toBe('paid');
  });

  it('reschedule: new slot, status Reprogramada, reason; taken slot → 409; past → 400; cancelled → 400', async () => {
    const date = limaDate(44);
    const a = (await book({ appointment_date: date, hour: '09:00' })).body;
    await book({ appointment_date: date, hour: '11:00' });
    const ok = await call(handler, { method: 'POST', path: `${P}/${a.id}/reschedule/`, token: c.staff, json: { appointment_date: limaDate(45), hour: '10:00', reason: 'Cambio solicitado por el paciente' } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ appointment_date: limaDate(45), hour: '10:00:00', appointment_status: { id: STATUS.rescheduled, name: expect.any(String) }, reschedule_reason: 'Cambio solicitado por el paciente' });
    const taken = await call(handler, { method: 'POST', path: `${P}/${a.id}/reschedule/`, token: c.staff, json: { appointment_date: date, hour: '11:00' } });
    expect(taken.status).toBe(409);
    expect((await call(handler, { path: `${P}/${a.id}/`, token: c.staff })).body.appointment_date).toBe(limaDate(45));
    expect((await call(handler, { method: 'POST', path: `${P}/${a.id}/reschedule/`, token: c.staff, json: { appointment_date: limaDate(-1), hour: '11:00' } })).status).toBe(400);
    expect((await call(handler, { method: 'POST', path: `${P}/${a.id}/reschedule/`, token: c.staff, json: { hour: '11:00' } })).body).toEqual({ appointment_date: ['Este campo es requerido.'] });
    await call(handler, { method: 'POST', path: `${P}/${a.id}/cancel/`, token: c.staff });
    expect((await call(handler, { method: 'POST', path: `${P}/${a.id}/reschedule/`, token: c.staff, json: { appointment_date: limaDate(46), hour: '10:00' } })).body).toEqual({
      detail: 'No se puede reprogramar una cita cancelada.',
    });
  });

  it('check_availability asks the same question as booking', async () => {
    const k = await clinic();
    const t2 = await createTherapist(k.id);
    const date = limaDate(30);
    await book({ appointment_date: date, hour: '10:00', duration_minutes: 60, room: 'Sala 1' }, k);
    const ask = (query: Record<string, string | number>) => call(handler, { path: `${P}/check_availability/`, token: k.staff, query: { date, ...query } });
    const busy = await ask({ hour: '10:30', therapist: k.therapist.id });
    expect(busy.status).toBe(200);
    expect(busy.body).toMatchObject({ available: false, hour: '10:30:00', duration_minutes: 60, therapist: k.therapist.id, available_therapists: null });
    expect(busy.body.conflicts).toEqual([{ id: expect.any(Number), therapist: k.therapist.id, room: 'Sala 1', appointment_date: date, hour: '10:00:00', duration_minutes: 60 }]);
    expect((await ask({ hour: '11:00', therapist: k.therapist.id })).body.available).toBe(true);
    expect((await ask({ hour: '10:30', therapist: t2.id })).body.available).toBe(true);
    expect((await ask({ hour: '10:30', therapist: t2.id, room: 'sala 1' })).body.available).toBe(false);
    const any = await ask({ hour: '10:00' });
    expect(any.body).toMatchObject({ available: true, therapist: null, available_therapists: [{ id: t2.id, full_name: expect.any(String) }] });
    expect((await ask({ hour: '09:30', duration_minutes: 15, therapist: k.therapist.id })).body.available).toBe(true);
    expect((await ask({ hour: '09:30', duration_minutes: 45, therapist: k.therapist.id })).body.available).toBe(false);
    // What check_availability says free, booking accepts; what it says taken, booking refuses.
    expect((await book({ appointment_date: date, hour: '10:30', therapist: t2.id, duration_minutes: 30 }, k)).status).toBe(201);
    expect((await book({ appointment_date: date, hour: '10:30', duration_minutes: 30 }, k)).status).toBe(409);
    expect((await call(handler, { path: `${P}/check_availability/`, token: k.staff, query: { hour: '10:00' } })).body).toEqual({ date: ['Este campo es requerido.'] });
    expect((await ask({ hour: '9am' })).status).toBe(400);
    expect((await call(handler, { path: `${P}/check_availability/`, token: k.staff, query: { date: limaDate(-1), hour: '10:00' } })).body).toEqual({
      date: ['No se pueden crear citas en fechas pasadas.'],
    });
  });
});

describe('tenant isolation', () => {
  it('another clinic cannot list, read, edit, cancel, reschedule or delete an appointment (404); the row is unchanged', async () => {
    const a = (await book({ observation: 'privado' })).body;
    const t = other.admin;
    const list = await call(handler, { path: P, token: t, query: { page_size: 100 } });
    expect(list.body.results.map((r: any) => r.id)).not.toContain(a.id);
    expect((await call(handler, { path: `${P}/${a.id}/`, token: t })).status).toBe(404);
    expect((await call(handler, { method: 'PATCH', path: `${P}/${a.id}/edit/`, token: t, json: { observation: 'hack' } })).status).toBe(404);
    expect((await call(handler, { method: 'PUT', path: `${P}/${a.id}/`, token: t, json: { patient: other.patient.id, therapist: other.therapist.id, ...slot() } })).status).toBe(404);
    expect((await call(handler, { method: 'POST', path: `${P}/${a.id}/cancel/`, token: t })).status).toBe(404);
    expect((await call(handler, { method: 'POST', path: `${P}/${a.id}/reschedule/`, token: t, json: slot() })).status).toBe(404);
    expect((await call(handler, { method: 'DELETE', path: `${P}/${a.id}/delete/`, token: t, query: { hard: 'true' } })).status).toBe(404);
    expect((await call(handler, { path: `${P}/check_availability/`, token: t, query: { date: a.appointment_date, hour: a.hour, therapist: c.therapist.id } })).body.available).toBe(true);
    expect((await call(handler, { path: `${P}/${a.id}/`, token: c.staff })).body).toEqual(a);
  });

  it('a global administrator reads every clinic and books by naming one', async () => {
    const su = (await createUser({ superuser: true })).token;
    const a = (await book()).body;
    expect((await call(handler, { path: `${P}/${a.id}/`, token: su })).body.id).toBe(a.id);
    expect((await book({}, c, su)).body).toEqual({ reflexo_id: ['Un administrador global debe indicar reflexo_id.'] });
    const res = await book({ reflexo_id: c.id }, c, su);
    expect(res.status).toBe(201);
    expect(res.body.reflexo_id).toBe(c.id);
  });
});

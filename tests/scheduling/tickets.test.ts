import { handler } from '../../functions/reflexo/appointments-tickets';
import { handler as appointments } from '../../functions/reflexo/appointments-appointments';
import { createUser, ownerKysely, tenantWithAdmin } from '../helpers/fixtures';
import { call } from '../helpers/http';
import { catalogByCode, createPatient, createTherapist, limaDate } from '../helpers/scheduling-fixtures';

/* Module 5: tickets, the payment record born with each appointment. */
const P = '/api/appointments/tickets';

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
let n = 0;
async function booked(k: Clinic, over: Record<string, unknown> = {}) {
  const i = n++;
  const res = await call(appointments, {
    method: 'POST',
    path: '/api/appointments/appointments/create/',
    token: k.staff,
    json: { patient: k.patient.id, therapist: k.therapist.id, appointment_date: limaDate(3 + Math.floor(i / 10)), hour: `${String(8 + (i % 10)).padStart(2, '0')}:00`, ...over },
  });
  expect(res.status).toBe(201);
  const t = await ownerKysely().selectFrom('tickets').selectAll().where('appointment_id', '=', res.body.id).executeTakeFirstOrThrow();
  return { appointment: res.body, ticketId: t.id as number, ticketNumber: t.ticket_number as string };
}

const ticketRow = (id: number) => ownerKysely().selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const appointmentPayment = (id: number) =>
  ownerKysely().selectFrom('appointments as a').leftJoin('payment_statuses as ps', 'ps.id', 'a.payment_status_id').select(['a.payment', 'ps.code']).where('a.id', '=', id).executeTakeFirstOrThrow();

let c: Clinic;
let other: Clinic;
let cat: Awaited<ReturnType<typeof catalogByCode>>;
beforeAll(async () => {
  c = await clinic();
  other = await clinic();
  cat = await catalogByCode();
});

describe('list and detail', () => {
  it('lists the clinic’s tickets with the nested appointment; amounts are JSON numbers (the spec shows 150.00)', async () => {
    const k = await clinic();
    const a = await booked(k, { payment: 150 });
    const b = await booked(k, { payment: '80.00', payment_type: cat.paymentType.card });
    const res = await call(handler, { path: `${P}/`, token: k.staff });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ count: 2, next: null, previous: null });
    expect(res.body.results.map((r: any) => r.id)).toEqual([b.ticketId, a.ticketId]);
    expect(res.body.results[1]).toEqual({
      id: a.ticketId,
      ticket_number: 'TKT-000001',
      appointment: {
        id: a.appointment.id,
        patient: { id: k.patient.id, name: k.patient.name, paternal_lastname: 'Pérez' },
        therapist: { id: k.therapist.id, first_name: expect.any(String), last_name_paternal: 'García' },
        appointment_date: a.appointment.appointment_date,
        hour: a.appointment.hour,
      },
      amount: 150,
      payment_method: 'cash',
      payment_date: null,
      status: 'pending',
      description: null,
      is_active: true,
      reflexo_id: k.id,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    const q = (query: Record<string, string>) => call(handler, { path: P, token: k.staff, query }).then((r) => r.body.results.map((x: any) => x.id));
    expect(await q({ payment_method: 'card' })).toEqual([b.ticketId]);
    expect(await q({ ticket_number: 'tkt-000001' })).toEqual([a.ticketId]);
    expect(await q({ search: '000002' })).toEqual([b.ticketId]);
    expect(await q({ status: 'pending', ordering: 'amount' })).toEqual([b.ticketId, a.ticketId]);
    expect(await q({ is_active: 'false' })).toEqual([]);
    expect((await call(handler, { path: P, token: k.staff, query: { status: 'lost' } })).status).toBe(400);
    const detail = await call(handler, { path: `${P}/${a.ticketId}`, token: k.staff });
    expect(detail.body).toEqual(res.body.results[1]);
    expect((await call(handler, { path: `${P}/99999999/`, token: k.staff })).body).toEqual({ detail: 'Ticket no encontrado.' });
  });
});

describe('payment actions', () => {
  it('mark_as_paid sets status and payment_date (alias mark_paid idempotent); the appointment mirrors it', async () => {
    const a = await booked(c, { payment: 120 });
    const res = await call(handler, { method: 'POST', path: `${P}/${a.ticketId}/mark_as_paid/`, token: c.staff });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Ticket marcado como pagado', ticket: { id: a.ticketId, ticket_number: a.ticketNumber, status: 'paid', payment_date: expect.any(String) } });
    const again = await call(handler, { method: 'POST', path: `${P}/${a.ticketId}/mark_paid/`, token: c.staff });
    expect(again.body.ticket.payment_date).toBe(res.body.ticket.payment_date);
    const appt = await ownerKysely().selectFrom('appointments as a').innerJoin('payment_statuses as ps', 'ps.id', 'a.payment_status_id').select('ps.code').where('a.id', '=', a.appointment.id).executeTakeFirst();
    expect(appt).toEqual({ code: 'paid' });
    const audit = await ownerKysely().selectFrom('audit_log').select('action').where('entity', '=', 'tickets').where('entity_id', '=', String(a.ticketId)).orderBy('id').execute();
    expect(audit.map((x: any) => x.action)).toEqual(['create', 'mark_paid']);
    // A paid ticket cannot be cancelled by the shortcut.
    const cancel = await call(handler, { method: 'POST', path: `${P}/${a.ticketId}/cancel/`, token: c.staff });
    expect(cancel.status).toBe(400);
    expect(cancel.body).toEqual({ detail: 'No se puede cancelar un ticket pagado.' });
  });

  it('mark_as_paid takes no parameters: a ticket booked without a price is charged the clinic’s predetermined price at that moment', async () => {
    const k = await clinic();
    const price = (name: string, value: string) => ownerKysely().insertInto('predetermined_prices').values({ reflexo_id: k.id, name, price: value }).returning('id').executeTakeFirstOrThrow();
    const general = await price('Consulta General', '150.00');
    await price('Terapia Física', '120.00');
    const typed = await booked(k, { appointment_type: 'terapia física' });
    const plain = await booked(k);
    const paidTyped = await call(handler, { method: 'POST', path: `${P}/${typed.ticketId}/mark_as_paid/`, token: k.staff });
    expect(paidTyped.status).toBe(200);
    expect(paidTyped.body).toEqual({ message: 'Ticket marcado como pagado', ticket: { id: typed.ticketId, ticket_number: typed.ticketNumber, status: 'paid', payment_date: expect.any(String) } });
    // The price named like the appointment's type; otherwise the clinic's first price.
    expect(await ticketRow(typed.ticketId)).toMatchObject({ status: 'paid', amount: '120.00' });
    expect((await call(handler, { method: 'POST', path: `${P}/${plain.ticketId}/mark_paid/`, token: k.staff })).status).toBe(200);
    expect(await ticketRow(plain.ticketId)).toMatchObject({ status: 'paid', amount: '150.00' });
    // The charge is written on the appointment too (what the cash reports read).
    expect(await appointmentPayment(plain.appointment.id)).toEqual({ payment: '150.00', code: 'paid' });
    expect((await call(handler, { path: `${P}/${plain.ticketId}/`, token: k.staff })).body).toMatchObject({ amount: 150, status: 'paid' });
    // "At that moment": the price as it is when the ticket is paid, not when it was booked.
    const late = await booked(k);
    await ownerKysely().updateTable('predetermined_prices').set({ price: '155.00' }).where('id', '=', general.id).execute();
    await call(handler, { method: 'POST', path: `${P}/${late.ticketId}/mark_as_paid/`, token: k.staff });
    expect(await ticketRow(late.ticketId)).toMatchObject({ amount: '155.00' });
    // The appointment's own price comes first.
    const priced = await booked(k, { payment: '80.00' });
    await call(handler, { method: 'POST', path: `${P}/${priced.ticketId}/mark_as_paid/`, token: k.staff });
    expect(await ticketRow(priced.ticketId)).toMatchObject({ status: 'paid', amount: '80.00' });
  });

  it('mark_as_paid accepts an optional amount; with no price anywhere and none sent it is a 400 naming amount, and nothing changes', async () => {
    const k = await clinic();
    const a = await booked(k);
    const refused = await call(handler, { method: 'POST', path: `${P}/${a.ticketId}/mark_as_paid/`, token: k.staff });
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({ amount: ['No hay monto que cobrar: la cita no tiene precio y la clínica no tiene precios predeterminados. Indique amount.'] });
    expect(await ticketRow(a.ticketId)).toMatchObject({ status: 'pending', amount: '0.00', payment_date: null });
    expect((await call(handler, { method: 'POST', path: `${P}/${a.ticketId}/mark_as_paid/`, token: k.staff, json: { amount: 0 } })).body).toEqual({ amount: ['El monto debe ser mayor a 0.'] });
    const ok = await call(handler, { method: 'POST', path: `${P}/${a.ticketId}/mark_as_paid/`, token: k.staff, json: { amount: '95.5' } });
    expect(ok.status).toBe(200);
    expect(await ticketRow(a.ticketId)).toMatchObject({ status: 'paid', amount: '95.50', payment_date: expect.any(Date) });
    expect(await appointmentPayment(a.appointment.id)).toEqual({ payment: '95.50', code: 'paid' });
    // A form post works the same way.
    const b = await booked(k);
    expect((await call(handler, { method: 'POST', path: `${P}/${b.ticketId}/mark_paid/`, token: k.staff, raw: { body: 'amount=40', contentType: 'application/x-www-form-urlencoded' } })).status).toBe(200);
    expect(await ticketRow(b.ticketId)).toMatchObject({ amount: '40.00' });
    // PATCH {status: "paid"} follows the same rule.
    const d = await booked(k);
    expect((await call(handler, { method: 'PATCH', path: `${P}/${d.ticketId}/edit/`, token: k.staff, json: { status: 'paid' } })).body).toEqual({
      amount: ['No hay monto que cobrar: la cita no tiene precio y la clínica no tiene precios predeterminados. Indique amount.'],
    });
    expect((await call(handler, { method: 'PATCH', path: `${P}/${d.ticketId}/edit/`, token: k.staff, json: { status: 'paid', amount: 30 } })).body).toMatchObject({ status: 'paid', amount: 30 });
  });

  it('a cancelled ticket cannot be paid', async () => {
    const a = await booked(c);
    const cancelled = await call(handler, { method: 'POST', path: `${P}/${a.ticketId}/mark_as_cancelled/`, token: c.staff });
    expect(cancelled.body).toEqual({ message: 'Ticket marcado como cancelado', ticket: { id: a.ticketId, ticket_number: a.ticketNumber, status: 'cancelled' } });
    expect(await appointmentPayment(a.appointment.id)).toEqual({ payment: null, code: 'cancelled' });
    expect((await call(handler, { method: 'POST', path: `${P}/${a.ticketId}/cancel/`, token: c.staff })).status).toBe(200);
    expect((await call(handler, { method: 'POST', path: `${P}/${a.ticketId}/mark_paid/`, token: c.staff, json: { amount: 10 } })).body).toEqual({ detail: 'No se puede marcar como pagado un ticket cancelado.' });
    expect(await ticketRow(a.ticketId)).toMatchObject({ status: 'cancelled', amount: '0.00' });
    expect((await call(handler, { method: 'POST', path: `${P}/99999999/mark_paid/`, token: c.staff })).status).toBe(404);
  });

  it('paid/, pending/, cancelled/ list compact tickets; statistics/ sums paid amounts exactly', async () => {
    const k = await clinic();
    const paid1 = await booked(k, { payment: '0.10' });
    const paid2 = await booked(k, { payment: '0.20' });
    const pend = await booked(k, { payment: '5' });
    const canc = await booked(k, { payment: '7' });
    for (const t of [paid1, paid2]) await call(handler, { method: 'POST', path: `${P}/${t.ticketId}/mark_as_paid/`, token: k.staff });
    await call(handler, { method: 'POST', path: `${P}/${canc.ticketId}/mark_as_cancelled/`, token: k.staff });
    const paid = await call(handler, { path: `${P}/paid/`, token: k.staff });
    expect(paid.body.count).toBe(2);
    expect(paid.body.results[0]).toEqual({ id: paid2.ticketId, ticket_number: paid2.ticketNumber, amount: 0.2, payment_method: 'cash', status: 'paid', payment_date: expect.any(String) });
    expect((await call(handler, { path: `${P}/pending/`, token: k.staff })).body.results.map((r: any) => r.id)).toEqual([pend.ticketId]);
    expect((await call(handler, { path: `${P}/cancelled`, token: k.staff })).body.results.map((r: any) => r.id)).toEqual([canc.ticketId]);
    const stats = await call(handler, { path: `${P}/statistics/`, token: k.staff });
    // Summed exactly by PostgreSQL (0.1 + 0.2 is 0.30, not 0.30000000000000004), then sent as the spec's number.
    expect(stats.body).toEqual({ total_tickets: 4, paid_tickets: 2, pending_tickets: 1, cancelled_tickets: 1, paid_percentage: 50, total_amount_paid: 0.3 });
    const empty = await clinic();
    expect((await call(handler, { path: `${P}/statistics/`, token: empty.staff })).body).toEqual({
      total_tickets: 0,
      paid_tickets: 0,
      pending_tickets: 0,
      cancelled_tickets: 0,
      paid_percentage: 0,
      total_amount_paid: 0,
    });
  });
});

describe('lookups with the contract’s 400 bodies', () => {
  it('by_payment_method (payment_method or method)', async () => {
    const k = await clinic();
    const a = await booked(k, { payment_type: cat.paymentType.transfer, payment: 10 });
    await booked(k, { payment: 10 });
    const ids = (r: any) => r.body.results.map((x: any) => x.id);
    expect(ids(await call(handler, { path: `${P}/by_payment_method/`, token: k.staff, query: { payment_method: 'transfer' } }))).toEqual([a.ticketId]);
    expect(ids(await call(handler, { path: `${P}/by_payment_method/`, token: k.staff, query: { method: 'Transfer' } }))).toEqual([a.ticketId]);
    expect((await call(handler, { path: `${P}/by_payment_method/`, token: k.staff, query: { method: 'yape' } })).body.count).toBe(0);
    const none = await call(handler, { path: `${P}/by_payment_method/`, token: k.staff });
    expect(none.status).toBe(400);
    expect(none.body).toEqual({ error: 'Se requiere payment_method (o alias: method)' });
    const bad = await call(handler, { path: `${P}/by_payment_method/`, token: k.staff, query: { method: 'bitcoin' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^Método de pago inválido: bitcoin/);
  });

  it('by_ticket_number (ticket_number only) and by_number (number or ticket_number)', async () => {
    const a = await booked(c);
    const ok = await call(handler, { path: `${P}/by_ticket_number/`, token: c.staff, query: { ticket_number: a.ticketNumber } });
    expect(ok.body.id).toBe(a.ticketId);
    const wrong = await call(handler, { path: `${P}/by_ticket_number/`, token: c.staff, query: { number: a.ticketNumber } });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toEqual({ error: 'Se requiere ticket_number' });
    expect((await call(handler, { path: `${P}/by_number/`, token: c.staff, query: { number: a.ticketNumber } })).body.id).toBe(a.ticketId);
    expect((await call(handler, { path: `${P}/by_number/`, token: c.staff, query: { ticket_number: a.ticketNumber } })).body.id).toBe(a.ticketId);
    expect((await call(handler, { path: `${P}/by_number/`, token: c.staff })).body).toEqual({ error: 'Se requiere number (o alias: ticket_number)' });
    expect((await call(handler, { path: `${P}/by_number/`, token: c.staff, query: { number: 'TKT-999999' } })).status).toBe(404);
    // Another clinic's number is not found, even though numbers repeat across clinics.
    const mine = await booked(other);
    const res = await call(handler, { path: `${P}/by_number/`, token: other.staff, query: { number: mine.ticketNumber } });
    expect(res.body.reflexo_id).toBe(other.id);
  });
});

describe('edit, delete, deprecated create', () => {
  it('PATCH/PUT validate amount > 0, method and status; paid sets payment_date; the appointment mirrors the amount', async () => {
    const a = await booked(c, { payment: 100 });
    const patch = await call(handler, { method: 'PATCH', path: `${P}/${a.ticketId}/edit/`, token: c.staff, json: { status: 'paid' } });
    expect(patch.status).toBe(200);
    expect(patch.body).toMatchObject({ status: 'paid', payment_date: expect.any(String) });
    const put = await call(handler, {
      method: 'PUT',
      path: `${P}/${a.ticketId}/`,
      token: c.staff,
      json: { amount: 180, payment_method: 'card', status: 'paid', description: 'Consulta de fisioterapia - Actualizada' },
    });
    expect(put.body).toMatchObject({ amount: 180, payment_method: 'card', status: 'paid', description: 'Consulta de fisioterapia - Actualizada', payment_date: patch.body.payment_date });
    const appt = await ownerKysely().selectFrom('appointments').select('payment').where('id', '=', a.appointment.id).executeTakeFirst();
    expect(appt).toEqual({ payment: '180.00' });
    expect((await call(handler, { method: 'PATCH', path: `${P}/${a.ticketId}/edit/`, token: c.staff, json: { amount: 0 } })).body).toEqual({ amount: ['El monto debe ser mayor a 0.'] });
    expect((await call(handler, { method: 'PATCH', path: `${P}/${a.ticketId}/edit/`, token: c.staff, json: { payment_method: 'bitcoin' } })).status).toBe(400);
    expect((await call(handler, { method: 'PATCH', path: `${P}/${a.ticketId}/edit/`, token: c.staff, json: { payment_method: 'Yape' } })).body.payment_method).toBe('yape');
    expect((await call(handler, { method: 'PATCH', path: `${P}/${a.ticketId}/edit/`, token: c.staff, json: { status: 'lost' } })).status).toBe(400);
    expect((await call(handler, { method: 'PUT', path: `${P}/${a.ticketId}/edit/`, token: c.staff, json: { amount: 10 } })).status).toBe(400);
    const pending = await call(handler, { method: 'PATCH', path: `${P}/${a.ticketId}/`, token: c.staff, json: { status: 'pending' } });
    expect(pending.body).toMatchObject({ status: 'pending', payment_date: null });
  });

  it('hard delete is for administrators (204); the ticket number is not reused', async () => {
    const a = await booked(c);
    expect((await call(handler, { method: 'DELETE', path: `${P}/${a.ticketId}/delete/`, token: c.staff })).status).toBe(403);
    expect((await call(handler, { method: 'DELETE', path: `${P}/${a.ticketId}/delete/`, token: c.admin })).status).toBe(204);
    expect(await ownerKysely().selectFrom('tickets').select('id').where('id', '=', a.ticketId).executeTakeFirst()).toBeUndefined();
    expect((await call(handler, { method: 'DELETE', path: `${P}/${a.ticketId}/`, token: c.admin })).status).toBe(404);
    const b = await booked(c);
    expect(b.ticketNumber > a.ticketNumber).toBe(true);
  });

  it('deprecated create/ opens a ticket for an appointment that has none; 409 when it has one', async () => {
    const a = await booked(c, { payment: 40 });
    const dup = await call(handler, { method: 'POST', path: `${P}/create/`, token: c.staff, json: { appointment: a.appointment.id, amount: 150, payment_method: 'cash' } });
    expect(dup.status).toBe(409);
    expect(dup.body).toEqual({ appointment: ['La cita ya tiene un ticket.'] });
    await call(handler, { method: 'DELETE', path: `${P}/${a.ticketId}/`, token: c.admin });
    const res = await call(handler, { method: 'POST', path: `${P}/`, token: c.staff, json: { appointment: a.appointment.id, amount: 150.0, payment_method: 'cash' } });
    expect(res.status).toBe(201);
    expect(res.headers.deprecation).toBe('true');
    expect(res.body).toMatchObject({ appointment: { id: a.appointment.id }, amount: 150, status: 'pending', ticket_number: expect.stringMatching(/^TKT-\d{6}$/) });
    expect((await call(handler, { method: 'POST', path: `${P}/create/`, token: c.staff, json: { appointment: 99999999, amount: 1, payment_method: 'cash' } })).body).toEqual({
      appointment: ['La cita no existe o no está activa.'],
    });
    expect((await call(handler, { method: 'POST', path: `${P}/create/`, token: c.staff, json: { appointment: a.appointment.id, amount: -1, payment_method: 'cash' } })).status).toBe(400);
  });
});

describe('tenant isolation', () => {
  it('another clinic cannot list, read, edit, pay, cancel, look up or delete a ticket (404 / absent); it is unchanged', async () => {
    const a = await booked(c, { payment: 10 });
    const before = (await call(handler, { path: `${P}/${a.ticketId}/`, token: c.staff })).body;
    const t = other.admin;
    expect((await call(handler, { path: P, token: t, query: { page_size: 100 } })).body.results.map((r: any) => r.id)).not.toContain(a.ticketId);
    expect((await call(handler, { path: `${P}/${a.ticketId}/`, token: t })).status).toBe(404);
    expect((await call(handler, { method: 'PATCH', path: `${P}/${a.ticketId}/edit/`, token: t, json: { amount: 1 } })).status).toBe(404);
    expect((await call(handler, { method: 'PUT', path: `${P}/${a.ticketId}/`, token: t, json: { amount: 1, payment_method: 'cash', status: 'paid' } })).status).toBe(404);
    expect((await call(handler, { method: 'POST', path: `${P}/${a.ticketId}/mark_as_paid/`, token: t })).status).toBe(404);
    expect((await call(handler, { method: 'POST', path: `${P}/${a.ticketId}/cancel/`, token: t })).status).toBe(404);
    expect((await call(handler, { method: 'DELETE', path: `${P}/${a.ticketId}/delete/`, token: t })).status).toBe(404);
    expect((await call(handler, { method: 'POST', path: `${P}/create/`, token: t, json: { appointment: a.appointment.id, amount: 1, payment_method: 'cash' } })).status).toBe(400);
    expect((await call(handler, { path: `${P}/paid/`, token: t, query: { page_size: 100 } })).body.results.map((r: any) => r.id)).not.toContain(a.ticketId);
    expect((await call(handler, { path: `${P}/${a.ticketId}/`, token: c.staff })).body).toEqual(before);
  });
});

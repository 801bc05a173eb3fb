import { handler } from '../../functions/v1/transactions';
import { handler as tickets } from '../../functions/reflexo/appointments-tickets';
import { ownerKysely } from '../helpers/fixtures';
import { call } from '../helpers/http';
import { appointmentWithTicket, ledgerRows, limaInstant, markPaid, moneyClinic, ownPaymentType, paymentTypeName, type MoneyClinic } from '../helpers/money-fixtures';
import { createPatient, createTherapist, limaDate } from '../helpers/scheduling-fixtures';

/* v1 transactions: the cash ledger, its manual entries, the entries of paid tickets, and its reports. */
const P = '/api/v1/transactions';
const addDays = (d: string, n: number) => new Date(Date.parse(`${d}T12:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

let k: MoneyClinic;
let other: MoneyClinic;
beforeAll(async () => {
  k = await moneyClinic();
  other = await moneyClinic();
});

const post = (c: MoneyClinic, json: Record<string, unknown>) => call(handler, { method: 'POST', path: P, token: c.staff, json });
const entry = (over: Record<string, unknown> = {}) => ({ tipo_transaccion: 'ingreso', concepto: 'Consulta general', monto: 80, medio_pago: 'cash', ...over });

describe('manual entries', () => {
  it('creates an ingreso in the spec’s shape: nested doctor and paciente, monto a JSON number, fecha in UTC with Z; the database holds numeric(12,2)', async () => {
    const res = await post(k, entry({ doctor_id: k.therapist.id, paciente: { id: k.patient.id }, comentario: 'Pago completo', fecha_transaccion: '2024-01-15T10:30:00Z' }));
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      tipo_transaccion: 'ingreso',
      doctor: { id: k.therapist.id, nombres: expect.any(String), apellidos: 'García López' },
      paciente: { id: k.patient.id, nombres: k.patient.name, apellidos: 'Pérez Ramos' },
      concepto: 'Consulta general',
      monto: 80,
      medio_pago: await paymentTypeName('cash'),
      fecha_transaccion: '2024-01-15T10:30:00Z',
      comentario: 'Pago completo',
      estado: 'completado',
      origen: 'manual',
      ticket_id: null,
      factura_id: null,
      factura_numero: null,
      referencia: null,
      created_at: expect.stringMatching(/Z$/),
      updated_at: expect.stringMatching(/Z$/),
    });
    const row = (await ownerKysely().selectFrom('cash_transactions').selectAll().where('id', '=', res.body.id).executeTakeFirstOrThrow()) as any;
    expect(row).toMatchObject({ amount: '80.00', kind: 'ingreso', source: 'manual', reflexo_id: k.id, patient_id: k.patient.id, doctor_id: k.therapist.id });
  });

  it('money is a decimal with at most 2 places and more than 0 (as a number or a string); the method is a payment type by name or code, any case', async () => {
    const pt = await ownPaymentType();
    const ok = await post(k, entry({ monto: '80.50', medio_pago: pt.name.toUpperCase() }));
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ monto: 80.5, medio_pago: pt.name });
    expect((await post(k, entry({ monto: 0.1 }))).body.monto).toBe(0.1);
    for (const monto of [0, '0.00', -5, '80.005', 80.123, 'ochenta', '1e3', 12345678901]) {
      const res = await post(k, entry({ monto }));
      expect([monto, res.status]).toEqual([monto, 422]);
      expect(res.body.detail[0].loc).toEqual(['body', 'monto']);
    }
    const method = await post(k, entry({ medio_pago: 'Bitcoin' }));
    expect(method.status).toBe(422);
    expect(method.body.detail[0]).toMatchObject({ loc: ['body', 'medio_pago'], input: 'Bitcoin' });
    expect((await post(k, entry({ tipo_transaccion: 'otro' }))).status).toBe(422);
    expect((await post(k, { concepto: 'x', monto: 1, medio_pago: 'cash' })).body.detail[0]).toMatchObject({ loc: ['body', 'tipo_transaccion'] });
    expect((await post(k, { tipo_transaccion: 'egreso', concepto: 'x', medio_pago: 'cash' })).body.detail[0]).toMatchObject({ loc: ['body', 'monto'] });
    expect((await post(k, { tipo_transaccion: 'egreso', monto: 1, medio_pago: 'cash' })).body.detail[0]).toMatchObject({ loc: ['body', 'concepto'], msg: 'Field required' });
  });

  it('another clinic’s doctor or patient is refused on the body (422), and nothing is written', async () => {
    const before = (await ledgerRows(k.id)).length;
    const d = await post(k, entry({ doctor_id: other.therapist.id }));
    expect(d.status).toBe(422);
    expect(d.body.detail[0].loc).toEqual(['body', 'doctor_id']);
    const p = await post(k, entry({ paciente_id: other.patient.id }));
    expect(p.body.detail[0].loc).toEqual(['body', 'paciente_id']);
    expect((await ledgerRows(k.id)).length).toBe(before);
  });

  it('GET one, PUT only the fields sent, anulado stays in history (listed, not counted), DELETE is soft', async () => {
    const c = await moneyClinic();
    const created = (await post(c, entry({ monto: 100, comentario: 'antes' }))).body;
    const got = await call(handler, { path: `${P}/${created.id}`, token: c.staff });
    expect(got.body).toEqual(created);
    const put = await call(handler, { method: 'PUT', path: `${P}/${created.id}`, token: c.staff, json: { monto: '120.00' } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ monto: 120, comentario: 'antes', concepto: 'Consulta general' });
    const cleared = await call(handler, { method: 'PUT', path: `${P}/${created.id}`, token: c.staff, json: { comentario: null, paciente: { id: c.patient.id } } });
    expect(cleared.body).toMatchObject({ comentario: null, paciente: { id: c.patient.id } });
    expect((await call(handler, { method: 'PUT', path: `${P}/${created.id}`, token: c.staff, json: { monto: 0 } })).status).toBe(422);

    const summary = async () => (await call(handler, { path: `${P}/summary`, token: c.staff })).body;
    expect(await summary()).toMatchObject({ ingresos: 120, cantidad: 1 });
    const voided = await call(handler, { method: 'PUT', path: `${P}/${created.id}`, token: c.staff, json: { estado: 'anulado' } });
    expect(voided.body.estado).toBe('anulado');
    expect(await summary()).toMatchObject({ ingresos: 0, cantidad: 0 });
    expect((await call(handler, { path: P, token: c.staff })).body.map((t: any) => [t.id, t.estado])).toEqual([[created.id, 'anulado']]);

    const del = await call(handler, { method: 'DELETE', path: `${P}/${created.id}`, token: c.staff });
    expect(del.status).toBe(204);
    expect((await call(handler, { path: `${P}/${created.id}`, token: c.staff })).status).toBe(404);
    expect((await call(handler, { path: P, token: c.staff })).body).toEqual([]);
    const row = (await ownerKysely().selectFrom('cash_transactions').select(['deleted_at', 'amount']).where('id', '=', created.id).executeTakeFirstOrThrow()) as any;
    expect(row.deleted_at).not.toBeNull();
    expect((await call(handler, { method: 'DELETE', path: `${P}/${created.id}`, token: c.staff })).status).toBe(404);
    expect((await call(handler, { path: `${P}/abc`, token: c.staff })).status).toBe(422);
  });

  it('another clinic’s transaction is a 404 on GET, PUT and DELETE, and its row is unchanged; lists never show it', async () => {
    const theirs = (await post(other, entry({ concepto: 'De la otra clínica' }))).body;
    const before = await ownerKysely().selectFrom('cash_transactions').selectAll().where('id', '=', theirs.id).executeTakeFirstOrThrow();
    for (const [method, json] of [['GET'], ['PUT', { monto: 1 }], ['DELETE']] as const) {
      const res = await call(handler, { method, path: `${P}/${theirs.id}`, token: k.staff, json });
      expect([method, res.status, res.body]).toEqual([method, 404, { detail: 'Transacción no encontrada.' }]);
    }
    expect(await ownerKysely().selectFrom('cash_transactions').selectAll().where('id', '=', theirs.id).executeTakeFirstOrThrow()).toEqual(before);
    const mine = await call(handler, { path: P, token: k.staff, query: { size: 200 } });
    expect(mine.body.map((t: any) => t.id)).not.toContain(theirs.id);
    expect((await call(handler, { path: `${P}/doctor/${other.therapist.id}`, token: k.staff })).status).toBe(404);
  });
});

describe('entries of tickets', () => {
  it('a ticket paid through the Reflexo route is an ingreso of the ledger; editing or deleting that entry is a 409; the ticket’s changes follow', async () => {
    const c = await moneyClinic();
    const a = await appointmentWithTicket(c, limaDate(0), '150.00', 'yape');
    expect(await ledgerRows(c.id)).toEqual([]);
    await markPaid(c, a.ticketId);
    const [row] = await ledgerRows(c.id);
    expect(row).toMatchObject({ source: 'ticket', ticket_id: a.ticketId, kind: 'ingreso', amount: '150.00', status: 'completado', doctor_id: c.therapist.id, patient_id: c.patient.id });
    const ticket = (await ownerKysely().selectFrom('tickets').select(['payment_date', 'ticket_number']).where('id', '=', a.ticketId).executeTakeFirstOrThrow()) as any;
    expect(new Date(row.occurred_at).toISOString()).toBe(new Date(ticket.payment_date).toISOString());

    const listed = (await call(handler, { path: P, token: c.staff })).body;
    expect(listed).toEqual([expect.objectContaining({ id: row.id, origen: 'ticket', ticket_id: a.ticketId, monto: 150, medio_pago: await paymentTypeName('yape'), concepto: `Ticket ${ticket.ticket_number}` })]);
    const put = await call(handler, { method: 'PUT', path: `${P}/${row.id}`, token: c.staff, json: { monto: 1 } });
    expect(put.status).toBe(409);
    expect(put.body).toEqual({ detail: 'Este movimiento es el pago de un ticket de cita: modifique o cancele el ticket.' });
    expect((await call(handler, { method: 'DELETE', path: `${P}/${row.id}`, token: c.staff })).status).toBe(409);

    // The ticket is the source: a corrected amount or method moves the entry; un-paying it voids it; paying again revives the same entry.
    const edit = await call(tickets, { method: 'PATCH', path: `/api/appointments/tickets/${a.ticketId}/`, token: c.staff, json: { amount: '140.00', payment_method: 'cash' } });
    expect(edit.status).toBe(200);
    expect((await ledgerRows(c.id))[0]).toMatchObject({ id: row.id, amount: '140.00', payment_method: await paymentTypeName('cash') });
    await call(tickets, { method: 'PATCH', path: `/api/appointments/tickets/${a.ticketId}/`, token: c.staff, json: { status: 'pending' } });
    expect((await ledgerRows(c.id)).map((r: any) => [r.id, r.status])).toEqual([[row.id, 'anulado']]);
    await markPaid(c, a.ticketId);
    expect((await ledgerRows(c.id)).map((r: any) => [r.id, r.status])).toEqual([[row.id, 'completado']]);
    // Deleting the ticket (administrators) leaves the voided entry in history.
    const del = await call(tickets, { method: 'DELETE', path: `/api/appointments/tickets/${a.ticketId}/`, token: c.admin });
    expect(del.status).toBeLessThan(300);
    expect((await ledgerRows(c.id)).map((r: any) => [r.id, r.status, r.ticket_id])).toEqual([[row.id, 'anulado', a.ticketId]]);
  });

  it('a paid ticket whose appointment changes doctor is that doctor’s income from then on', async () => {
    const c = await moneyClinic();
    const a = await appointmentWithTicket(c, limaDate(0), '60.00');
    await markPaid(c, a.ticketId);
    const second = await createTherapist(c.id);
    await ownerKysely().updateTable('appointments').set({ therapist_id: second.id }).where('id', '=', a.appointmentId).execute();
    expect((await ledgerRows(c.id))[0]).toMatchObject({ doctor_id: second.id });
    const byDoctor = await call(handler, { path: `${P}/doctor/${second.id}`, token: c.staff });
    expect(byDoctor.body.map((t: any) => t.ticket_id)).toEqual([a.ticketId]);
  });
});

describe('lists by day, range, doctor and type', () => {
  it('days are the clinic’s: a payment at 23:45 in Lima is that Lima day, not the next UTC day', async () => {
    const c = await moneyClinic();
    const day = limaDate(-20);
    const late = (await post(c, entry({ fecha_transaccion: limaInstant(day, '23:45'), monto: 10 }))).body;
    const next = (await post(c, entry({ fecha_transaccion: limaInstant(addDays(day, 1), '00:10'), monto: 20 }))).body;
    const early = (await post(c, entry({ fecha_transaccion: limaInstant(day, '00:00'), monto: 30 }))).body;
    expect(late.fecha_transaccion).toBe(`${addDays(day, 1)}T04:45:00Z`);
    const onDay = await call(handler, { path: `${P}/date/${day}`, token: c.staff });
    expect(onDay.body.map((t: any) => t.id)).toEqual([late.id, early.id]);
    expect(onDay.headers['x-total-count']).toBe('2');
    expect((await call(handler, { path: `${P}/date/${addDays(day, 1)}`, token: c.staff })).body.map((t: any) => t.id)).toEqual([next.id]);
    expect((await call(handler, { path: `${P}/date/2024-02-30`, token: c.staff })).status).toBe(422);

    const range = await call(handler, { path: `${P}/date-range`, token: c.staff, query: { start_date: day, end_date: addDays(day, 1), size: 2 } });
    expect(range.body.map((t: any) => t.id)).toEqual([next.id, late.id]);
    expect(range.headers['x-total-count']).toBe('3');
    expect(range.headers.link).toContain('rel="next"');
    expect(range.headers.link).toContain(`start_date=${day}`);
    expect((await call(handler, { path: `${P}/date-range`, token: c.staff, query: { start_date: '2024-01-01', end_date: '2025-01-02' } })).status).toBe(422);
    expect((await call(handler, { path: `${P}/date-range`, token: c.staff, query: { start_date: '2024-01-01', end_date: '2024-12-31' } })).status).toBe(200);
    expect((await call(handler, { path: `${P}/date-range`, token: c.staff, query: { start_date: day, end_date: addDays(day, -1) } })).status).toBe(422);
    expect((await call(handler, { path: `${P}/date-range`, token: c.staff, query: { start_date: day } })).body.detail[0]).toMatchObject({ loc: ['query', 'end_date'], msg: 'Field required' });
  });

  it('by doctor, by type (another type: 422), and the list filters', async () => {
    const c = await moneyClinic();
    const doctor = await createTherapist(c.id);
    const patient = await createPatient(c.id);
    const a = (await post(c, entry({ doctor_id: doctor.id, monto: 10 }))).body;
    const b = (await post(c, entry({ tipo_transaccion: 'egreso', concepto: 'Compra de gasas', monto: 5, medio_pago: 'transfer' }))).body;
    const p = (await post(c, entry({ paciente_id: patient.id, estado: 'pendiente', monto: 7 }))).body;
    expect((await call(handler, { path: `${P}/doctor/${doctor.id}`, token: c.staff })).body.map((t: any) => t.id)).toEqual([a.id]);
    expect((await call(handler, { path: `${P}/type/egreso`, token: c.staff })).body.map((t: any) => t.id)).toEqual([b.id]);
    expect((await call(handler, { path: `${P}/type/ingreso`, token: c.staff })).body.map((t: any) => t.id)).toEqual([p.id, a.id]);
    const wrong = await call(handler, { path: `${P}/type/otro`, token: c.staff });
    expect(wrong.status).toBe(422);
    expect(wrong.body.detail[0].loc).toEqual(['path', 'type']);
    const q = async (query: Record<string, string | number>) => (await call(handler, { path: P, token: c.staff, query })).body.map((t: any) => t.id);
    expect(await q({ estado: 'pendiente' })).toEqual([p.id]);
    expect(await q({ paciente_id: patient.id })).toEqual([p.id]);
    expect(await q({ medio_pago: 'TRANSFER' })).toEqual([b.id]);
    expect(await q({ origen: 'ticket' })).toEqual([]);
    expect((await call(handler, { path: P, token: c.staff, query: { medio_pago: 'Bitcoin' } })).status).toBe(422);
  });
});

describe('reports', () => {
  async function day(c: MoneyClinic) {
    const d = limaDate(-40);
    const doctor = await createTherapist(c.id);
    const pt = await ownPaymentType();
    const add = (over: Record<string, unknown>) => post(c, entry(over)).then((r) => r.body);
    // before the day: 100 − 30 on the previous day, and 5 at 23:30 the previous Lima day (already the day in UTC)
    await add({ monto: 100, fecha_transaccion: limaInstant(addDays(d, -1), '10:00') });
    await add({ tipo_transaccion: 'egreso', monto: 30, fecha_transaccion: limaInstant(addDays(d, -1), '11:00') });
    await add({ monto: 5, fecha_transaccion: limaInstant(addDays(d, -1), '23:30') });
    // the day
    await add({ monto: '80.25', doctor_id: doctor.id, fecha_transaccion: limaInstant(d, '09:15') });
    await add({ tipo_transaccion: 'egreso', concepto: 'Limpieza', monto: 20, fecha_transaccion: limaInstant(d, '10:00') });
    await add({ monto: 50, medio_pago: pt.code, fecha_transaccion: limaInstant(d, '23:45') });
    await add({ monto: 999, estado: 'pendiente', fecha_transaccion: limaInstant(d, '12:00') });
    const voided = await add({ monto: 333, fecha_transaccion: limaInstant(d, '12:30') });
    await call(handler, { method: 'PUT', path: `${P}/${voided.id}`, token: c.staff, json: { estado: 'anulado' } });
    const deleted = await add({ monto: 444, fecha_transaccion: limaInstant(d, '13:00') });
    await call(handler, { method: 'DELETE', path: `${P}/${deleted.id}`, token: c.staff });
    // after the day
    await add({ monto: 7, fecha_transaccion: limaInstant(addDays(d, 1), '00:05') });
    return { d, doctor, pt };
  }

  it('daily-report: totals by method, doctor, hour and origin, with the opening and closing balance (completed entries only)', async () => {
    const c = await moneyClinic();
    const { d, doctor, pt } = await day(c);
    const cash = await paymentTypeName('cash');
    const res = await call(handler, { path: `${P}/daily-report`, token: c.staff, query: { date: d } });
    expect(res.status).toBe(200);
    const t = (ingresos: number, egresos: number, balance: number, cantidad: number) => ({ ingresos, egresos, balance, cantidad });
    expect(res.body).toEqual({
      fecha: d,
      zona_horaria: 'America/Lima',
      ...t(130.25, 20, 110.25, 3),
      saldo_inicial: 75,
      saldo_final: 185.25,
      por_medio_pago: expect.arrayContaining([{ medio_pago: cash, ...t(80.25, 20, 60.25, 2) }, { medio_pago: pt.name, ...t(50, 0, 50, 1) }]),
      por_doctor: expect.arrayContaining([{ doctor: { id: doctor.id, nombres: expect.any(String), apellidos: 'García López' }, ...t(80.25, 0, 80.25, 1) }, { doctor: null, ...t(50, 20, 30, 2) }]),
      por_hora: [
        { hora: 9, ...t(80.25, 0, 80.25, 1) },
        { hora: 10, ...t(0, 20, -20, 1) },
        { hora: 23, ...t(50, 0, 50, 1) },
      ],
      por_origen: [{ origen: 'manual', ...t(130.25, 20, 110.25, 3) }],
    });
    expect(res.body.por_medio_pago).toHaveLength(2);
    // The next day opens where this one closed.
    const next = await call(handler, { path: `${P}/daily-report`, token: c.staff, query: { date: addDays(d, 1) } });
    expect(next.body).toMatchObject({ saldo_inicial: 185.25, ingresos: 7, saldo_final: 192.25 });
    // Today by default; an empty day still answers its totals.
    const today = await call(handler, { path: `${P}/daily-report`, token: c.staff });
    expect(today.body).toMatchObject({ fecha: limaDate(0), ingresos: 0, cantidad: 0, saldo_inicial: 192.25, por_hora: [] });
    expect((await call(handler, { path: `${P}/daily-report`, token: c.staff, query: { date: '15-01-2024' } })).status).toBe(422);
  });

  it('summary over a period (either end optional) and monthly-report per day and per doctor agree with the daily ones', async () => {
    const c = await moneyClinic();
    const { d, doctor } = await day(c);
    const all = await call(handler, { path: `${P}/summary`, token: c.staff });
    expect(all.body).toMatchObject({ start_date: null, end_date: null, ingresos: 242.25, egresos: 50, balance: 192.25, cantidad: 7 });
    const one = await call(handler, { path: `${P}/summary`, token: c.staff, query: { start_date: d, end_date: d } });
    expect(one.body).toMatchObject({ start_date: d, end_date: d, ingresos: 130.25, egresos: 20, balance: 110.25, cantidad: 3, por_origen: [{ origen: 'manual', ingresos: 130.25, egresos: 20, balance: 110.25, cantidad: 3 }] });
    expect(one.body.por_medio_pago.map((m: any) => m.ingresos).sort()).toEqual([50, 80.25]);
    expect((await call(handler, { path: `${P}/summary`, token: c.staff, query: { start_date: d, end_date: addDays(d, -1) } })).status).toBe(422);

    const [year, month] = [Number(d.slice(0, 4)), Number(d.slice(5, 7))];
    const m = await call(handler, { path: `${P}/monthly-report`, token: c.staff, query: { year, month } });
    expect(m.status).toBe(200);
    const monthEnd = new Date(Date.UTC(year, month, 0)).getUTCDate();
    expect(m.body.por_dia).toHaveLength(monthEnd);
    expect(m.body.por_dia.find((x: any) => x.fecha === d)).toEqual({ fecha: d, ingresos: 130.25, egresos: 20, balance: 110.25, cantidad: 3 });
    expect(m.body.por_dia.filter((x: any) => x.cantidad === 0).every((x: any) => x.ingresos === 0)).toBe(true);
    expect(m.body.por_doctor).toEqual(expect.arrayContaining([expect.objectContaining({ doctor: expect.objectContaining({ id: doctor.id }), ingresos: 80.25 })]));
    const inMonth = await call(handler, { path: `${P}/summary`, token: c.staff, query: { start_date: `${d.slice(0, 8)}01`, end_date: `${d.slice(0, 8)}${String(monthEnd).padStart(2, '0')}` } });
    expect(m.body).toMatchObject({ anio: year, mes: month, ingresos: inMonth.body.ingresos, egresos: inMonth.body.egresos, balance: inMonth.body.balance, cantidad: inMonth.body.cantidad });
    expect((await call(handler, { path: `${P}/monthly-report`, token: c.staff, query: { year, month: 13 } })).status).toBe(422);
    const current = await call(handler, { path: `${P}/monthly-report`, token: c.staff });
    expect(current.body).toMatchObject({ anio: Number(limaDate(0).slice(0, 4)), mes: Number(limaDate(0).slice(5, 7)) });
  });

  it('reports of one clinic never count another’s entries', async () => {
    const a = await moneyClinic();
    const b = await moneyClinic();
    await post(b, entry({ monto: 1000 }));
    expect((await call(handler, { path: `${P}/summary`, token: a.staff })).body).toMatchObject({ ingresos: 0, cantidad: 0 });
    expect((await call(handler, { path: `${P}/daily-report`, token: a.staff })).body).toMatchObject({ ingresos: 0, saldo_inicial: 0 });
  });
});

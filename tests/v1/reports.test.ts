import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { OUTSTANDING_STATUSES } from '../../lib/domain/invoices';
import { outstandingInvoicesQuery } from '../../lib/queries/v1-reports';
import { handler } from '../../functions/v1/reports';
import { handler as transactions } from '../../functions/v1/transactions';
import { handler as invoices } from '../../functions/v1/invoices';
import { handler as products } from '../../functions/v1/products';
import { ownerKysely } from '../helpers/fixtures';
import { call } from '../helpers/http';
import { appointmentWithTicket, limaInstant, markPaid, moneyClinic, type MoneyClinic } from '../helpers/money-fixtures';
import { createPatient, createTherapist, limaDate } from '../helpers/scheduling-fixtures';

/*
 * v1 reports and statistics. A past month (March 2024) is seeded row by row so every figure is known:
 * appointments in each estado, two doctors' schedules with breaks and exceptions, manual ledger
 * entries (one at 23:45 in Lima), patients registered at the edge of the month. The current month
 * holds what only happens "now": tickets paid through Reflexo, invoices and their payments, products
 * below their minimum stock. Money totals are checked against GET /api/v1/transactions/summary.
 */
const R = '/api/v1/reports';
const MARCH = { start_date: '2024-03-01', end_date: '2024-03-31' };

let k: MoneyClinic;
let other: MoneyClinic;
let d2: { id: number };
let p2: { id: number };
let kinds: Record<string, number>;
let fisio: number;

const get = (path: string, query: Record<string, string> = {}, c: MoneyClinic = k) => call(handler, { path, query, token: c.staff });
const summary = (query: Record<string, string>, c: MoneyClinic = k) => call(transactions, { path: '/api/v1/transactions/summary', query, token: c.staff });

async function appt(c: MoneyClinic, v: { date: string; hour: string; minutes: number; kind: string; therapist?: number; patient?: number; type?: string | null }) {
  await ownerKysely()
    .insertInto('appointments')
    .values({
      reflexo_id: c.id,
      patient_id: v.patient ?? c.patient.id,
      therapist_id: v.therapist ?? c.therapist.id,
      appointment_date: v.date,
      hour: v.hour,
      duration_minutes: v.minutes,
      appointment_status_id: kinds[v.kind],
      appointment_type: v.type ?? null,
      cancelled_at: v.kind === 'cancelled' ? new Date() : null,
    })
    .execute();
}

const entry = (c: MoneyClinic, json: Record<string, unknown>) =>
  call(transactions, { method: 'POST', path: '/api/v1/transactions', token: c.staff, json: { concepto: 'Caja', medio_pago: 'cash', ...json } }).then((r) => {
    expect(r.status).toBe(201);
    return r.body;
  });

beforeAll(async () => {
  const o = ownerKysely();
  kinds = Object.fromEntries(((await o.selectFrom('appointment_statuses').select(['id', 'kind']).where('kind', 'is not', null).execute()) as { id: number; kind: string }[]).map((s) => [s.kind, s.id]));
  k = await moneyClinic();
  other = await moneyClinic();
  d2 = await createTherapist(k.id);
  p2 = await createPatient(k.id);
  // The clinic's treatment (a predetermined price) that the appointments' type names, in another case.
  fisio = ((await o.insertInto('predetermined_prices').values({ reflexo_id: k.id, name: 'FISIOTERAPIA', price: '80.00' }).returning('id').executeTakeFirstOrThrow()) as { id: number }).id;

  // Doctor 1 works Mondays 09:00–13:00 with a 11:00–11:30 break (3.5 h): March 2024 has 4 Mondays,
  // the 18th is a day off and on the 25th 09:00–10:00 is off → 14 − 3.5 − 1 = 9.5 h = 570 min.
  await o.insertInto('doctor_schedules').values({ reflexo_id: k.id, therapist_id: k.therapist.id, weekday: 1, start_time: '09:00:00', end_time: '13:00:00', slot_minutes: 30, breaks: JSON.stringify([{ inicio: '11:00', fin: '11:30' }]) }).execute();
  await o.insertInto('doctor_schedule_exceptions').values({ reflexo_id: k.id, therapist_id: k.therapist.id, date: '2024-03-18', start_time: null, end_time: null, reason: 'Feriado' }).execute();
  await o.insertInto('doctor_schedule_exceptions').values({ reflexo_id: k.id, therapist_id: k.therapist.id, date: '2024-03-25', start_time: '09:00:00', end_time: '10:00:00', reason: 'Trámite' }).execute();
  // Doctor 2: Wednesdays 09:00–10:00 (4 in March 2024: 6, 13, 20, 27) → 240 min.
  await o.insertInto('doctor_schedules').values({ reflexo_id: k.id, therapist_id: d2.id, weekday: 3, start_time: '09:00:00', end_time: '10:00:00', slot_minutes: 30 }).execute();

  // March 2024: 8 appointments, every estado (rescheduled reads Programada).
  await appt(k, { date: '2024-03-04', hour: '09:00', minutes: 60, kind: 'completed', type: 'Fisioterapia' }); // Monday
  await appt(k, { date: '2024-03-04', hour: '10:00', minutes: 60, kind: 'completed', type: ' Fisioterapia ' });
  await appt(k, { date: '2024-03-11', hour: '09:00', minutes: 30, kind: 'no_show', type: 'Consulta' });
  await appt(k, { date: '2024-03-11', hour: '09:30', minutes: 30, kind: 'cancelled', type: 'Fisioterapia' });
  await appt(k, { date: '2024-03-12', hour: '15:00', minutes: 60, kind: 'pending', type: 'Consulta' }); // Tuesday
  await appt(k, { date: '2024-03-13', hour: '09:00', minutes: 45, kind: 'confirmed', therapist: d2.id, patient: p2.id, type: 'Fisioterapia' }); // Wednesday
  await appt(k, { date: '2024-03-14', hour: '16:00', minutes: 30, kind: 'in_progress', therapist: d2.id }); // Thursday
  await appt(k, { date: '2024-03-15', hour: '09:00', minutes: 30, kind: 'rescheduled', therapist: d2.id }); // Friday
  // February (the previous period): one completed appointment, so the patient "returns" in March.
  await appt(k, { date: '2024-02-26', hour: '09:00', minutes: 60, kind: 'completed' });
  // Another clinic's March: never counted.
  await appt(other, { date: '2024-03-04', hour: '09:00', minutes: 60, kind: 'completed', type: 'Fisioterapia' });

  // March ledger: 100 (doctor 1) + 50.50 at 23:45 Lima on the 20th (04:45Z on the 21st) − 30; April's 999 is outside.
  await entry(k, { tipo_transaccion: 'ingreso', monto: '100.00', concepto: 'Consulta general', doctor_id: k.therapist.id, fecha_transaccion: '2024-03-05T15:00:00Z' });
  await entry(k, { tipo_transaccion: 'ingreso', monto: '50.50', concepto: 'Venta de gel', medio_pago: 'yape', fecha_transaccion: limaInstant('2024-03-20', '23:45') });
  await entry(k, { tipo_transaccion: 'egreso', monto: '30.00', concepto: 'Movilidad', fecha_transaccion: '2024-03-21T17:00:00Z' });
  await entry(k, { tipo_transaccion: 'ingreso', monto: '999.00', concepto: 'Consulta general', fecha_transaccion: limaInstant('2024-04-01', '00:30') });
  await entry(k, { tipo_transaccion: 'ingreso', monto: '40.00', concepto: 'Consulta general', doctor_id: k.therapist.id, fecha_transaccion: '2024-02-10T15:00:00Z' });
  await entry(other, { tipo_transaccion: 'ingreso', monto: '777.00', fecha_transaccion: '2024-03-05T15:00:00Z' });

  // Patients registered in March in Lima (one at 23:30 on the 31st, already April in UTC), one in April.
  const reg = (at: string, over: Record<string, unknown>) => createPatient(k.id, { created_at: at, ...over });
  await reg(limaInstant('2024-03-02', '10:00'), { fuente_captacion: 'Facebook', aseguradora: 'EsSalud', linea_negocio: 'Fisioterapia' });
  await reg(limaInstant('2024-03-15', '10:00'), { fuente_captacion: 'Facebook', aseguradora: 'Particular', linea_negocio: 'Fisioterapia' });
  await reg(limaInstant('2024-03-31', '23:30'), { fuente_captacion: 'Google' });
  await reg(limaInstant('2024-04-01', '00:10'), { fuente_captacion: 'Google' });
  await createPatient(other.id, { created_at: limaInstant('2024-03-10', '10:00'), fuente_captacion: 'Facebook' });
});

describe('a seeded past month', () => {
  it('appointments: by estado (the six v1 names), weekday, hour and doctor; cancellation and no-show rates', async () => {
    const res = await get(`${R}/appointments`, MARCH);
    expect(res.status).toBe(200);
    const b = res.body;
    expect(b.periodo).toEqual({ start_date: '2024-03-01', end_date: '2024-03-31', zona_horaria: 'America/Lima' });
    expect(b.por_estado).toEqual([
      { estado: 'Programada', cantidad: 2 },
      { estado: 'Confirmada', cantidad: 1 },
      { estado: 'En curso', cantidad: 1 },
      { estado: 'Completada', cantidad: 2 },
      { estado: 'Cancelada', cantidad: 1 },
      { estado: 'No asistió', cantidad: 1 },
    ]);
    expect(b.totales).toEqual({ citas: 8, reservadas: 7, completadas: 2, canceladas: 1, no_asistio: 1, tasa_cancelacion: 12.5, tasa_no_asistencia: 12.5 });
    expect(b.por_dia_semana.map((w: any) => [w.dia_semana, w.nombre, w.citas])).toEqual([
      [1, 'Lunes', 4],
      [2, 'Martes', 1],
      [3, 'Miércoles', 1],
      [4, 'Jueves', 1],
      [5, 'Viernes', 1],
      [6, 'Sábado', 0],
      [7, 'Domingo', 0],
    ]);
    expect(b.por_hora.map((h: any) => [h.hora, h.citas])).toEqual([
      [9, 5],
      [10, 1],
      [15, 1],
      [16, 1],
    ]);
    const byDoctor = Object.fromEntries(b.por_doctor.map((d: any) => [d.doctor.id, [d.citas, d.completadas, d.canceladas, d.no_asistio]]));
    expect(byDoctor).toEqual({ [k.therapist.id]: [5, 2, 1, 1], [d2.id]: [3, 0, 0, 0] });
    // The same counts as the appointments table holds for the clinic in that month.
    const rows = await ownerKysely().selectFrom('appointments').select('id').where('reflexo_id', '=', k.id).where('appointment_date', '>=', '2024-03-01').where('appointment_date', '<=', '2024-03-31').where('deleted_at', 'is', null).execute();
    expect(rows).toHaveLength(b.totales.citas);
  });

  it('productivity: per doctor appointments, hours booked vs scheduled (weekly blocks − breaks − exceptions) and ledger income', async () => {
    const res = await get(`${R}/productivity`, MARCH);
    expect(res.status).toBe(200);
    const of = (id: number) => res.body.doctores.find((d: any) => d.doctor.id === id);
    expect(of(k.therapist.id)).toMatchObject({
      activo: true,
      citas: { citas: 5, reservadas: 4, completadas: 2, no_asistio: 1, canceladas: 1 },
      ocupacion: { horas_reservadas: 3.5, horas_programadas: 9.5, porcentaje: 36.84 },
      ingresos: { ingresos: 100, egresos: 0, balance: 100, cantidad: 1 },
    });
    expect(of(d2.id)).toMatchObject({ citas: { citas: 3, reservadas: 3 }, ocupacion: { horas_reservadas: 1.75, horas_programadas: 4, porcentaje: 43.75 }, ingresos: { ingresos: 0, cantidad: 0 } });
    expect(res.body.totales).toMatchObject({ citas: { citas: 8 }, ocupacion: { horas_reservadas: 5.25, horas_programadas: 13.5, porcentaje: 38.89 }, ingresos: { ingresos: 150.5, egresos: 30, balance: 120.5, cantidad: 3 } });
    expect(res.body.sin_doctor).toEqual({ ingresos: 50.5, egresos: 30, balance: 20.5, cantidad: 2 });
    expect(res.body.doctores.map((d: any) => d.doctor.id).sort()).toEqual([k.therapist.id, d2.id].sort());
  });

  it('financial: the ledger’s totals (= /transactions/summary), by day, month, method, concept and source; 23:45 in Lima is that Lima day', async () => {
    const res = await get(`${R}/financial`, MARCH);
    expect(res.status).toBe(200);
    const s = await summary(MARCH);
    expect(res.body.totales).toEqual({ ingresos: 150.5, egresos: 30, balance: 120.5, cantidad: 3 });
    expect(res.body.totales).toEqual({ ingresos: s.body.ingresos, egresos: s.body.egresos, balance: s.body.balance, cantidad: s.body.cantidad });
    expect(res.body.por_medio_pago).toEqual(s.body.por_medio_pago);
    expect(res.body.por_dia).toHaveLength(31);
    const day = (d: string) => res.body.por_dia.find((x: any) => x.fecha === d);
    expect(day('2024-03-20')).toEqual({ fecha: '2024-03-20', ingresos: 50.5, egresos: 0, balance: 50.5, cantidad: 1 });
    expect(day('2024-03-21')).toEqual({ fecha: '2024-03-21', ingresos: 0, egresos: 30, balance: -30, cantidad: 1 });
    expect(res.body.por_mes).toEqual([{ mes: '2024-03', ingresos: 150.5, egresos: 30, balance: 120.5, cantidad: 3 }]);
    expect(Object.fromEntries(res.body.por_concepto.map((c: any) => [c.concepto, c.balance]))).toEqual({ 'Consulta general': 100, 'Venta de gel': 50.5, Movilidad: -30 });
    expect(res.body.por_origen).toEqual([{ origen: 'manual', ingresos: 150.5, egresos: 30, balance: 120.5, cantidad: 3 }]);

    const edge = await get(`${R}/financial`, { start_date: '2024-03-20', end_date: '2024-03-20' });
    expect(edge.body.totales).toEqual({ ingresos: 50.5, egresos: 0, balance: 50.5, cantidad: 1 });
    expect((await get(`${R}/financial`, { start_date: '2024-03-21', end_date: '2024-03-21' })).body.totales.ingresos).toBe(0);
    // April 1st 00:30 in Lima belongs to April, not to March 31st.
    expect((await get(`${R}/financial`, { start_date: '2024-04-01', end_date: '2024-04-01' })).body.totales.ingresos).toBe(999);
  });

  it('patients: new per month and by source, insurer, business line and status (registration day in Lima); first-time vs returning', async () => {
    const res = await get(`${R}/patients`, { start_date: '2024-03-01', end_date: '2024-04-30' });
    expect(res.status).toBe(200);
    expect(res.body.pacientes_nuevos).toBe(4);
    expect(res.body.nuevos_por_mes).toEqual([
      { mes: '2024-03', cantidad: 3 },
      { mes: '2024-04', cantidad: 1 },
    ]);
    const march = await get(`${R}/patients`, MARCH);
    expect(march.body.pacientes_nuevos).toBe(3);
    expect(march.body.por_fuente_captacion).toEqual([
      { fuente_captacion: 'Facebook', cantidad: 2 },
      { fuente_captacion: 'Google', cantidad: 1 },
    ]);
    expect(march.body.por_aseguradora).toEqual(expect.arrayContaining([{ aseguradora: 'EsSalud', cantidad: 1 }, { aseguradora: 'Particular', cantidad: 1 }, { aseguradora: null, cantidad: 1 }]));
    expect(march.body.por_linea_negocio).toEqual([
      { linea_negocio: 'Fisioterapia', cantidad: 2 },
      { linea_negocio: null, cantidad: 1 },
    ]);
    expect(march.body.por_estado.reduce((n: number, e: any) => n + e.cantidad, 0)).toBe(3);
    // k.patient was seen in February (returning); p2 for the first time in March.
    expect(march.body.atendidos).toEqual({ total: 2, nuevos: 1, recurrentes: 1 });
    const registered = await ownerKysely().selectFrom('patients').select('id').where('reflexo_id', '=', k.id).where('deleted_at', 'is', null).execute();
    expect(march.body.pacientes_registrados).toBe(registered.length);
  });

  it('statistics/clinic and statistics/doctor/{id}: the period beside the previous one of the same length, change in %', async () => {
    const res = await get('/api/v1/statistics/clinic', { start_date: '2024-03-01', end_date: '2024-03-31' });
    expect(res.status).toBe(200);
    expect(res.body.periodo_anterior).toEqual({ start_date: '2024-01-30', end_date: '2024-02-29' });
    expect(res.body.doctor).toBeNull();
    expect(res.body.citas).toEqual({ actual: 8, anterior: 1, variacion: 700 });
    expect(res.body.ingresos).toEqual({ actual: 150.5, anterior: 40, variacion: 276.25 });
    expect(res.body.egresos).toEqual({ actual: 30, anterior: 0, variacion: null });
    expect(res.body.pacientes).toMatchObject({ actual: 3, anterior: 0 });
    expect(res.body.ocupacion.actual).toBe(38.89);

    const doc = await get(`/api/v1/statistics/doctor/${k.therapist.id}`, MARCH);
    expect(doc.status).toBe(200);
    expect(doc.body.doctor).toMatchObject({ id: k.therapist.id });
    expect(doc.body.citas).toEqual({ actual: 5, anterior: 1, variacion: 400 });
    expect(doc.body.ingresos).toEqual({ actual: 100, anterior: 40, variacion: 150 });
    expect(doc.body.pacientes).toEqual({ actual: 1, anterior: 1, variacion: 0 });
    expect(doc.body.horas_programadas.actual).toBe(9.5);

    expect((await get(`/api/v1/statistics/doctor/${other.therapist.id}`, MARCH)).status).toBe(404);
    const bad = await get('/api/v1/statistics/doctor/abc', MARCH);
    expect(bad.status).toBe(422);
    expect(bad.body.detail[0].loc).toEqual(['path', 'doctor_id']);
  });

  it('isolation: another clinic’s appointments, entries and patients are never counted', async () => {
    const a = await get(`${R}/appointments`, MARCH, other);
    expect(a.body.totales.citas).toBe(1);
    const f = await get(`${R}/financial`, MARCH, other);
    expect(f.body.totales).toEqual({ ingresos: 777, egresos: 0, balance: 777, cantidad: 1 });
    expect((await get(`${R}/patients`, MARCH, other)).body.pacientes_nuevos).toBe(1);
    expect((await get(`${R}/productivity`, MARCH, other)).body.doctores.map((d: any) => d.doctor.id)).toEqual([other.therapist.id]);
  });
});

describe('the current month', () => {
  let current: { start_date: string; end_date: string };
  beforeAll(async () => {
    const today = limaDate(0);
    // Today: two paid tickets (Reflexo), one pending; an invoice paid in full, one in part, one unpaid.
    const t1 = await appointmentWithTicket(k, today, '120.00', 'cash');
    const t2 = await appointmentWithTicket(k, today, '35.50', 'yape');
    await appointmentWithTicket(k, today, '60.00', 'cash');
    await markPaid(k, t1.ticketId);
    await markPaid(k, t2.ticketId);
    const invoice = async (price: number) => (await call(invoices, { method: 'POST', path: '/api/v1/invoices', token: k.staff, json: { paciente_id: k.patient.id, items: [{ descripcion: 'Sesión', cantidad: 1, precio_unitario: price }] } })).body.id;
    const pay = async (id: number, monto: string) => expect((await call(invoices, { method: 'POST', path: `/api/v1/invoices/${id}/payments`, token: k.staff, json: { monto, medio_pago: 'cash' } })).status).toBe(201);
    await pay(await invoice(118), '118.00');
    await pay(await invoice(200), '50.00');
    await invoice(80);
    // Products: one below its minimum, one above (then one unit sold).
    const product = async (json: Record<string, unknown>) => (await call(products, { method: 'POST', path: '/api/v1/products', token: k.staff, json })).body.id;
    await product({ nombre: 'Gel conductor', stock_actual: 2, stock_minimo: 5, costo: 10, precio_venta: 25 });
    const b = await product({ nombre: 'Vendas', stock_actual: 10, stock_minimo: 3, costo: '4.50', precio_venta: 9 });
    expect((await call(products, { method: 'POST', path: `/api/v1/products/${b}/movements`, token: k.staff, json: { tipo: 'salida', cantidad: 1 } })).status).toBe(201);
    const d = (await get(`${R}/dashboard`)).body.periodo;
    current = { start_date: d.start_date, end_date: d.end_date };
  });

  it('dashboard: today by estado, week and month income equal to /transactions/summary, low stock, pending invoices', async () => {
    const res = await get(`${R}/dashboard`);
    expect(res.status).toBe(200);
    const b = res.body;
    const today = limaDate(0);
    expect(b.periodo).toEqual({ start_date: `${today.slice(0, 7)}-01`, end_date: expect.stringMatching(new RegExp(`^${today.slice(0, 7)}-\\d\\d$`)), zona_horaria: 'America/Lima' });
    expect(b.hoy.fecha).toBe(today);
    expect(b.hoy.total).toBe(3);
    expect(b.hoy.por_estado.find((e: any) => e.estado === 'Programada').cantidad).toBe(3);
    const week = await summary({ start_date: b.ingresos.semana.start_date, end_date: b.ingresos.semana.end_date });
    const month = await summary(current);
    for (const [mine, theirs] of [
      [b.ingresos.semana, week.body],
      [b.ingresos.mes, month.body],
    ]) {
      expect({ ingresos: mine.ingresos, egresos: mine.egresos, balance: mine.balance, cantidad: mine.cantidad }).toEqual({ ingresos: theirs.ingresos, egresos: theirs.egresos, balance: theirs.balance, cantidad: theirs.cantidad });
    }
    // Tickets 120 + 35.50 and invoice payments 118 + 50.
    expect(b.ingresos.mes.ingresos).toBe(323.5);
    expect(b.ingresos.periodo).toEqual({ ingresos: 323.5, egresos: 0, balance: 323.5, cantidad: 4 });
    expect(b.productos_bajo_stock).toBe(1);
    expect(b.facturas_pendientes).toEqual({ cantidad: 2, saldo: 230 });
    expect(b.citas.citas).toBeGreaterThanOrEqual(3);
    expect(b.ocupacion).toHaveProperty('porcentaje');

    const march = await get(`${R}/dashboard`, MARCH);
    expect(march.body.citas).toMatchObject({ citas: 8, tasa_cancelacion: 12.5, tasa_no_asistencia: 12.5 });
    expect(march.body.pacientes_nuevos).toBe(3);
    expect(march.body.ocupacion).toEqual({ horas_reservadas: 5.25, horas_programadas: 13.5, porcentaje: 38.89 });
    // Fisioterapia (3 booked, the cancelled one not counted, names folded) before Consulta (2).
    expect(march.body.tratamientos_top).toEqual([
      { tratamiento_id: fisio, nombre: 'Fisioterapia', citas: 3 },
      { tratamiento_id: null, nombre: 'Consulta', citas: 2 },
    ]);
  });

  it('pending invoices come from the index of outstanding invoices alone (its predicate is the domain’s OUTSTANDING_STATUSES)', async () => {
    const o = ownerKysely();
    const q = outstandingInvoicesQuery(k.id, OUTSTANDING_STATUSES).compile(o);
    const plan = await o.transaction().execute(async (trx) => {
      // A test database is tiny: forbid the other plans so only a usable index can be chosen.
      await sql`SET LOCAL enable_seqscan = off`.execute(trx);
      await sql`SET LOCAL enable_bitmapscan = off`.execute(trx);
      const { rows } = await trx.executeQuery<{ 'QUERY PLAN': string }>({ ...q, sql: `EXPLAIN ${q.sql}` });
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).toMatch(/Index Only Scan using invoices_outstanding_idx/);
  });

  it('financial: invoices issued, paid and outstanding; income equals the summary (tickets + invoice payments)', async () => {
    const res = await get(`${R}/financial`, current);
    expect(res.status).toBe(200);
    expect(res.body.facturas).toEqual({ emitidas: { cantidad: 3, monto: 398 }, pagadas: { cantidad: 1, monto: 118 }, pendientes: { cantidad: 2, saldo: 230 }, anuladas: { cantidad: 0, monto: 0 }, cobrado: 168 });
    const s = await summary(current);
    expect(res.body.totales).toEqual({ ingresos: s.body.ingresos, egresos: s.body.egresos, balance: s.body.balance, cantidad: s.body.cantidad });
    expect(Object.fromEntries(res.body.por_origen.map((o: any) => [o.origen, o.ingresos]))).toEqual({ ticket: 155.5, factura: 168 });
    // Each ticket's and payment's entry carries its own number; by concept they group per source.
    expect(Object.fromEntries(res.body.por_concepto.map((c: any) => [c.concepto, [c.ingresos, c.cantidad]]))).toEqual({ 'Atenciones (tickets)': [155.5, 2], 'Pagos de factura': [168, 2] });
  });

  it('inventory: stock value at cost and price, movements by type, low stock as /products/low-stock', async () => {
    const res = await get(`${R}/inventory`, current);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ productos: 2, unidades: 11, valor_costo: 60.5, valor_venta: 131, bajo_stock_cantidad: 1 });
    expect(res.body.movimientos).toEqual([
      { tipo: 'entrada', cantidad: 2, unidades_entrada: 12, unidades_salida: 0, valor_costo: 0 },
      { tipo: 'salida', cantidad: 1, unidades_entrada: 0, unidades_salida: 1, valor_costo: 0 },
      { tipo: 'ajuste', cantidad: 0, unidades_entrada: 0, unidades_salida: 0, valor_costo: 0 },
    ]);
    const low = await call(products, { path: '/api/v1/products/low-stock', token: k.staff });
    expect(res.body.bajo_stock).toEqual(low.body.map((p: any) => ({ id: p.id, nombre: p.nombre, sku: p.sku, unidad: p.unidad, stock_actual: p.stock_actual, stock_minimo: p.stock_minimo })));
    expect(res.body.bajo_stock[0]).toMatchObject({ nombre: 'Gel conductor', stock_actual: 2, stock_minimo: 5 });
    expect((await get(`${R}/inventory`, current, other)).body).toMatchObject({ productos: 0, bajo_stock: [] });
  });
});

describe('range and formats', () => {
  it('end before start, more than 366 days, or a malformed date → 422; 366 days is fine', async () => {
    for (const path of [`${R}/dashboard`, `${R}/financial`, `${R}/inventory`, '/api/v1/statistics/clinic', `/api/v1/statistics/doctor/${k.therapist.id}`]) {
      const back = await get(path, { start_date: '2024-03-10', end_date: '2024-03-09' });
      expect([path, back.status]).toEqual([path, 422]);
      expect(back.body.detail[0].loc).toEqual(['query', 'end_date']);
      const long = await get(path, { start_date: '2024-01-01', end_date: '2025-01-01' });
      expect([path, long.status]).toEqual([path, 422]);
      expect((await get(path, { start_date: '2024-03-32' })).status).toBe(422);
    }
    expect((await get(`${R}/appointments`, { start_date: '2024-01-01', end_date: '2024-12-31' })).status).toBe(200);
    // Only a start: to the end of its month.
    expect((await get(`${R}/appointments`, { start_date: '2024-03-10' })).body.periodo).toMatchObject({ start_date: '2024-03-10', end_date: '2024-03-31' });
    expect((await call(handler, { path: `${R}/dashboard` })).status).toBe(401);
  });

  it('xlsx: the workbook parses back with the report’s figures; pdf is a PDF; ?format= on a report answers 303 to the download', async () => {
    const x = await get(`${R}/financial/export`, { ...MARCH, format: 'xlsx' });
    expect(x.status).toBe(200);
    expect(x.headers['content-type']).toContain('spreadsheetml');
    expect(x.headers['content-disposition']).toContain('reporte_financial_2024-03-01_a_2024-03-31.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.raw as any);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Por día', 'Por mes', 'Por medio de pago', 'Por concepto', 'Facturas']);
    const values = (name: string) => {
      const out: unknown[][] = [];
      wb.getWorksheet(name)!.eachRow((row) => out.push((row.values as unknown[]).slice(1).map((v: any) => (v && typeof v === 'object' && 'result' in v ? v.result : v))));
      return out;
    };
    const month = values('Por mes');
    expect(month).toContainEqual(['2024-03', 150.5, 30, 120.5, 3]);
    expect(values('Por concepto').some((r) => r[0] === 'Venta de gel' && r[1] === 50.5)).toBe(true);

    for (const name of ['dashboard', 'productivity', 'patients', 'appointments', 'inventory']) {
      const f = await get(`${R}/${name}/export`, MARCH);
      expect([name, f.status]).toEqual([name, 200]);
      const w = new ExcelJS.Workbook();
      await w.xlsx.load(f.raw as any);
      expect(w.worksheets.length).toBeGreaterThan(0);
    }
    const appts = new ExcelJS.Workbook();
    await appts.xlsx.load((await get(`${R}/appointments/export`, MARCH)).raw as any);
    const estados: unknown[][] = [];
    appts.getWorksheet('Por estado')!.eachRow((row) => estados.push((row.values as unknown[]).slice(1)));
    expect(estados).toContainEqual(['No asistió', 1]);

    const pdf = await get(`${R}/productivity/export`, { ...MARCH, format: 'pdf' });
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect((pdf.raw as Buffer).subarray(0, 5).toString()).toBe('%PDF-');

    const redirect = await get(`${R}/inventory`, { ...MARCH, format: 'xlsx' });
    expect(redirect.status).toBe(303);
    expect(redirect.headers.location).toMatch(/\/api\/v1\/reports\/inventory\/export\?format=xlsx&start_date=2024-03-01&end_date=2024-03-31$/);
    expect((await get(`${R}/inventory/export`, { format: 'csv' })).status).toBe(422);
    const audit = await ownerKysely().selectFrom('audit_log').select('entity_id').where('reflexo_id', '=', k.id).where('action', '=', 'export').execute();
    expect(audit.map((a: any) => a.entity_id)).toEqual(expect.arrayContaining(['v1-financial.xlsx', 'v1-productivity.pdf']));
  });
});

import { handler as reports } from '../../functions/reflexo/company-reports';
import { handler as tickets } from '../../functions/reflexo/appointments-tickets';
import { handler as invoices } from '../../functions/v1/invoices';
import { handler as transactions } from '../../functions/v1/transactions';
import { ownerKysely } from '../helpers/fixtures';
import { call } from '../helpers/http';
import { appointmentWithTicket, ledgerRows, limaInstant, markPaid, moneyClinic, type MoneyClinic } from '../helpers/money-fixtures';
import { createTherapist, limaDate } from '../helpers/scheduling-fixtures';

/*
 * One day of a clinic's money seen by both surfaces. Tickets are paid through the Reflexo ticket route,
 * manual entries and invoice payments through v1; the Reflexo daily cash (which knows tickets and
 * appointments) and the v1 ledger (which knows everything) must tell the same story:
 *   Reflexo daily-cash = Reflexo improved-daily-cash = the v1 day's ticket income, and
 *   v1 daily-report = v1 summary = tickets + manual ingresos + invoice payments (− egresos for the balance).
 * Amounts are compared in cents (integers), never as floats.
 */
const cents = (v: string | number) => {
  const [i, f = ''] = String(v).split('.');
  return Number(i) * 100 + Number(f.padEnd(2, '0').slice(0, 2));
};
const sumCents = (xs: (string | number)[]) => xs.reduce<number>((s, x) => s + cents(x), 0);
const addDays = (d: string, n: number) => new Date(Date.parse(`${d}T12:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

async function reflexoDay(k: MoneyClinic, date: string) {
  const basic = await call(reports, { path: '/api/company/reports/daily-cash/', query: { date }, token: k.staff });
  const improved = await call(reports, { path: '/api/company/reports/improved-daily-cash/', query: { date }, token: k.staff });
  expect([basic.status, improved.status]).toEqual([200, 200]);
  return { basic: sumCents(basic.body.map((r: any) => r.payment)), improved: cents(improved.body.total_general), byMethod: improved.body.resumen_por_metodo as { metodo: string; total: string }[] };
}

async function v1Day(k: MoneyClinic, date: string) {
  const daily = await call(transactions, { path: '/api/v1/transactions/daily-report', query: { date }, token: k.staff });
  const summary = await call(transactions, { path: '/api/v1/transactions/summary', query: { start_date: date, end_date: date }, token: k.staff });
  expect([daily.status, summary.status]).toEqual([200, 200]);
  const origin = (o: string) => cents(daily.body.por_origen.find((x: any) => x.origen === o)?.ingresos ?? 0);
  return {
    daily: daily.body,
    summary: summary.body,
    ingresos: cents(daily.body.ingresos),
    egresos: cents(daily.body.egresos),
    balance: cents(daily.body.balance),
    tickets: origin('ticket'),
    invoices: origin('factura'),
    manual: origin('manual'),
  };
}

it('a Lima day with tickets paid through Reflexo, manual v1 entries and invoice payments: every report gives the same total', async () => {
  const k = await moneyClinic();
  const today = limaDate(0);
  const second = await createTherapist(k.id);
  const booked = [
    await appointmentWithTicket(k, today, '150.00', 'cash'),
    await appointmentWithTicket(k, today, '80.00', 'yape', second.id),
    await appointmentWithTicket(k, today, '45.50', 'card'),
  ];
  for (const b of booked) await markPaid(k, b.ticketId);

  const manual = async (json: Record<string, unknown>) => expect((await call(transactions, { method: 'POST', path: '/api/v1/transactions', token: k.staff, json: { concepto: 'Caja', medio_pago: 'cash', ...json } })).status).toBe(201);
  await manual({ tipo_transaccion: 'ingreso', monto: '60.00', concepto: 'Venta de gel' });
  await manual({ tipo_transaccion: 'egreso', monto: '25.00', concepto: 'Movilidad' });
  const inv = await call(invoices, { method: 'POST', path: '/api/v1/invoices', token: k.staff, json: { paciente_id: k.patient.id, items: [{ descripcion: 'Paquete de 4 sesiones', cantidad: 1, precio_unitario: 118 }] } });
  for (const [monto, medio_pago] of [['50.00', 'yape'], ['18.40', 'cash']]) {
    expect((await call(invoices, { method: 'POST', path: `/api/v1/invoices/${inv.body.id}/payments`, token: k.staff, json: { monto, medio_pago } })).status).toBe(201);
  }

  const ticketCents = sumCents(['150.00', '80.00', '45.50']);
  const r = await reflexoDay(k, today);
  const v = await v1Day(k, today);
  // Reflexo's two cash reports and the v1 ledger's ticket income are the same money.
  expect(r).toMatchObject({ basic: ticketCents, improved: ticketCents });
  expect(v.tickets).toBe(ticketCents);
  // v1 adds what Reflexo does not know about, and nothing twice.
  expect(v).toMatchObject({ manual: 6000, invoices: 6840, egresos: 2500 });
  expect(v.ingresos).toBe(r.improved + v.manual + v.invoices);
  expect(v.balance).toBe(v.ingresos - v.egresos);
  expect({ ingresos: cents(v.summary.ingresos), egresos: cents(v.summary.egresos), balance: cents(v.summary.balance), cantidad: v.summary.cantidad }).toEqual({
    ingresos: v.ingresos,
    egresos: v.egresos,
    balance: v.balance,
    cantidad: v.daily.cantidad,
  });
  expect(v.daily.cantidad).toBe(3 + 2 + 2);
  // Per method, the tickets' share of the v1 ledger is Reflexo's summary per method.
  const ticketEntries = (await call(transactions, { path: '/api/v1/transactions', query: { origen: 'ticket', start_date: today, end_date: today }, token: k.staff })).body as any[];
  const perMethod = (rows: { m: string; c: number }[]) => Object.fromEntries([...new Set(rows.map((x) => x.m))].map((m) => [m, rows.filter((x) => x.m === m).reduce((s, x) => s + x.c, 0)]));
  expect(perMethod(ticketEntries.map((t) => ({ m: t.medio_pago, c: cents(t.monto) })))).toEqual(perMethod(r.byMethod.map((m) => ({ m: m.metodo, c: cents(m.total) }))));
  // The ledger holds each amount once, where it was typed: a ticket's entry is the ticket's amount.
  const ledger = await ledgerRows(k.id);
  expect(ledger).toHaveLength(7);
  for (const b of booked) {
    const t = (await ownerKysely().selectFrom('tickets').select('amount').where('id', '=', b.ticketId).executeTakeFirstOrThrow()) as { amount: string };
    expect(ledger.filter((e: any) => e.ticket_id === b.ticketId).map((e: any) => e.amount)).toEqual([t.amount]);
  }

  // Corrections through either surface keep the books together: a ticket un-paid in Reflexo, an invoice annulled in v1.
  const patch = await call(tickets, { method: 'PATCH', path: `/api/appointments/tickets/${booked[1].ticketId}/`, token: k.staff, json: { status: 'cancelled' } });
  expect(patch.status).toBe(200);
  expect((await call(invoices, { method: 'DELETE', path: `/api/v1/invoices/${inv.body.id}`, token: k.staff })).status).toBe(204);
  const r2 = await reflexoDay(k, today);
  const v2 = await v1Day(k, today);
  expect(r2.improved).toBe(ticketCents - 8000);
  expect(v2).toMatchObject({ tickets: r2.improved, invoices: 0, manual: 6000 });
  expect(v2.ingresos).toBe(r2.improved + 6000);
  expect(cents(v2.summary.ingresos)).toBe(v2.ingresos);
});

it('a payment at 23:45 in Lima (04:45 UTC the next day) is that Lima day in the Reflexo cash and in every v1 report', async () => {
  const k = await moneyClinic();
  const day = limaDate(-1);
  const next = addDays(day, 1);
  const a = await appointmentWithTicket(k, day, '120.00', 'cash');
  await markPaid(k, a.ticketId);
  // The route pays at the present instant; the payment is placed at 23:45 of that day afterwards, as
  // if it had been made then (which also shows the ledger entry following its ticket's payment date).
  await ownerKysely().updateTable('tickets').set({ payment_date: limaInstant(day, '23:45') }).where('id', '=', a.ticketId).execute();
  const [entry] = await ledgerRows(k.id);
  expect(new Date(entry.occurred_at).toISOString()).toBe(`${next}T04:45:00.000Z`);

  const inv = await call(invoices, { method: 'POST', path: '/api/v1/invoices', token: k.staff, json: { paciente_id: k.patient.id, items: [{ descripcion: 'Consulta', cantidad: 1, precio_unitario: 90 }] } });
  expect((await call(invoices, { method: 'POST', path: `/api/v1/invoices/${inv.body.id}/payments`, token: k.staff, json: { monto: 90, medio_pago: 'yape', fecha: limaInstant(day, '23:45') } })).status).toBe(201);
  const post = (json: Record<string, unknown>) => call(transactions, { method: 'POST', path: '/api/v1/transactions', token: k.staff, json: { tipo_transaccion: 'ingreso', concepto: 'Caja', medio_pago: 'cash', ...json } });
  expect((await post({ monto: 30, fecha_transaccion: limaInstant(day, '23:50') })).status).toBe(201);
  expect((await post({ monto: 7, fecha_transaccion: limaInstant(next, '00:05') })).status).toBe(201);

  const r = await reflexoDay(k, day);
  const v = await v1Day(k, day);
  expect(r).toMatchObject({ basic: 12000, improved: 12000 });
  expect(v).toMatchObject({ tickets: 12000, invoices: 9000, manual: 3000, ingresos: 24000 });
  expect(v.daily.por_hora).toEqual([expect.objectContaining({ hora: 23, ingresos: 240, cantidad: 3 })]);
  expect(cents(v.summary.ingresos)).toBe(24000);
  const listed = (await call(transactions, { path: `/api/v1/transactions/date/${day}`, token: k.staff })).body as any[];
  expect(sumCents(listed.map((t) => t.monto))).toBe(24000);

  // The next Lima day has only what happened after midnight there.
  const rNext = await reflexoDay(k, next);
  const vNext = await v1Day(k, next);
  expect(rNext.improved).toBe(0);
  expect(vNext).toMatchObject({ tickets: 0, ingresos: 700 });
  expect(cents(vNext.daily.saldo_inicial)).toBe(24000);
});

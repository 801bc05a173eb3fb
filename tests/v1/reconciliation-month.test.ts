import { handler as reports } from '../../functions/v1/reports';
import { handler as transactions } from '../../functions/v1/transactions';
import { handler as statistics } from '../../functions/reflexo/company-statistics';
import { ownerKysely } from '../helpers/fixtures';
import { call } from '../helpers/http';
import { appointmentWithTicket, markPaid, moneyClinic, type MoneyClinic } from '../helpers/money-fixtures';
import { limaDate } from '../helpers/scheduling-fixtures';

/*
 * Issue 16's reconciliation over one month: the v1 dashboard, the v1 financial and appointments
 * reports, the v1 transactions summary and the Reflexo statistics agree on income and on the number
 * of appointments that count. The month holds what all of them see: appointments paid through
 * Reflexo's mark_as_paid on their own day, and a cancelled one (counted by nobody).
 */
let k: MoneyClinic;
let month: { start_date: string; end_date: string };

beforeAll(async () => {
  k = await moneyClinic();
  const today = limaDate(0);
  for (const [amount, method] of [['80.00', 'cash'], ['120.50', 'yape'], ['45.00', 'card']] as const) {
    const t = await appointmentWithTicket(k, today, amount, method);
    await markPaid(k, t.ticketId);
  }
  const cancelled = await appointmentWithTicket(k, today, '999.00', 'cash');
  const status = (await ownerKysely().selectFrom('appointment_statuses').select('id').where('kind', '=', 'cancelled').executeTakeFirstOrThrow()) as { id: number };
  await ownerKysely().updateTable('appointments').set({ appointment_status_id: status.id, cancelled_at: new Date() }).where('id', '=', cancelled.appointmentId).execute();
  const d = (await call(reports, { path: '/api/v1/reports/dashboard', token: k.staff })).body.periodo;
  month = { start_date: d.start_date, end_date: d.end_date };
});

it('income: dashboard (month), financial report, transactions summary and Reflexo statistics give 245.50', async () => {
  const dashboard = (await call(reports, { path: '/api/v1/reports/dashboard', token: k.staff })).body;
  const financial = (await call(reports, { path: '/api/v1/reports/financial', query: month, token: k.staff })).body;
  const summary = (await call(transactions, { path: '/api/v1/transactions/summary', query: month, token: k.staff })).body;
  const reflexo = await call(statistics, { path: '/api/company/statistics/metricas/', query: { start: month.start_date, end: month.end_date }, token: k.staff });
  expect(reflexo.status).toBe(200);
  expect({
    dashboard: dashboard.ingresos.mes.ingresos,
    financial: financial.totales.ingresos,
    summary: summary.ingresos,
    reflexo: reflexo.body.metricas.ttlganancias,
  }).toEqual({ dashboard: 245.5, financial: 245.5, summary: 245.5, reflexo: 245.5 });
});

it('appointments that count: the v1 appointments report (booked, not cancelled) and Reflexo sessions give 3', async () => {
  const v1 = (await call(reports, { path: '/api/v1/reports/appointments', query: month, token: k.staff })).body;
  const reflexo = (await call(statistics, { path: '/api/company/statistics/metricas/', query: { start: month.start_date, end: month.end_date }, token: k.staff })).body;
  expect({ v1Booked: v1.totales.reservadas, v1All: v1.totales.citas, v1Cancelled: v1.totales.canceladas, reflexo: reflexo.metricas.ttlsesiones }).toEqual({ v1Booked: 3, v1All: 4, v1Cancelled: 1, reflexo: 3 });
});

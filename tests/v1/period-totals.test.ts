import { handler as config } from '../../functions/v1/config';
import { handler as reports } from '../../functions/v1/reports';
import { handler as transactions } from '../../functions/v1/transactions';
import { call } from '../helpers/http';
import { moneyClinic, type MoneyClinic } from '../helpers/money-fixtures';

/*
 * The dashboard's and the clinic statistics' income come from the ledger's UTC-day buckets plus the
 * entries of the partial UTC days at either end of the period (lib/queries/ledger.ts periodTotals);
 * /transactions/summary reads every entry. Entries placed on both sides of local and UTC midnights,
 * with an expense, a pending, a voided and a deleted entry, must give both the same figures for one
 * day, for a run of days and in zones behind, at and ahead of UTC.
 */
const D = '2026-03-10';
const at = (local: string, offset: string) => `${local}${offset}`;

async function entry(k: MoneyClinic, json: Record<string, unknown>): Promise<number> {
  const res = await call(transactions, { method: 'POST', path: '/api/v1/transactions', token: k.staff, json: { concepto: 'Caja', medio_pago: 'cash', ...json } });
  expect(res.status).toBe(201);
  return res.body.id;
}

async function seed(k: MoneyClinic, offset: string) {
  const instants = ['2026-03-09T23:59:59', '2026-03-10T00:00:00', '2026-03-10T04:59:59', '2026-03-10T05:00:00', '2026-03-10T18:59:59', '2026-03-10T19:00:00', '2026-03-10T23:59:59', '2026-03-11T00:00:00', '2026-03-11T12:00:00', '2026-03-12T23:59:59'];
  for (const [i, local] of instants.entries()) await entry(k, { tipo_transaccion: 'ingreso', monto: 10 + i + 0.25, fecha_transaccion: at(local, offset) });
  await entry(k, { tipo_transaccion: 'egreso', monto: 7.5, fecha_transaccion: at('2026-03-10T12:00:00', offset) });
  await entry(k, { tipo_transaccion: 'ingreso', monto: 99, estado: 'pendiente', fecha_transaccion: at('2026-03-10T12:00:00', offset) });
  const voided = await entry(k, { tipo_transaccion: 'ingreso', monto: 55, fecha_transaccion: at('2026-03-10T13:00:00', offset) });
  expect((await call(transactions, { method: 'PUT', path: `/api/v1/transactions/${voided}`, token: k.staff, json: { estado: 'anulado' } })).status).toBe(200);
  const deleted = await entry(k, { tipo_transaccion: 'ingreso', monto: 66, fecha_transaccion: at('2026-03-11T13:00:00', offset) });
  expect((await call(transactions, { method: 'DELETE', path: `/api/v1/transactions/${deleted}`, token: k.staff })).status).toBeLessThan(300);
}

async function compare(k: MoneyClinic, start: string, end: string) {
  const summary = await call(transactions, { path: '/api/v1/transactions/summary', query: { start_date: start, end_date: end }, token: k.staff });
  const dash = await call(reports, { path: '/api/v1/reports/dashboard', query: { start_date: start, end_date: end }, token: k.staff });
  expect([summary.status, dash.status]).toEqual([200, 200]);
  const { ingresos, egresos, balance, cantidad } = summary.body;
  expect(cantidad).toBeGreaterThan(0);
  expect(dash.body.ingresos.periodo).toEqual({ ingresos, egresos, balance, cantidad });
}

describe.each([
  ['America/Lima', '-05:00'],
  ['UTC', 'Z'],
  ['Asia/Tokyo', '+09:00'],
])('a clinic in %s', (zone, offset) => {
  let k: MoneyClinic;
  beforeAll(async () => {
    k = await moneyClinic();
    expect((await call(config, { method: 'PUT', path: '/api/v1/config/zona_horaria', token: k.admin, json: { valor: zone } })).status).toBe(200);
    await seed(k, offset);
  });

  it('one day: the dashboard’s period income is the summary’s', () => compare(k, D, D));
  it('three days', () => compare(k, '2026-03-09', '2026-03-11'));
  it('two days ending on the last entry', () => compare(k, '2026-03-11', '2026-03-12'));
});

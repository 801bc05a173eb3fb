import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { handler as exportsHandler } from '../../functions/reflexo/company-exports';
import { handler as reports } from '../../functions/reflexo/company-reports';
import { DEMO_COMPANY } from '../../lib/dev/seed-demo-clinic';
import { seedDemo } from '../../lib/dev/seed-demo';
import { createUser, ownerKysely } from '../helpers/fixtures';
import { call } from '../helpers/http';
import { readPdf, readXlsx } from './read-exports';

/*
 * The demo clinic's week of data: seeding twice changes nothing, and every export renders from it.
 * With SAMPLES_DIR set, the files are also written there (tests/fixtures/samples holds the committed ones).
 */

const EXPORTS = [
  ['excel/citas-rango', 'xlsx'],
  ['excel/caja-chica-mejorada', 'xlsx'],
  ['excel/tickets-pagados', 'xlsx'],
  ['pdf/citas-terapeuta', 'pdf'],
  ['pdf/pacientes-terapeuta', 'pdf'],
  ['pdf/resumen-caja', 'pdf'],
  ['pdf/caja-chica-mejorada', 'pdf'],
  ['pdf/tickets-pagados', 'pdf'],
] as const;

it('seeds the demo clinic idempotently and renders every export from it', async () => {
  const db = ownerKysely();
  const { tenantId } = await seedDemo(db);
  const counts = async () =>
    Promise.all(['company_data', 'therapists', 'patients', 'appointments', 'tickets'].map(async (t) => (await db.selectFrom(t).select(db.fn.countAll().as('n')).where('reflexo_id', '=', tenantId).executeTakeFirstOrThrow()).n));
  const first = await counts();
  await seedDemo(db);
  expect(await counts()).toEqual(first);
  expect(first.map(Number)).toEqual([1, 3, 8, expect.any(Number), expect.any(Number)]);

  const admin = await createUser({ reflexoId: tenantId, role: 'Admin', staff: true });
  // Yesterday is always a full, paid working day unless it was a Sunday; use the latest day with payments.
  const day = (
    await db.selectFrom('appointments').select('appointment_date').where('reflexo_id', '=', tenantId).where('payment', 'is not', null).orderBy('appointment_date', 'desc').executeTakeFirstOrThrow()
  ).appointment_date as string;
  const range = await db.selectFrom('appointments').select([db.fn.min('appointment_date').as('start'), db.fn.max('appointment_date').as('end')]).where('reflexo_id', '=', tenantId).executeTakeFirstOrThrow();

  const cash = await call(reports, { path: '/api/company/reports/improved-daily-cash/', query: { date: day }, token: admin.token });
  expect(cash.body.cantidad_total_pagos).toBeGreaterThan(0);

  const out = process.env.SAMPLES_DIR;
  if (out) mkdirSync(out, { recursive: true });
  for (const [path, kind] of EXPORTS) {
    const query = path === 'excel/citas-rango' ? { start_date: range.start as string, end_date: range.end as string } : { date: day };
    const res = await call(exportsHandler, { path: `/api/company/exports/${path}/`, query, token: admin.token });
    expect([path, res.status]).toEqual([path, 200]);
    if (kind === 'xlsx') expect((await readXlsx(res.raw)).worksheets[0].getCell('A1').value).toBe(DEMO_COMPANY);
    else expect((await readPdf(res.raw)).text).toContain(DEMO_COMPANY);
    if (out) writeFileSync(join(out, `${path.replace('/', '_')}.${kind}`), res.raw);
  }
});

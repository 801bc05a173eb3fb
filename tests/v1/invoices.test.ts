/*
 * The concurrency tests below send 20 and 30 requests at once: a pool of 20 simulates that many Lambda
 * containers, each with its one connection (the suite's default pool of one would serialise the race away).
 */
process.env.DB_POOL_MAX = '20';

import { handler } from '../../functions/v1/invoices';
import { handler as config } from '../../functions/v1/config';
import { handler as transactions } from '../../functions/v1/transactions';
import { handler as companyHandler } from '../../functions/reflexo/company-company';
import { readPdf } from '../company/read-exports';
import { PNG } from '../company/images';
import { ownerKysely } from '../helpers/fixtures';
import { call } from '../helpers/http';
import { appointmentWithTicket, ledgerRows, limaInstant, moneyClinic, paymentTypeName, type MoneyClinic } from '../helpers/money-fixtures';
import { createPatient, limaDate } from '../helpers/scheduling-fixtures';

/* v1 invoices: numbering, IGV and per-line rounding, payments as ledger entries, annulment, PDF. */
const P = '/api/v1/invoices';
const oneLine = (s: string) => s.replace(/\s+/g, ' ');

let k: MoneyClinic;
let other: MoneyClinic;
beforeAll(async () => {
  k = await moneyClinic();
  other = await moneyClinic();
});

const create = (c: MoneyClinic, json: Record<string, unknown>) => call(handler, { method: 'POST', path: P, token: c.staff, json });
const invoice = (c: MoneyClinic, items: unknown[] = [{ descripcion: 'Consulta', cantidad: 1, precio_unitario: 100 }], over: Record<string, unknown> = {}) =>
  create(c, { paciente_id: c.patient.id, items, ...over }).then((r) => {
    if (r.status !== 201) throw new Error(`${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  });
const pay = (c: MoneyClinic, id: number, json: Record<string, unknown>) => call(handler, { method: 'POST', path: `${P}/${id}/payments`, token: c.staff, json });
const row = (id: number) => ownerKysely().selectFrom('invoices').selectAll().where('id', '=', id).executeTakeFirstOrThrow() as Promise<any>;

describe('creating and numbering', () => {
  it('an issued invoice gets the clinic’s next number; prices include IGV 18 % by default; each line is rounded to cents, then added', async () => {
    const c = await moneyClinic();
    const res = await create(c, {
      paciente: { id: c.patient.id },
      items: [
        { descripcion: 'Sesión de fisioterapia', cantidad: 2, precio_unitario: '59.00' },
        { descripcion: 'Venda elástica', cantidad: 1, precio_unitario: 33.33 },
        { descripcion: 'Evaluación', cantidad: '1.5', precio_unitario: 20, descuento: '5.00' },
      ],
      notas: 'Primera factura',
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      numero: 'F001-000001',
      serie: 'F001',
      correlativo: 1,
      paciente: { id: c.patient.id, nombres: c.patient.name, apellidos: 'Pérez Ramos' },
      cita_id: null,
      estado: 'emitida',
      fecha_emision: limaDate(0),
      fecha_vencimiento: null,
      items: [
        { id: expect.any(Number), descripcion: 'Sesión de fisioterapia', cantidad: 2, precio_unitario: 59, descuento: 0, tratamiento_id: null, producto_id: null, importe: 118, subtotal: 100, igv: 18, total: 118 },
        // 33.33 / 1.18 = 28.2457… → 28.25 + 5.08
        { id: expect.any(Number), descripcion: 'Venda elástica', cantidad: 1, precio_unitario: 33.33, descuento: 0, tratamiento_id: null, producto_id: null, importe: 33.33, subtotal: 28.25, igv: 5.08, total: 33.33 },
        // 1.5 × 20 − 5 = 25 → 21.19 + 3.81
        { id: expect.any(Number), descripcion: 'Evaluación', cantidad: 1.5, precio_unitario: 20, descuento: 5, tratamiento_id: null, producto_id: null, importe: 25, subtotal: 21.19, igv: 3.81, total: 25 },
      ],
      subtotal: 149.44,
      igv: 26.89,
      total: 176.33,
      pagado: 0,
      saldo: 176.33,
      igv_tasa: 18,
      precios_incluyen_igv: true,
      notas: 'Primera factura',
      anulada_at: null,
      created_at: expect.stringMatching(/Z$/),
      updated_at: expect.stringMatching(/Z$/),
    });
    expect(await row(res.body.id)).toMatchObject({ subtotal: '149.44', igv: '26.89', total: '176.33', paid: '0.00', series: 'F001', number: 1 });
    const second = await invoice(c);
    expect(second.numero).toBe('F001-000002');
  });

  it('rounding is per line, not on the total: three lines of 10.00 are 8.47 + 1.53 each (25.41 + 4.59), not 25.42 + 4.58', async () => {
    const f = await invoice(k, [1, 2, 3].map((i) => ({ descripcion: `Línea ${i}`, cantidad: 1, precio_unitario: 10 })));
    expect(f).toMatchObject({ subtotal: 25.41, igv: 4.59, total: 30 });
    expect(f.items.map((i: any) => [i.subtotal, i.igv])).toEqual([
      [8.47, 1.53],
      [8.47, 1.53],
      [8.47, 1.53],
    ]);
  });

  it('the clinic’s settings (v1 /config): IGV rate, prices without IGV, series; an invoice keeps the settings it was made with', async () => {
    const c = await moneyClinic();
    const set = await call(config, { method: 'PUT', path: '/api/v1/config', token: c.admin, json: { igv: 10, precios_incluyen_igv: false, serie_factura: 'B002' } });
    expect(set.status).toBe(200);
    expect((await ownerKysely().selectFrom('tenants').select('settings').where('id', '=', c.id).executeTakeFirstOrThrow()).settings).toMatchObject({ igv_rate: 10, prices_include_igv: false, invoice_series: 'B002' });
    const f = await invoice(c, [{ descripcion: 'Consulta', cantidad: 1, precio_unitario: '100.05' }]);
    // without IGV: 100.05 + 10 % = 10.005 → 10.01
    expect(f).toMatchObject({ numero: 'B002-000001', igv_tasa: 10, precios_incluyen_igv: false, subtotal: 100.05, igv: 10.01, total: 110.06 });
    await call(config, { method: 'PUT', path: '/api/v1/config', token: c.admin, json: { igv: 18 } });
    expect((await call(handler, { path: `${P}/${f.id}`, token: c.staff })).body).toMatchObject({ igv_tasa: 10, total: 110.06 });
    // A new series starts its own numbering.
    await call(config, { method: 'PUT', path: '/api/v1/config', token: c.admin, json: { serie_factura: 'F001' } });
    expect((await invoice(c)).numero).toBe('F001-000001');
  });

  it('items may name a treatment (its name and price by default) and an appointment of the same patient', async () => {
    const c = await moneyClinic();
    const t = (await ownerKysely().insertInto('predetermined_prices').values({ reflexo_id: c.id, name: 'Terapia física', price: '120.00' }).returning('id').executeTakeFirstOrThrow()) as { id: number };
    const a = await appointmentWithTicket(c, limaDate(0), '120.00');
    const f = await invoice(c, [{ tratamiento_id: t.id, cantidad: 1 }, { tratamiento_id: t.id, cantidad: 1, descripcion: 'Terapia (2.ª sesión)', precio_unitario: 100 }], { cita_id: a.appointmentId });
    expect(f.cita_id).toBe(a.appointmentId);
    expect(f.items.map((i: any) => [i.descripcion, i.precio_unitario, i.tratamiento_id])).toEqual([
      ['Terapia física', 120, t.id],
      ['Terapia (2.ª sesión)', 100, t.id],
    ]);
    const otherPatient = await createPatient(c.id);
    const wrong = await create(c, { paciente_id: otherPatient.id, cita_id: a.appointmentId, items: [{ descripcion: 'x', cantidad: 1, precio_unitario: 1 }] });
    expect(wrong.status).toBe(422);
    expect(wrong.body.detail[0]).toMatchObject({ loc: ['body', 'cita_id'], msg: 'La cita es de otro paciente' });
  });

  it('refuses what cannot be invoiced (422), and a refused invoice takes no number', async () => {
    const c = await moneyClinic();
    const bad = async (json: Record<string, unknown>, loc: (string | number)[]) => {
      const res = await create(c, { paciente_id: c.patient.id, ...json });
      expect([JSON.stringify(json), res.status]).toEqual([JSON.stringify(json), 422]);
      expect(res.body.detail.map((d: any) => d.loc)).toContainEqual(loc);
    };
    await bad({ items: [] }, ['body', 'items']);
    await bad({ items: [{ descripcion: 'x', cantidad: 0, precio_unitario: 10 }] }, ['body', 'items', 0, 'cantidad']);
    await bad({ items: [{ descripcion: 'x', cantidad: 1, precio_unitario: '10.001' }] }, ['body', 'items', 0, 'precio_unitario']);
    await bad({ items: [{ descripcion: 'x', cantidad: 1, precio_unitario: 10, descuento: '10.01' }] }, ['body', 'items', 0, 'descuento']);
    await bad({ items: [{ cantidad: 1, precio_unitario: 10 }] }, ['body', 'items', 0, 'descripcion']);
    await bad({ items: [{ descripcion: 'Gratis', cantidad: 1, precio_unitario: 0 }] }, ['body', 'items']);
    await bad({ items: [{ descripcion: 'x', cantidad: 1, precio_unitario: 1 }], fecha_emision: '2024-03-10', fecha_vencimiento: '2024-03-09' }, ['body', 'fecha_vencimiento']);
    await bad({ paciente_id: other.patient.id, items: [{ descripcion: 'x', cantidad: 1, precio_unitario: 1 }] }, ['body', 'paciente_id']);
    const missing = await create(c, { items: [{ descripcion: 'x', cantidad: 1, precio_unitario: 1 }] });
    expect(missing.body.detail[0]).toMatchObject({ loc: ['body', 'paciente_id'], msg: 'Field required' });
    expect((await invoice(c)).numero).toBe('F001-000001');
  });
});

describe('drafts, edits and annulment', () => {
  it('a draft has no number and takes no payment; issuing it gives the next number; only a draft can be issued', async () => {
    const c = await moneyClinic();
    const draft = await invoice(c, undefined, { estado: 'borrador' });
    expect(draft).toMatchObject({ numero: null, correlativo: null, estado: 'borrador' });
    expect((await pay(c, draft.id, { monto: 10, medio_pago: 'cash' })).status).toBe(409);
    const issued = await invoice(c);
    expect(issued.numero).toBe('F001-000001');
    const put = await call(handler, { method: 'PUT', path: `${P}/${draft.id}`, token: c.staff, json: { estado: 'emitida', notas: 'Revisada' } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ numero: 'F001-000002', estado: 'emitida', notas: 'Revisada' });
    const wrong = await call(handler, { method: 'PUT', path: `${P}/${issued.id}`, token: c.staff, json: { estado: 'pagada' } });
    expect(wrong.status).toBe(422);
    expect(wrong.body.detail[0].loc).toEqual(['body', 'estado']);
  });

  it('PUT changes only what is sent; items replace the lines and the totals follow; a paid invoice cannot be edited (409)', async () => {
    const c = await moneyClinic();
    const f = await invoice(c, [{ descripcion: 'A', cantidad: 1, precio_unitario: 100 }], { notas: 'n' });
    const dates = await call(handler, { method: 'PUT', path: `${P}/${f.id}`, token: c.staff, json: { fecha_vencimiento: limaDate(30) } });
    expect(dates.body).toMatchObject({ fecha_vencimiento: limaDate(30), notas: 'n', total: 100, items: [expect.objectContaining({ descripcion: 'A' })] });
    expect((await pay(c, f.id, { monto: 40, medio_pago: 'cash' })).status).toBe(201);
    const more = await call(handler, { method: 'PUT', path: `${P}/${f.id}`, token: c.staff, json: { items: [{ descripcion: 'B', cantidad: 2, precio_unitario: 59 }] } });
    expect(more.body).toMatchObject({ total: 118, pagado: 40, saldo: 78, estado: 'parcial', items: [expect.objectContaining({ descripcion: 'B', subtotal: 100, igv: 18 })] });
    const below = await call(handler, { method: 'PUT', path: `${P}/${f.id}`, token: c.staff, json: { items: [{ descripcion: 'C', cantidad: 1, precio_unitario: 30 }] } });
    expect(below.status).toBe(409);
    expect((await row(f.id)).total).toBe('118.00');
    expect((await call(handler, { method: 'PUT', path: `${P}/${f.id}`, token: c.staff, json: { paciente_id: (await createPatient(c.id)).id } })).status).toBe(409);
    expect((await pay(c, f.id, { monto: 78, medio_pago: 'cash' })).status).toBe(201);
    const closed = await call(handler, { method: 'PUT', path: `${P}/${f.id}`, token: c.staff, json: { notas: 'tarde' } });
    expect(closed.status).toBe(409);
    expect(closed.body).toEqual({ detail: 'Una factura pagada no se puede modificar.' });
  });

  it('DELETE annuls: the invoice keeps its number as anulada, its payments are voided in the ledger, and it takes no more payments or edits', async () => {
    const c = await moneyClinic();
    const f = await invoice(c);
    await pay(c, f.id, { monto: 30, medio_pago: 'cash' });
    await pay(c, f.id, { monto: 20, medio_pago: 'yape' });
    expect((await ledgerRows(c.id)).map((r: any) => [r.amount, r.status])).toEqual([
      ['30.00', 'completado'],
      ['20.00', 'completado'],
    ]);
    expect((await call(handler, { method: 'DELETE', path: `${P}/${f.id}`, token: c.staff })).status).toBe(204);
    const got = (await call(handler, { path: `${P}/${f.id}`, token: c.staff })).body;
    expect(got).toMatchObject({ numero: 'F001-000001', estado: 'anulada', total: 100, pagado: 0, saldo: 0, anulada_at: expect.stringMatching(/Z$/) });
    expect((await ledgerRows(c.id)).map((r: any) => r.status)).toEqual(['anulado', 'anulado']);
    expect((await call(transactions, { path: '/api/v1/transactions/summary', token: c.staff })).body).toMatchObject({ ingresos: 0, cantidad: 0 });
    const refused = await pay(c, f.id, { monto: 1, medio_pago: 'cash' });
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({ detail: 'La factura está anulada: no admite pagos.' });
    expect((await call(handler, { method: 'PUT', path: `${P}/${f.id}`, token: c.staff, json: { notas: 'x' } })).status).toBe(409);
    expect((await call(handler, { method: 'DELETE', path: `${P}/${f.id}`, token: c.staff })).status).toBe(204);
    expect((await call(handler, { path: `${P}/${f.id}/payments`, token: c.staff })).body.map((p: any) => p.estado)).toEqual(['anulado', 'anulado']);
    // The next invoice does not reuse the number.
    expect((await invoice(c)).numero).toBe('F001-000002');
  });
});

describe('payments', () => {
  it('partial payments move the invoice to parcial then pagada; each one is an ingreso of the ledger; an overpayment is a 409', async () => {
    const c = await moneyClinic();
    const f = await invoice(c, [{ descripcion: 'Tratamiento', cantidad: 1, precio_unitario: '150.50' }]);
    const first = await pay(c, f.id, { monto: '50.25', medio_pago: 'yape', referencia: 'OP-123', fecha: limaInstant(limaDate(0), '00:01') });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ id: expect.any(Number), factura_id: f.id, monto: 50.25, medio_pago: await paymentTypeName('yape'), fecha: limaInstant(limaDate(0), '00:01'), referencia: 'OP-123', estado: 'completado', transaccion_id: first.body.id });
    expect((await call(handler, { path: `${P}/${f.id}`, token: c.staff })).body).toMatchObject({ estado: 'parcial', pagado: 50.25, saldo: 100.25 });
    const over = await pay(c, f.id, { monto: '100.26', medio_pago: 'cash' });
    expect(over.status).toBe(409);
    expect(over.body).toEqual({ detail: 'El pago (100.26) excede el saldo de la factura (100.25).' });
    expect((await pay(c, f.id, { monto: '100.25', medio_pago: 'cash' })).status).toBe(201);
    expect((await row(f.id))).toMatchObject({ status: 'pagada', paid: '150.50' });
    expect((await pay(c, f.id, { monto: 1, medio_pago: 'cash' })).body).toEqual({ detail: 'La factura ya está pagada.' });

    const list = await call(handler, { path: `${P}/${f.id}/payments`, token: c.staff });
    expect(list.body.map((p: any) => p.monto)).toEqual([50.25, 100.25]);
    expect(list.headers['x-total-count']).toBe('2');
    const t = (await call(transactions, { path: `/api/v1/transactions/${first.body.id}`, token: c.staff })).body;
    expect(t).toMatchObject({ tipo_transaccion: 'ingreso', origen: 'factura', factura_id: f.id, factura_numero: f.numero, monto: 50.25, paciente: { id: c.patient.id }, concepto: `Pago de factura ${f.numero}`, referencia: 'OP-123' });
    const put = await call(transactions, { method: 'PUT', path: `/api/v1/transactions/${first.body.id}`, token: c.staff, json: { monto: 1 } });
    expect(put.status).toBe(409);
    expect(put.body.detail).toContain('pago de factura');
    // The invoice's paid amount is the sum of its completed ledger entries.
    const sum = await ownerKysely().selectFrom('cash_transactions').select((eb) => eb.fn.sum('amount').as('s')).where('invoice_id', '=', f.id).where('status', '=', 'completado').executeTakeFirstOrThrow();
    expect((sum as any).s).toBe('150.50');
  });

  it('payment input: amount > 0 with 2 decimals, a known method, not in the future; voiding a payment reopens the invoice', async () => {
    const c = await moneyClinic();
    const f = await invoice(c);
    for (const monto of [0, '-1', '1.234']) expect((await pay(c, f.id, { monto, medio_pago: 'cash' })).status).toBe(422);
    expect((await pay(c, f.id, { monto: 1, medio_pago: 'Bitcoin' })).body.detail[0].loc).toEqual(['body', 'medio_pago']);
    expect((await pay(c, f.id, { monto: 1, medio_pago: 'cash', fecha: new Date(Date.now() + 3_600_000).toISOString() })).body.detail[0].loc).toEqual(['body', 'fecha']);
    expect((await pay(c, f.id, { monto: 1, medio_pago: 'cash', fecha: '2024-13-01T00:00:00Z' })).status).toBe(422);
    const p = (await pay(c, f.id, { monto: 100, medio_pago: 'cash' })).body;
    expect((await row(f.id)).status).toBe('pagada');
    const voided = await call(handler, { method: 'DELETE', path: `${P}/${f.id}/payments/${p.id}`, token: c.staff });
    expect(voided.status).toBe(204);
    expect(await row(f.id)).toMatchObject({ status: 'emitida', paid: '0.00' });
    expect((await ledgerRows(c.id)).map((r: any) => r.status)).toEqual(['anulado']);
    expect((await call(handler, { method: 'DELETE', path: `${P}/${f.id}/payments/${p.id}`, token: c.staff })).status).toBe(404);
  });
});

describe('lists and isolation', () => {
  it('by patient, by status (another status: 422), with filters and pagination', async () => {
    const c = await moneyClinic();
    const p2 = await createPatient(c.id);
    const a = await invoice(c);
    const b = await invoice(c, undefined, { paciente_id: p2.id });
    const d = await invoice(c, undefined, { estado: 'borrador' });
    await pay(c, a.id, { monto: 100, medio_pago: 'cash' });
    expect((await call(handler, { path: `${P}/patient/${p2.id}`, token: c.staff })).body.map((f: any) => f.id)).toEqual([b.id]);
    expect((await call(handler, { path: `${P}/status/pagada`, token: c.staff })).body.map((f: any) => f.id)).toEqual([a.id]);
    expect((await call(handler, { path: `${P}/status/borrador`, token: c.staff })).body.map((f: any) => f.id)).toEqual([d.id]);
    expect((await call(handler, { path: `${P}/status/perdida`, token: c.staff })).status).toBe(422);
    const page = await call(handler, { path: P, token: c.staff, query: { size: 2 } });
    expect(page.body.map((f: any) => f.id)).toEqual([d.id, b.id]);
    expect(page.headers['x-total-count']).toBe('3');
    expect(page.body[0].items).toHaveLength(1);
    expect((await call(handler, { path: P, token: c.staff, query: { estado: 'emitida', paciente_id: p2.id } })).body.map((f: any) => f.id)).toEqual([b.id]);
    expect((await call(handler, { path: `${P}/patient/${other.patient.id}`, token: c.staff })).status).toBe(404);
  });

  it('another clinic’s invoice is a 404 on every route and stays as it was', async () => {
    const theirs = await invoice(other);
    const before = await row(theirs.id);
    const attempts: [string, string, unknown?][] = [
      ['GET', `${P}/${theirs.id}`],
      ['GET', `${P}/${theirs.id}/pdf`],
      ['PUT', `${P}/${theirs.id}`, { notas: 'x' }],
      ['DELETE', `${P}/${theirs.id}`],
      ['GET', `${P}/${theirs.id}/payments`],
      ['POST', `${P}/${theirs.id}/payments`, { monto: 1, medio_pago: 'cash' }],
    ];
    for (const [method, path, json] of attempts) {
      const res = await call(handler, { method, path, token: k.staff, json });
      expect([method, path, res.status]).toEqual([method, path, 404]);
    }
    expect(await row(theirs.id)).toEqual(before);
    expect((await call(handler, { path: P, token: k.staff, query: { size: 200 } })).body.map((f: any) => f.id)).not.toContain(theirs.id);
    expect((await call(handler, { path: `${P}/x1`, token: k.staff })).status).toBe(422);
  });
});

describe('PDF', () => {
  it('renders through the exports layer with the clinic’s name, logo and data, the lines, totals and payments', async () => {
    const c = await moneyClinic();
    const company = await call(companyHandler, { method: 'POST', path: '/api/company/company/create/', token: c.admin, json: { company_name: 'Clínica Facturadora' } });
    await call(companyHandler, { method: 'POST', path: `/api/company/company/${company.body.id}/upload_logo/`, token: c.admin, multipart: { files: [{ field: 'logo', filename: 'logo.png', contentType: 'image/png', data: PNG }] } });
    await ownerKysely()
      .updateTable('tenants')
      .set({ settings: JSON.stringify({ company_ruc: '20131312955', company_address: 'Av. Arequipa 123, Lima' }) })
      .where('id', '=', c.id)
      .execute();
    const f = await invoice(c, [
      { descripcion: 'Sesión de fisioterapia', cantidad: 2, precio_unitario: 59 },
      { descripcion: 'Venda elástica', cantidad: 1, precio_unitario: 33.33 },
    ]);
    await pay(c, f.id, { monto: 51.33, medio_pago: 'yape', referencia: 'OP-777' });
    const res = await call(handler, { path: `${P}/${f.id}/pdf`, token: c.staff });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe('inline; filename="factura-F001-000001.pdf"');
    expect(res.raw.toString('latin1')).toMatch(/\/Subtype \/Image/);
    const text = oneLine((await readPdf(res.raw)).text);
    for (const s of ['Clínica Facturadora', 'Factura F001-000001', '20131312955', 'Av. Arequipa 123, Lima', c.patient.name, 'Sesión de fisioterapia', 'Venda elástica', 'S/ 151.33', 'S/ 128.25', 'S/ 23.08', 'S/ 100.00', 'OP-777', 'IGV 18 %']) {
      expect([s, text.includes(s)]).toEqual([s, true]);
    }
    const audit = await ownerKysely().selectFrom('audit_log').select(['action', 'entity']).where('reflexo_id', '=', c.id).where('action', '=', 'export').execute();
    expect(audit).toEqual([{ action: 'export', entity: 'invoices' }]);
  });
});

describe('concurrency (20 containers)', () => {
  it('20 simultaneous payments of 10 on an invoice of 100: exactly 10 succeed, 10 are refused (409), the sum never exceeds the total', async () => {
    const c = await moneyClinic();
    const f = await invoice(c, [{ descripcion: 'Paquete', cantidad: 1, precio_unitario: 100 }]);
    const results = await Promise.all(Array.from({ length: 20 }, () => pay(c, f.id, { monto: 10, medio_pago: 'cash' })));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(10);
    expect(await row(f.id)).toMatchObject({ paid: '100.00', status: 'pagada' });
    const entries = await ledgerRows(c.id);
    expect(entries).toHaveLength(10);
    expect(entries.every((e: any) => e.amount === '10.00' && e.status === 'completado' && e.invoice_id === f.id)).toBe(true);
  });

  it('30 simultaneous invoice creations: 30 invoices numbered 1…30, each once', async () => {
    const c = await moneyClinic();
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => create(c, { paciente_id: c.patient.id, items: [{ descripcion: `Consulta ${i}`, cantidad: 1, precio_unitario: 50 }] })));
    expect(results.map((r) => r.status)).toEqual(Array(30).fill(201));
    const numbers = results.map((r) => r.body.correlativo).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    const counter = await ownerKysely().selectFrom('invoice_counters').selectAll().where('reflexo_id', '=', c.id).execute();
    expect(counter).toEqual([{ reflexo_id: c.id, series: 'F001', last_number: 30 }]);
  });
});

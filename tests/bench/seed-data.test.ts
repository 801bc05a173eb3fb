import {
  APPOINTMENT_COLUMNS,
  HISTORY_COLUMNS,
  PATIENT_COLUMNS,
  TICKET_COLUMNS,
  DAYS_AHEAD,
  DAYS_BACK,
  SLOTS_PER_DAY, TENANT_FACTORS, planTenants, tenantRows, ticketNumber, type Catalogs, type IdCursor, type Value } from './seed-data';
import { INVOICE_COLUMNS, INVOICE_ITEM_COLUMNS, LEDGER_COLUMNS, MOVEMENT_COLUMNS, PRODUCT_COLUMNS, moneyRows } from './seed-data';

/*
 * The benchmark generator's invariants, checked without a database: the schema would refuse a
 * violation (overlap exclusion constraints, unique documents, ticket counter), and a refused COPY at
 * scale 10 would cost ten minutes to find out.
 */
const catalogs: Catalogs = {
  dniTypeId: 1,
  statusIds: { pending: 1, completed: 2, cancelled: 3, rescheduled: 4 },
  paymentTypeIds: { cash: 1, card: 2, transfer: 3, yape: 4, plin: 5 },
  paymentStatusIds: { pending: 1, paid: 2, cancelled: 3 },
  diagnoseIds: [1, 2, 3],
  districts: new Map([
    [150122, [1501, 15]],
    [150101, [1501, 15]],
    [40101, [401, 4]],
  ]),
};
const today = new Date('2026-11-22T00:00:00Z');

function generate(scale: number, tenantIndex: number) {
  const plan = planTenants(scale)[tenantIndex];
  const ids: IdCursor = { patient: 0, therapist: 0, history: 0, record: 0, appointment: 0, ticket: 0 };
  const rows = tenantRows(plan, tenantIndex + 1, ids, catalogs, today);
  const appointments: Value[][] = [];
  for (const chunk of rows.appointments()) appointments.push(...chunk);
  return { plan, rows, appointments };
}

const col = (name: string, cols: string[]) => cols.indexOf(name);

describe('benchmark data generator', () => {
  it('plans 20 tenants, the first the largest, at the issue sizes per unit of scale', () => {
    const plans = planTenants(10);
    expect(plans).toHaveLength(20);
    expect(TENANT_FACTORS).toHaveLength(20);
    expect(plans[0]).toMatchObject({ patients: 100_000, therapists: 200, appointments: 1_000_000 });
    expect(plans.slice(1).every((p) => p.patients < plans[0].patients)).toBe(true);
  });

  it('books no therapist or room twice at once, numbers tickets 1..n and keeps documents unique', () => {
    const { plan, rows, appointments } = generate(0.1, 0);
    // ~ the planned volume (weekday noise, capacity clamps)
    expect(appointments.length).toBeGreaterThan(plan.appointments * 0.9);
    expect(appointments.length).toBeLessThan(plan.appointments * 1.1);

    const [t, d, h, room, cancelled] = ['therapist_id', 'appointment_date', 'hour', 'room', 'cancelled_at'].map((c) => col(c, APPOINTMENT_COLUMNS));
    const live = appointments.filter((a) => a[cancelled] === null);
    expect(new Set(live.map((a) => `${a[t]}|${a[d]}|${a[h]}`)).size).toBe(live.length);
    expect(new Set(live.map((a) => `${a[room]}|${a[d]}|${a[h]}`)).size).toBe(live.length);
    const perDay = new Map<Value, number>();
    for (const a of appointments) perDay.set(a[d], (perDay.get(a[d]) ?? 0) + 1);
    expect(Math.max(...perDay.values())).toBeLessThanOrEqual(plan.therapists * SLOTS_PER_DAY);
    expect(perDay.size).toBeLessThanOrEqual(DAYS_BACK + DAYS_AHEAD);

    const numbers = rows.tickets.map((x) => x[col('ticket_number', TICKET_COLUMNS)]);
    expect(numbers).toEqual(rows.tickets.map((_, i) => ticketNumber(i + 1)));
    expect(rows.lastTicketNumber()).toBe(appointments.length);
    expect(new Set(rows.tickets.map((x) => x[col('appointment_id', TICKET_COLUMNS)])).size).toBe(appointments.length);

    const docs = rows.patients.map((p) => p[col('document_number', PATIENT_COLUMNS)] as string);
    expect(new Set(docs).size).toBe(docs.length);
    expect(docs.every((x) => /^\d{8}$/.test(x))).toBe(true);
    const emails = rows.patients.map((p) => p[col('email', PATIENT_COLUMNS)]).filter((e) => e !== null);
    expect(new Set(emails).size).toBe(emails.length);
    const locals = rows.histories.map((x) => x[col('local_id', HISTORY_COLUMNS)]);
    expect(locals).toEqual(locals.map((_, i) => i + 1));
    expect(rows.lastHistoryLocalId).toBe(locals.length);
  });

  it('money and stock: invoices numbered 1..n, payments never above the total, stock never below zero', () => {
    const plan = planTenants(0.1)[0];
    const methods = { cash: { id: 1, name: 'Efectivo' }, card: { id: 2, name: 'Tarjeta' }, transfer: { id: 3, name: 'Transferencia' }, yape: { id: 4, name: 'Yape' }, plin: { id: 5, name: 'Plin' } };
    const m = moneyRows(plan, 1, { supplier: 0, product: 0, invoice: 0 }, [1, 2, 3], methods, today);
    const numbers = m.invoices.map((x) => x[col('number', INVOICE_COLUMNS)]);
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
    expect(m.lastInvoiceNumber).toBe(numbers.length);
    const cents = (v: Value) => Math.round(Number(v) * 100);
    const totals = new Map<Value, number>();
    for (const it of m.items) totals.set(it[col('invoice_id', INVOICE_ITEM_COLUMNS)], (totals.get(it[col('invoice_id', INVOICE_ITEM_COLUMNS)]) ?? 0) + Number(it[col('quantity', INVOICE_ITEM_COLUMNS)]) * cents(it[col('unit_price', INVOICE_ITEM_COLUMNS)]));
    const paid = new Map<Value, number>();
    for (const e of m.ledger.filter((x) => x[col('source', LEDGER_COLUMNS)] === 'factura')) paid.set(e[col('invoice_id', LEDGER_COLUMNS)], (paid.get(e[col('invoice_id', LEDGER_COLUMNS)]) ?? 0) + cents(e[col('amount', LEDGER_COLUMNS)]));
    expect(paid.size).toBeGreaterThan(0);
    for (const [id, p] of paid) expect(p).toBeLessThanOrEqual(totals.get(id)!);
    expect(m.ledger.every((e) => cents(e[col('amount', LEDGER_COLUMNS)]) > 0)).toBe(true);
    const stock = new Map<Value, number>();
    for (const mv of m.movements) {
      const id = mv[col('product_id', MOVEMENT_COLUMNS)];
      const q = Number(mv[col('quantity', MOVEMENT_COLUMNS)]) * (mv[col('kind', MOVEMENT_COLUMNS)] === 'salida' ? -1 : 1);
      stock.set(id, (stock.get(id) ?? 0) + q);
      expect(stock.get(id)).toBeGreaterThanOrEqual(0);
    }
    expect(new Set(m.products.map((x) => x[col('sku', PRODUCT_COLUMNS)])).size).toBe(m.products.length);
  });

  it('is deterministic: the same scale gives the same rows', () => {
    const a = generate(0.05, 3);
    const b = generate(0.05, 3);
    expect(a.appointments).toEqual(b.appointments);
    expect(a.rows.patients).toEqual(b.rows.patients);
  });
});

import type { Actor } from '../auth/actor';
import type { Db } from '../db/tenant';
import type { InvoiceStatus } from '../db/tables/money';
import { Conflict, NotFound, ValidationError, type FieldIssue } from '../errors';
import { buildPdf, PDF_TYPE } from '../exports/pdf';
import { displayDate, type Report } from '../exports/table';
import { selectLetterhead } from '../queries/company';
import {
  appointmentOfClinic,
  applyPayment,
  balanceOf,
  findInvoice,
  insertInvoice,
  invoicePage,
  invoiceSettings,
  issueInvoice,
  itemsOf,
  lockInvoice,
  nextInvoiceNumber,
  productForSale,
  refreshTotals,
  replaceItems,
  treatmentOfClinic,
  updateInvoice,
  type InvoiceFilter,
  type InvoiceRow,
  type ItemRow,
  type ItemValues,
} from '../queries/invoices';
import { entriesOfInvoices, findEntry, insertEntry, patientOfClinic, voidInvoiceEntries, type EntryRow } from '../queries/ledger';
import { logoBytes } from '../storage/s3';
import { recordAudit } from './audit';
import { clinicClock, paymentTypeFor } from './ledger';
import { toWallTime } from '../time';
import { tenantForWrite } from './tenancy';

/*
 * Invoices (v1 `invoices`) and their payments. Lines are rounded to cents each; the invoice adds them
 * (PostgreSQL: generated columns and sums). Prices are taken as entered WITH IGV by default
 * (`prices_include_igv`, a clinic setting): the base is the line ÷ (1 + rate), the tax the rest, so the
 * patient pays exactly what the lines say. The rate (`igv_rate`, 18 by default) and the mode are copied
 * onto the invoice when it is made. Numbers (`F001-000123`, series `invoice_series`) are given when an
 * invoice is issued, gap-free per clinic and series.
 *
 * A payment is a ledger entry (source 'factura'): paying, voiding a payment and annulling the invoice
 * change the ledger in the same transaction. The invoice row is locked while a payment is applied and
 * PostgreSQL refuses `paid > total`, so concurrent payments can never overpay.
 */
export type InvoiceRecord = InvoiceRow & { items: ItemRow[] };
export type PaymentRecord = EntryRow;
export type { InvoiceStatus };

/** What an invoice still owes counts while it is issued or partly paid (drafts owe nothing yet, annulled nothing). */
export const OUTSTANDING_STATUSES: InvoiceStatus[] = ['emitida', 'parcial'];

export interface ItemInput {
  description?: string;
  quantity: string;
  unitPrice?: string;
  discount?: string;
  treatmentId?: number | null;
  productId?: number | null;
}

export interface InvoiceInput {
  patientId: number;
  appointmentId?: number | null;
  items: ItemInput[];
  status?: 'borrador' | 'emitida';
  issueDate?: string;
  dueDate?: string | null;
  notes?: string | null;
}

const notFound = () => new NotFound('Factura no encontrada.');
const bodyIssue = (loc: (string | number)[], msg: string, input?: unknown): FieldIssue => ({ loc: ['body', ...loc], msg, type: 'value_error', ...(input === undefined ? {} : { input }) });

/** A decimal string scaled to an integer of hundredths, exactly ("1.5" → 150n). */
const hundredths = (v: string) => {
  const [int, frac = ''] = v.split('.');
  return BigInt(int) * 100n + BigInt(frac.padEnd(2, '0').slice(0, 2));
};

async function withItems(db: Db, reflexoId: number, rows: InvoiceRow[]): Promise<InvoiceRecord[]> {
  const items = await itemsOf(db, reflexoId, rows.map((r) => r.id));
  return rows.map((r) => ({ ...r, items: items.filter((i) => i.invoice_id === r.id) }));
}

async function one(db: Db, reflexoId: number, id: number): Promise<InvoiceRecord> {
  const row = await findInvoice(db, reflexoId, id);
  if (!row) throw notFound();
  return (await withItems(db, reflexoId, [row]))[0];
}

export async function listInvoices(db: Db, actor: Actor | null, f: Omit<InvoiceFilter, 'reflexoId'>, page: number, size: number) {
  const reflexoId = tenantForWrite(actor);
  if (f.fromDay && f.toDay && f.fromDay > f.toDay) throw new ValidationError([{ loc: ['query', 'end_date'], msg: 'end_date debe ser igual o posterior a start_date', type: 'value_error', input: f.toDay }]);
  const p = await invoicePage(db, { ...f, reflexoId }, page, size);
  return { rows: await withItems(db, reflexoId, p.rows), count: p.count };
}

export async function invoicesOfPatient(db: Db, actor: Actor | null, patientId: number, page: number, size: number) {
  const reflexoId = tenantForWrite(actor);
  if (!(await patientOfClinic(db, reflexoId, patientId))) throw new NotFound('Paciente no encontrado.');
  return listInvoices(db, actor, { patientId }, page, size);
}

export const getInvoice = (db: Db, actor: Actor | null, id: number) => one(db, tenantForWrite(actor), id);

/** Each line's description and price, from its treatment or product when not given; 422 per line. */
async function resolveItems(db: Db, reflexoId: number, items: ItemInput[]): Promise<ItemValues[]> {
  const issues: FieldIssue[] = [];
  const out: ItemValues[] = [];
  for (const [i, it] of items.entries()) {
    let description = it.description;
    let price = it.unitPrice;
    if (it.treatmentId != null) {
      const t = await treatmentOfClinic(db, reflexoId, it.treatmentId);
      if (!t) issues.push(bodyIssue(['items', i, 'tratamiento_id'], 'El tratamiento no existe en esta clínica', it.treatmentId));
      else {
        description ??= t.name;
        price ??= t.price;
      }
    }
    if (it.productId != null) {
      const p = await productForSale(db, reflexoId, it.productId);
      if (!p) issues.push(bodyIssue(['items', i, 'producto_id'], 'El producto no existe en esta clínica', it.productId));
      else {
        description ??= p.name;
        price ??= p.sale_price ?? undefined;
      }
    }
    if (!description) issues.push(bodyIssue(['items', i, 'descripcion'], 'Field required'));
    if (price === undefined) issues.push(bodyIssue(['items', i, 'precio_unitario'], 'Field required'));
    const discount = it.discount ?? '0';
    if (price !== undefined && hundredths(discount) * 100n > hundredths(it.quantity) * hundredths(price)) {
      issues.push(bodyIssue(['items', i, 'descuento'], 'El descuento no puede superar cantidad × precio_unitario', it.discount));
    }
    out.push({ description: description ?? '', quantity: it.quantity, unit_price: price ?? '0', discount, treatment_id: it.treatmentId ?? null, product_id: it.productId ?? null });
  }
  if (issues.length) throw new ValidationError(issues);
  return out;
}

async function checkRefs(db: Db, reflexoId: number, patientId: number, appointmentId: number | null | undefined): Promise<void> {
  if (!(await patientOfClinic(db, reflexoId, patientId))) throw ValidationError.field('paciente_id', 'El paciente no existe en esta clínica', 'not_found', patientId);
  if (appointmentId == null) return;
  const a = await appointmentOfClinic(db, reflexoId, appointmentId);
  if (!a) throw ValidationError.field('cita_id', 'La cita no existe en esta clínica', 'not_found', appointmentId);
  if (a.patient_id !== patientId) throw ValidationError.field('cita_id', 'La cita es de otro paciente', 'value_error', appointmentId);
}

/** Totals from the lines; an invoice must charge something, and never less than what was paid. */
async function totalsFor(db: Db, invoiceId: number): Promise<void> {
  const t = await refreshTotals(db, invoiceId);
  if (!t) throw new Conflict('El nuevo total es menor que lo ya pagado: anule pagos primero.', { code: 'invoice_total_below_paid' });
  if (!/[1-9]/.test(t.total)) throw new ValidationError([bodyIssue(['items'], 'El total de la factura debe ser mayor que 0')]);
}

/** Issues a draft: the next number of the clinic's current series (held until the transaction ends). */
async function issue(db: Db, reflexoId: number, id: number): Promise<void> {
  const { series } = await invoiceSettings(db, reflexoId);
  await issueInvoice(db, reflexoId, id, series, await nextInvoiceNumber(db, reflexoId, series));
}

export async function createInvoice(db: Db, actor: Actor | null, v: InvoiceInput): Promise<InvoiceRecord> {
  const reflexoId = tenantForWrite(actor);
  await checkRefs(db, reflexoId, v.patientId, v.appointmentId);
  const items = await resolveItems(db, reflexoId, v.items);
  const s = await invoiceSettings(db, reflexoId);
  const issueDate = v.issueDate ?? s.today;
  if (v.dueDate && v.dueDate < issueDate) throw ValidationError.field('fecha_vencimiento', 'La fecha de vencimiento no puede ser anterior a la de emisión', 'value_error', v.dueDate);
  const { id } = await insertInvoice(db, {
    reflexo_id: reflexoId,
    series: s.series,
    patient_id: v.patientId,
    appointment_id: v.appointmentId ?? null,
    issue_date: issueDate,
    due_date: v.dueDate ?? null,
    igv_rate: s.igv_rate,
    prices_include_igv: s.prices_include_igv,
    notes: v.notes ?? null,
    created_by: actor?.userId ?? null,
  });
  await replaceItems(db, reflexoId, id, items);
  await totalsFor(db, id);
  // Numbered last, so the counter row is held for as short a time as possible.
  if ((v.status ?? 'emitida') === 'emitida') await issue(db, reflexoId, id);
  await recordAudit(db, { action: 'create', entity: 'invoices', entityId: id, reflexoId, changedFields: ['patient_id', 'items', 'status'] });
  return one(db, reflexoId, id);
}

async function locked(db: Db, reflexoId: number, id: number) {
  const inv = await lockInvoice(db, reflexoId, id);
  if (!inv) throw notFound();
  return inv;
}

export type InvoiceChanges = Partial<Omit<InvoiceInput, 'status'>> & { status?: InvoiceStatus };

/** PUT: the fields sent. A paid or annulled invoice is closed (409); `estado: emitida` issues a draft. */
export async function editInvoice(db: Db, actor: Actor | null, id: number, c: InvoiceChanges): Promise<InvoiceRecord> {
  const reflexoId = tenantForWrite(actor);
  const inv = await locked(db, reflexoId, id);
  if (inv.status === 'pagada') throw new Conflict('Una factura pagada no se puede modificar.', { code: 'invoice_paid' });
  if (inv.status === 'anulada') throw new Conflict('Una factura anulada no se puede modificar.', { code: 'invoice_cancelled' });
  if (c.status !== undefined && c.status !== inv.status && !(c.status === 'emitida' && inv.status === 'borrador')) {
    throw ValidationError.field('estado', 'Solo se puede emitir un borrador (estado "emitida"); los pagos cambian el estado y DELETE anula la factura', 'value_error', c.status);
  }
  const patientId = c.patientId ?? inv.patient_id;
  const appointmentId = c.appointmentId !== undefined ? c.appointmentId : inv.appointment_id;
  if (c.patientId !== undefined && c.patientId !== inv.patient_id && hundredths(inv.paid) > 0n) {
    throw new Conflict('La factura ya tiene pagos: no se puede cambiar de paciente.', { code: 'invoice_has_payments' });
  }
  if (c.patientId !== undefined || c.appointmentId !== undefined) await checkRefs(db, reflexoId, patientId, appointmentId);
  const issueDate = c.issueDate ?? inv.issue_date;
  const dueDate = c.dueDate !== undefined ? c.dueDate : inv.due_date;
  if (dueDate && dueDate < issueDate) throw ValidationError.field('fecha_vencimiento', 'La fecha de vencimiento no puede ser anterior a la de emisión', 'value_error', dueDate);
  const set: Parameters<typeof updateInvoice>[3] = {};
  if (c.patientId !== undefined) set.patient_id = c.patientId;
  if (c.appointmentId !== undefined) set.appointment_id = c.appointmentId;
  if (c.issueDate !== undefined) set.issue_date = c.issueDate;
  if (c.dueDate !== undefined) set.due_date = c.dueDate;
  if (c.notes !== undefined) set.notes = c.notes;
  if (Object.keys(set).length) await updateInvoice(db, reflexoId, id, set);
  if (c.items) {
    await replaceItems(db, reflexoId, id, await resolveItems(db, reflexoId, c.items));
    await totalsFor(db, id);
  }
  if (c.status === 'emitida' && inv.status === 'borrador') await issue(db, reflexoId, id);
  await recordAudit(db, { action: 'update', entity: 'invoices', entityId: id, reflexoId, changedFields: [...Object.keys(set), ...(c.items ? ['items'] : []), ...(c.status ? ['status'] : [])] });
  return one(db, reflexoId, id);
}

/** DELETE = annul: the invoice stays (with its number) as `anulada` and its payments leave the cash totals. */
export async function annulInvoice(db: Db, actor: Actor | null, id: number): Promise<void> {
  const reflexoId = tenantForWrite(actor);
  const inv = await locked(db, reflexoId, id);
  if (inv.status === 'anulada') return;
  await voidInvoiceEntries(db, reflexoId, id);
  await updateInvoice(db, reflexoId, id, { status: 'anulada', paid: 0, cancelled_at: new Date() });
  await recordAudit(db, { action: 'cancel', entity: 'invoices', entityId: id, reflexoId, changedFields: ['status', 'paid'] });
}

// ---- payments -----------------------------------------------------------------------------------------

export async function invoicePayments(db: Db, actor: Actor | null, id: number): Promise<PaymentRecord[]> {
  const clock = await clinicClock(db, actor);
  if (!(await findInvoice(db, clock.reflexoId, id))) throw notFound();
  return entriesOfInvoices(db, clock.reflexoId, clock.timeZone, [id]);
}

export interface PaymentInput {
  amount: string;
  paymentMethod: string;
  /** ISO-8601 instant; now when absent. */
  at?: string;
  reference?: string | null;
}

/** A few minutes of clock difference between a till and the server are not a payment "in the future". */
const FUTURE_SLACK_MS = 5 * 60_000;

export async function payInvoice(db: Db, actor: Actor | null, id: number, v: PaymentInput): Promise<PaymentRecord> {
  const clock = await clinicClock(db, actor);
  if (v.at && Date.parse(v.at) > Date.now() + FUTURE_SLACK_MS) throw ValidationError.field('fecha', 'La fecha del pago no puede estar en el futuro', 'value_error', v.at);
  const pt = await paymentTypeFor(db, v.paymentMethod);
  const inv = await locked(db, clock.reflexoId, id);
  if (inv.status === 'anulada') throw new Conflict('La factura está anulada: no admite pagos.', { code: 'invoice_cancelled' });
  if (inv.status === 'borrador') throw new Conflict('La factura es un borrador: emítala antes de registrar pagos.', { code: 'invoice_draft' });
  if (inv.status === 'pagada') throw new Conflict('La factura ya está pagada.', { code: 'invoice_paid', data: { saldo: '0.00' } });
  const applied = await applyPayment(db, clock.reflexoId, id, v.amount, 1);
  if (!applied) {
    const saldo = await balanceOf(db, id);
    throw new Conflict(`El pago (${v.amount}) excede el saldo de la factura (${saldo}).`, { code: 'invoice_overpaid', data: { saldo } });
  }
  const full = (await findInvoice(db, clock.reflexoId, id))!;
  const doctorId = inv.appointment_id ? ((await appointmentOfClinic(db, clock.reflexoId, inv.appointment_id))?.therapist_id ?? null) : null;
  const { id: entryId } = await insertEntry(db, {
    reflexo_id: clock.reflexoId,
    kind: 'ingreso',
    source: 'factura',
    invoice_id: id,
    doctor_id: doctorId,
    patient_id: inv.patient_id,
    concept: `Pago de factura ${full.invoice_number}`,
    amount: v.amount,
    payment_type_id: pt.id,
    payment_method: pt.name,
    occurred_at: v.at,
    reference: v.reference ?? null,
    created_by: actor?.userId ?? null,
  });
  await recordAudit(db, { action: 'payment', entity: 'invoices', entityId: id, reflexoId: clock.reflexoId, changedFields: ['paid', 'status'] });
  return (await findEntry(db, { reflexoId: clock.reflexoId, timeZone: clock.timeZone, id: entryId }))!;
}

/** Takes a payment back (a wrong amount, a bounced transfer): its entry is voided and the invoice reopens. */
export async function voidPayment(db: Db, actor: Actor | null, invoiceId: number, paymentId: number): Promise<PaymentRecord> {
  const clock = await clinicClock(db, actor);
  const inv = await locked(db, clock.reflexoId, invoiceId);
  if (inv.status === 'anulada') throw new Conflict('La factura está anulada: sus pagos ya están anulados.', { code: 'invoice_cancelled' });
  const [voided] = await voidInvoiceEntries(db, clock.reflexoId, invoiceId, paymentId);
  if (!voided) throw new NotFound('Pago no encontrado (o ya anulado).');
  await applyPayment(db, clock.reflexoId, invoiceId, voided.amount, -1);
  await recordAudit(db, { action: 'payment_void', entity: 'invoices', entityId: invoiceId, reflexoId: clock.reflexoId, changedFields: ['paid', 'status'] });
  return (await findEntry(db, { reflexoId: clock.reflexoId, timeZone: clock.timeZone, id: voided.id }))!;
}

// ---- PDF ------------------------------------------------------------------------------------------------

const STATUS_LABEL: Record<InvoiceStatus, string> = { borrador: 'Borrador', emitida: 'Emitida', parcial: 'Pago parcial', pagada: 'Pagada', anulada: 'Anulada' };

/** 'YYYY-MM-DD HH:MM' on the clinic's clock. */
const localStamp = (d: Date, timeZone: string) => {
  const w = toWallTime(d, timeZone);
  return `${w.date} ${w.time.slice(0, 5)}`;
};

/** The invoice as a PDF through the exports layer: the clinic's name, logo and data, the lines, totals and payments. */
export async function invoicePdf(db: Db, actor: Actor | null, id: number): Promise<{ data: Buffer; contentType: string; filename: string }> {
  const clock = await clinicClock(db, actor);
  const inv = await one(db, clock.reflexoId, id);
  const payments = await entriesOfInvoices(db, clock.reflexoId, clock.timeZone, [id]);
  const head = await selectLetterhead(db, clock.reflexoId);
  const s = await invoiceSettings(db, clock.reflexoId);
  const patient = [inv.patient_name, inv.patient_paternal, inv.patient_maternal].filter(Boolean).join(' ');
  const number = inv.invoice_number ?? `Borrador ${inv.series}`;
  const clinicRows = [
    ['RUC de la clínica', s.company_ruc],
    ['Dirección de la clínica', s.company_address],
    ['Teléfono de la clínica', s.company_phone],
  ].filter(([, v]) => v);
  const report: Report = {
    companyName: head?.company_name ?? head?.tenant_name ?? '',
    logo: await logoBytes(head?.logo_key),
    title: `Factura ${number}`,
    period: `Emisión: ${displayDate(inv.issue_date)}${inv.due_date ? `   ·   Vence: ${displayDate(inv.due_date)}` : ''}   ·   ${STATUS_LABEL[inv.status]}`,
    generated: `Generado el ${displayDate(head?.now_local.slice(0, 10) ?? '')} ${head?.now_local.slice(11) ?? ''} (${clock.timeZone})`,
    tables: [
      {
        name: 'Datos',
        columns: [
          { key: 'campo', header: 'Campo', kind: 'text', width: 24 },
          { key: 'valor', header: 'Valor', kind: 'text', width: 60 },
        ],
        rows: [
          ...clinicRows.map(([campo, valor]) => ({ campo, valor })),
          { campo: 'Paciente', valor: patient },
          { campo: 'Documento', valor: inv.patient_document },
          { campo: 'Dirección', valor: inv.patient_address },
          { campo: 'Teléfono', valor: inv.patient_phone },
          ...(inv.notes ? [{ campo: 'Notas', valor: inv.notes }] : []),
        ],
      },
      {
        name: 'Detalle',
        columns: [
          { key: 'descripcion', header: 'Descripción', kind: 'text', width: 34 },
          { key: 'cantidad', header: 'Cant.', kind: 'text', width: 8 },
          { key: 'precio', header: 'P. unitario', kind: 'money', width: 13 },
          { key: 'descuento', header: 'Descuento', kind: 'money', width: 12 },
          { key: 'base', header: 'Valor venta', kind: 'money', width: 13 },
          { key: 'igv', header: `IGV ${Number(inv.igv_rate)} %`, kind: 'money', width: 12 },
          { key: 'total', header: 'Importe', kind: 'money', width: 13 },
        ],
        rows: inv.items.map((i) => ({ descripcion: i.description, cantidad: i.quantity, precio: i.unit_price, descuento: i.discount, base: i.base, igv: i.tax, total: i.total })),
        totals: { label: 'TOTAL', values: { base: inv.subtotal, igv: inv.igv, total: inv.total } },
      },
      {
        name: 'Resumen',
        columns: [
          { key: 'concepto', header: 'Concepto', kind: 'text', width: 40 },
          { key: 'monto', header: 'Monto', kind: 'money', width: 20 },
        ],
        rows: [
          { concepto: inv.prices_include_igv ? 'Op. gravada (precios con IGV incluido)' : 'Op. gravada', monto: inv.subtotal },
          { concepto: `IGV (${Number(inv.igv_rate)} %)`, monto: inv.igv },
          { concepto: 'Total', monto: inv.total },
          { concepto: 'Pagado', monto: inv.paid },
          { concepto: 'Saldo', monto: inv.balance },
        ],
      },
      {
        name: 'Pagos',
        columns: [
          { key: 'fecha', header: 'Fecha', kind: 'datetime', width: 18 },
          { key: 'medio', header: 'Medio de pago', kind: 'text', width: 22 },
          { key: 'referencia', header: 'Referencia', kind: 'text', width: 20 },
          { key: 'estado', header: 'Estado', kind: 'text', width: 12 },
          { key: 'monto', header: 'Monto', kind: 'money', width: 14 },
        ],
        rows: payments.map((p) => ({ fecha: localStamp(new Date(p.occurred_at), clock.timeZone), medio: p.payment_method, referencia: p.reference, estado: p.status, monto: p.amount })),
        emptyMessage: 'Sin pagos registrados.',
      },
    ],
  };
  await recordAudit(db, { action: 'export', entity: 'invoices', entityId: id, reflexoId: clock.reflexoId });
  return { data: await buildPdf(report), contentType: PDF_TYPE, filename: `factura-${inv.invoice_number ?? `borrador-${inv.id}`}.pdf` };
}

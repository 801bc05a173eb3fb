import { z } from 'zod';
import {
  annulInvoice,
  createInvoice,
  editInvoice,
  getInvoice,
  invoicePayments,
  invoicePdf,
  invoicesOfPatient,
  listInvoices,
  payInvoice,
  voidPayment,
  type InvoiceRecord,
  type ItemInput,
  type PaymentRecord,
} from '../../lib/domain/invoices';
import { createHandler } from '../../lib/http/app';
import { binary, reply, route, type AnyRoute } from '../../lib/http/route';
import { isoUtc } from '../../lib/time';
import { amount, decimal, isoDate, isoInstant, PacienteBreve, pathId, patientBrief } from './money-shapes';
import { defineV1Group, listRoute, refId } from './surface';

/*
 * v1 invoices and their payments. Numbers `F001-000123` per clinic and series (gap-free, given when an
 * invoice is issued); lines rounded to cents each, prices with IGV included by default (clinic settings
 * igv_rate / prices_include_igv / invoice_series, see README "v1 money"). A payment is an `ingreso` of
 * the cash ledger; an overpayment, a payment on a draft, a paid or an annulled invoice → 409. A paid
 * invoice cannot be edited; DELETE annuls (its payments leave the cash totals).
 */
const P = '/api/v1/invoices';
const STATUSES = ['borrador', 'emitida', 'parcial', 'pagada', 'anulada'] as const;

const ItemFactura = z
  .object({
    id: z.number().int(),
    descripcion: z.string(),
    cantidad: z.number(),
    precio_unitario: z.number(),
    descuento: z.number(),
    tratamiento_id: z.number().int().nullable(),
    producto_id: z.number().int().nullable(),
    importe: z.number().meta({ description: 'cantidad × precio_unitario − descuento, redondeado a céntimos' }),
    subtotal: z.number().meta({ description: 'Valor de venta (sin IGV) de la línea' }),
    igv: z.number(),
    total: z.number(),
  })
  .meta({ id: 'ItemFactura' });

const Factura = z
  .object({
    id: z.number().int(),
    numero: z.string().nullable().meta({ description: 'Serie y correlativo (F001-000123); null en un borrador' }),
    serie: z.string(),
    correlativo: z.number().int().nullable(),
    paciente: PacienteBreve,
    cita_id: z.number().int().nullable(),
    estado: z.enum(STATUSES),
    fecha_emision: z.string(),
    fecha_vencimiento: z.string().nullable(),
    items: z.array(ItemFactura),
    subtotal: z.number(),
    igv: z.number(),
    total: z.number(),
    pagado: z.number(),
    saldo: z.number(),
    igv_tasa: z.number(),
    precios_incluyen_igv: z.boolean(),
    notas: z.string().nullable(),
    anulada_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Factura' });

const toFactura = (f: InvoiceRecord) => ({
  id: f.id,
  numero: f.invoice_number,
  serie: f.series,
  correlativo: f.number,
  paciente: patientBrief(f.patient_id, f.patient_name, f.patient_paternal, f.patient_maternal)!,
  cita_id: f.appointment_id,
  estado: f.status,
  fecha_emision: f.issue_date,
  fecha_vencimiento: f.due_date,
  items: f.items.map((i) => ({
    id: i.id,
    descripcion: i.description,
    cantidad: amount(i.quantity),
    precio_unitario: amount(i.unit_price),
    descuento: amount(i.discount),
    tratamiento_id: i.treatment_id,
    producto_id: i.product_id,
    importe: amount(i.amount),
    subtotal: amount(i.base),
    igv: amount(i.tax),
    total: amount(i.total),
  })),
  subtotal: amount(f.subtotal),
  igv: amount(f.igv),
  total: amount(f.total),
  pagado: amount(f.paid),
  saldo: amount(f.balance),
  igv_tasa: amount(f.igv_rate),
  precios_incluyen_igv: f.prices_include_igv,
  notas: f.notes,
  anulada_at: f.cancelled_at ? isoUtc(new Date(f.cancelled_at)) : null,
  created_at: isoUtc(new Date(f.created_at)),
  updated_at: isoUtc(new Date(f.updated_at)),
});

const PagoFactura = z
  .object({
    id: z.number().int().meta({ description: 'Id del pago, que es también el de su transacción en la caja' }),
    factura_id: z.number().int(),
    monto: z.number(),
    medio_pago: z.string(),
    fecha: z.string(),
    referencia: z.string().nullable(),
    estado: z.enum(['completado', 'pendiente', 'anulado']),
    transaccion_id: z.number().int(),
  })
  .meta({ id: 'PagoFactura' });

const toPago = (p: PaymentRecord) => ({
  id: p.id,
  factura_id: p.invoice_id!,
  monto: amount(p.amount),
  medio_pago: p.payment_method,
  fecha: isoUtc(new Date(p.occurred_at)),
  referencia: p.reference,
  estado: p.status,
  transaccion_id: p.id,
});

const Item = z.object({
  descripcion: z.string().trim().min(1).max(255).optional().meta({ description: 'Por defecto, el nombre del tratamiento o producto' }),
  cantidad: decimal({ positive: true, what: 'Cantidad' }),
  precio_unitario: decimal({ what: 'Precio' }).optional().meta({ description: 'Por defecto, el precio del tratamiento o el precio de venta del producto' }),
  descuento: decimal({ what: 'Descuento' }).optional().meta({ description: 'Monto (no porcentaje) que se resta a la línea' }),
  tratamiento_id: z.number().int().positive().nullable().optional(),
  producto_id: z.number().int().positive().nullable().optional(),
});
const fields = {
  paciente_id: refId,
  paciente: refId.meta({ description: 'Alternativa a paciente_id: {"id": n}' }),
  cita_id: refId.nullable(),
  cita: refId.nullable().meta({ description: 'Alternativa a cita_id: {"id": n}' }),
  items: z.array(Item).min(1).max(100),
  fecha_emision: isoDate.meta({ description: 'Por defecto, hoy en la zona horaria de la clínica' }),
  fecha_vencimiento: isoDate.nullable(),
  notas: z.string().trim().max(2000).nullable(),
};
const CreateBody = z
  .object({ ...fields, estado: z.enum(['borrador', 'emitida']).optional().meta({ description: 'emitida (por defecto: recibe su número) o borrador' }) })
  .partial()
  .required({ items: true })
  .refine((b) => b.paciente_id !== undefined || b.paciente !== undefined, { message: 'Field required', path: ['paciente_id'] });
const UpdateBody = z.object({ ...fields, estado: z.enum(STATUSES) }).partial();
const PaymentBody = z.object({
  monto: decimal({ positive: true }),
  medio_pago: z.string().trim().min(1).max(100),
  fecha: isoInstant.optional().meta({ description: 'Instante del pago (ISO-8601 con Z u offset); por defecto, ahora; no en el futuro' }),
  referencia: z.string().trim().max(100).nullable().optional().meta({ description: 'Número de operación, voucher…' }),
});

const items = (list: z.output<typeof Item>[]): ItemInput[] =>
  list.map((i) => ({ description: i.descripcion, quantity: i.cantidad, unitPrice: i.precio_unitario, discount: i.descuento, treatmentId: i.tratamiento_id, productId: i.producto_id }));
const pick = <T>(a: T | undefined, b: T | undefined) => (a !== undefined ? a : b);

const invoiceParams = z.object({ invoice_id: pathId });
const notFound = { 404: { description: 'Factura no encontrada (o de otra clínica)' } };
const queryId = z.string().regex(/^\d{1,9}$/, 'Input should be a valid integer').transform(Number);

const list = (path: string, summary: string, extra: Omit<Parameters<typeof listRoute>[0], 'path' | 'summary' | 'item' | 'present'>): AnyRoute =>
  listRoute({ path, summary, item: Factura, present: toFactura, ...extra });

const routes: AnyRoute[] = [
  list(P, 'Listar facturas (las más recientes primero); filtros por estado, paciente y fecha de emisión', {
    query: { estado: z.enum(STATUSES).optional(), paciente_id: queryId.optional(), start_date: isoDate.optional(), end_date: isoDate.optional() },
    load: ({ db, actor, query }) =>
      listInvoices(db, actor, { status: query.estado as InvoiceRecord['status'] | undefined, patientId: query.paciente_id as number | undefined, fromDay: query.start_date as string | undefined, toDay: query.end_date as string | undefined }, query.page, query.size),
  }),
  route({
    method: 'POST',
    path: P,
    access: 'user',
    summary: 'Crear una factura (emitida por defecto, con su número; o borrador)',
    body: CreateBody,
    status: 201,
    response: Factura,
    handler: async ({ db, actor, body }) =>
      reply(
        201,
        toFactura(
          await createInvoice(db, actor, {
            patientId: pick(body.paciente_id, body.paciente)!,
            appointmentId: pick(body.cita_id, body.cita),
            items: items(body.items),
            status: body.estado,
            issueDate: body.fecha_emision,
            dueDate: body.fecha_vencimiento,
            notes: body.notas,
          }),
        ),
      ),
  }),
  list(`${P}/patient/{patient_id}`, 'Facturas de un paciente', {
    params: z.object({ patient_id: pathId }),
    entity: 'patients',
    responses: { 404: { description: 'Paciente no encontrado (o de otra clínica)' } },
    load: ({ db, actor, params, query }) => invoicesOfPatient(db, actor, params.patient_id, query.page, query.size),
  }),
  list(`${P}/status/{status}`, `Facturas en un estado: ${STATUSES.join(', ')} (otro valor: 422)`, {
    params: z.object({ status: z.enum(STATUSES) }),
    load: ({ db, actor, params, query }) => listInvoices(db, actor, { status: params.status }, query.page, query.size),
  }),
  route({
    method: 'GET',
    path: `${P}/{invoice_id}`,
    access: 'user',
    summary: 'Una factura con sus líneas (en PDF: /pdf)',
    params: invoiceParams,
    entity: 'invoices',
    response: Factura,
    responses: notFound,
    handler: async ({ db, actor, params }) => toFactura(await getInvoice(db, actor, params.invoice_id)),
  }),
  route({
    method: 'GET',
    path: `${P}/{invoice_id}/pdf`,
    access: 'user',
    summary: 'La factura en PDF, con los datos y el logo de la clínica (ruta adicional a la especificación)',
    params: invoiceParams,
    entity: 'invoices',
    responses: { 200: { description: 'PDF', contentTypes: ['application/pdf'] }, ...notFound },
    handler: async ({ db, actor, params }) => {
      const f = await invoicePdf(db, actor, params.invoice_id);
      return binary(f.data, f.contentType, { 'Content-Disposition': `inline; filename="${f.filename}"` });
    },
  }),
  route({
    method: 'PUT',
    path: `${P}/{invoice_id}`,
    access: 'user',
    summary: 'Modificar una factura (solo los campos enviados; items reemplaza todas las líneas); estado "emitida" emite un borrador',
    params: invoiceParams,
    entity: 'invoices',
    body: UpdateBody,
    response: Factura,
    responses: { ...notFound, 409: { description: 'Factura pagada o anulada, o el nuevo total queda por debajo de lo pagado' } },
    handler: async ({ db, actor, params, body }) =>
      toFactura(
        await editInvoice(db, actor, params.invoice_id, {
          patientId: pick(body.paciente_id, body.paciente),
          appointmentId: pick(body.cita_id, body.cita),
          items: body.items && items(body.items),
          status: body.estado,
          issueDate: body.fecha_emision,
          dueDate: body.fecha_vencimiento,
          notes: body.notas,
        }),
      ),
  }),
  route({
    method: 'DELETE',
    path: `${P}/{invoice_id}`,
    access: 'user',
    summary: 'Anular una factura: queda como "anulada" con su número, y sus pagos se anulan en la caja',
    params: invoiceParams,
    entity: 'invoices',
    status: 204,
    responses: { 204: { description: 'Anulada' }, ...notFound },
    handler: async ({ db, actor, params }) => {
      await annulInvoice(db, actor, params.invoice_id);
      return reply(204);
    },
  }),
  listRoute({
    path: `${P}/{invoice_id}/payments`,
    summary: 'Pagos de una factura (también anulados), del más antiguo al más reciente',
    params: invoiceParams,
    entity: 'invoices',
    item: PagoFactura,
    responses: notFound,
    load: async ({ db, actor, params, query }) => {
      const all = await invoicePayments(db, actor, params.invoice_id);
      return { rows: all.slice((query.page - 1) * query.size, query.page * query.size), count: all.length };
    },
    present: toPago,
  }),
  route({
    method: 'POST',
    path: `${P}/{invoice_id}/payments`,
    access: 'user',
    summary: 'Registrar un pago (parcial o total): es un ingreso de la caja',
    params: invoiceParams,
    entity: 'invoices',
    body: PaymentBody,
    status: 201,
    response: PagoFactura,
    responses: { ...notFound, 409: { description: 'Excede el saldo, o la factura es un borrador, está pagada o anulada' } },
    handler: async ({ db, actor, params, body }) =>
      reply(201, toPago(await payInvoice(db, actor, params.invoice_id, { amount: body.monto, paymentMethod: body.medio_pago, at: body.fecha, reference: body.referencia }))),
  }),
  route({
    method: 'DELETE',
    path: `${P}/{invoice_id}/payments/{payment_id}`,
    access: 'user',
    summary: 'Anular un pago (ruta adicional a la especificación): su transacción queda anulada y la factura recupera el saldo',
    params: z.object({ invoice_id: pathId, payment_id: pathId }),
    entity: 'invoices',
    status: 204,
    responses: { 204: { description: 'Pago anulado' }, 404: { description: 'Factura o pago no encontrado' }, 409: { description: 'La factura está anulada' } },
    handler: async ({ db, actor, params }) => {
      await voidPayment(db, actor, params.invoice_id, params.payment_id);
      return reply(204);
    },
  }),
];

export const group = defineV1Group({
  name: 'v1-invoices',
  prefixes: [P],
  tag: 'v1 · Facturación',
  tenantScoped: true,
  routes,
});

export const handler = createHandler(group);

import { z } from 'zod';
import {
  createEntry,
  dailyReport,
  editEntry,
  entriesOfDoctor,
  getEntry,
  ledgerSummary,
  listEntries,
  MAX_RANGE_DAYS,
  monthlyReport,
  removeEntry,
  type DailyReportRecord,
  type DoctorTotals,
  type EntryChanges,
  type EntryInput,
  type EntryListFilter,
  type EntryRecord,
  type KeyedTotals,
  type MonthlyReportRecord,
  type SummaryRecord,
} from '../../lib/domain/ledger';
import { createHandler } from '../../lib/http/app';
import { reply, route, type AnyRoute } from '../../lib/http/route';
import { isoUtc } from '../../lib/time';
import { amount, decimal, doctorBrief, DoctorBreve, isoDate, isoInstant, PacienteBreve, pathId, patientBrief, Totales, totals } from './money-shapes';
import { defineV1Group, listRoute, refId } from './surface';

/*
 * v1 transactions: the clinic's cash book (caja). One ledger holds manual entries, paid Reflexo tickets
 * (written by PostgreSQL in the ticket's own transaction) and invoice payments; entries of a ticket or
 * an invoice are read-only here (409: change the source). Days, hours and months are the clinic's
 * (tenants.time_zone): a payment at 23:45 in Lima is that Lima day. Totals count completed entries.
 */
const P = '/api/v1/transactions';
const KINDS = ['ingreso', 'egreso'] as const;
const STATUSES = ['completado', 'pendiente', 'anulado'] as const;
const SOURCES = ['manual', 'ticket', 'factura'] as const;

const Transaccion = z
  .object({
    id: z.number().int(),
    tipo_transaccion: z.enum(KINDS),
    doctor: DoctorBreve.nullable(),
    paciente: PacienteBreve.nullable(),
    concepto: z.string(),
    monto: z.number(),
    medio_pago: z.string(),
    fecha_transaccion: z.string(),
    comentario: z.string().nullable(),
    estado: z.enum(STATUSES),
    origen: z.enum(SOURCES).meta({ description: 'manual, ticket (pago de un ticket de cita Reflexo) o factura (pago de una factura)' }),
    ticket_id: z.number().int().nullable(),
    factura_id: z.number().int().nullable(),
    factura_numero: z.string().nullable(),
    referencia: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Transaccion' });

export const toTransaccion = (e: EntryRecord) => ({
  id: e.id,
  tipo_transaccion: e.kind,
  doctor: doctorBrief(e.doctor_id, e.doctor_first_name, e.doctor_paternal, e.doctor_maternal),
  paciente: patientBrief(e.patient_id, e.patient_name, e.patient_paternal, e.patient_maternal),
  concepto: e.concept,
  monto: amount(e.amount),
  medio_pago: e.payment_method,
  fecha_transaccion: isoUtc(new Date(e.occurred_at)),
  comentario: e.comment,
  estado: e.status,
  origen: e.source,
  ticket_id: e.ticket_id,
  factura_id: e.invoice_id,
  factura_numero: e.invoice_number,
  referencia: e.reference,
  created_at: isoUtc(new Date(e.created_at)),
  updated_at: isoUtc(new Date(e.updated_at)),
});

const fields = {
  tipo_transaccion: z.enum(KINDS),
  concepto: z.string().trim().min(1).max(255),
  monto: decimal({ positive: true }),
  medio_pago: z.string().trim().min(1).max(100).meta({ description: 'Un tipo de pago de la clínica por nombre o código: Efectivo, Tarjeta de Crédito, Yape, Plin…' }),
  fecha_transaccion: isoInstant.meta({ description: 'Instante ISO-8601 con Z u offset; por defecto, ahora' }),
  comentario: z.string().trim().max(2000).nullable(),
  doctor_id: refId.nullable(),
  doctor: refId.nullable().meta({ description: 'Alternativa a doctor_id: {"id": n}' }),
  paciente_id: refId.nullable(),
  paciente: refId.nullable().meta({ description: 'Alternativa a paciente_id: {"id": n}' }),
};
const CreateBody = z.object({
  ...fields,
  fecha_transaccion: fields.fecha_transaccion.optional(),
  comentario: fields.comentario.optional(),
  estado: z.enum(['completado', 'pendiente']).optional(),
  doctor_id: fields.doctor_id.optional(),
  doctor: fields.doctor.optional(),
  paciente_id: fields.paciente_id.optional(),
  paciente: fields.paciente.optional(),
});
const UpdateBody = z.object({ ...fields, estado: z.enum(STATUSES) }).partial();

const people = (b: { doctor_id?: number | null; doctor?: number | null; paciente_id?: number | null; paciente?: number | null }) => ({
  doctorId: b.doctor_id !== undefined ? b.doctor_id : b.doctor,
  patientId: b.paciente_id !== undefined ? b.paciente_id : b.paciente,
});

/** A write's body in the domain's words (create and PUT alike: a PUT's absent fields stay undefined, i.e. unchanged). */
function entryOf(b: z.output<typeof CreateBody>): EntryInput;
function entryOf(b: z.output<typeof UpdateBody>): EntryChanges;
function entryOf(b: z.output<typeof UpdateBody>): EntryChanges {
  return {
    kind: b.tipo_transaccion,
    concept: b.concepto,
    amount: b.monto,
    paymentMethod: b.medio_pago,
    occurredAt: b.fecha_transaccion,
    comment: b.comentario,
    status: b.estado,
    ...people(b),
  };
}

const queryId = z.string().regex(/^\d{1,9}$/, 'Input should be a valid integer').transform(Number);
const listFilters = {
  tipo: z.enum(KINDS).optional(),
  estado: z.enum(STATUSES).optional(),
  origen: z.enum(SOURCES).optional(),
  medio_pago: z.string().trim().min(1).max(100).optional(),
  doctor_id: queryId.optional(),
  paciente_id: queryId.optional(),
  start_date: isoDate.optional(),
  end_date: isoDate.optional(),
};
type ListQuery = { tipo?: EntryListFilter['kind']; estado?: EntryListFilter['status']; origen?: EntryListFilter['source']; medio_pago?: string; doctor_id?: number; paciente_id?: number; start_date?: string; end_date?: string };
const filterOf = (q: ListQuery): EntryListFilter => ({
  kind: q.tipo,
  status: q.estado,
  source: q.origen,
  paymentMethod: q.medio_pago,
  doctorId: q.doctor_id,
  patientId: q.paciente_id,
  fromDay: q.start_date,
  toDay: q.end_date,
});

const transactionParams = z.object({ transaction_id: pathId });
const notFound = { 404: { description: 'Transacción no encontrada (o de otra clínica)' } };
const fromSource = { 409: { description: 'La transacción pertenece a un ticket o a un pago de factura: se modifica en su origen' } };

// ---- reports ----------------------------------------------------------------------------------------

const PorClave = (key: string, schema: z.ZodType) => Totales.extend({ [key]: schema });
const PorDoctor = Totales.extend({ doctor: DoctorBreve.nullable() });
/** Every cash report: the clinic's zone and the period's totals. */
const Informe = Totales.extend({ zona_horaria: z.string() });
const Resumen = Informe
  .extend({
    start_date: z.string().nullable(),
    end_date: z.string().nullable(),
    por_medio_pago: z.array(PorClave('medio_pago', z.string())),
    por_origen: z.array(PorClave('origen', z.enum(SOURCES))),
  })
  .meta({ id: 'ResumenTransacciones' });
const ReporteDiario = Informe
  .extend({
    fecha: z.string(),
    saldo_inicial: z.number(),
    saldo_final: z.number(),
    por_medio_pago: z.array(PorClave('medio_pago', z.string())),
    por_doctor: z.array(PorDoctor),
    por_hora: z.array(PorClave('hora', z.number().int())),
    por_origen: z.array(PorClave('origen', z.enum(SOURCES))),
  })
  .meta({ id: 'ReporteDiarioCaja' });
const ReporteMensual = Informe
  .extend({
    anio: z.number().int(),
    mes: z.number().int(),
    saldo_inicial: z.number(),
    saldo_final: z.number(),
    por_dia: z.array(PorClave('fecha', z.string())),
    por_doctor: z.array(PorDoctor),
  })
  .meta({ id: 'ReporteMensualCaja' });

const keyedAs = (name: string, rows: KeyedTotals[], convert: (k: string) => unknown = (k) => k) => rows.map((r) => ({ [name]: convert(r.key), ...totals(r) }));
const doctors = (rows: DoctorTotals[]) =>
  rows.map((r) => ({ doctor: r.doctor && doctorBrief(r.doctor.id, r.doctor.first_name, r.doctor.last_name_paternal, r.doctor.last_name_maternal), ...totals(r) }));

const toResumen = (s: SummaryRecord) => ({
  start_date: s.from,
  end_date: s.to,
  zona_horaria: s.timeZone,
  ...totals(s.totals),
  por_medio_pago: keyedAs('medio_pago', s.byMethod),
  por_origen: keyedAs('origen', s.bySource),
});
const toReporteDiario = (r: DailyReportRecord) => ({
  fecha: r.day,
  zona_horaria: r.timeZone,
  ...totals(r.totals),
  saldo_inicial: amount(r.opening),
  saldo_final: amount(r.closing),
  por_medio_pago: keyedAs('medio_pago', r.byMethod),
  por_doctor: doctors(r.byDoctor),
  por_hora: r.byHour.map(({ hour, ...t }) => ({ hora: hour, ...totals(t) })),
  por_origen: keyedAs('origen', r.bySource),
});
const toReporteMensual = (r: MonthlyReportRecord) => ({
  anio: r.year,
  mes: r.month,
  zona_horaria: r.timeZone,
  ...totals(r.totals),
  saldo_inicial: amount(r.opening),
  saldo_final: amount(r.closing),
  por_dia: r.byDay.map(({ day, ...t }) => ({ fecha: day, ...totals(t) })),
  por_doctor: doctors(r.byDoctor),
});

const list = (path: string, summary: string, extra: Omit<Parameters<typeof listRoute>[0], 'path' | 'summary' | 'item' | 'present'>): AnyRoute =>
  listRoute({ path, summary, item: Transaccion, present: toTransaccion, ...extra });

const routes: AnyRoute[] = [
  list(P, 'Listar transacciones (más recientes primero); filtros por tipo, estado, origen, medio de pago, doctor, paciente y días', {
    query: listFilters,
    load: ({ db, actor, query }) => listEntries(db, actor, filterOf(query as ListQuery), query.page, query.size),
  }),
  route({
    method: 'POST',
    path: P,
    access: 'user',
    summary: 'Registrar una transacción manual (ingreso o egreso)',
    body: CreateBody,
    status: 201,
    response: Transaccion,
    handler: async ({ db, actor, body }) => reply(201, toTransaccion(await createEntry(db, actor, entryOf(body)))),
  }),
  route({
    method: 'GET',
    path: `${P}/summary`,
    access: 'user',
    summary: 'Resumen: ingresos, egresos, balance, cantidad, por medio de pago y por origen (?start_date=&end_date=, ambos opcionales)',
    query: z.object({ start_date: isoDate.optional(), end_date: isoDate.optional() }),
    response: Resumen,
    handler: async ({ db, actor, query }) => toResumen(await ledgerSummary(db, actor, { start: query.start_date, end: query.end_date })),
  }),
  list(`${P}/date/{date}`, 'Transacciones de un día de la clínica (YYYY-MM-DD, en su zona horaria)', {
    params: z.object({ date: isoDate }),
    load: ({ db, actor, params, query }) => listEntries(db, actor, { fromDay: params.date, toDay: params.date }, query.page, query.size),
  }),
  list(`${P}/date-range`, `Transacciones entre dos días (ambos incluidos, máximo ${MAX_RANGE_DAYS} días)`, {
    query: { start_date: isoDate, end_date: isoDate },
    load: ({ db, actor, query }) => listEntries(db, actor, { fromDay: query.start_date as string, toDay: query.end_date as string }, query.page, query.size, MAX_RANGE_DAYS),
  }),
  list(`${P}/doctor/{doctor_id}`, 'Transacciones de un doctor', {
    params: z.object({ doctor_id: pathId }),
    entity: 'therapists',
    query: { start_date: isoDate.optional(), end_date: isoDate.optional() },
    responses: { 404: { description: 'Doctor no encontrado (o de otra clínica)' } },
    load: ({ db, actor, params, query }) => entriesOfDoctor(db, actor, params.doctor_id, { fromDay: query.start_date as string | undefined, toDay: query.end_date as string | undefined }, query.page, query.size),
  }),
  list(`${P}/type/{type}`, 'Transacciones de un tipo: ingreso o egreso (otro valor: 422)', {
    params: z.object({ type: z.enum(KINDS) }),
    load: ({ db, actor, params, query }) => listEntries(db, actor, { kind: params.type }, query.page, query.size),
  }),
  route({
    method: 'GET',
    path: `${P}/daily-report`,
    access: 'user',
    summary: 'Reporte diario de caja (?date=, por defecto hoy): totales por medio de pago, doctor, hora y origen; saldo inicial y final',
    query: z.object({ date: isoDate.optional() }),
    response: ReporteDiario,
    handler: async ({ db, actor, query }) => toReporteDiario(await dailyReport(db, actor, query.date)),
  }),
  route({
    method: 'GET',
    path: `${P}/monthly-report`,
    access: 'user',
    summary: 'Reporte mensual de caja (?year=&month=, por defecto el mes en curso): por día y por doctor',
    query: z.object({
      year: z.string().regex(/^\d{4}$/, 'Input should be a valid integer').transform(Number).pipe(z.number().min(2000).max(2100)).optional(),
      month: z.string().regex(/^\d{1,2}$/, 'Input should be a valid integer').transform(Number).pipe(z.number().int().min(1).max(12)).optional(),
    }),
    response: ReporteMensual,
    handler: async ({ db, actor, query }) => toReporteMensual(await monthlyReport(db, actor, { year: query.year, month: query.month })),
  }),
  route({
    method: 'GET',
    path: `${P}/{transaction_id}`,
    access: 'user',
    summary: 'Una transacción',
    params: transactionParams,
    entity: 'cash_transactions',
    response: Transaccion,
    responses: notFound,
    handler: async ({ db, actor, params }) => toTransaccion(await getEntry(db, actor, params.transaction_id)),
  }),
  route({
    method: 'PUT',
    path: `${P}/{transaction_id}`,
    access: 'user',
    summary: 'Modificar una transacción manual (solo los campos enviados); estado "anulado" la deja en el historial sin contar',
    params: transactionParams,
    entity: 'cash_transactions',
    body: UpdateBody,
    response: Transaccion,
    responses: { ...notFound, ...fromSource },
    handler: async ({ db, actor, params, body }) => toTransaccion(await editEntry(db, actor, params.transaction_id, entryOf(body))),
  }),
  route({
    method: 'DELETE',
    path: `${P}/{transaction_id}`,
    access: 'user',
    summary: 'Eliminar (borrado lógico) una transacción manual',
    params: transactionParams,
    entity: 'cash_transactions',
    status: 204,
    responses: { 204: { description: 'Eliminada' }, ...notFound, ...fromSource },
    handler: async ({ db, actor, params }) => {
      await removeEntry(db, actor, params.transaction_id);
      return reply(204);
    },
  }),
];

export const group = defineV1Group({
  name: 'v1-transactions',
  prefixes: [P],
  tag: 'v1 · Caja',
  tenantScoped: true,
  routes,
});

export const handler = createHandler(group);

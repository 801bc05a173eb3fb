import { z } from 'zod';
import {
  appointmentsReport,
  change,
  clinicStatistics,
  dashboard,
  doctorStatistics,
  ESTADOS,
  financial,
  inventoryReport,
  patientsReport,
  productivity,
  reportExport,
  type AppointmentCounts,
  type DoctorName,
  type Headline,
  type Occupancy,
  type PeriodRecord,
  type ReportName,
  type StatisticsRecord,
} from '../../lib/domain/v1-reports';
import { XLSX_TYPE } from '../../lib/exports/excel';
import { PDF_TYPE } from '../../lib/exports/pdf';
import { createHandler } from '../../lib/http/app';
import { binary, reply, route, type AnyRoute, type Req } from '../../lib/http/route';
import { amount, doctorBrief, DoctorBreve, isoDate, pathId, Totales, totals } from './money-shapes';
import { defineV1Group } from './surface';

/*
 * v1 reports and statistics (issue 16). Every route takes ?start_date=&end_date= (local days of the
 * clinic, both included; by default this month; at most 366 days; end before start → 422), and every
 * total is the one the other routes give for the same period: money is the cash ledger's
 * (= /transactions/summary), appointments are counted by their estado. Rates and occupancy are
 * percents with two decimals (null when there is nothing to divide by), hours have two decimals.
 * Reports download as Excel or PDF at `<report>/export?format=xlsx|pdf`; `?format=xlsx|pdf` on the
 * report itself answers 303 to that download (one status declares one media type per route here).
 */
const R = '/api/v1/reports';
const S = '/api/v1/statistics';

const range = { start_date: isoDate.optional(), end_date: isoDate.optional() };
const rangeOf = (q: { start_date?: string; end_date?: string }) => ({ start: q.start_date, end: q.end_date });

const Periodo = z.object({ start_date: z.string(), end_date: z.string(), zona_horaria: z.string() }).meta({ id: 'PeriodoReporte' });
const periodo = (p: PeriodRecord) => ({ start_date: p.from, end_date: p.to, zona_horaria: p.timeZone });

const pct = z.number().nullable();
const Conteo = z
  .object({
    citas: z.number().int(),
    reservadas: z.number().int().meta({ description: 'Citas que ocupan agenda (todas menos las canceladas)' }),
    completadas: z.number().int(),
    canceladas: z.number().int(),
    no_asistio: z.number().int(),
    tasa_cancelacion: pct.meta({ description: 'canceladas ÷ citas × 100 (null sin citas)' }),
    tasa_no_asistencia: pct.meta({ description: 'no_asistio ÷ citas × 100 (null sin citas)' }),
  })
  .meta({ id: 'ConteoCitas' });
const conteo = (a: AppointmentCounts) => ({
  citas: a.total,
  reservadas: a.booked,
  completadas: a.completed,
  canceladas: a.cancelled,
  no_asistio: a.noShow,
  tasa_cancelacion: a.cancellationRate,
  tasa_no_asistencia: a.noShowRate,
});

const hours = (minutes: number) => Math.round((minutes / 60) * 100) / 100;
const Ocupacion = z
  .object({ horas_reservadas: z.number(), horas_programadas: z.number(), porcentaje: pct.meta({ description: 'horas reservadas ÷ horas programadas × 100 (null sin horario)' }) })
  .meta({ id: 'Ocupacion', description: 'Horas programadas: horario semanal del doctor − descansos − excepciones de fecha' });
const ocupacion = (o: Occupancy) => ({ horas_reservadas: hours(o.bookedMinutes), horas_programadas: hours(o.scheduledMinutes), porcentaje: o.rate });

const Estado = z.enum(ESTADOS);
const PorEstado = z.array(z.object({ estado: Estado, cantidad: z.number().int() }));
const porEstado = (rows: { estado: (typeof ESTADOS)[number]; count: number }[]) => rows.map((r) => ({ estado: r.estado, cantidad: r.count }));
const doctor = (d: DoctorName | null) => (d ? doctorBrief(d.id, d.first_name, d.last_name_paternal, d.last_name_maternal) : null);
const TotalesRango = Totales.extend({ start_date: z.string(), end_date: z.string() });

// ---- shapes -----------------------------------------------------------------------------------------

const Dashboard = z
  .object({
    periodo: Periodo,
    hoy: z.object({ fecha: z.string(), total: z.number().int(), por_estado: PorEstado }),
    ingresos: z.object({ semana: TotalesRango, mes: TotalesRango, periodo: Totales }),
    pacientes_nuevos: z.number().int(),
    citas: Conteo,
    ocupacion: Ocupacion,
    tratamientos_top: z.array(z.object({ tratamiento_id: z.number().int().nullable(), nombre: z.string(), citas: z.number().int() })),
    productos_bajo_stock: z.number().int(),
    facturas_pendientes: z.object({ cantidad: z.number().int(), saldo: z.number() }),
  })
  .meta({ id: 'ReporteDashboard' });

const Productividad = z
  .object({
    periodo: Periodo,
    doctores: z.array(z.object({ doctor: DoctorBreve, activo: z.boolean(), citas: Conteo, ocupacion: Ocupacion, ingresos: Totales })),
    totales: z.object({ citas: Conteo, ocupacion: Ocupacion, ingresos: Totales }),
    sin_doctor: Totales.meta({ description: 'Movimientos de caja del periodo sin doctor' }),
  })
  .meta({ id: 'ReporteProductividad' });

const PorClave = (key: string, schema: z.ZodType = z.string()) => z.array(Totales.extend({ [key]: schema }));
const Financiero = z
  .object({
    periodo: Periodo,
    totales: Totales,
    por_dia: PorClave('fecha'),
    por_mes: PorClave('mes'),
    por_medio_pago: PorClave('medio_pago'),
    por_concepto: PorClave('concepto'),
    por_origen: PorClave('origen'),
    facturas: z.object({
      emitidas: z.object({ cantidad: z.number().int(), monto: z.number() }),
      pagadas: z.object({ cantidad: z.number().int(), monto: z.number() }),
      pendientes: z.object({ cantidad: z.number().int(), saldo: z.number() }),
      anuladas: z.object({ cantidad: z.number().int(), monto: z.number() }),
      cobrado: z.number().meta({ description: 'Pagado de las facturas emitidas en el periodo (sus pagos pueden ser de otro periodo)' }),
    }),
  })
  .meta({ id: 'ReporteFinanciero' });

const PorValor = (key: string) => z.array(z.object({ [key]: z.string().nullable(), cantidad: z.number().int() }));
const Pacientes = z
  .object({
    periodo: Periodo,
    pacientes_registrados: z.number().int(),
    pacientes_nuevos: z.number().int(),
    nuevos_por_mes: z.array(z.object({ mes: z.string(), cantidad: z.number().int() })),
    por_fuente_captacion: PorValor('fuente_captacion'),
    por_aseguradora: PorValor('aseguradora'),
    por_linea_negocio: PorValor('linea_negocio'),
    por_estado: PorValor('estado_paciente'),
    atendidos: z.object({ total: z.number().int(), nuevos: z.number().int(), recurrentes: z.number().int() }),
  })
  .meta({ id: 'ReportePacientes' });

const Citas = z
  .object({
    periodo: Periodo,
    totales: Conteo,
    por_estado: PorEstado,
    por_dia_semana: z.array(Conteo.extend({ dia_semana: z.number().int().meta({ description: '1 = lunes … 7 = domingo' }), nombre: z.string() })),
    por_hora: z.array(Conteo.extend({ hora: z.number().int() })),
    por_doctor: z.array(Conteo.extend({ doctor: DoctorBreve.nullable() })),
  })
  .meta({ id: 'ReporteCitas' });

const Inventario = z
  .object({
    periodo: Periodo,
    productos: z.number().int(),
    unidades: z.number(),
    valor_costo: z.number(),
    valor_venta: z.number(),
    movimientos: z.array(z.object({ tipo: z.enum(['entrada', 'salida', 'ajuste']), cantidad: z.number().int(), unidades_entrada: z.number(), unidades_salida: z.number(), valor_costo: z.number() })),
    bajo_stock: z.array(z.object({ id: z.number().int(), nombre: z.string(), sku: z.string().nullable(), unidad: z.string(), stock_actual: z.number(), stock_minimo: z.number() })),
    bajo_stock_cantidad: z.number().int(),
  })
  .meta({ id: 'ReporteInventario' });

const Cifra = z.object({ actual: z.number().nullable(), anterior: z.number().nullable(), variacion: pct.meta({ description: '(actual − anterior) ÷ anterior × 100; null si anterior es 0' }) });
const Estadisticas = z
  .object({
    periodo: Periodo,
    periodo_anterior: z.object({ start_date: z.string(), end_date: z.string() }),
    doctor: DoctorBreve.nullable(),
    citas: Cifra,
    completadas: Cifra,
    canceladas: Cifra,
    no_asistio: Cifra,
    tasa_cancelacion: Cifra,
    tasa_no_asistencia: Cifra,
    ingresos: Cifra,
    egresos: Cifra,
    balance: Cifra,
    pacientes: Cifra.meta({ description: 'Clínica: pacientes nuevos; doctor: pacientes atendidos' }),
    horas_reservadas: Cifra,
    horas_programadas: Cifra,
    ocupacion: Cifra,
  })
  .meta({ id: 'Estadisticas' });

// ---- presenters -------------------------------------------------------------------------------------

const WEEKDAYS = ['Lunes', 'Martes', 'Miércoles', 'Jueves', 'Viernes', 'Sábado', 'Domingo'];

const cifra = (now: number | string | null, before: number | string | null) => ({
  actual: typeof now === 'string' ? amount(now) : now,
  anterior: typeof before === 'string' ? amount(before) : before,
  variacion: now === null || before === null ? null : change(now, before),
});
const toEstadisticas = (s: StatisticsRecord) => {
  const f = (get: (h: Headline) => number | string | null) => cifra(get(s.current), get(s.before));
  return {
    periodo: periodo(s.period),
    periodo_anterior: { start_date: s.previous.from, end_date: s.previous.to },
    doctor: doctor(s.doctor),
    citas: f((h) => h.appointments.total),
    completadas: f((h) => h.appointments.completed),
    canceladas: f((h) => h.appointments.cancelled),
    no_asistio: f((h) => h.appointments.noShow),
    tasa_cancelacion: f((h) => h.appointments.cancellationRate),
    tasa_no_asistencia: f((h) => h.appointments.noShowRate),
    ingresos: f((h) => h.income.ingresos),
    egresos: f((h) => h.income.egresos),
    balance: f((h) => h.income.balance),
    pacientes: f((h) => h.patients),
    horas_reservadas: f((h) => hours(h.occupancy.bookedMinutes)),
    horas_programadas: f((h) => hours(h.occupancy.scheduledMinutes)),
    ocupacion: f((h) => h.occupancy.rate),
  };
};

// ---- routes -----------------------------------------------------------------------------------------

const FORMATS = ['xlsx', 'pdf'] as const;
type Query = { start_date?: string; end_date?: string; format?: 'json' | 'xlsx' | 'pdf' };

/** `?format=xlsx|pdf` on a report: 303 to its download, the same period carried over. */
function toExport(req: Req<unknown, Query, unknown>, name: ReportName) {
  const q = new URLSearchParams({ format: req.query.format as string });
  if (req.query.start_date) q.set('start_date', req.query.start_date);
  if (req.query.end_date) q.set('end_date', req.query.end_date);
  return reply(303, undefined, { Location: `${req.baseUrl}${R}/${name}/export?${q}` });
}

function report<T extends z.ZodType>(name: ReportName, summary: string, response: T, load: (req: Req<unknown, Query, unknown>) => Promise<z.input<T>>): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: `${R}/${name}`,
      access: 'user',
      summary,
      query: z.object({ ...range, format: z.enum(['json', ...FORMATS]).optional().meta({ description: 'xlsx o pdf: 303 a la descarga del reporte (…/export)' }) }),
      response,
      responses: { 303: { description: 'Redirección a la descarga en Excel o PDF (?format=xlsx|pdf)', headers: { Location: 'URL de la descarga' } } },
      handler: async (req) => (req.query.format && req.query.format !== 'json' ? toExport(req as Req<unknown, Query, unknown>, name) : load(req as Req<unknown, Query, unknown>)),
    }),
    route({
      method: 'GET',
      path: `${R}/${name}/export`,
      access: 'user',
      summary: `${summary}: descarga en Excel (?format=xlsx, por defecto) o PDF (?format=pdf) (ruta adicional a la especificación)`,
      query: z.object({ ...range, format: z.enum(FORMATS).optional() }),
      responses: { 200: { description: 'Archivo descargable (Content-Disposition: attachment)', contentTypes: [XLSX_TYPE, PDF_TYPE] } },
      handler: async ({ db, actor, query }) => {
        const f = await reportExport(db, actor, name, query.format ?? 'xlsx', rangeOf(query));
        return binary(f.data, f.contentType, { 'Content-Disposition': `attachment; filename="${f.filename}"`, 'Cache-Control': 'no-store' });
      },
    }),
  ];
}

const keyed = (name: string, rows: ({ key: string } & { ingresos: string; egresos: string; balance: string; cantidad: number })[]) => rows.map((r) => ({ [name]: r.key, ...totals(r) }));

const routes: AnyRoute[] = [
  ...report('dashboard', 'Panel: citas de hoy por estado, ingresos de la semana y del mes, pacientes nuevos, tasas, ocupación, tratamientos más solicitados, stock bajo y facturas pendientes', Dashboard, async ({ db, actor, query }) => {
    const d = await dashboard(db, actor, rangeOf(query));
    return {
      periodo: periodo(d.period),
      hoy: { fecha: d.today.day, total: d.today.total, por_estado: porEstado(d.today.byEstado) },
      ingresos: { semana: { start_date: d.week.from, end_date: d.week.to, ...totals(d.week) }, mes: { start_date: d.month.from, end_date: d.month.to, ...totals(d.month) }, periodo: totals(d.periodIncome) },
      pacientes_nuevos: d.newPatients,
      citas: conteo(d.appointments),
      ocupacion: ocupacion(d.occupancy),
      tratamientos_top: d.topTreatments.map((t) => ({ tratamiento_id: t.treatmentId, nombre: t.name, citas: t.appointments })),
      productos_bajo_stock: d.lowStock,
      facturas_pendientes: { cantidad: d.outstandingInvoices.count, saldo: amount(d.outstandingInvoices.balance) },
    };
  }),
  ...report('productivity', 'Productividad por doctor: citas, completadas, inasistencias, horas reservadas frente a programadas, ingresos', Productividad, async ({ db, actor, query }) => {
    const p = await productivity(db, actor, rangeOf(query));
    return {
      periodo: periodo(p.period),
      doctores: p.doctors.map((d) => ({ doctor: doctor(d.doctor)!, activo: d.active, citas: conteo(d.appointments), ocupacion: ocupacion(d.occupancy), ingresos: totals(d.income) })),
      totales: { citas: conteo(p.totals.appointments), ocupacion: ocupacion(p.totals.occupancy), ingresos: totals(p.totals.income) },
      sin_doctor: totals(p.withoutDoctor),
    };
  }),
  ...report('financial', 'Financiero: ingresos y egresos por día, mes, medio de pago, concepto y origen; facturas emitidas, pagadas y pendientes', Financiero, async ({ db, actor, query }) => {
    const f = await financial(db, actor, rangeOf(query));
    const i = f.invoices;
    return {
      periodo: periodo(f.period),
      totales: totals(f.totals),
      por_dia: f.byDay.map(({ day, ...t }) => ({ fecha: day, ...totals(t) })),
      por_mes: f.byMonth.map(({ month, ...t }) => ({ mes: month, ...totals(t) })),
      por_medio_pago: keyed('medio_pago', f.byMethod),
      por_concepto: keyed('concepto', f.byConcept),
      por_origen: keyed('origen', f.bySource),
      facturas: {
        emitidas: { cantidad: i.issued, monto: amount(i.issued_total) },
        pagadas: { cantidad: i.paid, monto: amount(i.paid_total) },
        pendientes: { cantidad: i.outstanding, saldo: amount(i.outstanding_balance) },
        anuladas: { cantidad: i.annulled, monto: amount(i.annulled_total) },
        cobrado: amount(i.collected),
      },
    };
  }),
  ...report('patients', 'Pacientes: nuevos por mes, por fuente de captación, aseguradora, línea de negocio y estado; atendidos nuevos y recurrentes', Pacientes, async ({ db, actor, query }) => {
    const p = await patientsReport(db, actor, rangeOf(query));
    const by = (name: string, rows: { key: string | null; count: number }[]) => rows.map((r) => ({ [name]: r.key, cantidad: r.count }));
    return {
      periodo: periodo(p.period),
      pacientes_registrados: p.registered,
      pacientes_nuevos: p.newPatients,
      nuevos_por_mes: p.byMonth.map((m) => ({ mes: m.month, cantidad: m.count })),
      por_fuente_captacion: by('fuente_captacion', p.bySource),
      por_aseguradora: by('aseguradora', p.byInsurer),
      por_linea_negocio: by('linea_negocio', p.byBusinessLine),
      por_estado: by('estado_paciente', p.byStatus),
      atendidos: { total: p.seen.total, nuevos: p.seen.firstTime, recurrentes: p.seen.returning },
    };
  }),
  ...report('appointments', 'Citas: por estado, día de la semana, hora y doctor; tasas de cancelación e inasistencia', Citas, async ({ db, actor, query }) => {
    const a = await appointmentsReport(db, actor, rangeOf(query));
    return {
      periodo: periodo(a.period),
      totales: conteo(a.totals),
      por_estado: porEstado(a.byEstado),
      por_dia_semana: a.byWeekday.map((w) => ({ dia_semana: w.weekday, nombre: WEEKDAYS[w.weekday - 1], ...conteo(w) })),
      por_hora: a.byHour.map((h) => ({ hora: h.hour, ...conteo(h) })),
      por_doctor: a.byDoctor.map((d) => ({ doctor: doctor(d.doctor), ...conteo(d) })),
    };
  }),
  ...report('inventory', 'Inventario: valor del stock al costo y a precio de venta, movimientos por tipo en el periodo, productos con stock bajo', Inventario, async ({ db, actor, query }) => {
    const v = await inventoryReport(db, actor, rangeOf(query));
    return {
      periodo: periodo(v.period),
      productos: v.products,
      unidades: amount(v.units),
      valor_costo: amount(v.valueAtCost),
      valor_venta: amount(v.valueAtPrice),
      movimientos: v.movements.map((m) => ({ tipo: m.kind as 'entrada' | 'salida' | 'ajuste', cantidad: m.count, unidades_entrada: amount(m.unitsIn), unidades_salida: amount(m.unitsOut), valor_costo: amount(m.value) })),
      bajo_stock: v.lowStock.map((p) => ({ id: p.id, nombre: p.name, sku: p.sku, unidad: p.unit, stock_actual: amount(p.stock), stock_minimo: amount(p.minStock) })),
      bajo_stock_cantidad: v.lowStock.length,
    };
  }),
  route({
    method: 'GET',
    path: `${S}/clinic`,
    access: 'user',
    summary: 'Estadísticas de la clínica en el periodo, con el periodo anterior de igual duración al lado (variación en %)',
    query: z.object(range),
    response: Estadisticas,
    handler: async ({ db, actor, query }) => toEstadisticas(await clinicStatistics(db, actor, rangeOf(query))),
  }),
  route({
    method: 'GET',
    path: `${S}/doctor/{doctor_id}`,
    access: 'user',
    summary: 'Estadísticas de un doctor en el periodo, con el periodo anterior de igual duración al lado (variación en %)',
    params: z.object({ doctor_id: pathId }),
    entity: 'therapists',
    query: z.object(range),
    response: Estadisticas,
    responses: { 404: { description: 'Doctor no encontrado (o de otra clínica)' } },
    handler: async ({ db, actor, params, query }) => toEstadisticas(await doctorStatistics(db, actor, params.doctor_id, rangeOf(query))),
  }),
];

export const group = defineV1Group({
  name: 'v1-reports',
  prefixes: [R, S],
  tag: 'v1 · Reportes y Estadísticas',
  tenantScoped: true,
  routes,
});

export const handler = createHandler(group);

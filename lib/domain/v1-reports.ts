import type { Actor } from '../auth/actor';
import type { Db } from '../db/tenant';
import { NotFound } from '../errors';
import { buildWorkbook, XLSX_TYPE } from '../exports/excel';
import { buildPdf, PDF_TYPE } from '../exports/pdf';
import { displayDate, type Column, type Report, type Row, type Table } from '../exports/table';
import { productPage, productQuery } from '../queries/inventory';
import { dayEnd, dayStart, doctorOfClinic, groupedTotals, periodTotals, type Dimension, type GroupRow } from '../queries/ledger';
import {
  appointmentGroups,
  clinicDoctors,
  invoiceTotals,
  movementTotals,
  newPatientGroups,
  outstandingInvoices,
  patientVisits,
  scheduledMinutes,
  stockValue,
  type AppointmentGroupRow,
  type DayRange,
  type InvoiceTotalsRow,
  type PatientGroupRow,
} from '../queries/v1-reports';
import { logoBytes } from '../storage/s3';
import { addDays, daysBetween, isoWeekday } from '../time';
import { recordAudit } from './audit';
import { reportScope } from './company-reports';
import { OUTSTANDING_STATUSES } from './invoices';
import { checkRange, clinicClock, MAX_RANGE_DAYS, type ClinicClock, type Totals } from './ledger';

/*
 * v1 reports and statistics (issue 16). Every figure is a SQL aggregate over the period, in a fixed
 * number of statements per report whatever the clinic's size, and each figure is the one the other
 * routes give: money is the cash ledger's (lib/queries/ledger.ts groupedTotals, what
 * /transactions/summary answers), appointments are counted by their status's kind (the v1 estados),
 * low stock is the products query's own rule, outstanding invoices the invoices domain's statuses.
 * The period is two local days of the clinic, both included; by default this calendar month.
 */

/** The v1 estados, in the agenda's order; every appointment falls in exactly one (see queries). */
export const ESTADOS = ['Programada', 'Confirmada', 'En curso', 'Completada', 'Cancelada', 'No asistió'] as const;
export type Estado = (typeof ESTADOS)[number];

export interface PeriodRecord extends DayRange {
  timeZone: string;
  today: string;
}

const monthStart = (day: string) => `${day.slice(0, 7)}-01`;
const monthEnd = (day: string) => {
  const y = Number(day.slice(0, 4));
  const m = Number(day.slice(5, 7));
  return addDays(`${m === 12 ? y + 1 : y}-${String(m === 12 ? 1 : m + 1).padStart(2, '0')}-01`, -1);
};

/**
 * `?start_date=&end_date=`: both absent → this month of the clinic; only a start → to the end of its
 * month; only an end → from the start of its month. End before start, or more than 366 days → 422.
 */
export function periodOf(clock: ClinicClock, start?: string, end?: string): PeriodRecord {
  const from = start ?? monthStart(end ?? clock.today);
  const to = end ?? monthEnd(start ?? clock.today);
  checkRange(from, to, MAX_RANGE_DAYS);
  return { from, to, timeZone: clock.timeZone, today: clock.today };
}

/** The period of the same length just before (statistics compare with it). */
export const previousPeriod = (p: DayRange): DayRange => {
  const days = daysBetween(p.from, p.to).length;
  return { from: addDays(p.from, -days), to: addDays(p.from, -1) };
};

const ZERO: Totals = { ingresos: '0.00', egresos: '0.00', balance: '0.00', cantidad: 0 };
const pick = (r: GroupRow | undefined): Totals => (r ? { ingresos: r.ingresos, egresos: r.egresos, balance: r.balance, cantidad: r.cantidad } : ZERO);

/** The ledger's totals on local days [from, to]: the statement /transactions/summary runs. */
const ledger = (db: Db, clock: ClinicClock, r: DayRange, dims: Exclude<Dimension, 'total'>[]) =>
  groupedTotals(db, clock.reflexoId, clock.timeZone, dayStart(r.from, clock.timeZone), dayEnd(r.to, clock.timeZone), dims);

/** Only the total of local days [from, to], from the ledger's day buckets (the same figures as ledger()'s total row). */
const income = (db: Db, clock: ClinicClock, r: DayRange): Promise<Totals> =>
  periodTotals(db, clock.reflexoId, dayStart(r.from, clock.timeZone), dayEnd(r.to, clock.timeZone));

export interface DoctorName {
  id: number;
  first_name: string;
  last_name_paternal: string;
  last_name_maternal: string | null;
}

export interface AppointmentCounts {
  total: number;
  booked: number;
  completed: number;
  cancelled: number;
  noShow: number;
  bookedMinutes: number;
  /** Percent of all appointments of the period (2 decimals); null without appointments. */
  cancellationRate: number | null;
  noShowRate: number | null;
}

/** n ÷ d as a percent with two decimals (integers in, no float sums); null when d is 0. */
export const percent = (n: number, d: number): number | null => (d ? Math.round((n * 10000) / d) / 100 : null);

const counts = (r: AppointmentGroupRow | undefined): AppointmentCounts => {
  const c = r ?? { total: 0, booked: 0, completed: 0, cancelled: 0, no_show: 0, booked_minutes: 0 };
  return {
    total: c.total,
    booked: c.booked,
    completed: c.completed,
    cancelled: c.cancelled,
    noShow: c.no_show,
    bookedMinutes: c.booked_minutes,
    cancellationRate: percent(c.cancelled, c.total),
    noShowRate: percent(c.no_show, c.total),
  };
};

const byEstado = (rows: AppointmentGroupRow[]) => {
  const found = new Map(rows.filter((r) => r.dim === 'estado').map((r) => [r.key, r.total]));
  return ESTADOS.map((estado) => ({ estado, count: found.get(estado) ?? 0 }));
};

const doctorOf = (r: { doctor_id: number | null; doctor_first_name: string | null; doctor_paternal: string | null; doctor_maternal: string | null }): DoctorName | null =>
  r.doctor_id === null ? null : { id: r.doctor_id, first_name: r.doctor_first_name ?? '', last_name_paternal: r.doctor_paternal ?? '', last_name_maternal: r.doctor_maternal };

export interface Occupancy {
  bookedMinutes: number;
  scheduledMinutes: number;
  /** booked ÷ scheduled × 100; null when nothing is scheduled. */
  rate: number | null;
}
const occupancy = (booked: number, scheduled: number): Occupancy => ({ bookedMinutes: booked, scheduledMinutes: scheduled, rate: percent(booked, scheduled) });

export interface TreatmentCount {
  treatmentId: number | null;
  name: string;
  appointments: number;
}
const TOP = 5;
const topTreatments = (rows: AppointmentGroupRow[]): TreatmentCount[] =>
  rows
    .filter((r) => r.dim === 'tratamiento' && r.key !== null && r.booked > 0)
    .sort((a, b) => b.booked - a.booked || (a.treatment_name ?? '').localeCompare(b.treatment_name ?? ''))
    .slice(0, TOP)
    .map((r) => ({ treatmentId: r.treatment_id, name: r.treatment_name ?? r.key ?? '', appointments: r.booked }));

export interface OutstandingInvoices {
  count: number;
  balance: string;
}

// ---- dashboard --------------------------------------------------------------------------------------

export interface DashboardRecord {
  period: PeriodRecord;
  today: { day: string; total: number; byEstado: { estado: Estado; count: number }[] };
  week: DayRange & Totals;
  month: DayRange & Totals;
  periodIncome: Totals;
  newPatients: number;
  appointments: AppointmentCounts;
  occupancy: Occupancy;
  topTreatments: TreatmentCount[];
  lowStock: number;
  outstandingInvoices: OutstandingInvoices;
}

/** Monday to Sunday of the clinic's week containing `day`. */
const weekOf = (day: string): DayRange => {
  const from = addDays(day, 1 - isoWeekday(day));
  return { from, to: addDays(from, 6) };
};

export async function dashboard(db: Db, actor: Actor | null, q: { start?: string; end?: string }): Promise<DashboardRecord> {
  const clock = await clinicClock(db, actor);
  const period = periodOf(clock, q.start, q.end);
  const id = clock.reflexoId;
  const week = weekOf(clock.today);
  const month = { from: monthStart(clock.today), to: monthEnd(clock.today) };
  // One connection carries the request's transaction: the statements run one after another.
  const today = await appointmentGroups(db, id, { from: clock.today, to: clock.today }, ['estado']);
  const inPeriod = await appointmentGroups(db, id, period, ['tratamiento']);
  // The period is this month unless asked otherwise: the same range is summed once.
  const summed = new Map<string, Totals>();
  const incomeOf = async (r: DayRange) => {
    const key = `${r.from}/${r.to}`;
    if (!summed.has(key)) summed.set(key, await income(db, clock, r));
    return summed.get(key)!;
  };
  const weekTotals = await incomeOf(week);
  const monthTotals = await incomeOf(month);
  const periodIncome = await incomeOf(period);
  const patients = (await newPatientGroups(db, id, clock.timeZone, period, [])).find((r) => r.dim === 'total');
  const scheduled = (await scheduledMinutes(db, id, period)).reduce((s, r) => s + r.minutes, 0);
  const lowStock = (await productPage(db, { reflexoId: id, lowStock: true }, 1, 1)).count;
  const owed = await outstandingInvoices(db, id, OUTSTANDING_STATUSES);
  const all = counts(inPeriod.find((r) => r.dim === 'total'));
  return {
    period,
    today: { day: clock.today, total: counts(today.find((r) => r.dim === 'total')).total, byEstado: byEstado(today) },
    week: { ...week, ...weekTotals },
    month: { ...month, ...monthTotals },
    periodIncome,
    newPatients: patients?.count ?? 0,
    appointments: all,
    occupancy: occupancy(all.bookedMinutes, scheduled),
    topTreatments: topTreatments(inPeriod),
    lowStock,
    outstandingInvoices: owed,
  };
}

// ---- productivity -----------------------------------------------------------------------------------

export interface DoctorProductivity {
  doctor: DoctorName;
  active: boolean;
  appointments: AppointmentCounts;
  occupancy: Occupancy;
  income: Totals;
}

export interface ProductivityRecord {
  period: PeriodRecord;
  doctors: DoctorProductivity[];
  totals: { appointments: AppointmentCounts; occupancy: Occupancy; income: Totals };
  /** Ledger entries of the period with no doctor (sales, expenses of the clinic). */
  withoutDoctor: Totals;
}

export async function productivity(db: Db, actor: Actor | null, q: { start?: string; end?: string }): Promise<ProductivityRecord> {
  const clock = await clinicClock(db, actor);
  const period = periodOf(clock, q.start, q.end);
  const doctors = await clinicDoctors(db, clock.reflexoId);
  const appts = await appointmentGroups(db, clock.reflexoId, period, ['doctor']);
  const scheduled = new Map((await scheduledMinutes(db, clock.reflexoId, period)).map((r) => [r.doctor_id, r.minutes]));
  const money = await ledger(db, clock, period, ['doctor']);
  const apptOf = new Map(appts.filter((r) => r.dim === 'doctor').map((r) => [r.doctor_id, r]));
  const moneyOf = new Map(money.filter((r) => r.dim === 'doctor').map((r) => [r.doctor_id, r]));
  const total = counts(appts.find((r) => r.dim === 'total'));
  return {
    period,
    doctors: doctors.map((d) => {
      const a = counts(apptOf.get(d.id));
      return {
        doctor: { id: d.id, first_name: d.first_name, last_name_paternal: d.last_name_paternal, last_name_maternal: d.last_name_maternal },
        active: d.is_active,
        appointments: a,
        occupancy: occupancy(a.bookedMinutes, scheduled.get(d.id) ?? 0),
        income: pick(moneyOf.get(d.id)),
      };
    }),
    totals: { appointments: total, occupancy: occupancy(total.bookedMinutes, [...scheduled.values()].reduce((s, m) => s + m, 0)), income: pick(money.find((r) => r.dim === 'total')) },
    withoutDoctor: pick(moneyOf.get(null)),
  };
}

// ---- financial --------------------------------------------------------------------------------------

export interface FinancialRecord {
  period: PeriodRecord;
  totals: Totals;
  byDay: (Totals & { day: string })[];
  byMonth: (Totals & { month: string })[];
  byMethod: (Totals & { key: string })[];
  byConcept: (Totals & { key: string })[];
  bySource: (Totals & { key: string })[];
  invoices: InvoiceTotalsRow;
}

const monthsOf = (r: DayRange) => [...new Set(daysBetween(r.from, r.to).map((d) => d.slice(0, 7)))];
const keyedRows = (rows: GroupRow[], dim: Dimension) => rows.filter((r) => r.dim === dim).map((r) => ({ key: r.key ?? '', ...pick(r) }));

export async function financial(db: Db, actor: Actor | null, q: { start?: string; end?: string }): Promise<FinancialRecord> {
  const clock = await clinicClock(db, actor);
  const period = periodOf(clock, q.start, q.end);
  const rows = await ledger(db, clock, period, ['dia', 'mes', 'medio', 'concepto', 'origen']);
  const invoices = await invoiceTotals(db, clock.reflexoId, period, OUTSTANDING_STATUSES);
  const perDay = new Map(keyedRows(rows, 'dia').map((r) => [r.key, r]));
  const perMonth = new Map(keyedRows(rows, 'mes').map((r) => [r.key, r]));
  return {
    period,
    totals: pick(rows.find((r) => r.dim === 'total')),
    byDay: daysBetween(period.from, period.to).map((day) => ({ day, ...pick(perDay.get(day) as GroupRow | undefined) })),
    byMonth: monthsOf(period).map((month) => ({ month, ...pick(perMonth.get(month) as GroupRow | undefined) })),
    byMethod: keyedRows(rows, 'medio'),
    byConcept: keyedRows(rows, 'concepto'),
    bySource: keyedRows(rows, 'origen'),
    invoices,
  };
}

// ---- patients ---------------------------------------------------------------------------------------

export interface PatientsRecord {
  period: PeriodRecord;
  registered: number;
  newPatients: number;
  byMonth: { month: string; count: number }[];
  bySource: { key: string | null; count: number }[];
  byInsurer: { key: string | null; count: number }[];
  byBusinessLine: { key: string | null; count: number }[];
  byStatus: { key: string | null; count: number }[];
  seen: { total: number; firstTime: number; returning: number };
}

const patientKeyed = (rows: PatientGroupRow[], dim: PatientGroupRow['dim']) => rows.filter((r) => r.dim === dim).map((r) => ({ key: r.key, count: r.count }));

export async function patientsReport(db: Db, actor: Actor | null, q: { start?: string; end?: string }): Promise<PatientsRecord> {
  const clock = await clinicClock(db, actor);
  const period = periodOf(clock, q.start, q.end);
  const rows = await newPatientGroups(db, clock.reflexoId, clock.timeZone, period, ['mes', 'fuente', 'aseguradora', 'linea', 'estado']);
  const visits = await patientVisits(db, clock.reflexoId, period);
  const perMonth = new Map(patientKeyed(rows, 'mes').map((r) => [r.key, r.count]));
  return {
    period,
    registered: visits.registered,
    newPatients: rows.find((r) => r.dim === 'total')?.count ?? 0,
    byMonth: monthsOf(period).map((month) => ({ month, count: perMonth.get(month) ?? 0 })),
    bySource: patientKeyed(rows, 'fuente'),
    byInsurer: patientKeyed(rows, 'aseguradora'),
    byBusinessLine: patientKeyed(rows, 'linea'),
    byStatus: patientKeyed(rows, 'estado'),
    seen: { total: visits.seen, firstTime: visits.first_time, returning: visits.returning },
  };
}

// ---- appointments -----------------------------------------------------------------------------------

export interface AppointmentsRecord {
  period: PeriodRecord;
  totals: AppointmentCounts;
  byEstado: { estado: Estado; count: number }[];
  byWeekday: ({ weekday: number } & AppointmentCounts)[];
  byHour: ({ hour: number } & AppointmentCounts)[];
  byDoctor: ({ doctor: DoctorName | null } & AppointmentCounts)[];
}

export async function appointmentsReport(db: Db, actor: Actor | null, q: { start?: string; end?: string }): Promise<AppointmentsRecord> {
  const clock = await clinicClock(db, actor);
  const period = periodOf(clock, q.start, q.end);
  const rows = await appointmentGroups(db, clock.reflexoId, period, ['estado', 'dia_semana', 'hora', 'doctor']);
  const perWeekday = new Map(rows.filter((r) => r.dim === 'dia_semana').map((r) => [Number(r.key), r]));
  return {
    period,
    totals: counts(rows.find((r) => r.dim === 'total')),
    byEstado: byEstado(rows),
    byWeekday: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, ...counts(perWeekday.get(weekday)) })),
    byHour: rows
      .filter((r) => r.dim === 'hora')
      .map((r) => ({ hour: Number(r.key), ...counts(r) }))
      .sort((a, b) => a.hour - b.hour),
    byDoctor: rows.filter((r) => r.dim === 'doctor').map((r) => ({ doctor: doctorOf(r), ...counts(r) })),
  };
}

// ---- inventory --------------------------------------------------------------------------------------

export interface InventoryRecord {
  period: PeriodRecord;
  products: number;
  units: string;
  valueAtCost: string;
  valueAtPrice: string;
  movements: { kind: string; count: number; unitsIn: string; unitsOut: string; value: string }[];
  lowStock: { id: number; name: string; sku: string | null; unit: string; stock: string; minStock: string }[];
}

const MOVEMENT_KINDS = ['entrada', 'salida', 'ajuste'];

export async function inventoryReport(db: Db, actor: Actor | null, q: { start?: string; end?: string }): Promise<InventoryRecord> {
  const clock = await clinicClock(db, actor);
  const period = periodOf(clock, q.start, q.end);
  const value = await stockValue(db, clock.reflexoId);
  const moves = new Map((await movementTotals(db, clock.reflexoId, clock.timeZone, period)).map((m) => [m.kind, m]));
  // The same rule as GET /products/low-stock: active products at or below their minimum.
  const low = await productQuery(db, { reflexoId: clock.reflexoId, lowStock: true }).execute();
  return {
    period,
    products: value.products,
    units: value.units,
    valueAtCost: value.at_cost,
    valueAtPrice: value.at_price,
    movements: MOVEMENT_KINDS.map((kind) => {
      const m = moves.get(kind);
      return { kind, count: m?.count ?? 0, unitsIn: m?.units_in ?? '0.00', unitsOut: m?.units_out ?? '0.00', value: m?.value ?? '0.00' };
    }),
    lowStock: low.map((p) => ({ id: p.id, name: p.name, sku: p.sku, unit: p.unit, stock: p.stock, minStock: p.min_stock })),
  };
}

// ---- statistics -------------------------------------------------------------------------------------

export interface Headline {
  appointments: AppointmentCounts;
  occupancy: Occupancy;
  income: Totals;
  /** Clinic: patients registered in the period; doctor: distinct patients seen. */
  patients: number;
}

export interface StatisticsRecord {
  period: PeriodRecord;
  previous: DayRange;
  doctor: DoctorName | null;
  current: Headline;
  before: Headline;
}

/** The sum of per-day appointment rows (every count is additive over days; distinct patients are not). */
const sumDays = (rows: AppointmentGroupRow[], r: DayRange): AppointmentGroupRow => {
  const t = { dim: 'total', key: null, doctor_id: null, doctor_first_name: null, doctor_paternal: null, doctor_maternal: null, treatment_name: null, treatment_id: null, total: 0, booked: 0, completed: 0, cancelled: 0, no_show: 0, booked_minutes: 0, patients: null } as AppointmentGroupRow;
  for (const x of rows) {
    if (x.dim !== 'fecha' || x.key! < r.from || x.key! > r.to) continue;
    t.total += x.total;
    t.booked += x.booked;
    t.completed += x.completed;
    t.cancelled += x.cancelled;
    t.no_show += x.no_show;
    t.booked_minutes += x.booked_minutes;
  }
  return t;
};

/**
 * The clinic's headline figures for the period and the one before: the appointments of both in one
 * pass (per day, summed per period), the ledger and the schedules per period.
 */
async function clinicHeadlines(db: Db, clock: ClinicClock, period: DayRange, previous: DayRange): Promise<[Headline, Headline]> {
  const days = await appointmentGroups(db, clock.reflexoId, { from: previous.from, to: period.to }, ['fecha']);
  const one = async (r: DayRange): Promise<Headline> => {
    const a = counts(sumDays(days, r));
    const scheduled = (await scheduledMinutes(db, clock.reflexoId, r)).reduce((s, x) => s + x.minutes, 0);
    const money = await income(db, clock, r);
    const patients = (await newPatientGroups(db, clock.reflexoId, clock.timeZone, r, [])).find((x) => x.dim === 'total')?.count ?? 0;
    return { appointments: a, occupancy: occupancy(a.bookedMinutes, scheduled), income: money, patients };
  };
  return [await one(period), await one(previous)];
}

async function doctorHeadline(db: Db, clock: ClinicClock, r: DayRange, doctorId: number): Promise<Headline> {
  const total = (await appointmentGroups(db, clock.reflexoId, r, [], { doctorId, patients: true })).find((x) => x.dim === 'total');
  const a = counts(total);
  const scheduled = (await scheduledMinutes(db, clock.reflexoId, r, doctorId)).reduce((s, x) => s + x.minutes, 0);
  const money = await ledger(db, clock, r, ['doctor']);
  return { appointments: a, occupancy: occupancy(a.bookedMinutes, scheduled), income: pick(money.find((x) => x.dim === 'doctor' && x.doctor_id === doctorId)), patients: total?.patients ?? 0 };
}

export async function clinicStatistics(db: Db, actor: Actor | null, q: { start?: string; end?: string }): Promise<StatisticsRecord> {
  const clock = await clinicClock(db, actor);
  const period = periodOf(clock, q.start, q.end);
  const previous = previousPeriod(period);
  const [current, before] = await clinicHeadlines(db, clock, period, previous);
  return { period, previous, doctor: null, current, before };
}

export async function doctorStatistics(db: Db, actor: Actor | null, doctorId: number, q: { start?: string; end?: string }): Promise<StatisticsRecord> {
  const clock = await clinicClock(db, actor);
  if (!(await doctorOfClinic(db, clock.reflexoId, doctorId))) throw new NotFound('Doctor no encontrado.');
  const period = periodOf(clock, q.start, q.end);
  const previous = previousPeriod(period);
  const doctor = (await clinicDoctors(db, clock.reflexoId)).find((d) => d.id === doctorId)!;
  return {
    period,
    previous,
    doctor: { id: doctor.id, first_name: doctor.first_name, last_name_paternal: doctor.last_name_paternal, last_name_maternal: doctor.last_name_maternal },
    current: await doctorHeadline(db, clock, period, doctorId),
    before: await doctorHeadline(db, clock, previous, doctorId),
  };
}

/** Change from `before` to `now` in percent (2 decimals); null when `before` is 0. Decimal strings are compared in cents. */
export function change(now: number | string, before: number | string): number | null {
  const c = (v: number | string) => (typeof v === 'number' ? Math.round(v * 100) : centsOf(v));
  const b = c(before);
  return b === 0 ? null : Math.round(((c(now) - b) * 10000) / Math.abs(b)) / 100;
}
const centsOf = (v: string) => {
  const neg = v.startsWith('-');
  const [i, f = ''] = v.replace('-', '').split('.');
  const n = Number(i) * 100 + Number(f.padEnd(2, '0').slice(0, 2));
  return neg ? -n : n;
};

// ---- exports (xlsx, pdf) ----------------------------------------------------------------------------

export type ReportName = 'dashboard' | 'productivity' | 'financial' | 'patients' | 'appointments' | 'inventory';
export interface ExportFile {
  data: Buffer;
  contentType: string;
  filename: string;
}

const col = (key: string, header: string, kind: Column['kind'], width: number): Column => ({ key, header, kind, width });
const hours = (minutes: number) => (Math.round((minutes / 60) * 100) / 100).toFixed(2);
const fullName = (d: DoctorName | null) => (d ? [d.first_name, d.last_name_paternal, d.last_name_maternal].filter(Boolean).join(' ') : 'Sin doctor');
const pct = (v: number | null) => (v === null ? null : v.toFixed(2));
const totalsCols = [col('ingresos', 'Ingresos', 'money', 16), col('egresos', 'Egresos', 'money', 16), col('balance', 'Balance', 'money', 16), col('cantidad', 'Movimientos', 'int', 12)];
const totalsRow = (t: Totals): Row => ({ ingresos: t.ingresos, egresos: t.egresos, balance: t.balance, cantidad: t.cantidad });
const kv = (name: string, rows: [string, string | number | null][]): Table => ({
  name,
  columns: [col('indicador', 'Indicador', 'text', 40), col('valor', 'Valor', 'text', 24)],
  rows: rows.map(([indicador, valor]) => ({ indicador, valor: valor === null ? '—' : String(valor) })),
});
const countCols = [col('citas', 'Citas', 'int', 10), col('completadas', 'Completadas', 'int', 12), col('canceladas', 'Canceladas', 'int', 12), col('no_asistio', 'No asistió', 'int', 12)];
const countRow = (a: AppointmentCounts): Row => ({ citas: a.total, completadas: a.completed, canceladas: a.cancelled, no_asistio: a.noShow });
const WEEKDAYS = ['Lunes', 'Martes', 'Miércoles', 'Jueves', 'Viernes', 'Sábado', 'Domingo'];

const TITLES: Record<ReportName, string> = {
  dashboard: 'Panel de indicadores',
  productivity: 'Productividad por doctor',
  financial: 'Reporte financiero',
  patients: 'Reporte de pacientes',
  appointments: 'Reporte de citas',
  inventory: 'Reporte de inventario',
};

async function tablesOf(db: Db, actor: Actor | null, name: ReportName, q: { start?: string; end?: string }): Promise<{ period: PeriodRecord; tables: Table[] }> {
  switch (name) {
    case 'dashboard': {
      const d = await dashboard(db, actor, q);
      return {
        period: d.period,
        tables: [
          kv('Indicadores', [
            ['Citas de hoy', d.today.total],
            ...d.today.byEstado.map((e): [string, number] => [`Hoy: ${e.estado}`, e.count]),
            ['Ingresos de la semana (S/)', d.week.ingresos],
            ['Ingresos del mes (S/)', d.month.ingresos],
            ['Ingresos del periodo (S/)', d.periodIncome.ingresos],
            ['Pacientes nuevos', d.newPatients],
            ['Citas del periodo', d.appointments.total],
            ['Tasa de inasistencia (%)', pct(d.appointments.noShowRate)],
            ['Tasa de cancelación (%)', pct(d.appointments.cancellationRate)],
            ['Horas reservadas', hours(d.occupancy.bookedMinutes)],
            ['Horas programadas', hours(d.occupancy.scheduledMinutes)],
            ['Ocupación (%)', pct(d.occupancy.rate)],
            ['Productos con stock bajo', d.lowStock],
            ['Facturas pendientes', d.outstandingInvoices.count],
            ['Saldo pendiente de facturas (S/)', d.outstandingInvoices.balance],
          ]),
          {
            name: 'Tratamientos más solicitados',
            columns: [col('tratamiento', 'Tratamiento', 'text', 40), col('citas', 'Citas', 'int', 10)],
            rows: d.topTreatments.map((t) => ({ tratamiento: t.name, citas: t.appointments })),
            emptyMessage: 'No hay citas con tratamiento en el periodo.',
          },
        ],
      };
    }
    case 'productivity': {
      const p = await productivity(db, actor, q);
      return {
        period: p.period,
        tables: [
          {
            name: 'Productividad',
            columns: [col('doctor', 'Doctor', 'text', 32), ...countCols, col('reservadas', 'Horas reservadas', 'text', 14), col('programadas', 'Horas programadas', 'text', 14), col('ocupacion', 'Ocupación', 'percent', 12), col('ingresos', 'Ingresos', 'money', 16)],
            rows: p.doctors.map((d) => ({ doctor: fullName(d.doctor), ...countRow(d.appointments), reservadas: hours(d.occupancy.bookedMinutes), programadas: hours(d.occupancy.scheduledMinutes), ocupacion: pct(d.occupancy.rate), ingresos: d.income.ingresos })),
            totals: { label: 'TOTAL', values: { ...countRow(p.totals.appointments), reservadas: hours(p.totals.occupancy.bookedMinutes), programadas: hours(p.totals.occupancy.scheduledMinutes), ocupacion: pct(p.totals.occupancy.rate), ingresos: p.totals.income.ingresos } },
            emptyMessage: 'La clínica no tiene doctores.',
          },
        ],
      };
    }
    case 'financial': {
      const f = await financial(db, actor, q);
      const keyedTable = (tableName: string, header: string, rows: (Totals & { key: string })[]): Table => ({
        name: tableName,
        columns: [col('clave', header, 'text', 30), ...totalsCols],
        rows: rows.map((r) => ({ clave: r.key, ...totalsRow(r) })),
        totals: { label: 'TOTAL', values: totalsRow(f.totals) },
        emptyMessage: 'No hay movimientos en el periodo.',
      });
      const i = f.invoices;
      return {
        period: f.period,
        tables: [
          { name: 'Por día', columns: [col('fecha', 'Fecha', 'date', 12), ...totalsCols], rows: f.byDay.map((r) => ({ fecha: r.day, ...totalsRow(r) })), totals: { label: 'TOTAL', values: totalsRow(f.totals) } },
          { name: 'Por mes', columns: [col('mes', 'Mes', 'text', 12), ...totalsCols], rows: f.byMonth.map((r) => ({ mes: r.month, ...totalsRow(r) })), totals: { label: 'TOTAL', values: totalsRow(f.totals) } },
          keyedTable('Por medio de pago', 'Medio de pago', f.byMethod),
          keyedTable('Por concepto', 'Concepto', f.byConcept),
          {
            name: 'Facturas',
            columns: [col('estado', 'Facturas', 'text', 30), col('cantidad', 'Cantidad', 'int', 12), col('monto', 'Monto', 'money', 16)],
            rows: [
              { estado: 'Emitidas', cantidad: i.issued, monto: i.issued_total },
              { estado: 'Pagadas', cantidad: i.paid, monto: i.paid_total },
              { estado: 'Pendientes (saldo)', cantidad: i.outstanding, monto: i.outstanding_balance },
              { estado: 'Anuladas', cantidad: i.annulled, monto: i.annulled_total },
              { estado: 'Cobrado', cantidad: null, monto: i.collected },
            ],
          },
        ],
      };
    }
    case 'patients': {
      const p = await patientsReport(db, actor, q);
      const keyedTable = (tableName: string, header: string, rows: { key: string | null; count: number }[]): Table => ({
        name: tableName,
        columns: [col('clave', header, 'text', 30), col('pacientes', 'Pacientes nuevos', 'int', 16)],
        rows: rows.map((r) => ({ clave: r.key ?? 'Sin dato', pacientes: r.count })),
        totals: { label: 'TOTAL', values: { pacientes: p.newPatients } },
        emptyMessage: 'No hay pacientes nuevos en el periodo.',
      });
      return {
        period: p.period,
        tables: [
          kv('Resumen', [
            ['Pacientes registrados (total)', p.registered],
            ['Pacientes nuevos en el periodo', p.newPatients],
            ['Pacientes atendidos', p.seen.total],
            ['Atendidos por primera vez', p.seen.firstTime],
            ['Atendidos que regresan', p.seen.returning],
          ]),
          { name: 'Nuevos por mes', columns: [col('mes', 'Mes', 'text', 12), col('pacientes', 'Pacientes nuevos', 'int', 16)], rows: p.byMonth.map((m) => ({ mes: m.month, pacientes: m.count })), totals: { label: 'TOTAL', values: { pacientes: p.newPatients } } },
          keyedTable('Por fuente de captación', 'Fuente de captación', p.bySource),
          keyedTable('Por aseguradora', 'Aseguradora', p.byInsurer),
          keyedTable('Por línea de negocio', 'Línea de negocio', p.byBusinessLine),
          keyedTable('Por estado', 'Estado', p.byStatus),
        ],
      };
    }
    case 'appointments': {
      const a = await appointmentsReport(db, actor, q);
      return {
        period: a.period,
        tables: [
          { name: 'Por estado', columns: [col('estado', 'Estado', 'text', 20), col('citas', 'Citas', 'int', 10)], rows: a.byEstado.map((e) => ({ estado: e.estado, citas: e.count })), totals: { label: 'TOTAL', values: { citas: a.totals.total } } },
          { name: 'Por día de la semana', columns: [col('dia', 'Día', 'text', 14), ...countCols], rows: a.byWeekday.map((w) => ({ dia: WEEKDAYS[w.weekday - 1], ...countRow(w) })), totals: { label: 'TOTAL', values: countRow(a.totals) } },
          { name: 'Por hora', columns: [col('hora', 'Hora', 'text', 10), ...countCols], rows: a.byHour.map((h) => ({ hora: `${String(h.hour).padStart(2, '0')}:00`, ...countRow(h) })), totals: { label: 'TOTAL', values: countRow(a.totals) }, emptyMessage: 'No hay citas en el periodo.' },
          { name: 'Por doctor', columns: [col('doctor', 'Doctor', 'text', 32), ...countCols], rows: a.byDoctor.map((d) => ({ doctor: fullName(d.doctor), ...countRow(d) })), totals: { label: 'TOTAL', values: countRow(a.totals) }, emptyMessage: 'No hay citas en el periodo.' },
          kv('Tasas', [
            ['Tasa de cancelación (%)', pct(a.totals.cancellationRate)],
            ['Tasa de inasistencia (%)', pct(a.totals.noShowRate)],
          ]),
        ],
      };
    }
    case 'inventory': {
      const v = await inventoryReport(db, actor, q);
      return {
        period: v.period,
        tables: [
          kv('Valor del stock', [
            ['Productos activos', v.products],
            ['Unidades en stock', v.units],
            ['Valor al costo (S/)', v.valueAtCost],
            ['Valor a precio de venta (S/)', v.valueAtPrice],
          ]),
          {
            name: 'Movimientos',
            columns: [col('tipo', 'Tipo', 'text', 14), col('movimientos', 'Movimientos', 'int', 12), col('entran', 'Unidades que entran', 'text', 18), col('salen', 'Unidades que salen', 'text', 18), col('valor', 'Valor al costo', 'money', 16)],
            rows: v.movements.map((m) => ({ tipo: m.kind, movimientos: m.count, entran: m.unitsIn, salen: m.unitsOut, valor: m.value })),
          },
          {
            name: 'Stock bajo',
            columns: [col('id', 'ID', 'int', 8), col('producto', 'Producto', 'text', 36), col('sku', 'SKU', 'text', 14), col('stock', 'Stock', 'text', 12), col('minimo', 'Stock mínimo', 'text', 12)],
            rows: v.lowStock.map((p) => ({ id: p.id, producto: p.name, sku: p.sku, stock: p.stock, minimo: p.minStock })),
            emptyMessage: 'Ningún producto está en su stock mínimo o por debajo.',
          },
        ],
      };
    }
  }
}

/** A report as an Excel workbook (one sheet per table) or a PDF, through the exports layer; audited. */
export async function reportExport(db: Db, actor: Actor | null, name: ReportName, format: 'xlsx' | 'pdf', q: { start?: string; end?: string }): Promise<ExportFile> {
  const { period, tables } = await tablesOf(db, actor, name, q);
  const scope = await reportScope(db, actor);
  const report: Report = {
    companyName: scope.companyName,
    title: TITLES[name],
    period: `Del ${displayDate(period.from)} al ${displayDate(period.to)}`,
    generated: `Generado el ${displayDate(scope.nowLocal.slice(0, 10))} ${scope.nowLocal.slice(11)} (${scope.timeZone})`,
    tables,
    landscape: name === 'productivity',
  };
  const filename = `reporte_${name}_${period.from}_a_${period.to}`;
  await recordAudit(db, { action: 'export', entity: 'report', entityId: `v1-${name}.${format}`, reflexoId: scope.reflexoId });
  if (format === 'xlsx') return { data: await buildWorkbook(report), contentType: XLSX_TYPE, filename: `${filename}.xlsx` };
  return { data: await buildPdf({ ...report, logo: await logoBytes(scope.logoKey) }), contentType: PDF_TYPE, filename: `${filename}.pdf` };
}

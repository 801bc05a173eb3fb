import type { Db } from '../db/tenant';
import { NotFound, ValidationError } from '../errors';
import type { Actor } from '../auth/actor';
import { selectLetterhead } from '../queries/company';
import {
  appointmentsBetween,
  appointmentsPerTherapist,
  dailyCash,
  dailyCashByType,
  paidTickets,
  paidTicketsSummary,
  patientsPerTherapist,
  pettyCash,
  pettyCashSummary,
  statsByPaymentType,
  statsByTherapist,
  statsByWeekday,
  statsTotals,
  sumPaymentsBetween,
} from '../queries/company-reports';
import { tenantForWrite } from './tenancy';

/*
 * Statistics and reports of one clinic. Dates are the clinic's calendar days; a missing `date`
 * means today in the clinic's time zone. Money stays a decimal string from SQL; the statistics
 * contract shows plain numbers, so those are converted at the edge, never added up in JavaScript.
 */

/** Longest range a report or export accepts: a year, so a request stays within the Lambda's limits. */
export const MAX_RANGE_DAYS = 366;

export interface ReportScope {
  reflexoId: number;
  timeZone: string;
  today: string;
  nowLocal: string;
  companyName: string;
  logoKey: string | null;
}

/**
 * The clinic a report is about: the caller's own, or for a global administrator the one named by
 * `reflexo_id` (reports never mix clinics).
 */
export async function reportScope(db: Db, actor: Actor | null, requested?: number): Promise<ReportScope> {
  let reflexoId: number;
  try {
    reflexoId = tenantForWrite(actor, requested);
  } catch (err) {
    // The same rule as writes, but the value arrives in the query string.
    if (err instanceof ValidationError) throw new ValidationError(err.issues.map((i) => ({ ...i, loc: ['query', 'reflexo_id'] })));
    throw err;
  }
  const row = await selectLetterhead(db, reflexoId);
  if (!row) throw new NotFound('Empresa no encontrada.');
  return {
    reflexoId,
    timeZone: row.time_zone,
    today: row.today,
    nowLocal: row.now_local,
    companyName: row.company_name ?? row.tenant_name,
    logoKey: row.logo_key,
  };
}

const queryError = (field: string, msg: string, type = 'value_error') => new ValidationError([{ loc: ['query', field], msg, type }]);

function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** A `YYYY-MM-DD` query value; absent or empty means `fallback` (or required when there is none). */
export function parseDay(value: string | undefined, field: string, fallback?: string): string {
  if (value === undefined || value === '') {
    if (fallback !== undefined) return fallback;
    throw queryError(field, 'Este campo es requerido.', 'missing');
  }
  if (!isCalendarDate(value)) throw queryError(field, 'Formato de fecha inválido. Use YYYY-MM-DD.', 'invalid_date');
  return value;
}

/** A one-day report or export for the caller's clinic: `date`, default today in the clinic's time zone. */
export async function runDayReport<T>(
  db: Db,
  actor: Actor | null,
  query: { reflexo_id?: number; date?: string },
  build: (db: Db, scope: ReportScope, day: string) => Promise<T>,
): Promise<T> {
  const scope = await reportScope(db, actor, query.reflexo_id);
  return build(db, scope, parseDay(query.date, 'date', scope.today));
}

const daysBetween = (a: string, b: string) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);

/** Both ends required, start ≤ end, at most MAX_RANGE_DAYS days. */
export function parseRange(startValue: string | undefined, endValue: string | undefined, names: [string, string]): { start: string; end: string } {
  const issues = [];
  let start: string | undefined;
  let end: string | undefined;
  for (const [i, value] of [startValue, endValue].entries()) {
    try {
      const v = parseDay(value, names[i]);
      if (i === 0) start = v;
      else end = v;
    } catch (err) {
      issues.push(...(err as ValidationError).issues);
    }
  }
  if (issues.length) throw new ValidationError(issues);
  if (start! > end!) throw new ValidationError([{ loc: ['query'], msg: 'La fecha de inicio no puede ser posterior a la fecha de fin.', type: 'range' }]);
  if (daysBetween(start!, end!) + 1 > MAX_RANGE_DAYS) {
    throw new ValidationError([{ loc: ['query'], msg: `El rango no puede superar ${MAX_RANGE_DAYS} días.`, type: 'range' }]);
  }
  return { start: start!, end: end! };
}

// ---- statistics -------------------------------------------------------------------------------------

const WEEKDAYS = ['Lunes', 'Martes', 'Miércoles', 'Jueves', 'Viernes', 'Sábado', 'Domingo'];

/** A decimal string from SQL as the JSON number the statistics contract shows ("150.50" → 150.5). */
const asNumber = (decimal: string) => Number(decimal);

/*
 * The rating the dashboard shows: 70 % sessions and 30 % income, each relative to the average
 * therapist of the period, scaled so the best therapist has 5. A score, not money.
 */
function ratings(stats: { sessions: number; income: string }[]): number[] {
  if (!stats.length) return [];
  const avgSessions = stats.reduce((s, t) => s + t.sessions, 0) / stats.length;
  const avgIncome = stats.reduce((s, t) => s + Number(t.income), 0) / stats.length;
  const raw = stats.map((t) => (t.sessions / avgSessions) * 0.7 + (avgIncome > 0 ? (Number(t.income) / avgIncome) * 0.3 : 0.3));
  const best = Math.max(...raw);
  return raw.map((r) => (best > 0 ? Math.round((r / best) * 5 * 100) / 100 : 0));
}

export async function statistics(db: Db, scope: ReportScope, start: string, end: string) {
  // One connection carries the request's transaction, so queries run one after another.
  const [totals] = await statsTotals(db, scope.reflexoId, start, end);
  const therapists = await statsByTherapist(db, scope.reflexoId, start, end);
  const payTypes = await statsByPaymentType(db, scope.reflexoId, start, end);
  const weekdays = await statsByWeekday(db, scope.reflexoId, start, end);
  const rating = ratings(therapists);
  return {
    terapeutas: therapists.map((t, i) => ({ id: t.id, terapeuta: t.name, sesiones: t.sessions, ingresos: asNumber(t.income), raiting: rating[i] })),
    tipos_pago: Object.fromEntries(payTypes.map((p) => [p.name, p.uses])),
    metricas: { ttlpacientes: totals.patients, ttlsesiones: totals.sessions, ttlganancias: asNumber(totals.income) },
    ingresos: Object.fromEntries(weekdays.map((w) => [WEEKDAYS[w.dow - 1], asNumber(w.income)])),
    sesiones: Object.fromEntries(weekdays.map((w) => [WEEKDAYS[w.dow - 1], w.sessions])),
    tipos_pacientes: { c: totals.c, cc: totals.cc },
  };
}

// ---- JSON reports -------------------------------------------------------------------------------------

export async function appointmentsPerTherapistReport(db: Db, scope: ReportScope, day: string) {
  const rows = await appointmentsPerTherapist(db, scope.reflexoId, day);
  return {
    therapists_appointments: rows.map((r) => ({ ...r, percentage: asNumber(r.percentage) })),
    total_appointments_count: rows.reduce((s, r) => s + r.appointments_count, 0),
  };
}

export const dailyCashReport = (db: Db, scope: ReportScope, day: string) => dailyCash(db, scope.reflexoId, day);

export async function dailyCashWithTotals(db: Db, scope: ReportScope, day: string) {
  const rows = await dailyCash(db, scope.reflexoId, day);
  const byType = await dailyCashByType(db, scope.reflexoId, day);
  const grand = byType.find((r) => r.payment_type_name === null);
  return { rows, byType: byType.filter((r) => r.payment_type_name !== null), total: grand?.total ?? '0.00', count: grand?.count ?? 0 };
}

export async function patientsByTherapistReport(db: Db, scope: ReportScope, day: string) {
  const rows = await patientsPerTherapist(db, scope.reflexoId, day);
  const groups = new Map<number, { therapist_id: string; therapist: string; patients: { patient_id: number; patient: string; appointments: number }[] }>();
  for (const r of rows) {
    let g = groups.get(r.therapist_id);
    if (!g) groups.set(r.therapist_id, (g = { therapist_id: String(r.therapist_id), therapist: r.therapist, patients: [] }));
    g.patients.push({ patient_id: r.patient_id, patient: r.patient, appointments: r.appointments });
  }
  return [...groups.values()];
}

export async function appointmentsBetweenReport(db: Db, scope: ReportScope, start: string, end: string) {
  return (await appointmentsBetween(db, scope.reflexoId, start, end)).map((r) => ({
    appointment_id: r.appointment_id,
    patient_id: r.patient_id,
    document_number_patient: r.document_number_patient,
    patient: r.patient,
    primary_phone_patient: r.primary_phone_patient,
    appointment_date: r.appointment_date,
    appointment_hour: r.appointment_hour,
  }));
}

export async function appointmentsBetweenWithTotals(db: Db, scope: ReportScope, start: string, end: string) {
  const rows = await appointmentsBetween(db, scope.reflexoId, start, end);
  const [sum] = await sumPaymentsBetween(db, scope.reflexoId, start, end);
  return { rows, count: sum.count, total: sum.total };
}

/** Improved petty cash: the day's payments in detail, a summary per method, the grand total and count. */
export async function improvedDailyCash(db: Db, scope: ReportScope, day: string) {
  const lines = await pettyCash(db, scope.reflexoId, day, scope.timeZone);
  const summary = await pettyCashSummary(db, scope.reflexoId, day, scope.timeZone);
  const grand = summary.find((s) => s.metodo === null);
  return {
    fecha: day,
    pagos_detallados: lines,
    resumen_por_metodo: summary.filter((s) => s.metodo !== null).map((s) => ({ metodo: s.metodo!, cantidad_pagos: s.cantidad_pagos, total: s.total })),
    total_general: grand?.total ?? '0.00',
    cantidad_total_pagos: grand?.cantidad_pagos ?? 0,
  };
}

export async function dailyPaidTickets(db: Db, scope: ReportScope, day: string) {
  const tickets = await paidTickets(db, scope.reflexoId, day, scope.timeZone);
  const summary = await paidTicketsSummary(db, scope.reflexoId, day, scope.timeZone);
  const grand = summary.find((s) => s.metodo === null);
  return {
    fecha: day,
    tickets_pagados: tickets,
    resumen_por_metodo: summary.filter((s) => s.metodo !== null).map((s) => ({ metodo: s.metodo!, cantidad_tickets: s.cantidad_tickets, total: s.total })),
    total_general: grand?.total ?? '0.00',
    cantidad_tickets: grand?.cantidad_tickets ?? 0,
  };
}

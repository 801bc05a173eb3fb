import type { Db } from '../db/tenant';
import { NotFound, ValidationError } from '../errors';
import type { Actor } from '../auth/actor';
import { selectLetterhead } from '../queries/company';
import {
  appointmentPayments,
  appointmentPaymentsByType,
  appointmentTotals,
  cashReceived,
  cashReceivedByMethod,
  countedAppointments,
  paidTickets,
  paidTicketsByMethod,
  sessionsByTherapist,
  sessionsByTherapistAndPatient,
  statisticsGroups,
  type ClinicPeriod,
  type StatisticsGroupRow,
} from '../queries/company-reports';
import { tenantForWrite } from './tenancy';

/*
 * Statistics and reports of one clinic over a span of its calendar days, as records both surfaces
 * shape their own way (Reflexo's Spanish keys and string/number choices live beside its route tables).
 * What counts (live appointments, tickets paid on the clinic's local day) is decided once, in
 * lib/queries/company-reports.ts. Money stays the decimal string PostgreSQL summed; nothing here adds
 * money up in JavaScript.
 */

/** Longest range a report or export accepts: a year, so a request stays within the Lambda's limits. */
export const MAX_RANGE_DAYS = 366;

export interface ReportScope {
  reflexoId: number;
  timeZone: string;
  /** The clinic's calendar day and wall-clock time now (`YYYY-MM-DD`, `YYYY-MM-DD HH:MM`). */
  today: string;
  nowLocal: string;
  /** The clinic's first company name, else the tenant's name: the letterhead of exports. */
  companyName: string;
  logoKey: string | null;
}

/** Local calendar days, `YYYY-MM-DD`, both included. */
export interface Period {
  from: string;
  to: string;
}

export const oneDay = (day: string): Period => ({ from: day, to: day });

const clinicPeriod = (scope: ReportScope, period: Period): ClinicPeriod => ({ reflexoId: scope.reflexoId, timeZone: scope.timeZone, from: period.from, to: period.to });

/**
 * The clinic a report is about: the caller's own, or for a global administrator the one named by
 * `reflexoId` (reports never mix clinics).
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

const daysBetween = (a: string, b: string) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);

/** Both ends required, start ≤ end, at most MAX_RANGE_DAYS days; `names` are the query fields errors name. */
export function parseRange(startValue: string | undefined, endValue: string | undefined, names: [string, string]): Period {
  const issues = [];
  const ends: string[] = [];
  for (const [i, value] of [startValue, endValue].entries()) {
    try {
      ends[i] = parseDay(value, names[i]);
    } catch (err) {
      issues.push(...(err as ValidationError).issues);
    }
  }
  if (issues.length) throw new ValidationError(issues);
  const [from, to] = ends;
  if (from > to) throw new ValidationError([{ loc: ['query'], msg: 'La fecha de inicio no puede ser posterior a la fecha de fin.', type: 'range' }]);
  if (daysBetween(from, to) + 1 > MAX_RANGE_DAYS) {
    throw new ValidationError([{ loc: ['query'], msg: `El rango no puede superar ${MAX_RANGE_DAYS} días.`, type: 'range' }]);
  }
  return { from, to };
}

// ---- names -----------------------------------------------------------------------------------------

export interface PersonName {
  given: string;
  paternal: string;
  maternal: string | null;
}

/** "García Hernández Ana Sofía": how clinic reports print a person (surnames first, no empty parts). */
export const surnameFirst = (n: PersonName): string => [n.paternal, n.maternal, n.given].filter((s) => s && s.trim()).join(' ');

type NameParts<P extends string> = Record<`${P}given` | `${P}paternal`, string> & Record<`${P}maternal`, string | null>;
const nameOf = <P extends 'patient_' | 'therapist_'>(r: NameParts<P>, prefix: P): PersonName => ({
  given: r[`${prefix}given`],
  paternal: r[`${prefix}paternal`],
  maternal: r[`${prefix}maternal`],
});

// ---- statistics ------------------------------------------------------------------------------------

export interface TherapistSessions {
  id: number;
  name: PersonName;
  sessions: number;
  /** Sum of the sessions' recorded payments, decimal string. */
  income: string;
  /** Percent of the period's sessions, two decimals ("66.67"). */
  share: string;
}

export interface ClinicStatistics {
  totals: { patients: number; sessions: number; income: string };
  /** Busiest first, each with a 0–5 rating relative to the period's average therapist. */
  therapists: (TherapistSessions & { rating: number })[];
  /** Sessions per payment type; id and name null for sessions without one. */
  paymentTypes: { id: number | null; name: string | null; sessions: number }[];
  /** Only weekdays with sessions; ISO numbering (1 = Monday … 7 = Sunday). */
  weekdays: { isoWeekday: number; sessions: number; income: string }[];
  /** Sessions per appointment type, upper-cased and trimmed (null: none recorded). */
  appointmentTypes: { type: string | null; sessions: number }[];
}

/*
 * The rating: 70 % sessions and 30 % income, each relative to the average therapist of the period,
 * scaled so the best therapist has 5. A score, not money, so plain floating point is fine here.
 */
function ratings(stats: { sessions: number; income: string }[]): number[] {
  if (!stats.length) return [];
  const avgSessions = stats.reduce((s, t) => s + t.sessions, 0) / stats.length;
  const avgIncome = stats.reduce((s, t) => s + Number(t.income), 0) / stats.length;
  const raw = stats.map((t) => (t.sessions / avgSessions) * 0.7 + (avgIncome > 0 ? (Number(t.income) / avgIncome) * 0.3 : 0.3));
  const best = Math.max(...raw);
  return raw.map((r) => (best > 0 ? Math.round((r / best) * 5 * 100) / 100 : 0));
}

const toTherapistSessions = (r: Awaited<ReturnType<typeof sessionsByTherapist>>[number]): TherapistSessions => ({
  id: r.therapist_id,
  name: { given: r.given, paternal: r.paternal, maternal: r.maternal },
  sessions: r.sessions,
  income: r.income,
  share: r.share,
});

export async function clinicStatistics(db: Db, scope: ReportScope, period: Period): Promise<ClinicStatistics> {
  const rows = await statisticsGroups(db, clinicPeriod(scope, period));
  const of = (dim: StatisticsGroupRow['dim']) => rows.filter((r) => r.dim === dim);
  const total = of('total')[0];
  const therapists: TherapistSessions[] = of('terapeuta').map((r) => ({
    id: r.therapist_id!,
    name: { given: r.given, paternal: r.paternal, maternal: r.maternal },
    sessions: r.sessions,
    income: r.income,
    share: r.share!,
  }));
  const rating = ratings(therapists);
  return {
    totals: { patients: of('pacientes')[0]?.sessions ?? 0, sessions: total?.sessions ?? 0, income: total?.income ?? '0.00' },
    therapists: therapists.map((t, i) => ({ ...t, rating: rating[i] })),
    paymentTypes: of('pago').map((r) => ({ id: r.payment_type_id, name: r.payment_type_name, sessions: r.sessions })),
    weekdays: of('dia').map((w) => ({ isoWeekday: w.iso_weekday!, sessions: w.sessions, income: w.income })),
    appointmentTypes: of('tipo').map((t) => ({ type: t.appointment_type, sessions: t.sessions })),
  };
}

// ---- appointments ----------------------------------------------------------------------------------

/** Counted sessions per therapist over the period, busiest first. */
export const therapistSessions = async (db: Db, scope: ReportScope, period: Period): Promise<TherapistSessions[]> =>
  (await sessionsByTherapist(db, clinicPeriod(scope, period))).map(toTherapistSessions);

export interface TherapistPatients {
  therapist: { id: number; name: PersonName };
  patients: { id: number; name: PersonName; sessions: number }[];
}

/** Each therapist (by name) with the patients they saw in the period and how many sessions each. */
export async function patientsByTherapist(db: Db, scope: ReportScope, period: Period): Promise<TherapistPatients[]> {
  const groups = new Map<number, TherapistPatients>();
  for (const r of await sessionsByTherapistAndPatient(db, clinicPeriod(scope, period))) {
    let g = groups.get(r.therapist_id);
    if (!g) groups.set(r.therapist_id, (g = { therapist: { id: r.therapist_id, name: nameOf(r, 'therapist_') }, patients: [] }));
    g.patients.push({ id: r.patient_id, name: nameOf(r, 'patient_'), sessions: r.sessions });
  }
  return [...groups.values()];
}

export interface AppointmentLine {
  id: number;
  date: string;
  /** Clinic wall time, `HH:MM:SS`. */
  hour: string;
  patient: { id: number; name: PersonName; documentNumber: string; phone: string | null };
  therapist: { id: number; name: PersonName };
  payment: string | null;
  paymentTypeName: string | null;
}

/** The period's counted appointments, by date and hour. */
export async function appointmentsInPeriod(db: Db, scope: ReportScope, period: Period): Promise<AppointmentLine[]> {
  return (await countedAppointments(db, clinicPeriod(scope, period))).map((r) => ({
    id: r.appointment_id,
    date: r.appointment_date,
    hour: r.hour,
    patient: { id: r.patient_id, name: nameOf(r, 'patient_'), documentNumber: r.patient_document, phone: r.patient_phone },
    therapist: { id: r.therapist_id, name: nameOf(r, 'therapist_') },
    payment: r.payment,
    paymentTypeName: r.payment_type_name,
  }));
}

/** How many appointments the period counts and the sum of their payments. */
export async function appointmentsSummary(db: Db, scope: ReportScope, period: Period): Promise<{ count: number; total: string }> {
  const t = await appointmentTotals(db, clinicPeriod(scope, period));
  return { count: t.sessions, total: t.income };
}

// ---- money -----------------------------------------------------------------------------------------

export interface AppointmentPayment {
  appointmentId: number;
  amount: string;
  paymentType: { id: number; name: string };
}

/** Payments recorded on the period's counted appointments (with a payment type), newest appointment first. */
export const appointmentPaymentList = async (db: Db, scope: ReportScope, period: Period): Promise<AppointmentPayment[]> =>
  (await appointmentPayments(db, clinicPeriod(scope, period))).map((r) => ({
    appointmentId: r.appointment_id,
    amount: r.amount,
    paymentType: { id: r.payment_type_id, name: r.payment_type_name },
  }));

export interface MethodTotal {
  method: string;
  count: number;
  total: string;
}

export interface Summary {
  byMethod: MethodTotal[];
  count: number;
  total: string;
}

/** A ROLLUP's rows: the groups, and the one whose key is null as the grand total. */
function summary<R extends { count: number; total: string }>(rows: R[], key: (r: R) => string | number | null, label: (r: R) => string): Summary {
  const grand = rows.find((r) => key(r) === null);
  return {
    byMethod: rows.filter((r) => key(r) !== null).map((r) => ({ method: label(r), count: r.count, total: r.total })),
    count: grand?.count ?? 0,
    total: grand?.total ?? '0.00',
  };
}

/** The same appointment payments per payment type, with their grand total. */
export const appointmentPaymentSummary = async (db: Db, scope: ReportScope, period: Period): Promise<Summary> =>
  summary(await appointmentPaymentsByType(db, clinicPeriod(scope, period)), (r) => r.payment_type_id, (r) => r.payment_type_name!);

export interface CashLine {
  /** A paid ticket, or the payment recorded on an appointment whose ticket is still pending. */
  source: 'ticket' | 'appointment';
  /** The ticket's id, or the appointment's. */
  id: number;
  /** The ticket number, or `CITA-<appointment id>` when there is no ticket. */
  reference: string;
  amount: string;
  method: string;
  patient: PersonName;
  therapist: PersonName;
  /** Clinic wall time, `YYYY-MM-DD HH:MM`: when the ticket was paid, or the appointment's date and hour. */
  paidAt: string;
}

/** Every sol received in the period, each once (see lib/queries/company-reports.ts), with totals per method. */
export async function cashReceipts(db: Db, scope: ReportScope, period: Period): Promise<{ lines: CashLine[] } & Summary> {
  const p = clinicPeriod(scope, period);
  const lines = (await cashReceived(db, p)).map((r) => ({
    source: r.source,
    id: r.id,
    reference: r.reference,
    amount: r.amount,
    method: r.method,
    patient: nameOf(r, 'patient_'),
    therapist: nameOf(r, 'therapist_'),
    paidAt: r.paid_at,
  }));
  return { lines, ...summary(await cashReceivedByMethod(db, p), (r) => r.method, (r) => r.method!) };
}

export interface PaidTicket {
  id: number;
  number: string;
  amount: string;
  method: string;
  /** Clinic wall time, `YYYY-MM-DD HH:MM`. */
  paidAt: string;
  description: string | null;
  appointment: { id: number; date: string; hour: string; room: string | null };
  patient: { name: PersonName; documentNumber: string; phone: string | null };
  therapist: PersonName;
}

/** Tickets paid in the period (on the clinic's calendar), in payment order, with totals per method. */
export async function paidTicketsReport(db: Db, scope: ReportScope, period: Period): Promise<{ tickets: PaidTicket[] } & Summary> {
  const p = clinicPeriod(scope, period);
  const tickets = (await paidTickets(db, p)).map((r) => ({
    id: r.ticket_id,
    number: r.ticket_number,
    amount: r.amount,
    method: r.method,
    paidAt: r.paid_at,
    description: r.description,
    appointment: { id: r.appointment_id, date: r.appointment_date, hour: r.hour, room: r.room },
    patient: { name: nameOf(r, 'patient_'), documentNumber: r.patient_document, phone: r.patient_phone },
    therapist: nameOf(r, 'therapist_'),
  }));
  return { tickets, ...summary(await paidTicketsByMethod(db, p), (r) => r.method, (r) => r.method!) };
}

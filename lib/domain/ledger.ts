import type { Actor } from '../auth/actor';
import type { Db } from '../db/tenant';
import type { LedgerKind, LedgerSource, LedgerStatus } from '../db/tables/money';
import { Conflict, NotFound, ValidationError } from '../errors';
import {
  dayEnd,
  dayStart,
  doctorOfClinic,
  entryPage,
  findEntry,
  groupedTotals,
  insertEntry,
  lockEntry,
  patientOfClinic,
  paymentTypeByWord,
  paymentTypeNames,
  updateEntry,
  type EntryRow,
  type GroupRow,
  type LedgerFilter,
} from '../queries/ledger';
import { tenantClock } from '../queries/tenant-clock';
import { addDays, daysBetween } from '../time';
import { recordAudit } from './audit';
import { tenantForWrite } from './tenancy';

/*
 * The clinic's cash book (v1 `transactions`, "caja"): one ledger for every sol that comes in or goes
 * out. Manual entries are written here; paid Reflexo tickets enter it through a PostgreSQL trigger in
 * the ticket's own transaction, and invoice payments are ledger entries written by lib/domain/invoices
 * (migration 0023 explains why a table). Entries of a ticket or an invoice are read-only here: the
 * source is what changes (409 otherwise). Days are the clinic's calendar days (tenants.time_zone).
 * Totals count completed, live entries; `pendiente` and `anulado` stay in history without counting.
 */
export type EntryRecord = EntryRow;
export type { LedgerKind, LedgerSource, LedgerStatus };

/** Longest `date-range` list: a year, as the Reflexo reports. */
export const MAX_RANGE_DAYS = 366;

export interface ClinicClock {
  reflexoId: number;
  timeZone: string;
  today: string;
}

export async function clinicClock(db: Db, actor: Actor | null): Promise<ClinicClock> {
  const reflexoId = tenantForWrite(actor);
  const c = await tenantClock(db, reflexoId);
  if (!c) throw new NotFound('Clínica no encontrada.');
  return { reflexoId, timeZone: c.time_zone, today: c.today };
}

const queryIssue = (field: string, msg: string, input?: unknown) => new ValidationError([{ loc: ['query', field], msg, type: 'value_error', ...(input === undefined ? {} : { input }) }]);

/** start ≤ end, and (when `maxDays`) at most that many days. */
export function checkRange(start: string | undefined, end: string | undefined, maxDays?: number): void {
  if (start && end && start > end) throw queryIssue('end_date', 'end_date debe ser igual o posterior a start_date', end);
  if (maxDays && start && end && daysBetween(start, end).length > maxDays) throw queryIssue('end_date', `El rango no puede superar ${maxDays} días`, end);
}

/** The payment type a v1 `medio_pago` names (its name or code, any case), else 422 listing the valid ones. */
export async function paymentTypeFor(db: Db, word: string, loc: (string | number)[] = ['body', 'medio_pago']): Promise<{ id: number; name: string }> {
  const pt = await paymentTypeByWord(db, word);
  if (pt) return pt;
  const names = await paymentTypeNames(db);
  throw new ValidationError([{ loc, msg: `Medio de pago desconocido. Valores válidos: ${names.join(', ')}`, type: 'enum', input: word }]);
}

async function checkPeople(db: Db, reflexoId: number, doctorId: number | null | undefined, patientId: number | null | undefined): Promise<void> {
  if (doctorId != null && !(await doctorOfClinic(db, reflexoId, doctorId))) throw ValidationError.field('doctor_id', 'El doctor no existe en esta clínica', 'not_found', doctorId);
  if (patientId != null && !(await patientOfClinic(db, reflexoId, patientId))) throw ValidationError.field('paciente_id', 'El paciente no existe en esta clínica', 'not_found', patientId);
}

// ---- reads ------------------------------------------------------------------------------------------

export type EntryListFilter = Omit<LedgerFilter, 'reflexoId' | 'timeZone' | 'paymentTypeId' | 'id'> & { paymentMethod?: string };

export async function listEntries(db: Db, actor: Actor | null, f: EntryListFilter, page: number, size: number, maxDays?: number) {
  const clock = await clinicClock(db, actor);
  checkRange(f.fromDay, f.toDay, maxDays);
  const { paymentMethod, ...rest } = f;
  const paymentTypeId = paymentMethod ? (await paymentTypeFor(db, paymentMethod, ['query', 'medio_pago'])).id : undefined;
  return entryPage(db, { ...rest, paymentTypeId, reflexoId: clock.reflexoId, timeZone: clock.timeZone }, page, size);
}

export async function entriesOfDoctor(db: Db, actor: Actor | null, doctorId: number, f: EntryListFilter, page: number, size: number) {
  const reflexoId = tenantForWrite(actor);
  if (!(await doctorOfClinic(db, reflexoId, doctorId))) throw new NotFound('Doctor no encontrado.');
  return listEntries(db, actor, { ...f, doctorId }, page, size);
}

async function entry(db: Db, reflexoId: number, timeZone: string, id: number): Promise<EntryRecord> {
  const row = await findEntry(db, { reflexoId, timeZone, id });
  if (!row) throw new NotFound('Transacción no encontrada.');
  return row;
}

export async function getEntry(db: Db, actor: Actor | null, id: number): Promise<EntryRecord> {
  const clock = await clinicClock(db, actor);
  return entry(db, clock.reflexoId, clock.timeZone, id);
}

// ---- manual entries ---------------------------------------------------------------------------------

export interface EntryInput {
  kind: LedgerKind;
  concept: string;
  amount: string;
  paymentMethod: string;
  /** ISO-8601 instant; now when absent. */
  occurredAt?: string;
  comment?: string | null;
  status?: Exclude<LedgerStatus, 'anulado'>;
  doctorId?: number | null;
  patientId?: number | null;
}

export async function createEntry(db: Db, actor: Actor | null, v: EntryInput): Promise<EntryRecord> {
  const clock = await clinicClock(db, actor);
  await checkPeople(db, clock.reflexoId, v.doctorId, v.patientId);
  const pt = await paymentTypeFor(db, v.paymentMethod);
  const { id } = await insertEntry(db, {
    reflexo_id: clock.reflexoId,
    kind: v.kind,
    doctor_id: v.doctorId ?? null,
    patient_id: v.patientId ?? null,
    concept: v.concept,
    amount: v.amount,
    payment_type_id: pt.id,
    payment_method: pt.name,
    occurred_at: v.occurredAt,
    comment: v.comment ?? null,
    status: v.status ?? 'completado',
    created_by: actor?.userId ?? null,
  });
  await recordAudit(db, { action: 'create', entity: 'cash_transactions', entityId: id, reflexoId: clock.reflexoId, changedFields: ['kind', 'amount', 'payment_method', 'status'] });
  return entry(db, clock.reflexoId, clock.timeZone, id);
}

const SOURCE_OWNER: Record<Exclude<LedgerSource, 'manual'>, string> = {
  ticket: 'Este movimiento es el pago de un ticket de cita: modifique o cancele el ticket.',
  factura: 'Este movimiento es un pago de factura: anule el pago o la factura.',
};

async function lockedManual(db: Db, reflexoId: number, id: number) {
  const row = await lockEntry(db, reflexoId, id);
  if (!row) throw new NotFound('Transacción no encontrada.');
  if (row.source !== 'manual') throw new Conflict(SOURCE_OWNER[row.source], { code: 'ledger_entry_has_source', data: { origen: row.source, ticket_id: row.ticket_id, factura_id: row.invoice_id } });
  return row;
}

export type EntryChanges = Partial<Omit<EntryInput, 'status'>> & { status?: LedgerStatus };

/** Sets what `changes` carries (a PUT with only `monto` changes only the amount). */
export async function editEntry(db: Db, actor: Actor | null, id: number, changes: EntryChanges): Promise<EntryRecord> {
  const clock = await clinicClock(db, actor);
  await lockedManual(db, clock.reflexoId, id);
  await checkPeople(db, clock.reflexoId, changes.doctorId, changes.patientId);
  const set: Parameters<typeof updateEntry>[3] = {};
  if (changes.kind !== undefined) set.kind = changes.kind;
  if (changes.concept !== undefined) set.concept = changes.concept;
  if (changes.amount !== undefined) set.amount = changes.amount;
  if (changes.paymentMethod !== undefined) {
    const pt = await paymentTypeFor(db, changes.paymentMethod);
    set.payment_type_id = pt.id;
    set.payment_method = pt.name;
  }
  if (changes.occurredAt !== undefined) set.occurred_at = changes.occurredAt;
  if (changes.comment !== undefined) set.comment = changes.comment;
  if (changes.status !== undefined) set.status = changes.status;
  if (changes.doctorId !== undefined) set.doctor_id = changes.doctorId;
  if (changes.patientId !== undefined) set.patient_id = changes.patientId;
  if (Object.keys(set).length) {
    await updateEntry(db, clock.reflexoId, id, set);
    await recordAudit(db, { action: 'update', entity: 'cash_transactions', entityId: id, reflexoId: clock.reflexoId, changedFields: Object.keys(set) });
  }
  return entry(db, clock.reflexoId, clock.timeZone, id);
}

/** Soft delete: gone from lists and totals; the row stays for the audit trail. */
export async function removeEntry(db: Db, actor: Actor | null, id: number): Promise<void> {
  const reflexoId = tenantForWrite(actor);
  await lockedManual(db, reflexoId, id);
  await updateEntry(db, reflexoId, id, { deleted_at: new Date() });
  await recordAudit(db, { action: 'delete', entity: 'cash_transactions', entityId: id, reflexoId, changedFields: ['deleted_at'] });
}

// ---- reports ----------------------------------------------------------------------------------------

export interface Totals {
  ingresos: string;
  egresos: string;
  balance: string;
  cantidad: number;
}
export interface DoctorTotals extends Totals {
  doctor: { id: number; first_name: string; last_name_paternal: string; last_name_maternal: string | null } | null;
}
export interface KeyedTotals extends Totals {
  key: string;
}

const pickTotals = (r: Totals | undefined): Totals => (r ? { ingresos: r.ingresos, egresos: r.egresos, balance: r.balance, cantidad: r.cantidad } : { ingresos: '0.00', egresos: '0.00', balance: '0.00', cantidad: 0 });
const keyed = (rows: GroupRow[], dim: GroupRow['dim']): KeyedTotals[] => rows.filter((r) => r.dim === dim).map((r) => ({ key: r.key ?? '', ...pickTotals(r) }));
const byDoctor = (rows: GroupRow[]): DoctorTotals[] =>
  rows
    .filter((r) => r.dim === 'doctor')
    .map((r) => ({
      doctor: r.doctor_id === null ? null : { id: r.doctor_id, first_name: r.doctor_first_name ?? '', last_name_paternal: r.doctor_paternal ?? '', last_name_maternal: r.doctor_maternal },
      ...pickTotals(r),
    }));

export interface SummaryRecord {
  from: string | null;
  to: string | null;
  timeZone: string;
  totals: Totals;
  byMethod: KeyedTotals[];
  bySource: KeyedTotals[];
}

/** Totals of completed entries between two local days (either may be open), by method and by source. */
export async function ledgerSummary(db: Db, actor: Actor | null, q: { start?: string; end?: string }): Promise<SummaryRecord> {
  const clock = await clinicClock(db, actor);
  checkRange(q.start, q.end);
  const rows = await groupedTotals(db, clock.reflexoId, clock.timeZone, q.start ? dayStart(q.start, clock.timeZone) : null, q.end ? dayEnd(q.end, clock.timeZone) : null, ['medio', 'origen']);
  return { from: q.start ?? null, to: q.end ?? null, timeZone: clock.timeZone, totals: pickTotals(rows.find((r) => r.dim === 'total')), byMethod: keyed(rows, 'medio'), bySource: keyed(rows, 'origen') };
}

export interface DailyReportRecord {
  day: string;
  timeZone: string;
  totals: Totals;
  opening: string;
  closing: string;
  byMethod: KeyedTotals[];
  bySource: KeyedTotals[];
  byDoctor: DoctorTotals[];
  byHour: (Totals & { hour: number })[];
}

/** One local day: totals by method, doctor, hour and source, and the cash balance before and after it. */
export async function dailyReport(db: Db, actor: Actor | null, day?: string): Promise<DailyReportRecord> {
  const clock = await clinicClock(db, actor);
  const d = day ?? clock.today;
  const rows = await groupedTotals(db, clock.reflexoId, clock.timeZone, dayStart(d, clock.timeZone), dayEnd(d, clock.timeZone), ['medio', 'doctor', 'hora', 'origen']);
  const total = rows.find((r) => r.dim === 'total');
  return {
    day: d,
    timeZone: clock.timeZone,
    totals: pickTotals(total),
    opening: total?.saldo_inicial ?? '0.00',
    closing: total?.saldo_final ?? '0.00',
    byMethod: keyed(rows, 'medio'),
    bySource: keyed(rows, 'origen'),
    byDoctor: byDoctor(rows),
    byHour: keyed(rows, 'hora')
      .map(({ key, ...t }) => ({ hour: Number(key), ...t }))
      .sort((a, b) => a.hour - b.hour),
  };
}

export interface MonthlyReportRecord {
  year: number;
  month: number;
  timeZone: string;
  totals: Totals;
  opening: string;
  closing: string;
  byDay: (Totals & { day: string })[];
  byDoctor: DoctorTotals[];
}

const ZERO: Totals = { ingresos: '0.00', egresos: '0.00', balance: '0.00', cantidad: 0 };

/** A calendar month of the clinic: every day (days without entries show zeros) and every doctor. */
export async function monthlyReport(db: Db, actor: Actor | null, q: { year?: number; month?: number }): Promise<MonthlyReportRecord> {
  const clock = await clinicClock(db, actor);
  const year = q.year ?? Number(clock.today.slice(0, 4));
  const month = q.month ?? Number(clock.today.slice(5, 7));
  const first = `${year}-${String(month).padStart(2, '0')}-01`;
  const last = addDays(`${month === 12 ? year + 1 : year}-${String(month === 12 ? 1 : month + 1).padStart(2, '0')}-01`, -1);
  const rows = await groupedTotals(db, clock.reflexoId, clock.timeZone, dayStart(first, clock.timeZone), dayEnd(last, clock.timeZone), ['dia', 'doctor']);
  const total = rows.find((r) => r.dim === 'total');
  const perDay = new Map(keyed(rows, 'dia').map((r) => [r.key, r]));
  return {
    year,
    month,
    timeZone: clock.timeZone,
    totals: pickTotals(total),
    opening: total?.saldo_inicial ?? '0.00',
    closing: total?.saldo_final ?? '0.00',
    byDay: daysBetween(first, last).map((day) => {
      const r = perDay.get(day);
      return { day, ...(r ? pickTotals(r) : ZERO) };
    }),
    byDoctor: byDoctor(rows),
  };
}

import type { Actor } from '../auth/actor';
import type { SegmentKind } from '../db/tables/crm';
import type { Db } from '../db/tenant';
import { Conflict, Forbidden, NotFound, ValidationError, type FieldIssue } from '../errors';
import {
  campaignsNeedingSegment,
  clinicDoctorIds,
  countSegments,
  deleteSegment as deleteSegmentRow,
  insertSegment,
  livePatientIds,
  patientFieldCounts,
  segmentTotals,
  selectSegment,
  selectSegmentPage,
  selectSegmentPatients,
  setMembers,
  updateSegment as updateSegmentRow,
  type SegmentPatientRow,
  type SegmentRow,
  type SegmentRule,
  type SegmentSpec,
} from '../queries/segments';
import { recordAudit } from './audit';

/*
 * Segments: saved rules over a clinic's patients, combined with AND, plus patients added or taken
 * out by hand. The rule language (README "v1 CRM") is checked here, field by field, and evaluated
 * by PostgreSQL (lib/queries/segments.ts). A segment's `total` is always counted live.
 */
export type { SegmentRule, SegmentKind };

export interface SegmentRecord {
  id: number;
  name: string;
  description: string | null;
  kind: SegmentKind;
  rules: SegmentRule[];
  /** Live patients in the segment now. */
  total: number;
  /** Of them, added by hand. */
  manualMembers: number;
  createdAt: Date;
  updatedAt: Date;
}

export type SegmentPatientRecord = SegmentPatientRow;

export interface SegmentInput {
  name: string;
  description?: string | null;
  kind?: SegmentKind;
  rules?: unknown[];
}

export const MAX_RULES = 20;
export const MAX_MEMBERS_PER_CALL = 1000;

/** The clinic every CRM operation of this caller works in (a user with no clinic has none to work in). */
export function clinicOf(actor: Actor | null): number {
  if (!actor) throw new Forbidden();
  if (actor.reflexoId === null) throw new Forbidden('Su usuario aún no está asignado a una clínica.');
  return actor.reflexoId;
}

// ---- the rule language -------------------------------------------------------------------------------

type ValueCheck = (v: unknown) => string | null;

const isDate = (v: unknown): v is string => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);
const isInt = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const text: ValueCheck = (v) => (typeof v === 'string' && v.trim() !== '' && v.length <= 100 ? null : 'Debe ser un texto de 1 a 100 caracteres');
const list =
  (each: ValueCheck, max = 50): ValueCheck =>
  (v) =>
    Array.isArray(v) && v.length >= 1 && v.length <= max ? (v.map(each).find((m) => m !== null) ?? null) : `Debe ser una lista de 1 a ${max} valores`;
const sex: ValueCheck = (v) => (typeof v === 'string' && /^[mf]$/i.test(v.trim()) ? null : "Debe ser 'M' o 'F'");
const int =
  (min: number, max: number): ValueCheck =>
  (v) =>
    isInt(v, min, max) ? null : `Debe ser un entero entre ${min} y ${max}`;
const range =
  (min: number, max: number): ValueCheck =>
  (v) =>
    Array.isArray(v) && v.length === 2 && isInt(v[0], min, max) && isInt(v[1], min, max) && v[0] <= v[1] ? null : `Debe ser [mínimo, máximo], enteros entre ${min} y ${max}`;
const date: ValueCheck = (v) => (isDate(v) ? null : 'Debe ser una fecha YYYY-MM-DD');
const dateRange: ValueCheck = (v) => (Array.isArray(v) && v.length === 2 && isDate(v[0]) && isDate(v[1]) && v[0] <= v[1] ? null : 'Debe ser [desde, hasta], fechas YYYY-MM-DD en orden');
const bool: ValueCheck = (v) => (typeof v === 'boolean' ? null : 'Debe ser true o false');
const none: ValueCheck = () => null;
const id = int(1, 2_147_483_647);

/** Every field a rule may name, its operators and what `valor` each takes. */
export const RULE_FIELDS: Record<string, Record<string, ValueCheck>> = {
  ...Object.fromEntries(
    ['estado_paciente', 'fuente_captacion', 'aseguradora', 'linea_negocio'].map((f) => [f, { igual: text, distinto: text, en: list(text), no_en: list(text), vacio: none, no_vacio: none }]),
  ),
  genero: { igual: sex, distinto: sex, en: list(sex, 2), no_en: list(sex, 2), vacio: none, no_vacio: none },
  edad: { igual: int(0, 150), mayor_o_igual: int(0, 150), menor_o_igual: int(0, 150), entre: range(0, 150) },
  mes_cumpleanos: { igual: int(1, 12), en: list(int(1, 12), 12) },
  ultima_visita: { antes_de: date, despues_de: date, entre: dateRange },
  dias_sin_visita: { mayor_o_igual: int(1, 3650) },
  cita_proxima: { igual: bool },
  doctor_id: { igual: id, en: list(id, 100) },
};

const quoted = (xs: string[]) => xs.map((x) => `'${x}'`).join(', ');

/**
 * The rules as the database evaluates them: each field and operator known, each value of the right
 * kind (422 naming `reglas.<i>.campo|operador|valor` otherwise), sexes upper-cased, doctors of this clinic.
 */
async function checkedRules(db: Db, reflexoId: number, raw: unknown[], field = 'reglas'): Promise<SegmentRule[]> {
  const issues: FieldIssue[] = [];
  if (raw.length > MAX_RULES) issues.push({ loc: ['body', field], msg: `Como máximo ${MAX_RULES} reglas`, type: 'too_long', input: raw.length });
  const rules: SegmentRule[] = [];
  const positions: number[] = [];
  raw.slice(0, MAX_RULES).forEach((r, i) => {
    const rule = (r && typeof r === 'object' ? r : {}) as Record<string, unknown>;
    const campo = rule.campo;
    const fields = RULE_FIELDS[campo as string];
    if (typeof campo !== 'string' || !Object.prototype.hasOwnProperty.call(RULE_FIELDS, campo)) {
      issues.push({ loc: ['body', field, i, 'campo'], msg: `Campo desconocido; use uno de: ${quoted(Object.keys(RULE_FIELDS))}`, type: 'literal_error', input: campo });
      return;
    }
    const operador = rule.operador;
    if (typeof operador !== 'string' || !Object.prototype.hasOwnProperty.call(fields, operador)) {
      issues.push({ loc: ['body', field, i, 'operador'], msg: `Operador desconocido para ${campo}; use uno de: ${quoted(Object.keys(fields))}`, type: 'literal_error', input: operador });
      return;
    }
    const problem = fields[operador](rule.valor);
    if (problem) {
      issues.push({ loc: ['body', field, i, 'valor'], msg: problem, type: 'value_error', input: rule.valor });
      return;
    }
    let valor = fields[operador] === none ? undefined : rule.valor;
    if (campo === 'genero' && valor !== undefined) valor = Array.isArray(valor) ? valor.map((x) => String(x).trim().toUpperCase()) : String(valor).trim().toUpperCase();
    if (typeof valor === 'string' && campo !== 'ultima_visita') valor = valor.trim();
    if (Array.isArray(valor) && typeof valor[0] === 'string' && campo !== 'ultima_visita') valor = valor.map((x: string) => x.trim());
    rules.push(valor === undefined ? { campo, operador } : { campo, operador, valor });
    positions.push(i);
  });
  // Doctors named by a rule must be this clinic's (checked in one query for all rules).
  const doctorRules = rules.map((r, k) => ({ r, i: positions[k] })).filter(({ r }) => r.campo === 'doctor_id');
  const wanted = doctorRules.flatMap(({ r }) => (Array.isArray(r.valor) ? (r.valor as number[]) : [r.valor as number]));
  if (wanted.length) {
    const known = await clinicDoctorIds(db, reflexoId, wanted);
    for (const { r, i } of doctorRules) {
      const missing = (Array.isArray(r.valor) ? (r.valor as number[]) : [r.valor as number]).filter((d) => !known.has(d));
      if (missing.length) issues.push({ loc: ['body', field, i, 'valor'], msg: `Doctor no encontrado en la clínica: ${missing.join(', ')}`, type: 'value_error', input: r.valor });
    }
  }
  if (issues.length) throw new ValidationError(issues);
  return rules;
}

/** Validates a rule set without saving it (campaign previews, the patients group). */
export async function validateSegmentRules(db: Db, actor: Actor | null, rules: unknown[]): Promise<SegmentRule[]> {
  return checkedRules(db, clinicOf(actor), rules);
}

// ---- segments ----------------------------------------------------------------------------------------

export const specOf = (row: Pick<SegmentRow, 'id' | 'kind' | 'rules'>): SegmentSpec => ({ id: row.id, kind: row.kind, rules: row.rules });

async function withTotals(db: Db, reflexoId: number, rows: SegmentRow[]): Promise<SegmentRecord[]> {
  const totals = await segmentTotals(db, reflexoId, rows.map(specOf));
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    description: r.description,
    kind: r.kind,
    rules: r.rules,
    total: totals.get(r.id)?.total ?? 0,
    manualMembers: totals.get(r.id)?.manual ?? 0,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }));
}

const notFound = () => new NotFound('Segmento no encontrado.');
const duplicate = (err: unknown) => ((err as { code?: string; constraint?: string })?.constraint === 'segments_name_uq' ? new Conflict('Ya existe un segmento con ese nombre en la clínica.', { code: 'segment_duplicate' }) : err);

/** A segment of the caller's clinic, or 404. */
export async function segmentRow(db: Db, reflexoId: number, id: number, lock = false): Promise<SegmentRow> {
  const row = await selectSegment(db, reflexoId, id, lock);
  if (!row) throw notFound();
  return row;
}

export async function listSegments(db: Db, actor: Actor | null, page: number, size: number): Promise<{ rows: SegmentRecord[]; count: number }> {
  const reflexoId = clinicOf(actor);
  const offset = (page - 1) * size;
  const rows = await selectSegmentPage(db, reflexoId, size, offset);
  const count = rows.length ? Number(rows[0].full_count) : offset > 0 ? await countSegments(db, reflexoId) : 0;
  return { rows: await withTotals(db, reflexoId, rows.map(({ full_count: _c, ...r }) => r)), count };
}

export async function getSegment(db: Db, actor: Actor | null, id: number): Promise<SegmentRecord> {
  const reflexoId = clinicOf(actor);
  return (await withTotals(db, reflexoId, [await segmentRow(db, reflexoId, id)]))[0];
}

/**
 * Saves a segment. Also how the v1 patients group saves an ad-hoc filter (`POST /patients/segments`):
 * its filter becomes rules in this language.
 */
export async function createSegment(db: Db, actor: Actor | null, input: SegmentInput): Promise<SegmentRecord> {
  const reflexoId = clinicOf(actor);
  const kind = input.kind ?? 'dinamico';
  const rules = await checkedRules(db, reflexoId, input.rules ?? []);
  if (kind === 'manual' && rules.length) throw ValidationError.field('reglas', "Un segmento 'manual' no tiene reglas: sus pacientes se agregan a mano", 'value_error', input.rules);
  try {
    const row = await insertSegment(db, { reflexo_id: reflexoId, name: input.name.trim(), description: input.description ?? null, kind, rules, created_by: actor!.userId });
    await recordAudit(db, { action: 'create', entity: 'segments', entityId: row.id, reflexoId });
    return (await withTotals(db, reflexoId, [row]))[0];
  } catch (err) {
    throw duplicate(err);
  }
}

export async function updateSegment(db: Db, actor: Actor | null, id: number, input: Partial<SegmentInput>): Promise<SegmentRecord> {
  const reflexoId = clinicOf(actor);
  const current = await segmentRow(db, reflexoId, id, true);
  const kind = input.kind ?? current.kind;
  const rules = input.rules === undefined ? undefined : await checkedRules(db, reflexoId, input.rules);
  if (kind === 'manual' && (rules ?? current.rules).length) throw ValidationError.field('reglas', "Un segmento 'manual' no tiene reglas: envíe reglas: [] o tipo 'dinamico'", 'value_error', input.rules ?? current.rules);
  try {
    const row = await updateSegmentRow(db, reflexoId, id, { name: input.name?.trim(), description: input.description, kind: input.kind, rules });
    if (!row) throw notFound();
    const changed = Object.entries({ name: input.name, description: input.description, kind: input.kind, rules: input.rules }).filter(([, v]) => v !== undefined).map(([k]) => k);
    await recordAudit(db, { action: 'update', entity: 'segments', entityId: id, reflexoId, changedFields: changed });
    return (await withTotals(db, reflexoId, [row]))[0];
  } catch (err) {
    throw duplicate(err);
  }
}

/** Deletes a segment; one that a campaign not yet sent still targets is refused (409). */
export async function deleteSegment(db: Db, actor: Actor | null, id: number): Promise<void> {
  const reflexoId = clinicOf(actor);
  await segmentRow(db, reflexoId, id, true);
  const users = await campaignsNeedingSegment(db, reflexoId, id);
  if (users.length) throw new Conflict(`El segmento lo usan campañas aún no enviadas: ${users.map((c) => c.name).join(', ')}.`, { code: 'segment_in_use', data: { campanas: users.map((c) => c.id) } });
  await deleteSegmentRow(db, reflexoId, id);
  await recordAudit(db, { action: 'delete', entity: 'segments', entityId: id, reflexoId });
}

export async function listSegmentPatients(db: Db, actor: Actor | null, id: number, page: number, size: number): Promise<{ rows: SegmentPatientRecord[]; count: number }> {
  const reflexoId = clinicOf(actor);
  const row = await segmentRow(db, reflexoId, id);
  return selectSegmentPatients(db, reflexoId, specOf(row), size, (page - 1) * size);
}

/**
 * Adds patients by hand (`add`) and takes patients out by hand (`remove`, also ones its rules match).
 * Every id must be a live patient of the clinic (422 naming the position otherwise).
 */
export async function changeSegmentMembers(db: Db, actor: Actor | null, id: number, change: { add?: number[]; remove?: number[] }) {
  const reflexoId = clinicOf(actor);
  await segmentRow(db, reflexoId, id, true);
  const add = [...new Set(change.add ?? [])];
  const remove = [...new Set(change.remove ?? [])];
  const issues: FieldIssue[] = [];
  const both = add.filter((x) => remove.includes(x));
  if (both.length) issues.push({ loc: ['body', 'quitar'], msg: `Un paciente no puede agregarse y quitarse a la vez: ${both.join(', ')}`, type: 'value_error', input: both });
  const known = await livePatientIds(db, reflexoId, [...add, ...remove]);
  for (const [field, ids] of [['agregar', change.add ?? []], ['quitar', change.remove ?? []]] as const) {
    ids.forEach((pid, i) => {
      if (!known.has(pid)) issues.push({ loc: ['body', field, i], msg: 'Paciente no encontrado en la clínica', type: 'value_error', input: pid });
    });
  }
  if (issues.length) throw new ValidationError(issues);
  const added = await setMembers(db, reflexoId, id, add, true);
  const removed = await setMembers(db, reflexoId, id, remove, false);
  if (added || removed) await recordAudit(db, { action: 'update', entity: 'segments', entityId: id, reflexoId, changedFields: ['members'] });
  const record = await getSegment(db, actor, id);
  return { added, removed, segment: record };
}

export interface PatientSegmentCounts {
  total: number;
  estado_paciente: { value: string | null; total: number }[];
  fuente_captacion: { value: string | null; total: number }[];
  aseguradora: { value: string | null; total: number }[];
  linea_negocio: { value: string | null; total: number }[];
}

/** The clinic's live patients counted by estado_paciente, fuente_captacion, aseguradora and linea_negocio (null: not recorded). */
export async function patientSegmentCounts(db: Db, actor: Actor | null): Promise<PatientSegmentCounts> {
  const reflexoId = clinicOf(actor);
  const out: PatientSegmentCounts = { total: 0, estado_paciente: [], fuente_captacion: [], aseguradora: [], linea_negocio: [] };
  for (const r of await patientFieldCounts(db, reflexoId)) {
    if (r.campo === 'total') out.total = r.total;
    else out[r.campo].push({ value: r.valor, total: r.total });
  }
  return out;
}

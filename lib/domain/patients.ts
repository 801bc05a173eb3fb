import type { Db } from '../db/tenant';
import { Conflict, NotFound, ValidationError, type FieldIssue } from '../errors';
import type { Actor } from '../auth/actor';
import type { Page } from '../queries/paginate';
import { paginate } from '../queries/paginate';
import {
  findPatientHolding,
  hardDeletePatient,
  insertPatient,
  selectLocationParents,
  selectPatient,
  selectPatientPage,
  softDeletePatient,
  updatePatient,
  type PatientRow,
} from '../queries/patients';
import { selectHistoryOfPatient } from '../queries/histories';
import { medicalRecordsQuery } from '../queries/medical-records';
import { isPhoneTerm, selectFilteredPatientPage } from '../queries/patient-filters';
import { visitsOf, type VisitFigures } from '../queries/patient-visits';
import { searchTerms } from '../queries/clinical-search';
import { recordAudit } from './audit';
import { hardDeleteOrConflict, pgCode, readScope, sentFields, underSavepoint } from './clinical-rules';
import { resolveCatalogRef, type CatalogRef } from './configuration-catalogs';
import type { HistoryRecord } from './histories';
import type { MedicalRecordRecord } from './medical-records';
import { tenantForWrite } from './tenancy';

/*
 * A clinic's patients: Reflexo's `patients` and v1's `pacientes` are the same rows. The domain asks
 * only what the table needs (a name, a paternal surname and a document number, unique per clinic
 * among live patients, as is the e-mail); what one contract adds (Reflexo: document type, ubigeo,
 * occupation and health condition required) is checked at that surface's edge. The unique indexes
 * decide duplicates (no check-then-insert) and the 409 names the patient that holds the value. A
 * location, when there is one, must nest: district in province in region.
 */

/** What a write may set, in the domain's own words. Absent: unchanged; null: cleared. */
export interface PatientInput {
  /** Global administrators name the clinic of a new patient. */
  reflexo_id?: number | null;
  /** Id, or the type's name or code (`"DNI"`). */
  document_type?: CatalogRef | null;
  document_number?: string;
  name?: string;
  paternal_lastname?: string;
  maternal_lastname?: string | null;
  email?: string | null;
  phone1?: string | null;
  phone2?: string | null;
  sex?: 'M' | 'F' | null;
  /** `YYYY-MM-DD`. */
  birth_date?: string | null;
  address?: string | null;
  occupation?: string | null;
  health_condition?: string | null;
  personal_reference?: string | null;
  /** Ubigeo ids (INEI codes). */
  region_id?: number | null;
  province_id?: number | null;
  district_id?: number | null;
  estado_paciente?: string;
  fuente_captacion?: string | null;
  aseguradora?: string | null;
  linea_negocio?: string | null;
  /** An exact decimal (`"500.00"`); a number is taken by its decimal text, never through float arithmetic. */
  presupuesto?: string | number | null;
  notes?: string | null;
}

/**
 * A patient as the domain hands it to a surface (each shapes its own JSON): every column both
 * contracts read, with the names of its document type and ubigeo joined in.
 */
export type PatientRecord = PatientRow;

const LEVELS = ['region', 'province', 'district'] as const;
type Level = (typeof LEVELS)[number];
type LevelField = `${Level}_id`;

const REQUIRED = ['document_number', 'name', 'paternal_lastname'] as const;

/** Input fields stored as given, by column (the domain's `occupation` is the column `ocupation`). */
const COLUMNS: [keyof PatientInput, string][] = [
  ['document_number', 'document_number'],
  ['name', 'name'],
  ['paternal_lastname', 'paternal_lastname'],
  ['maternal_lastname', 'maternal_lastname'],
  ['email', 'email'],
  ['phone1', 'phone1'],
  ['phone2', 'phone2'],
  ['sex', 'sex'],
  ['birth_date', 'birth_date'],
  ['address', 'address'],
  ['occupation', 'ocupation'],
  ['health_condition', 'health_condition'],
  ['personal_reference', 'personal_reference'],
  ['estado_paciente', 'estado_paciente'],
  ['fuente_captacion', 'fuente_captacion'],
  ['aseguradora', 'aseguradora'],
  ['linea_negocio', 'linea_negocio'],
  ['presupuesto', 'presupuesto'],
  ['notes', 'notes'],
];

const notFound = () => new NotFound('Paciente no encontrado.');
const missingPk = (id: number) => `Clave primaria "${id}" inválida - objeto no existe.`;

/** One page of the clinic's live patients (newest first) and the total; `q` searches names, document and e-mail. */
export async function listPatients(db: Db, actor: Actor | null, opts: { page: number; perPage: number; q?: string }): Promise<Page<PatientRecord>> {
  const { rows, count } = await selectPatientPage(db, { reflexoId: readScope(actor), q: opts.q }, opts.page, opts.perPage);
  return { rows, count, page: opts.page, size: opts.perPage };
}

/** Every whitespace-separated word of `q` must occur in names, document or e-mail (case and accents ignored). */
export const searchPatients = (db: Db, actor: Actor | null, opts: { q: string; page: number; perPage: number }): Promise<Page<PatientRecord>> => listPatients(db, actor, opts);

async function findPatient(db: Db, actor: Actor | null, id: number): Promise<PatientRow> {
  const row = await selectPatient(db, id, readScope(actor));
  if (!row) throw notFound();
  return row;
}

export const getPatient = (db: Db, actor: Actor | null, id: number): Promise<PatientRecord> => findPatient(db, actor, id);

/**
 * The location a write leaves, when it names one: levels not sent keep their stored value, and the
 * three must then exist and nest. Null on all three clears it. Undefined when no level is sent.
 */
async function resolveLocation(db: Db, input: PatientInput, current?: PatientRow): Promise<Record<LevelField, number | null> | undefined> {
  if (LEVELS.every((l) => input[`${l}_id`] === undefined)) return undefined;
  const loc = {} as Record<LevelField, number | null>;
  for (const l of LEVELS) {
    const sent = input[`${l}_id`];
    loc[`${l}_id`] = sent !== undefined ? sent : (current?.[`${l}_id`] ?? null);
  }
  if (LEVELS.every((l) => loc[`${l}_id`] === null)) return loc;
  const missing = LEVELS.filter((l) => loc[`${l}_id`] === null);
  if (missing.length) {
    throw new ValidationError(missing.map((l) => ({ loc: ['body', `${l}_id`], msg: 'Este campo es requerido para validar la ubicación.', type: 'missing' })));
  }
  const ids = { region: loc.region_id!, province: loc.province_id!, district: loc.district_id! };
  const found = await selectLocationParents(db, ids);
  const issues: FieldIssue[] = [];
  if (found.region === null) issues.push({ loc: ['body', 'region_id'], msg: missingPk(ids.region), type: 'does_not_exist' });
  if (found.province_region === null) issues.push({ loc: ['body', 'province_id'], msg: missingPk(ids.province), type: 'does_not_exist' });
  else if (found.province_region !== ids.region) issues.push({ loc: ['body', 'province_id'], msg: 'La provincia no pertenece a la región indicada.', type: 'invalid' });
  if (found.district_province === null) issues.push({ loc: ['body', 'district_id'], msg: missingPk(ids.district), type: 'does_not_exist' });
  else if (found.district_province !== ids.province) issues.push({ loc: ['body', 'district_id'], msg: 'El distrito no pertenece a la provincia indicada.', type: 'invalid' });
  if (issues.length) throw new ValidationError(issues);
  return loc;
}

/** The columns a write sets, after the rules every surface shares. */
async function columnValues(db: Db, input: PatientInput, current?: PatientRow): Promise<Record<string, unknown>> {
  const issues: FieldIssue[] = [];
  for (const f of REQUIRED) {
    const v = input[f];
    if (current ? v !== undefined && !v?.trim() : !v?.trim()) issues.push({ loc: ['body', f], msg: 'Este campo es requerido.', type: 'missing' });
  }
  if (issues.length) throw new ValidationError(issues);
  const values: Record<string, unknown> = {};
  for (const [field, column] of COLUMNS) {
    const v = input[field];
    if (v !== undefined) values[column] = typeof v === 'number' ? String(v) : v;
  }
  if (input.document_type !== undefined) {
    values.document_type_id = input.document_type === null ? null : (await resolveCatalogRef(db, 'document_types', input.document_type, 'document_type')).id;
  }
  const location = await resolveLocation(db, input, current);
  if (location) Object.assign(values, location);
  return values;
}

/** A unique-index violation on document or e-mail becomes a 409 naming the holder. */
async function duplicateError(db: Db, error: unknown, reflexoId: number, values: Record<string, unknown>, exceptId?: number): Promise<unknown> {
  if (pgCode(error) !== '23505') return error;
  const holder = await findPatientHolding(db, reflexoId, values.document_number as string | undefined, values.email as string | null | undefined, exceptId);
  if (!holder) return new Conflict('El paciente ya existe');
  return new Conflict('El paciente ya existe', { code: 'patient_exists', data: { holder } });
}

export async function createPatient(db: Db, actor: Actor | null, input: PatientInput): Promise<PatientRecord> {
  const reflexoId = tenantForWrite(actor, input.reflexo_id);
  const values = await columnValues(db, input);
  const res = await underSavepoint(db, 'patient_write', () => insertPatient(db, { ...values, reflexo_id: reflexoId } as Parameters<typeof insertPatient>[1]));
  if (!res.ok) throw await duplicateError(db, res.error, reflexoId, values);
  await recordAudit(db, { action: 'create', entity: 'patients', entityId: res.value.id, reflexoId, changedFields: sentFields(values) });
  return (await selectPatient(db, res.value.id, reflexoId))!;
}

/** Sets what `input` carries; a surface whose PUT replaces the row checks its own required fields first. */
export async function editPatient(db: Db, actor: Actor | null, id: number, input: PatientInput): Promise<PatientRecord> {
  const current = await findPatient(db, actor, id);
  if (input.reflexo_id !== undefined && input.reflexo_id !== null && input.reflexo_id !== current.reflexo_id) {
    throw ValidationError.field('reflexo_id', 'No se puede cambiar la empresa de un paciente.', 'invalid');
  }
  const values = await columnValues(db, input, current);
  const res = await underSavepoint(db, 'patient_write', () => updatePatient(db, id, values));
  if (!res.ok) throw await duplicateError(db, res.error, current.reflexo_id, values, id);
  await recordAudit(db, { action: 'update', entity: 'patients', entityId: id, reflexoId: current.reflexo_id, changedFields: sentFields(values) });
  return (await selectPatient(db, id, current.reflexo_id))!;
}

/** Soft delete (hidden everywhere, the document and e-mail free again); `hard` removes the row unless appointments or tickets point at it. */
export async function deletePatient(db: Db, actor: Actor | null, id: number, hard: boolean): Promise<void> {
  const current = await findPatient(db, actor, id);
  if (hard) {
    await hardDeleteOrConflict(() => hardDeletePatient(db, id), 'El paciente tiene registros asociados (citas, tickets) y no puede eliminarse definitivamente.');
  } else {
    await softDeletePatient(db, id);
  }
  await recordAudit(db, { action: hard ? 'hard_delete' : 'delete', entity: 'patients', entityId: id, reflexoId: current.reflexo_id });
}

/** The patient's live clinical history, or null when none was opened (404 when the patient is not the caller's). */
export async function getPatientHistory(db: Db, actor: Actor | null, patientId: number): Promise<HistoryRecord | null> {
  const p = await findPatient(db, actor, patientId);
  return (await selectHistoryOfPatient(db, patientId, p.reflexo_id)) ?? null;
}

/** One page of the patient's live medical records, latest diagnosis first (404 when the patient is not the caller's). */
export async function listPatientMedicalRecords(db: Db, actor: Actor | null, patientId: number, opts: { page: number; size: number }): Promise<Page<MedicalRecordRecord>> {
  const p = await findPatient(db, actor, patientId);
  return paginate(medicalRecordsQuery(db, { reflexoId: p.reflexo_id, patientId }), opts.page, opts.size);
}

/* ---- what the v1 surface adds: filters, phone search, visit figures, a patient's appointments ---- */

export interface PatientFilters {
  estadoPaciente?: string;
  fuenteCaptacion?: string;
  aseguradora?: string;
  lineaNegocio?: string;
  /** Patients with a live, not cancelled appointment (any date) with this doctor. */
  doctorId?: number;
  /** Every word must occur in names, document or e-mail (case and accents ignored) or, a phone-shaped word, in a phone. */
  search?: string;
}

/**
 * One page of the clinic's live patients (newest first) matching `f`, each with its visit figures (in
 * the page's own statement). Without filters, and with a search of names, document or e-mail only,
 * this reads like listPatients/searchPatients (live counter, search function); a filter or a
 * phone-shaped word takes one filtered statement.
 */
export async function findPatients(db: Db, actor: Actor | null, f: PatientFilters & { page: number; size: number }): Promise<Page<PatientWithVisits>> {
  const reflexoId = readScope(actor);
  const terms = searchTerms(f.search ?? '');
  const filtered = [f.estadoPaciente, f.fuenteCaptacion, f.aseguradora, f.lineaNegocio, f.doctorId].some((v) => v !== undefined && v !== '');
  const { rows, count } =
    !filtered && !terms.some(isPhoneTerm)
      ? await selectPatientPage(db, { reflexoId, q: f.search }, f.page, f.size, { visits: true })
      : await selectFilteredPatientPage(
          db,
          { reflexoId, estadoPaciente: f.estadoPaciente, fuenteCaptacion: f.fuenteCaptacion, aseguradora: f.aseguradora, lineaNegocio: f.lineaNegocio, therapistId: f.doctorId, terms },
          f.page,
          f.size,
          { visits: true },
        );
  return { rows: rows.map(({ visits, ...r }) => ({ ...r, visits: visits ?? NO_VISITS })), count, page: f.page, size: f.size };
}

export type PatientVisits = VisitFigures;
export type PatientWithVisits = PatientRecord & { visits: PatientVisits };

const NO_VISITS: PatientVisits = { ultima_cita: null, proxima_cita: null, total_citas: 0, citas_realizadas: 0 };

/**
 * The visit figures of each patient (last and next appointment date on the clinic's calendar,
 * appointments booked and completed): one statement, whatever the number of rows.
 */
export async function withVisits(db: Db, rows: PatientRecord[]): Promise<PatientWithVisits[]> {
  const found = await visitsOf(db, rows.map((r) => r.id));
  return rows.map((r) => ({ ...r, visits: found.get(r.id) ?? NO_VISITS }));
}


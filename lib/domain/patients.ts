import type { Db } from '../db/tenant';
import { Conflict, NotFound, ValidationError, type FieldIssue } from '../errors';
import type { Actor } from '../auth/actor';
import {
  documentTypeExists,
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
import { recordAudit } from './audit';
import { hardDeleteOrConflict, pgCode, readScope, sentFields, underSavepoint } from './clinical-rules';
import { tenantForWrite } from './tenancy';

/*
 * Patients of a clinic. Document number and e-mail are unique among a clinic's live patients; the
 * unique indexes decide (no check-then-insert), and the 409 body names the patient that holds them.
 * Locations are ubigeo ids, given as `*_code` (the spec) or `*_id` (what clients also send), and
 * must nest: district in province in region.
 */
export interface PatientInput {
  reflexo_id?: number;
  document_type_id?: number;
  document_number?: string;
  name?: string;
  paternal_lastname?: string;
  maternal_lastname?: string | null;
  email?: string;
  phone1?: string | null;
  phone2?: string | null;
  sex?: 'M' | 'F' | null;
  address?: string | null;
  ocupation?: string;
  health_condition?: string;
  region_code?: number;
  region_id?: number;
  province_code?: number;
  province_id?: number;
  district_code?: number;
  district_id?: number;
}

/** A patient as the domain hands it to a surface (each shapes its own JSON). */
export type PatientRecord = PatientRow;

const LEVELS = ['region', 'province', 'district'] as const;
type Level = (typeof LEVELS)[number];
type Location = Record<Level, number>;

const notFound = () => new NotFound('Paciente no encontrado.');
const missingPk = (id: number) => `Clave primaria "${id}" inválida - objeto no existe.`;

/** One page of the clinic's live patients (newest first) and the total; `q` searches names, document and e-mail. */
export const listPatients = (db: Db, actor: Actor | null, opts: { page: number; perPage: number; q?: string }) =>
  selectPatientPage(db, { reflexoId: readScope(actor), q: opts.q }, opts.page, opts.perPage);

async function findPatient(db: Db, actor: Actor | null, id: number): Promise<PatientRow> {
  const row = await selectPatient(db, id, readScope(actor));
  if (!row) throw notFound();
  return row;
}

export const getPatient = (db: Db, actor: Actor | null, id: number): Promise<PatientRow> => findPatient(db, actor, id);

/**
 * Reads the location the input names. Returns undefined when it names none (a PATCH that leaves
 * the address alone); with `fallback`, levels not sent keep their current value.
 */
async function resolveLocation(db: Db, input: PatientInput, required: boolean, fallback?: Partial<Location>): Promise<Location | undefined> {
  const issues: FieldIssue[] = [];
  const chosen: Partial<Location> = {};
  const fieldOf: Record<Level, string> = { region: 'region_code', province: 'province_code', district: 'district_code' };
  let sent = false;
  for (const level of LEVELS) {
    const code = input[`${level}_code`];
    const id = input[`${level}_id`];
    if (code !== undefined && id !== undefined && code !== id) {
      issues.push({ loc: ['body', `${level}_id`], msg: `No coincide con ${level}_code.`, type: 'invalid' });
    }
    if (code === undefined && id !== undefined) fieldOf[level] = `${level}_id`;
    const value = code ?? id;
    if (value !== undefined) {
      sent = true;
      chosen[level] = value;
    } else if (required) issues.push({ loc: ['body', `${level}_code`], msg: 'Este campo es requerido.', type: 'missing' });
    else if (fallback?.[level] !== undefined && fallback[level] !== null) chosen[level] = fallback[level];
  }
  if (issues.length) throw new ValidationError(issues);
  if (!sent) return undefined;
  for (const level of LEVELS) {
    if (chosen[level] === undefined) {
      throw ValidationError.field(`${level}_code`, 'Este campo es requerido para validar la ubicación.', 'missing');
    }
  }
  const loc = chosen as Location;
  const found = await selectLocationParents(db, loc);
  if (found.region === null) issues.push({ loc: ['body', fieldOf.region], msg: missingPk(loc.region), type: 'does_not_exist' });
  if (found.province_region === null) issues.push({ loc: ['body', fieldOf.province], msg: missingPk(loc.province), type: 'does_not_exist' });
  else if (found.province_region !== loc.region) {
    issues.push({ loc: ['body', fieldOf.province], msg: 'La provincia no pertenece a la región indicada.', type: 'invalid' });
  }
  if (found.district_province === null) issues.push({ loc: ['body', fieldOf.district], msg: missingPk(loc.district), type: 'does_not_exist' });
  else if (found.district_province !== loc.province) {
    issues.push({ loc: ['body', fieldOf.district], msg: 'El distrito no pertenece a la provincia indicada.', type: 'invalid' });
  }
  if (issues.length) throw new ValidationError(issues);
  return loc;
}

async function checkDocumentType(db: Db, id: number | undefined): Promise<void> {
  if (id !== undefined && !(await documentTypeExists(db, id))) throw ValidationError.field('document_type_id', missingPk(id), 'does_not_exist');
}

const PLAIN_FIELDS = [
  'document_type_id',
  'document_number',
  'name',
  'paternal_lastname',
  'maternal_lastname',
  'email',
  'phone1',
  'phone2',
  'sex',
  'address',
  'ocupation',
  'health_condition',
] as const;

function columnValues(input: PatientInput, location: Location | undefined) {
  const values: Record<string, unknown> = {};
  for (const f of PLAIN_FIELDS) if (input[f] !== undefined) values[f] = input[f];
  if (location) Object.assign(values, { region_id: location.region, province_id: location.province, district_id: location.district });
  return values;
}

/** A unique-index violation on document or e-mail becomes the spec's 409, naming the holder. */
async function duplicateError(db: Db, error: unknown, reflexoId: number, input: PatientInput, exceptId?: number): Promise<unknown> {
  if (pgCode(error) !== '23505') return error;
  const holder = await findPatientHolding(db, reflexoId, input.document_number, input.email, exceptId);
  if (!holder) return new Conflict('El paciente ya existe');
  return new Conflict('El paciente ya existe', { code: 'patient_exists', data: { holder } });
}

export async function createPatient(db: Db, actor: Actor | null, input: PatientInput): Promise<PatientRow> {
  const reflexoId = tenantForWrite(actor, input.reflexo_id);
  const location = await resolveLocation(db, input, true);
  await checkDocumentType(db, input.document_type_id);
  const values = { ...columnValues(input, location), reflexo_id: reflexoId } as Parameters<typeof insertPatient>[1];
  const res = await underSavepoint(db, 'patient_write', () => insertPatient(db, values));
  if (!res.ok) throw await duplicateError(db, res.error, reflexoId, input);
  await recordAudit(db, { action: 'create', entity: 'patients', entityId: res.value.id, reflexoId, changedFields: sentFields(values) });
  return (await selectPatient(db, res.value.id, reflexoId))!;
}

export async function editPatient(db: Db, actor: Actor | null, id: number, input: PatientInput, partial: boolean): Promise<PatientRow> {
  const current = await findPatient(db, actor, id);
  if (input.reflexo_id !== undefined && input.reflexo_id !== current.reflexo_id) {
    throw ValidationError.field('reflexo_id', 'No se puede cambiar la empresa de un paciente.', 'invalid');
  }
  const location = await resolveLocation(db, input, !partial, {
    region: current.region_id ?? undefined,
    province: current.province_id ?? undefined,
    district: current.district_id ?? undefined,
  });
  await checkDocumentType(db, input.document_type_id);
  const values = columnValues(input, location);
  const res = await underSavepoint(db, 'patient_write', () => updatePatient(db, id, values));
  if (!res.ok) throw await duplicateError(db, res.error, current.reflexo_id, input, id);
  await recordAudit(db, { action: 'update', entity: 'patients', entityId: id, reflexoId: current.reflexo_id, changedFields: sentFields(values) });
  return (await selectPatient(db, id, current.reflexo_id))!;
}

export async function deletePatient(db: Db, actor: Actor | null, id: number, hard: boolean): Promise<void> {
  const current = await findPatient(db, actor, id);
  if (hard) {
    await hardDeleteOrConflict(() => hardDeletePatient(db, id), 'El paciente tiene registros asociados (citas, tickets) y no puede eliminarse definitivamente.');
  } else {
    await softDeletePatient(db, id);
  }
  await recordAudit(db, { action: hard ? 'hard_delete' : 'delete', entity: 'patients', entityId: id, reflexoId: current.reflexo_id });
}

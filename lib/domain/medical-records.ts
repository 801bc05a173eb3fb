import type { Db } from '../db/tenant';
import { NotFound, ValidationError } from '../errors';
import { paginate, type Page } from '../queries/paginate';
import { isPlatform, type Actor } from '../auth/actor';
import {
  hardDeleteMedicalRecord,
  insertMedicalRecord,
  liveDiagnosisExists,
  medicalRecordsQuery,
  selectLivePatientTenant,
  selectMedicalRecord,
  softDeleteMedicalRecord,
  updateMedicalRecord,
  type MedicalRecordFilter,
  type MedicalRecordRow,
} from '../queries/medical-records';
import { recordAudit } from './audit';
import { pgCode, pgConstraint, readScope, sentFields } from './clinical-rules';

/*
 * Medical records: a diagnosis (global catalog) of a patient (tenant) on a date. The patient and the
 * diagnosis must be live, the record lives in the patient's clinic, and (patient, diagnosis, date)
 * is unique among live records — decided by the unique index, reported DRF-style as a 400.
 */
export interface MedicalRecordInput {
  patient_id?: number;
  diagnose_id?: number;
  diagnosis_date?: string;
  notes?: string | null;
  symptoms?: string | null;
  treatment?: string | null;
  status?: string;
  reflexo_id?: number | null;
}

/** A medical record as the domain hands it to a surface. */
export type MedicalRecordRecord = MedicalRecordRow;

const notFound = () => new NotFound('Historial médico no encontrado.');
const TENANT_MISMATCH = 'Paciente y diagnóstico pertenecen a diferentes empresas (tenant).';
const NOT_UNIQUE = 'Los campos patient_id, diagnose_id, diagnosis_date deben formar un conjunto único.';

/** One page of the caller's live records, latest diagnosis first. */
export const listMedicalRecords = (db: Db, actor: Actor | null, filter: Omit<MedicalRecordFilter, 'reflexoId'>, page: number, size: number): Promise<Page<MedicalRecordRecord>> =>
  paginate(medicalRecordsQuery(db, { ...filter, reflexoId: readScope(actor) }), page, size);

async function findRecord(db: Db, actor: Actor | null, id: number): Promise<MedicalRecordRow> {
  const row = await selectMedicalRecord(db, id, readScope(actor));
  if (!row) throw notFound();
  return row;
}

export const getMedicalRecord = (db: Db, actor: Actor | null, id: number): Promise<MedicalRecordRecord> => findRecord(db, actor, id);

/**
 * The clinic the record belongs to: its patient's. A tenant user only finds their own patients;
 * a global administrator who names a clinic must name the patient's.
 */
async function recordTenant(db: Db, actor: Actor | null, patientId: number, requested: number | null | undefined, fixedTenant?: number): Promise<number> {
  const scope = fixedTenant ?? readScope(actor);
  const patient = await selectLivePatientTenant(db, patientId, scope);
  if (!patient) {
    // Another clinic's patient, seen by a global administrator editing this record: a tenant clash.
    if (fixedTenant !== undefined && isPlatform(actor ?? null) && (await selectLivePatientTenant(db, patientId, null))) {
      throw ValidationError.field(null, TENANT_MISMATCH, 'invalid');
    }
    throw ValidationError.field('patient_id', 'El paciente no existe o está inactivo.', 'does_not_exist');
  }
  const wanted = requested ?? (isPlatform(actor ?? null) ? undefined : (actor?.reflexoId ?? undefined));
  if (wanted !== undefined && wanted !== patient.reflexo_id) throw ValidationError.field(null, TENANT_MISMATCH, 'invalid');
  return patient.reflexo_id;
}

async function checkDiagnosis(db: Db, id: number | undefined): Promise<void> {
  if (id !== undefined && !(await liveDiagnosisExists(db, id))) {
    throw ValidationError.field('diagnose_id', 'El diagnóstico no existe o está inactivo.', 'does_not_exist');
  }
}

async function uniqueTrio<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (pgCode(err) === '23505' && pgConstraint(err) === 'medical_records_trio_live_uq') throw ValidationError.field(null, NOT_UNIQUE, 'unique');
    throw err;
  }
}

const FIELDS = ['patient_id', 'diagnose_id', 'diagnosis_date', 'notes', 'symptoms', 'treatment', 'status'] as const;
const columnValues = (input: MedicalRecordInput) => {
  const values: Record<string, unknown> = {};
  for (const f of FIELDS) if (input[f] !== undefined) values[f] = input[f];
  return values;
};

export async function createMedicalRecord(db: Db, actor: Actor | null, input: Required<Pick<MedicalRecordInput, 'patient_id' | 'diagnose_id' | 'diagnosis_date'>> & MedicalRecordInput): Promise<MedicalRecordRecord> {
  const reflexoId = await recordTenant(db, actor, input.patient_id, input.reflexo_id);
  await checkDiagnosis(db, input.diagnose_id);
  const values = { ...columnValues(input), reflexo_id: reflexoId } as Parameters<typeof insertMedicalRecord>[1];
  const { id } = await uniqueTrio(() => insertMedicalRecord(db, values));
  await recordAudit(db, { action: 'create', entity: 'medical_records', entityId: id, reflexoId, changedFields: sentFields(values) });
  return (await selectMedicalRecord(db, id, reflexoId))!;
}

export async function editMedicalRecord(db: Db, actor: Actor | null, id: number, input: MedicalRecordInput): Promise<MedicalRecordRecord> {
  const current = await findRecord(db, actor, id);
  if (input.reflexo_id !== undefined && input.reflexo_id !== null && input.reflexo_id !== current.reflexo_id) throw ValidationError.field(null, TENANT_MISMATCH, 'invalid');
  if (input.patient_id !== undefined && input.patient_id !== current.patient_id) {
    await recordTenant(db, actor, input.patient_id, current.reflexo_id, current.reflexo_id);
  }
  if (input.diagnose_id !== current.diagnose_id) await checkDiagnosis(db, input.diagnose_id);
  const values = columnValues(input);
  await uniqueTrio(() => updateMedicalRecord(db, id, values));
  await recordAudit(db, { action: 'update', entity: 'medical_records', entityId: id, reflexoId: current.reflexo_id, changedFields: sentFields(values) });
  return (await selectMedicalRecord(db, id, current.reflexo_id))!;
}

export async function deleteMedicalRecord(db: Db, actor: Actor | null, id: number, hard: boolean): Promise<void> {
  const current = await findRecord(db, actor, id);
  if (hard) await hardDeleteMedicalRecord(db, id);
  else await softDeleteMedicalRecord(db, id);
  await recordAudit(db, { action: hard ? 'hard_delete' : 'delete', entity: 'medical_records', entityId: id, reflexoId: current.reflexo_id });
}

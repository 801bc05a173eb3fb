import type { Insertable, Updateable } from 'kysely';
import type { Db } from '../db/tenant';
import type { MedicalRecordsTable } from '../db/tables/clinical';

/* Medical records (tenant-owned): one diagnosis of one patient on one date. */

const cols = [
  'mr.id',
  'mr.patient_id',
  'mr.diagnose_id',
  'mr.diagnosis_date',
  'mr.notes',
  'mr.symptoms',
  'mr.treatment',
  'mr.status',
  'mr.reflexo_id',
  'mr.created_at',
  'mr.updated_at',
] as const;

export interface MedicalRecordFilter {
  reflexoId: number | null;
  patientId?: number;
  diagnoseId?: number;
  status?: string;
  dateFrom?: string;
  dateTo?: string;
}

export function medicalRecordsQuery(db: Db, f: MedicalRecordFilter) {
  let q = db.selectFrom('medical_records as mr').select(cols).where('mr.deleted_at', 'is', null);
  if (f.reflexoId !== null) q = q.where('mr.reflexo_id', '=', f.reflexoId);
  if (f.patientId !== undefined) q = q.where('mr.patient_id', '=', f.patientId);
  if (f.diagnoseId !== undefined) q = q.where('mr.diagnose_id', '=', f.diagnoseId);
  if (f.status !== undefined) q = q.where('mr.status', '=', f.status);
  if (f.dateFrom !== undefined) q = q.where('mr.diagnosis_date', '>=', f.dateFrom);
  if (f.dateTo !== undefined) q = q.where('mr.diagnosis_date', '<=', f.dateTo);
  return q.orderBy('mr.diagnosis_date', 'desc').orderBy('mr.id', 'desc');
}

export const selectMedicalRecord = (db: Db, id: number, reflexoId: number | null) =>
  medicalRecordsQuery(db, { reflexoId }).where('mr.id', '=', id).executeTakeFirst();

export type MedicalRecordRow = NonNullable<Awaited<ReturnType<typeof selectMedicalRecord>>>;

export const insertMedicalRecord = (db: Db, values: Insertable<MedicalRecordsTable>) =>
  db.insertInto('medical_records').values(values).returning('id').executeTakeFirstOrThrow();

export const updateMedicalRecord = (db: Db, id: number, values: Updateable<MedicalRecordsTable>) =>
  db.updateTable('medical_records').set({ ...values, updated_at: new Date() }).where('id', '=', id).where('deleted_at', 'is', null).execute();

export const softDeleteMedicalRecord = (db: Db, id: number) =>
  db.updateTable('medical_records').set({ deleted_at: new Date() }).where('id', '=', id).where('deleted_at', 'is', null).execute();

export const hardDeleteMedicalRecord = (db: Db, id: number) => db.deleteFrom('medical_records').where('id', '=', id).execute();

/** A live patient visible to the caller (RLS) and its clinic. */
export const selectLivePatientTenant = (db: Db, id: number, reflexoId: number | null) => {
  let q = db.selectFrom('patients').select(['id', 'reflexo_id']).where('id', '=', id).where('deleted_at', 'is', null);
  if (reflexoId !== null) q = q.where('reflexo_id', '=', reflexoId);
  return q.executeTakeFirst();
};

export const liveDiagnosisExists = async (db: Db, id: number) =>
  !!(await db.selectFrom('diagnoses').select('id').where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst());

import type { Db } from '../db/tenant';
import type { Actor } from '../auth/actor';
import { NotFound, ValidationError } from '../errors';
import { paginate, type Page } from '../queries/paginate';
import { diagnosesQuery, hardDeleteDiagnosis, insertDiagnosis, selectDiagnosis, softDeleteDiagnosesByCode, updateDiagnosis, type DiagnosisRow } from '../queries/diagnoses';
import { hardDeleteOrConflict, pgCode, pgConstraint, requirePlatform } from './clinical-rules';

/*
 * Diagnoses are shared by every clinic (no tenant): any authenticated user reads them, only platform
 * staff writes them. `code` is unique among live rows: the unique index decides, so two concurrent
 * creates of the same code cannot both succeed. Soft delete marks every live row sharing the code.
 */
export type DiagnosisRecord = DiagnosisRow;

const notFound = () => new NotFound('Diagnóstico no encontrado', { code: 'diagnosis_not_found' });
const duplicateCode = () => ValidationError.field('code', 'Un diagnóstico con este código ya existe.', 'unique');

async function uniqueCode<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (pgCode(err) === '23505' && pgConstraint(err) === 'diagnoses_code_live_uq') throw duplicateCode();
    throw err;
  }
}

export const listDiagnoses = (db: Db, opts: { page: number; size: number; search?: string }): Promise<Page<DiagnosisRecord>> =>
  paginate(diagnosesQuery(db, opts.search?.trim() || undefined), opts.page, opts.size);

export async function getDiagnosis(db: Db, id: number): Promise<DiagnosisRecord> {
  const row = await selectDiagnosis(db, id);
  if (!row) throw notFound();
  return row;
}

export async function createDiagnosis(db: Db, actor: Actor | null, values: { name: string; code: string }): Promise<DiagnosisRecord> {
  requirePlatform(actor);
  return uniqueCode(() => insertDiagnosis(db, values));
}

export async function editDiagnosis(db: Db, actor: Actor | null, id: number, values: { name?: string; code?: string }): Promise<DiagnosisRecord> {
  requirePlatform(actor);
  const row = await uniqueCode(() => updateDiagnosis(db, id, values));
  if (!row) throw notFound();
  return row;
}

export async function deleteDiagnosis(db: Db, actor: Actor | null, id: number, hard: boolean): Promise<void> {
  requirePlatform(actor);
  const row = await getDiagnosis(db, id);
  if (hard) {
    await hardDeleteOrConflict(() => hardDeleteDiagnosis(db, id), 'El diagnóstico tiene historiales médicos asociados y no puede eliminarse definitivamente.');
  } else {
    await softDeleteDiagnosesByCode(db, row.code);
  }
}

import { sql } from 'kysely';
import type { Db } from '../db/tenant';
import { foldedContains, foldExpr, searchTerms } from './clinical-search';

/* Diagnoses: a global catalog, unique code among live rows, soft delete by code. */

const cols = ['d.id', 'd.name', 'd.code', 'd.created_at', 'd.updated_at'] as const;

export function diagnosesQuery(db: Db, search?: string) {
  let q = db.selectFrom('diagnoses as d').select(cols).where('d.deleted_at', 'is', null);
  if (search) {
    const haystack = foldExpr(sql`d.code || ' ' || d.name`);
    for (const term of searchTerms(search)) q = q.where(sql<boolean>`${haystack} LIKE ${foldedContains(term)}`);
  }
  return q.orderBy('d.id');
}

export const selectDiagnosis = (db: Db, id: number) => diagnosesQuery(db).where('d.id', '=', id).executeTakeFirst();

export type DiagnosisRow = NonNullable<Awaited<ReturnType<typeof selectDiagnosis>>>;

export const insertDiagnosis = (db: Db, values: { name: string; code: string }) =>
  db.insertInto('diagnoses').values(values).returning(['id', 'name', 'code', 'created_at', 'updated_at']).executeTakeFirstOrThrow();

export const updateDiagnosis = (db: Db, id: number, values: { name?: string; code?: string }) =>
  db
    .updateTable('diagnoses')
    .set({ ...values, updated_at: new Date() })
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .returning(['id', 'name', 'code', 'created_at', 'updated_at'])
    .executeTakeFirst();

export const softDeleteDiagnosesByCode = (db: Db, code: string) =>
  db.updateTable('diagnoses').set({ deleted_at: new Date() }).where('code', '=', code).where('deleted_at', 'is', null).execute();

export const hardDeleteDiagnosis = (db: Db, id: number) => db.deleteFrom('diagnoses').where('id', '=', id).execute();

import { sql } from 'kysely';
import type { Db } from '../db/tenant';
import { liveCount } from './live-counts';
import type { PatientsTable } from '../db/tables/clinical';
import type { Insertable, Updateable } from 'kysely';
import { likeEscape, searchTerms } from './clinical-search';

/* Patients (tenant-owned). Soft-deleted rows are never returned. */

const cols = [
  'pa.id',
  'pa.reflexo_id',
  'pa.document_type_id',
  'dt.name as document_type_name',
  'pa.document_number',
  'pa.name',
  'pa.paternal_lastname',
  'pa.maternal_lastname',
  'pa.email',
  'pa.phone1',
  'pa.phone2',
  'pa.sex',
  'pa.birth_date',
  'pa.address',
  'pa.ocupation as occupation',
  'pa.health_condition',
  'pa.personal_reference',
  'pa.region_id',
  're.name as region_name',
  'pa.province_id',
  'pr.name as province_name',
  'pa.district_id',
  'di.name as district_name',
  'pa.estado_paciente',
  'pa.fuente_captacion',
  'pa.aseguradora',
  'pa.linea_negocio',
  'pa.presupuesto',
  'pa.notes',
  'pa.created_at',
  'pa.updated_at',
] as const;

/** Live patients, newest first, limited to one clinic unless `reflexoId` is null (global administrators). */
export function patientsQuery(db: Db, filter: { reflexoId: number | null }) {
  // Catalog names for the detail's objects: primary-key lookups on a page of rows.
  let qb = db
    .selectFrom('patients as pa')
    .leftJoin('document_types as dt', 'dt.id', 'pa.document_type_id')
    .leftJoin('regions as re', 're.id', 'pa.region_id')
    .leftJoin('provinces as pr', 'pr.id', 'pa.province_id')
    .leftJoin('districts as di', 'di.id', 'pa.district_id')
    .select(cols)
    .where('pa.deleted_at', 'is', null);
  if (filter.reflexoId !== null) qb = qb.where('pa.reflexo_id', '=', filter.reflexoId);
  return qb.orderBy('pa.id', 'desc');
}

/**
 * One page of live patients and the total. Without a search: an index scan for the page and the
 * clinic's trigger-kept live count (migration 0010), not a count over 100,000 rows per page. With
 * a search: ids and total from patient_search() (migration 0008), which can use the trigram index.
 */
export async function selectPatientPage(db: Db, filter: { reflexoId: number | null; q?: string }, page: number, size: number) {
  const offset = (page - 1) * size;
  const terms = searchTerms(filter.q ?? '').map(likeEscape);
  if (!terms.length) {
    const rows = await patientsQuery(db, filter).limit(size).offset(offset).execute();
    return { rows, count: await liveCount(db, 'patients', filter.reflexoId) };
  }
  const { rows: hits } = await sql<{ id: number | null; total: number }>`SELECT id, total FROM patient_search(${filter.reflexoId}::int, ${terms}::text[], ${size}::int, ${offset}::int)`.execute(db);
  const ids = hits.flatMap((h) => (h.id === null ? [] : [h.id]));
  const rows = ids.length ? await patientsQuery(db, filter).where('pa.id', 'in', ids).execute() : [];
  const count = Number(hits[0]?.total ?? 0);
  return { rows, count };
}

export const selectPatient = (db: Db, id: number, reflexoId: number | null) =>
  patientsQuery(db, { reflexoId }).where('pa.id', '=', id).executeTakeFirst();

export type PatientRow = NonNullable<Awaited<ReturnType<typeof selectPatient>>>;

export const insertPatient = (db: Db, values: Insertable<PatientsTable>) => db.insertInto('patients').values(values).returning('id').executeTakeFirstOrThrow();

export const updatePatient = (db: Db, id: number, values: Updateable<PatientsTable>) =>
  db.updateTable('patients').set({ ...values, updated_at: new Date() }).where('id', '=', id).where('deleted_at', 'is', null).execute();

export const softDeletePatient = (db: Db, id: number) =>
  db.updateTable('patients').set({ deleted_at: new Date() }).where('id', '=', id).where('deleted_at', 'is', null).execute();

export const hardDeletePatient = (db: Db, id: number) => db.deleteFrom('patients').where('id', '=', id).execute();

/** The live patient of a clinic holding this document number or e-mail (for the 409 body). */
export const findPatientHolding = (db: Db, reflexoId: number, documentNumber: string | undefined, email: string | null | undefined, exceptId?: number) => {
  let q = db
    .selectFrom('patients')
    .select(['id', 'document_number', 'name', 'email'])
    .where('reflexo_id', '=', reflexoId)
    .where('deleted_at', 'is', null)
    .where((eb) => {
      const ors = [];
      if (documentNumber !== undefined) ors.push(eb('document_number', '=', documentNumber));
      if (email) ors.push(eb('email', '=', email));
      return ors.length ? eb.or(ors) : eb.val(false);
    });
  if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
  return q.orderBy('id').executeTakeFirst();
};

/** Whether each location exists, and the parent each one names (ids are ubigeo codes). */
export async function selectLocationParents(db: Db, ids: { region: number; province: number; district: number }) {
  const { rows } = await sql<{ region: number | null; province_region: number | null; district_province: number | null }>`
    SELECT (SELECT id FROM regions WHERE id = ${ids.region} AND deleted_at IS NULL) AS region,
           (SELECT region_id FROM provinces WHERE id = ${ids.province} AND deleted_at IS NULL) AS province_region,
           (SELECT province_id FROM districts WHERE id = ${ids.district} AND deleted_at IS NULL) AS district_province`.execute(db);
  return rows[0];
}

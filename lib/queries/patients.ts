import { sql, type ExpressionBuilder } from 'kysely';
import type { Db } from '../db/tenant';
import { liveCount, liveCountExpr } from './live-counts';
import type { Database } from '../db/types';
import type { PatientsTable } from '../db/tables/clinical';
import type { Insertable, Updateable } from 'kysely';
import { likeEscape, searchTerms } from './clinical-search';
import { visitsOfRow, type VisitFigures } from './patient-visits';

/* Patients (tenant-owned). Soft-deleted rows are never returned. */

const cols = [
  'pa.id',
  'pa.reflexo_id',
  'pa.document_type_id',
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
  'pa.province_id',
  'pa.district_id',
  'pa.estado_paciente',
  'pa.fuente_captacion',
  'pa.aseguradora',
  'pa.linea_negocio',
  'pa.presupuesto',
  'pa.notes',
  'pa.created_at',
  'pa.updated_at',
] as const;

type PatientsFrom = ExpressionBuilder<Database & { pa: Database['patients'] }, 'pa'>;

/*
 * The catalog names of the detail's objects, as one primary-key lookup each per returned row. Scalar
 * sub-selects rather than four joins: the planner has nothing to order, and a page's statement is
 * planned in a fraction of the time (planning, not execution, was most of a list page's cost).
 */
const catalogNames = (eb: PatientsFrom) => [
  eb.selectFrom('document_types as dt').select('dt.name').whereRef('dt.id', '=', 'pa.document_type_id').as('document_type_name'),
  eb.selectFrom('regions as re').select('re.name').whereRef('re.id', '=', 'pa.region_id').as('region_name'),
  eb.selectFrom('provinces as pr').select('pr.name').whereRef('pr.id', '=', 'pa.province_id').as('province_name'),
  eb.selectFrom('districts as di').select('di.name').whereRef('di.id', '=', 'pa.district_id').as('district_name'),
];

/** Live patients, newest first, limited to one clinic unless `reflexoId` is null (global administrators). */
export function patientsQuery(db: Db, filter: { reflexoId: number | null }) {
  let qb = db.selectFrom('patients as pa').select(cols).select(catalogNames).where('pa.deleted_at', 'is', null);
  if (filter.reflexoId !== null) qb = qb.where('pa.reflexo_id', '=', filter.reflexoId);
  return qb.orderBy('pa.id', 'desc');
}

/**
 * The ids of one page of live patients, newest first, from an index-only walk of
 * patients_tenant_live_idx (reflexo_id, id DESC): a deep page skips index entries, never rows. For
 * a clinic the walk is patient_page_ids() (migration 0028), which checks the tenant wall once instead
 * of on every entry it skips. Walking the primary key backwards instead (what the planner chose for
 * the whole page) passed every newer patient of the other clinics first: 50,800 rows for the first
 * page of the bench's largest clinic.
 */
function pageIds(db: Db, reflexoId: number | null, size: number, offset: number) {
  if (reflexoId !== null) return sql<boolean>`pa.id IN (SELECT patient_page_ids(${reflexoId}::int, ${size}::int, ${offset}::int))`;
  const ids = db.selectFrom('patients').select('id').where('deleted_at', 'is', null).orderBy('id', 'desc').limit(size).offset(offset);
  return sql<boolean>`pa.id IN (${ids})`;
}

/**
 * One page of live patients and the total, in one statement. Without a search: the page's ids from
 * the clinic's index, then their rows, and the total from the trigger-kept live counter (migration
 * 0010). With a search: ids and total from patient_search() (migration 0008), which can use the
 * trigram index, joined to their rows.
 */
export async function selectPatientPage(
  db: Db,
  filter: { reflexoId: number | null; q?: string },
  page: number,
  size: number,
  opts: { visits?: boolean } = {},
): Promise<{ rows: (PatientRow & { visits?: VisitFigures })[]; count: number }> {
  const offset = (page - 1) * size;
  // v1's visit figures, as a column of the same statement.
  const visits = opts.visits ? [visitsOfRow(filter.reflexoId).as('visits')] : [];
  const terms = searchTerms(filter.q ?? '').map(likeEscape);
  if (!terms.length) {
    const found = await patientsQuery(db, filter)
      .where(pageIds(db, filter.reflexoId, size, offset))
      .select(liveCountExpr('patients', filter.reflexoId).as('total'))
      .select(visits)
      .execute();
    // A page past the end has no row to carry the total.
    const count = found.length ? Number(found[0].total) : await liveCount(db, 'patients', filter.reflexoId);
    return { rows: found.map(({ total: _t, ...row }) => row), count };
  }
  // The function answers a row with a null id when the page is empty, so the total always comes back.
  const found = await db
    .selectFrom(sql<{ id: number | null; total: string }>`patient_search(${filter.reflexoId}::int, ${terms}::text[], ${size}::int, ${offset}::int)`.as('s'))
    .leftJoin('patients as pa', (j) => j.onRef('pa.id', '=', 's.id').on('pa.deleted_at', 'is', null))
    .select(cols)
    .select(catalogNames)
    .select(visits)
    .select('s.total')
    .orderBy('s.id', 'desc')
    .execute();
  const count = Number(found[0]?.total ?? 0);
  const rows = found.flatMap(({ total: _t, ...row }) => (row.id === null ? [] : [row as PatientRow & { visits?: VisitFigures }]));
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

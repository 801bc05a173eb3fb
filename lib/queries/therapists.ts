import { sql } from 'kysely';
import type { Db } from '../db/tenant';
import type { TherapistsTable } from '../db/tables/scheduling';
import type { Insertable, Updateable } from 'kysely';

/*
 * Therapists with their tenant, document type and ubigeo names joined in: one query per list page.
 * The document and location are optional (a v1 doctor has none), hence the outer joins.
 */

export interface TherapistFilter {
  reflexoId: number | null;
  id?: number;
  /** Soft-deleted rows too (restore, hard delete); every list leaves them out. */
  withDeleted?: boolean;
  /** true: active only; false: deactivated only; undefined: both. */
  active?: boolean;
  regionId?: number;
  provinceId?: number;
  districtId?: number;
  search?: string;
  /** The specialty, case and surrounding spaces aside (v1 `?especialidad=`). */
  specialty?: string;
}

export function therapistQuery(db: Db, f: TherapistFilter) {
  let q = db
    .selectFrom('therapists as t')
    .innerJoin('tenants as r', 'r.id', 't.reflexo_id')
    .leftJoin('document_types as dt', 'dt.id', 't.document_type_id')
    .leftJoin('regions as rg', 'rg.id', 't.region_id')
    .leftJoin('provinces as pv', 'pv.id', 't.province_id')
    .leftJoin('districts as ds', 'ds.id', 't.district_id')
    .select([
      't.id',
      't.reflexo_id',
      'r.name as reflexo_name',
      't.document_type_id',
      'dt.name as document_type_name',
      'dt.code as document_type_code',
      't.document_number',
      't.last_name_paternal',
      't.last_name_maternal',
      't.first_name',
      't.birth_date',
      't.gender',
      't.personal_reference',
      't.phone',
      't.email',
      't.region_id',
      'rg.name as region_name',
      't.province_id',
      'pv.name as province_name',
      't.district_id',
      'ds.name as district_name',
      't.address',
      't.photo_key',
      't.is_active',
      't.specialty',
      't.color',
      't.created_at',
      't.updated_at',
      't.deleted_at',
    ]);
  if (f.reflexoId !== null) q = q.where('t.reflexo_id', '=', f.reflexoId);
  if (f.id !== undefined) q = q.where('t.id', '=', f.id);
  if (!f.withDeleted) q = q.where('t.deleted_at', 'is', null);
  if (f.active !== undefined) q = q.where('t.is_active', '=', f.active);
  if (f.regionId !== undefined) q = q.where('t.region_id', '=', f.regionId);
  if (f.provinceId !== undefined) q = q.where('t.province_id', '=', f.provinceId);
  if (f.districtId !== undefined) q = q.where('t.district_id', '=', f.districtId);
  if (f.specialty) q = q.where(sql<boolean>`lower(btrim(t.specialty)) = lower(btrim(${f.specialty}))`);
  if (f.search) {
    const like = `%${f.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where(
      sql<boolean>`concat_ws(' ', t.first_name, t.last_name_paternal, t.last_name_maternal, t.document_number, t.email, rg.name, pv.name, ds.name, t.address, t.specialty) ilike ${like}`,
    );
  }
  return q.orderBy('t.id');
}

export type TherapistRow = Awaited<ReturnType<ReturnType<typeof therapistQuery>['executeTakeFirstOrThrow']>>;

export function insertTherapist(db: Db, v: Insertable<TherapistsTable>) {
  return db.insertInto('therapists').values(v).returning('id').executeTakeFirstOrThrow();
}

export function updateTherapist(db: Db, id: number, reflexoId: number, v: Updateable<TherapistsTable>) {
  return db.updateTable('therapists').set(v).where('id', '=', id).where('reflexo_id', '=', reflexoId).executeTakeFirst();
}

export function deleteTherapist(db: Db, id: number, reflexoId: number) {
  return db.deleteFrom('therapists').where('id', '=', id).where('reflexo_id', '=', reflexoId).executeTakeFirst();
}

/** A live document type by id, or by its name or code (case-insensitive). */
export function findDocumentType(db: Db, ref: number | string) {
  let q = db.selectFrom('document_types').select(['id', 'name', 'code']).where('deleted_at', 'is', null);
  if (typeof ref === 'number') q = q.where('id', '=', ref);
  else {
    const name = ref.trim().toLowerCase();
    q = q.where((eb) => eb.or([eb(sql`lower(name)`, '=', name), eb(sql`lower(code)`, '=', name)])).orderBy('id');
  }
  return q.executeTakeFirst();
}

/** The region, province and district a location triple names, to check that they exist and nest. */
export function findLocation(db: Db, regionId: number, provinceId: number, districtId: number) {
  return sql<{ region: number | null; province_region: number | null; district_province: number | null; province: number | null; district: number | null }>`
    SELECT (SELECT id FROM regions WHERE id = ${regionId} AND deleted_at IS NULL) AS region,
           p.id AS province, p.region_id AS province_region, d.id AS district, d.province_id AS district_province
    FROM (SELECT 1) one
    LEFT JOIN provinces p ON p.id = ${provinceId} AND p.deleted_at IS NULL
    LEFT JOIN districts d ON d.id = ${districtId} AND d.deleted_at IS NULL`
    .execute(db)
    .then((r) => r.rows[0]);
}

export async function therapistHasAppointments(db: Db, id: number): Promise<boolean> {
  const r = await db.selectFrom('appointments').select('id').where('therapist_id', '=', id).limit(1).executeTakeFirst();
  return !!r;
}

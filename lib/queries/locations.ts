import type { Db } from '../db/tenant';

/* Ubigeo catalogs (global, read-only). Soft-deleted rows are never shown. */

const regionCols = ['r.id', 'r.name', 'r.ubigeo_code', 'r.created_at', 'r.updated_at', 'r.deleted_at'] as const;

export function selectRegions(db: Db, id?: number) {
  let q = db.selectFrom('regions as r').select(regionCols).where('r.deleted_at', 'is', null);
  if (id !== undefined) q = q.where('r.id', '=', id);
  return q.orderBy('r.id').execute();
}

export function selectProvinces(db: Db, filter: { id?: number; regionId?: number }) {
  let q = db
    .selectFrom('provinces as p')
    .innerJoin('regions as r', 'r.id', 'p.region_id')
    .select([
      'p.id',
      'p.name',
      'p.ubigeo_code',
      'p.sequence',
      'p.region_id',
      'r.name as region_name',
      'p.created_at',
      'p.updated_at',
      'p.deleted_at',
    ])
    .where('p.deleted_at', 'is', null);
  if (filter.id !== undefined) q = q.where('p.id', '=', filter.id);
  if (filter.regionId !== undefined) q = q.where('p.region_id', '=', filter.regionId);
  return q.orderBy('p.id').execute();
}

export const selectDistricts = (db: Db, filter: { id?: number; provinceId?: number }) => districtsQuery(db, filter).execute();

/** The builder itself, so the benchmark can run the very same SQL through raw pg. */
export function districtsQuery(db: Db, filter: { id?: number; provinceId?: number }) {
  let q = db
    .selectFrom('districts as d')
    .innerJoin('provinces as p', 'p.id', 'd.province_id')
    .innerJoin('regions as r', 'r.id', 'p.region_id')
    .select([
      'd.id',
      'd.name',
      'd.ubigeo_code',
      'd.sequence',
      'd.province_id',
      'p.name as province_name',
      'r.name as region_name',
      'd.created_at',
      'd.updated_at',
      'd.deleted_at',
    ])
    .where('d.deleted_at', 'is', null);
  if (filter.id !== undefined) q = q.where('d.id', '=', filter.id);
  if (filter.provinceId !== undefined) q = q.where('d.province_id', '=', filter.provinceId);
  return q.orderBy('d.id');
}

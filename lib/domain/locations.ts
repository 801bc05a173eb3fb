import type { Db } from '../db/tenant';
import { NotFound } from '../errors';
import { selectDistricts, selectProvinces, selectRegions } from '../queries/locations';

/* Peru's regions → provinces → districts (ubigeo, read-only; ids are INEI codes). */

export type RegionRecord = Awaited<ReturnType<typeof selectRegions>>[number];
export type ProvinceRecord = Awaited<ReturnType<typeof selectProvinces>>[number];
export type DistrictRecord = Awaited<ReturnType<typeof selectDistricts>>[number];

const one = <T>(rows: T[], missing: string): T => {
  if (!rows.length) throw new NotFound(missing);
  return rows[0];
};

export const listRegions = (db: Db): Promise<RegionRecord[]> => selectRegions(db);
export const getRegion = async (db: Db, id: number): Promise<RegionRecord> => one(await selectRegions(db, id), 'Región no encontrada.');

export const listProvinces = (db: Db, regionId?: number): Promise<ProvinceRecord[]> => selectProvinces(db, { regionId });
export const getProvince = async (db: Db, id: number): Promise<ProvinceRecord> => one(await selectProvinces(db, { id }), 'Provincia no encontrada.');

export const listDistricts = (db: Db, provinceId?: number): Promise<DistrictRecord[]> => selectDistricts(db, { provinceId });
export const getDistrict = async (db: Db, id: number): Promise<DistrictRecord> => one(await selectDistricts(db, { id }), 'Distrito no encontrado.');

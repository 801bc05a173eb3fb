import type { Db } from '../db/tenant';
import { NotFound } from '../errors';
import { selectDistricts, selectProvinces, selectRegions } from '../queries/locations';

/* Peru's regions → provinces → districts, shaped as the Reflexo contract shows them. */

const one = <T>(rows: T[], what: string): T => {
  if (!rows.length) throw new NotFound(`${what} no encontrada.`);
  return rows[0];
};

export const listRegions = (db: Db) => selectRegions(db);
export const getRegion = async (db: Db, id: number) => one(await selectRegions(db, id), 'Región');

const province = ({ region_id, ...p }: Awaited<ReturnType<typeof selectProvinces>>[number]) => ({ ...p, region: region_id });
export const listProvinces = async (db: Db, regionId?: number) => (await selectProvinces(db, { regionId })).map(province);
export const getProvince = async (db: Db, id: number) => province(one(await selectProvinces(db, { id }), 'Provincia'));

const district = ({ province_id, ...d }: Awaited<ReturnType<typeof selectDistricts>>[number]) => ({ ...d, province: province_id });
export const listDistricts = async (db: Db, provinceId?: number) => (await selectDistricts(db, { provinceId })).map(district);
export const getDistrict = async (db: Db, id: number) => {
  const rows = await selectDistricts(db, { id });
  if (!rows.length) throw new NotFound('Distrito no encontrado.');
  return district(rows[0]);
};

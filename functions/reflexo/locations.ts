import { z } from 'zod';
import { defineReflexoGroup } from './surface';
import { createHandler } from '../../lib/http/app';
import { route } from '../../lib/http/route';
import { idParams, intString, nullableTimestamp, timestamp } from '../../lib/http/schemas';
import {
  getDistrict,
  getProvince,
  getRegion,
  listDistricts,
  listProvinces,
  listRegions,
  type DistrictRecord,
  type ProvinceRecord,
  type RegionRecord,
} from '../../lib/domain/locations';

/*
 * Module 7 of reflexo-api.md: Peru's ubigeo, read-only (the contract has no write route, so nobody,
 * not even platform staff, changes it through the API), any authenticated user. Ids are ubigeo codes.
 */

const stamps = { created_at: timestamp, updated_at: timestamp, deleted_at: nullableTimestamp };
const Region = z.object({ id: z.number().int(), name: z.string(), ubigeo_code: z.number().int(), ...stamps });
const Province = z.object({
  id: z.number().int(),
  name: z.string(),
  ubigeo_code: z.number().int(),
  sequence: z.number().int(),
  region: z.number().int(),
  region_name: z.string(),
  ...stamps,
});
const District = z.object({
  id: z.number().int(),
  name: z.string(),
  ubigeo_code: z.number().int(),
  sequence: z.number().int(),
  province: z.number().int(),
  province_name: z.string(),
  region_name: z.string(),
  ...stamps,
});

const toRegion = (r: RegionRecord) => ({ id: r.id, name: r.name, ubigeo_code: r.ubigeo_code, created_at: r.created_at, updated_at: r.updated_at, deleted_at: r.deleted_at });
const toProvince = (p: ProvinceRecord) => ({
  id: p.id,
  name: p.name,
  ubigeo_code: p.ubigeo_code,
  sequence: p.sequence,
  region: p.region_id,
  region_name: p.region_name,
  created_at: p.created_at,
  updated_at: p.updated_at,
  deleted_at: p.deleted_at,
});
const toDistrict = (d: DistrictRecord) => ({
  id: d.id,
  name: d.name,
  ubigeo_code: d.ubigeo_code,
  sequence: d.sequence,
  province: d.province_id,
  province_name: d.province_name,
  region_name: d.region_name,
  created_at: d.created_at,
  updated_at: d.updated_at,
  deleted_at: d.deleted_at,
});

export const group = defineReflexoGroup({
  name: 'locations',
  prefixes: ['/api/locations'],
  tag: 'Locations',
  routes: [
    route({
      method: 'GET',
      path: '/api/locations/regions/',
      access: 'user',
      summary: 'Listar regiones',
      response: z.array(Region),
      handler: async ({ db }) => (await listRegions(db)).map(toRegion),
    }),
    route({
      method: 'GET',
      path: '/api/locations/regions/{id}/',
      access: 'user',
      summary: 'Ver región específica',
      params: idParams,
      response: Region,
      handler: async ({ db, params }) => toRegion(await getRegion(db, params.id)),
    }),
    route({
      method: 'GET',
      path: '/api/locations/provinces/',
      access: 'user',
      summary: 'Listar provincias (filtro ?region=<id>)',
      query: z.object({ region: intString.optional() }),
      response: z.array(Province),
      handler: async ({ db, query }) => (await listProvinces(db, query.region)).map(toProvince),
    }),
    route({
      method: 'GET',
      path: '/api/locations/provinces/{id}/',
      access: 'user',
      summary: 'Ver provincia específica',
      params: idParams,
      response: Province,
      handler: async ({ db, params }) => toProvince(await getProvince(db, params.id)),
    }),
    route({
      method: 'GET',
      path: '/api/locations/districts/',
      access: 'user',
      summary: 'Listar distritos (filtro ?province=<id>)',
      query: z.object({ province: intString.optional() }),
      response: z.array(District),
      handler: async ({ db, query }) => (await listDistricts(db, query.province)).map(toDistrict),
    }),
    route({
      method: 'GET',
      path: '/api/locations/districts/{id}/',
      access: 'user',
      summary: 'Ver distrito específico',
      params: idParams,
      response: District,
      handler: async ({ db, params }) => toDistrict(await getDistrict(db, params.id)),
    }),
  ],
});

export const handler = createHandler(group);

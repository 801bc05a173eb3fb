import { z } from 'zod';
import { defineReflexoGroup } from './surface';
import { createHandler } from '../../lib/http/app';
import { route } from '../../lib/http/route';
import { idParams, intString, nullableTimestamp, timestamp } from '../../lib/http/schemas';
import { getDistrict, getProvince, getRegion, listDistricts, listProvinces, listRegions } from '../../lib/domain/locations';

/* Module 7 of reflexo-api.md: Peru's ubigeo, read-only, any authenticated user. Ids are ubigeo codes. */

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
      handler: ({ db }) => listRegions(db),
    }),
    route({
      method: 'GET',
      path: '/api/locations/regions/{id}/',
      access: 'user',
      summary: 'Ver región específica',
      params: idParams,
      response: Region,
      handler: ({ db, params }) => getRegion(db, params.id),
    }),
    route({
      method: 'GET',
      path: '/api/locations/provinces/',
      access: 'user',
      summary: 'Listar provincias (filtro ?region=<id>)',
      query: z.object({ region: intString.optional() }),
      response: z.array(Province),
      handler: ({ db, query }) => listProvinces(db, query.region),
    }),
    route({
      method: 'GET',
      path: '/api/locations/provinces/{id}/',
      access: 'user',
      summary: 'Ver provincia específica',
      params: idParams,
      response: Province,
      handler: ({ db, params }) => getProvince(db, params.id),
    }),
    route({
      method: 'GET',
      path: '/api/locations/districts/',
      access: 'user',
      summary: 'Listar distritos (filtro ?province=<id>)',
      query: z.object({ province: intString.optional() }),
      response: z.array(District),
      handler: ({ db, query }) => listDistricts(db, query.province),
    }),
    route({
      method: 'GET',
      path: '/api/locations/districts/{id}/',
      access: 'user',
      summary: 'Ver distrito específico',
      params: idParams,
      response: District,
      handler: ({ db, params }) => getDistrict(db, params.id),
    }),
  ],
});

export const handler = createHandler(group);

import { sql } from 'kysely';
import { handler } from '../../functions/reflexo/patients-patients';
import { createUser, ownerKysely, tenantWithAdmin } from '../helpers/fixtures';
import { call } from '../helpers/http';

/*
 * Search totals (migration 0028): exact up to 1,000 matches, estimated beyond; the page itself is
 * always exact. A term under four characters matches the start of a word. One clinic of 1,800
 * patients: two in three are named "Estimado" (1,200), every third "Otro" (600).
 */
const P = '/api/patients/patients/search/';
let tenant: number;
let token: string;
let estimados: number[]; // newest first

beforeAll(async () => {
  tenant = (await tenantWithAdmin()).tenant.id;
  token = (await createUser({ reflexoId: tenant })).token;
  await sql`
    INSERT INTO patients (reflexo_id, document_type_id, document_number, name, paternal_lastname, region_id, province_id, district_id)
    SELECT ${tenant}, 1, 'D' || lpad(g::text, 7, '0'), CASE WHEN g % 3 = 0 THEN 'Otro' ELSE 'Estimado' END, 'Quispe', 15, 1501, 150122
    FROM generate_series(1, 1800) g`.execute(ownerKysely());
  estimados = (await ownerKysely().selectFrom('patients').select('id').where('reflexo_id', '=', tenant).where('name', '=', 'Estimado').orderBy('id', 'desc').execute()).map((r) => r.id);
});

const search = async (q: string, query: Record<string, number> = {}) => {
  const res = await call(handler, { path: P, token, query: { q, ...query } });
  expect(res.status).toBe(200);
  return res.body as { count: number; num_pages: number; current_page: number; results: { id: number; name: string }[] };
};

it('up to 1,000 matches the total is exact', async () => {
  expect((await search('otro')).count).toBe(600);
  expect((await search('quispe otro', { per_page: 100, page: 6 })).count).toBe(600);
  expect((await search('otro', { per_page: 100, page: 7 })).results).toEqual([]);
});

it('beyond 1,000 the total is an estimate above 1,000 near the real 1,200, the same on every call; the pages are exact', async () => {
  const first = await search('estimado', { per_page: 100 });
  expect(first.count).toBeGreaterThan(1000);
  expect(Math.abs(first.count - 1200)).toBeLessThanOrEqual(60);
  expect(first.num_pages).toBe(Math.ceil(first.count / 100));
  expect((await search('estimado', { per_page: 100 })).count).toBe(first.count);
  expect(first.results.map((r) => r.id)).toEqual(estimados.slice(0, 100));
  // Inside the first 1,001 matches, and past them (a deeper walk of the index).
  expect((await search('estimado', { per_page: 100, page: 7 })).results.map((r) => r.id)).toEqual(estimados.slice(600, 700));
  expect((await search('estimado', { per_page: 100, page: 11 })).results.map((r) => r.id)).toEqual(estimados.slice(1000, 1100));
});

it('a short last page makes the total exact; past the end the total is no more than the rows before the page', async () => {
  const last = await search('estimado', { per_page: 7, page: 172 }); // rows 1,198–1,200
  expect(last.results.map((r) => r.id)).toEqual(estimados.slice(1197));
  expect(last.count).toBe(1200);
  const beyond = await search('estimado', { per_page: 7, page: 200 });
  expect(beyond.results).toEqual([]);
  expect(beyond.count).toBeGreaterThan(1000);
  expect(beyond.count).toBeLessThanOrEqual(199 * 7);
});

it('a term under four characters matches the start of a word; from four on, anywhere', async () => {
  expect((await search('tim')).count).toBe(0);
  expect((await search('ado')).count).toBe(0);
  expect((await search('OTR')).count).toBe(600);
  expect((await search('tro')).count).toBe(0);
  expect((await search('timado')).count).toBeGreaterThan(1000);
  expect((await search('uisp otro')).count).toBe(600);
  expect((await search('d00')).count).toBeGreaterThan(1000); // documents D0000001…
  expect((await search('est', { per_page: 5 })).results.map((r) => r.id)).toEqual(estimados.slice(0, 5));
});

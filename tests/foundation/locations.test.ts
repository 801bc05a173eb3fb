import { handler } from '../../functions/reflexo/locations';
import { createUser, ownerKysely } from '../helpers/fixtures';
import { platformStaff } from '../helpers/clinical-actors';
import { call } from '../helpers/http';

/* Module 7 of reflexo-api.md, from HTTP to the seeded ubigeo tables. */
let token: string;
beforeAll(async () => {
  token = (await createUser()).token;
});
const get = (path: string, query?: Record<string, string>) => call(handler, { path, query, token });

describe('regions', () => {
  it('lists the 25 regions as a plain array with the contract fields', async () => {
    const res = await get('/api/locations/regions/');
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(25);
    const lima = res.body.find((r: any) => r.name === 'Lima');
    expect(lima).toEqual({ id: 15, name: 'Lima', ubigeo_code: 15, created_at: expect.any(String), updated_at: expect.any(String), deleted_at: null });
    expect(lima.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
  });

  it('shows one region; an unknown id → 404', async () => {
    expect((await get('/api/locations/regions/4/')).body.name).toBe('Arequipa');
    const missing = await get('/api/locations/regions/99/');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ detail: 'Región no encontrada.' });
  });

  it('requires authentication', async () => {
    expect((await call(handler, { path: '/api/locations/regions/' })).status).toBe(401);
  });
});

describe('provinces', () => {
  it('lists all 196 and filters by ?region=', async () => {
    expect((await get('/api/locations/provinces/')).body).toHaveLength(196);
    const lima = await get('/api/locations/provinces/', { region: '15' });
    expect(lima.body).toHaveLength(10);
    expect(lima.body.every((p: any) => p.region === 15 && p.region_name === 'Lima')).toBe(true);
    expect(lima.body[0]).toEqual({
      id: 1501,
      name: 'Lima',
      ubigeo_code: 1501,
      sequence: 1,
      region: 15,
      region_name: 'Lima',
      created_at: expect.any(String),
      updated_at: expect.any(String),
      deleted_at: null,
    });
  });

  it('an unknown region filter gives an empty list; a non-numeric one a 400', async () => {
    expect((await get('/api/locations/provinces/', { region: '99' })).body).toEqual([]);
    expect((await get('/api/locations/provinces/', { region: 'x' })).status).toBe(400);
  });

  it('detail by id', async () => {
    const res = await get('/api/locations/provinces/401');
    expect(res.body).toMatchObject({ id: 401, name: 'Arequipa', region: 4, region_name: 'Arequipa', sequence: 1 });
    expect((await get('/api/locations/provinces/1/')).status).toBe(404);
  });
});

describe('districts', () => {
  it('lists all 1,892 and filters by ?province=', async () => {
    expect((await get('/api/locations/districts/')).body).toHaveLength(1892);
    const res = await get('/api/locations/districts/', { province: '1501' });
    expect(res.body).toHaveLength(43);
    const miraflores = res.body.find((d: any) => d.name === 'Miraflores');
    expect(miraflores).toEqual({
      id: 150122,
      name: 'Miraflores',
      ubigeo_code: 150122,
      sequence: 22,
      province: 1501,
      province_name: 'Lima',
      region_name: 'Lima',
      created_at: expect.any(String),
      updated_at: expect.any(String),
      deleted_at: null,
    });
  });

  it('detail by id; unknown → 404', async () => {
    expect((await get('/api/locations/districts/10101/')).body).toMatchObject({ name: 'Chachapoyas', province: 101, province_name: 'Chachapoyas', region_name: 'Amazonas' });
    expect((await get('/api/locations/districts/1/')).body).toEqual({ detail: 'Distrito no encontrado.' });
  });
});

describe('no one writes the ubigeo through the API', () => {
  it('POST, PUT, PATCH and DELETE on every locations path → 405 even for a superuser or platform staff; the rows stay', async () => {
    const before = await ownerKysely().selectFrom('regions').selectAll().where('id', '=', 15).executeTakeFirstOrThrow();
    for (const caller of [await createUser({ superuser: true }), await platformStaff()]) {
      for (const path of ['/api/locations/regions/', '/api/locations/regions/15/', '/api/locations/provinces/', '/api/locations/provinces/1501/', '/api/locations/districts/', '/api/locations/districts/150122/']) {
        for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
          const res = await call(handler, { method, path, token: caller.token, json: { name: 'Hackeada' } });
          expect([method, path, res.status, res.headers.allow]).toEqual([method, path, 405, 'GET']);
        }
      }
    }
    expect(await ownerKysely().selectFrom('regions').selectAll().where('id', '=', 15).executeTakeFirstOrThrow()).toEqual(before);
  });
});

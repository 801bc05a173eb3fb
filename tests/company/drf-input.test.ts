import { handler } from '../../functions/reflexo/company-company';
import { objectExists } from '../../lib/storage/s3';
import { createUser, ownerKysely, tenantWithAdmin, uniq } from '../helpers/fixtures';
import { call } from '../helpers/http';
import { encode, ENCODINGS, sendEveryWay } from '../helpers/encodings';
import { JPEG, PNG } from './images';

/*
 * What DRF-era frontends send to the company routes: one create and one update as JSON, as JSON with
 * every value a string, as a urlencoded form and as multipart; each way must leave the same row. Then
 * the form the contract documents for logos: a multipart file alongside string fields.
 */
const BASE = '/api/company/company';
const row = (id: number) => ownerKysely().selectFrom('company_data').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const png = (field: string) => ({ field, filename: 'logo.png', contentType: 'image/png', data: PNG });

let clinic: { id: number };
let admin: { token: string };
let su: { token: string };
beforeAll(async () => {
  const t = await tenantWithAdmin();
  clinic = t.tenant;
  admin = t.admin;
  su = await createUser({ superuser: true, staff: true });
});

/** The row minus what must differ between the four requests. */
const comparable = async (id: number) => {
  const { id: _id, company_name: _name, created_at: _c, updated_at: _u, ...rest } = await row(id);
  return rest;
};

it('create: a global administrator naming reflexo_id (a number, or a string in forms) gets the same row each way', async () => {
  const names: Record<string, string> = {};
  const created = await sendEveryWay(handler, { method: 'POST', path: `${BASE}/create/`, token: su.token }, (e) => ({ company_name: (names[e] = uniq(`Sede ${e} `)), reflexo_id: clinic.id }));
  const ids: number[] = [];
  for (const e of ENCODINGS) {
    expect([e, created[e].status, created[e].body.company_name]).toEqual([e, 200, names[e]]);
    ids.push(created[e].body.id);
    expect((await row(created[e].body.id)).company_name).toBe(names[e]);
  }
  const rows = await Promise.all(ids.map(comparable));
  for (const r of rows) expect(r).toEqual({ reflexo_id: clinic.id, logo_key: null, logo_external_url: null });
});

it('update: PUT edit/ and PATCH on the DRF path, each way, set the same name', async () => {
  const ids: number[] = [];
  for (const e of ENCODINGS) {
    const c = await call(handler, { method: 'POST', path: `${BASE}/`, token: admin.token, json: { company_name: uniq(`Antes ${e} `) } });
    ids.push(c.body.id);
  }
  for (const [method, path] of [
    ['PUT', (id: number) => `${BASE}/${id}/edit/`],
    ['PATCH', (id: number) => `${BASE}/${id}/`],
  ] as const) {
    for (const [i, e] of ENCODINGS.entries()) {
      const name = `${method} ${e} ${ids[i]}`;
      const res = await call(handler, { method, path: path(ids[i]), token: admin.token, ...encode({ company_name: name }, e) });
      expect([method, e, res.status, res.body.company_name]).toEqual([method, e, 200, name]);
      expect(res.body).not.toHaveProperty('warning');
      expect((await row(ids[i])).company_name).toBe(name);
    }
  }
  const rows = await Promise.all(ids.map(comparable));
  for (const r of rows) expect(r).toEqual({ reflexo_id: clinic.id, logo_key: null, logo_external_url: null });
});

it('upload_logo: the URL arrives the same as JSON, JSON strings, urlencoded and a multipart text field', async () => {
  const ids: number[] = [];
  for (const e of ENCODINGS) ids.push((await call(handler, { method: 'POST', path: `${BASE}/create/`, token: admin.token, json: { company_name: uniq(`Logo ${e} `) } })).body.id);
  const url = 'https://ejemplo.com/logo.png';
  for (const [i, e] of ENCODINGS.entries()) {
    const res = await call(handler, { method: 'POST', path: `${BASE}/${ids[i]}/upload_logo/`, token: admin.token, ...encode({ company_logo: url }, e) });
    expect([e, res.status, res.body]).toEqual([e, 200, { message: 'Logo subido correctamente', logo_url: url }]);
  }
  const rows = await Promise.all(ids.map(comparable));
  for (const r of rows) expect(r).toEqual({ reflexo_id: clinic.id, logo_key: null, logo_external_url: url });
});

describe('a logo file alongside string fields (multipart)', () => {
  it('create: company_name and reflexo_id as text parts, the logo as a file part', async () => {
    const name = uniq('Con logo ');
    const res = await call(handler, {
      method: 'POST',
      path: `${BASE}/store/`,
      token: su.token,
      multipart: { fields: { company_name: name, reflexo_id: String(clinic.id) }, files: [png('logo')] },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ company_name: name, has_logo: true, company_logo: expect.stringMatching(new RegExp(`^/media/tenants/${clinic.id}/company/[0-9a-f-]{36}\\.png$`)) });
    const stored = await row(res.body.id);
    expect(stored).toMatchObject({ reflexo_id: clinic.id, company_name: name, logo_external_url: null });
    expect(`/media/${stored.logo_key}`).toBe(res.body.company_logo);
    expect(await objectExists(stored.logo_key)).toBe(true);
  });

  it('create refuses a bad file with the field it came under, and stores nothing', async () => {
    const name = uniq('Mal logo ');
    const res = await call(handler, {
      method: 'POST',
      path: `${BASE}/create/`,
      token: admin.token,
      multipart: { fields: { company_name: name }, files: [{ field: 'logo_file', filename: 'x.png', contentType: 'image/png', data: Buffer.from('not an image') }] },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ logo_file: ['Solo se permiten imágenes JPG o PNG.'] });
    expect(await ownerKysely().selectFrom('company_data').select('id').where('company_name', '=', name).execute()).toEqual([]);
  });

  it('update (PUT edit/ and PATCH {id}/): the name from a text part, the logo from a file part, the old object removed', async () => {
    const c = await call(handler, { method: 'POST', path: `${BASE}/create/`, token: admin.token, multipart: { fields: { company_name: uniq('Sede ') }, files: [png('company_logo')] } });
    const first = (await row(c.body.id)).logo_key as string;

    const put = await call(handler, {
      method: 'PUT',
      path: `${BASE}/${c.body.id}/edit/`,
      token: admin.token,
      multipart: { fields: { company_name: 'reflexo' }, files: [{ field: 'company_logo', filename: 'nuevo.jpg', contentType: 'image/jpeg', data: JPEG }] },
    });
    expect(put.status).toBe(200);
    const second = (await row(c.body.id)).logo_key as string;
    expect(second).toMatch(/\.jpg$/);
    expect(put.body).toMatchObject({ company_name: 'reflexo', company_logo: `/media/${second}`, has_logo: true });
    expect(await objectExists(first)).toBe(false);

    const patch = await call(handler, { method: 'PATCH', path: `${BASE}/${c.body.id}/`, token: admin.token, multipart: { fields: { company_name: 'reflexo 2' }, files: [png('logo_file')] } });
    expect(patch.status).toBe(200);
    const third = await row(c.body.id);
    expect(third).toMatchObject({ company_name: 'reflexo 2', logo_external_url: null });
    expect(third.logo_key).not.toBe(second);
    expect(await objectExists(second)).toBe(false);
    expect(await objectExists(third.logo_key)).toBe(true);
  });
});

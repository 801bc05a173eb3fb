import { handler } from '../../functions/reflexo/company-company';
import { objectExists } from '../../lib/storage/s3';
import { createUser, ownerKysely, tenantWithAdmin, uniq } from '../helpers/fixtures';
import { call } from '../helpers/http';
import { JPEG, PNG } from './images';

/* Module 8 of reflexo-api.md: company data and logos, from HTTP to the database and S3. */

const BASE = '/api/company/company';
const png = (field = 'logo', data = PNG) => ({ field, filename: 'logo.png', contentType: 'image/png', data });

async function setup() {
  const { tenant, admin } = await tenantWithAdmin();
  const create = await call(handler, { method: 'POST', path: `${BASE}/create/`, token: admin.token, json: { company_name: uniq('Clínica San José ') } });
  expect(create.status).toBe(200);
  return { tenant, admin, company: create.body };
}
const row = (id: number) => ownerKysely().selectFrom('company_data').selectAll().where('id', '=', id).executeTakeFirst();
const keyOf = (url: string) => url.replace(/^.*\/media\//, '');

describe('company data', () => {
  it('creates, lists in the status/data envelope and shows one company', async () => {
    const { tenant, admin, company } = await setup();
    expect(company).toEqual({
      id: expect.any(Number),
      company_name: expect.stringMatching(/^Clínica San José /),
      company_logo: null,
      logo_url: null,
      has_logo: false,
      created_at: expect.stringMatching(/Z$/),
      updated_at: expect.stringMatching(/Z$/),
    });
    const list = await call(handler, { path: `${BASE}/`, token: admin.token });
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ status: 'success', data: [{ ...company, reflexo: tenant.id }] });
    const show = await call(handler, { path: `${BASE}/${company.id}/show/`, token: admin.token });
    expect(show.body).toEqual({ ...company, reflexo: tenant.id });
    const drf = await call(handler, { path: `${BASE}/${company.id}`, token: admin.token });
    expect(drf.body.id).toBe(company.id);
    expect((await row(company.id))!.reflexo_id).toBe(tenant.id);
  });

  it('refuses a duplicate name in the same tenant (any case) but allows it in another tenant', async () => {
    const { admin, company } = await setup();
    const dup = await call(handler, { method: 'POST', path: `${BASE}/create/`, token: admin.token, json: { company_name: company.company_name.toUpperCase() } });
    expect(dup.status).toBe(400);
    expect(dup.body).toEqual({ company_name: ['Company Data with this company name already exists.'] });
    const other = await tenantWithAdmin();
    const elsewhere = await call(handler, { method: 'POST', path: `${BASE}/`, token: other.admin.token, json: { company_name: company.company_name } });
    expect(elsewhere.status).toBe(200);
  });

  it('requires company_name, authentication and the admin role to write', async () => {
    const { tenant, admin } = await setup();
    expect((await call(handler, { method: 'POST', path: `${BASE}/create/`, token: admin.token, json: {} })).body).toEqual({ company_name: ['Este campo es requerido.'] });
    expect((await call(handler, { method: 'POST', path: `${BASE}/create/`, token: admin.token, json: { company_name: '   ' } })).status).toBe(400);
    expect((await call(handler, { path: `${BASE}/` })).status).toBe(401);
    const staff = await createUser({ reflexoId: tenant.id });
    expect((await call(handler, { method: 'POST', path: `${BASE}/create/`, token: staff.token, json: { company_name: 'X' } })).status).toBe(403);
    expect((await call(handler, { path: `${BASE}/`, token: staff.token })).status).toBe(200);
  });

  it('a global administrator must name the tenant and sees every clinic', async () => {
    const { tenant } = await setup();
    const su = await createUser({ superuser: true, staff: true });
    const missing = await call(handler, { method: 'POST', path: `${BASE}/store/`, token: su.token, json: { company_name: 'Global' } });
    expect(missing.status).toBe(400);
    expect(missing.body).toHaveProperty('reflexo_id');
    const named = await call(handler, { method: 'POST', path: `${BASE}/store/`, token: su.token, json: { company_name: uniq('Global '), reflexo_id: tenant.id } });
    expect(named.status).toBe(200);
    const list = await call(handler, { path: `${BASE}/`, token: su.token, query: { reflexo_id: tenant.id } });
    expect(list.body.data).toHaveLength(2);
  });

  it('edits the name by PUT and PATCH (JSON), and the DRF aliases', async () => {
    const { admin, company } = await setup();
    const put = await call(handler, { method: 'PUT', path: `${BASE}/${company.id}/edit/`, token: admin.token, json: { company_name: 'empresaT' } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id: company.id, company_name: 'empresaT', has_logo: false });
    expect(put.body).not.toHaveProperty('warning');
    const patch = await call(handler, { method: 'PATCH', path: `${BASE}/${company.id}/edit`, token: admin.token, json: { company_name: 'empresaP' } });
    expect(patch.body.company_name).toBe('empresaP');
    const drfPut = await call(handler, { method: 'PUT', path: `${BASE}/${company.id}/`, token: admin.token, json: { company_name: 'empresaD' } });
    expect(drfPut.body.company_name).toBe('empresaD');
    const emptyPatch = await call(handler, { method: 'PATCH', path: `${BASE}/${company.id}/`, token: admin.token, json: {} });
    expect(emptyPatch.body.company_name).toBe('empresaD');
    const putNoName = await call(handler, { method: 'PUT', path: `${BASE}/${company.id}/edit/`, token: admin.token, json: {} });
    expect(putNoName.status).toBe(400);
    expect((await row(company.id))!.company_name).toBe('empresaD');
  });

  it('edit refuses a name another company of the tenant has', async () => {
    const { admin, company } = await setup();
    const second = await call(handler, { method: 'POST', path: `${BASE}/create/`, token: admin.token, json: { company_name: uniq('Sede ') } });
    const res = await call(handler, { method: 'PUT', path: `${BASE}/${second.body.id}/edit/`, token: admin.token, json: { company_name: company.company_name } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ company_name: ['Company Data with this company name already exists.'] });
  });

  it('multipart edit stores a valid logo in S3; an invalid one keeps the old logo and warns', async () => {
    const { tenant, admin, company } = await setup();
    const ok = await call(handler, {
      method: 'PUT',
      path: `${BASE}/${company.id}/edit/`,
      token: admin.token,
      multipart: { fields: { company_name: 'reflexo' }, files: [png('company_logo')] },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.company_logo).toMatch(new RegExp(`^/media/tenants/${tenant.id}/company/[0-9a-f-]{36}\\.png$`));
    expect(ok.body.logo_url).toBe(`http://localhost:8000${ok.body.company_logo}`);
    expect(ok.body.has_logo).toBe(true);
    expect(await objectExists(keyOf(ok.body.logo_url))).toBe(true);

    const bad = await call(handler, {
      method: 'PATCH',
      path: `${BASE}/${company.id}/edit/`,
      token: admin.token,
      multipart: { fields: { company_name: 'reflexo2' }, files: [{ field: 'company_logo', filename: 'x.gif', contentType: 'image/gif', data: Buffer.from('GIF89a....') }] },
    });
    expect(bad.status).toBe(200);
    expect(bad.body.warning).toBe('El logo no se actualizó: Formato no permitido. Solo se aceptan: jpg, jpeg, png');
    expect(bad.body.company_name).toBe('reflexo2');
    expect(bad.body.logo_url).toBe(ok.body.logo_url);

    const big = await call(handler, {
      method: 'PUT',
      path: `${BASE}/${company.id}/edit/`,
      token: admin.token,
      multipart: { fields: { company_name: 'reflexo3' }, files: [png('logo_file', Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024)]))] },
    });
    expect(big.body.warning).toBe('El logo no se actualizó: El logo excede el tamaño máximo de 2MB');
    expect(big.body.logo_url).toBe(ok.body.logo_url);
  });

  it('hard-deletes a company and its stored logo', async () => {
    const { admin, company } = await setup();
    const up = await call(handler, { method: 'POST', path: `${BASE}/${company.id}/upload_logo/`, token: admin.token, multipart: { files: [png()] } });
    expect(up.body).toEqual({ message: 'Logo subido correctamente' });
    const key = (await row(company.id))!.logo_key as string;
    const del = await call(handler, { method: 'DELETE', path: `${BASE}/${company.id}/delete/`, token: admin.token });
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ status: 'success', message: `Empresa "${company.company_name}" eliminada correctamente` });
    expect(await row(company.id)).toBeUndefined();
    expect(await objectExists(key)).toBe(false);
    expect((await call(handler, { method: 'DELETE', path: `${BASE}/${company.id}/`, token: admin.token })).status).toBe(404);
    expect((await call(handler, { path: `${BASE}/${company.id}/show/`, token: admin.token })).status).toBe(404);
  });
});

describe('company logos', () => {
  it('POST upload_logo with a JSON URL, then show_logo; a second POST is refused', async () => {
    const { admin, company } = await setup();
    const up = await call(handler, { method: 'POST', path: `${BASE}/${company.id}/upload_logo/`, token: admin.token, json: { company_logo: 'https://ejemplo.com/logo.png' } });
    expect(up.status).toBe(200);
    expect(up.body).toEqual({ message: 'Logo subido correctamente', logo_url: 'https://ejemplo.com/logo.png' });
    const show = await call(handler, { path: `${BASE}/${company.id}/show_logo/`, token: admin.token });
    expect(show.body).toEqual({
      has_logo: true,
      logo_url: 'https://ejemplo.com/logo.png',
      logo_url_absolute: 'https://ejemplo.com/logo.png',
      company_name: company.company_name,
      company_id: company.id,
    });
    const again = await call(handler, { method: 'POST', path: `${BASE}/${company.id}/upload_logo/`, token: admin.token, multipart: { files: [png()] } });
    expect(again.status).toBe(400);
    expect(again.body).toEqual({ error: 'La empresa ya tiene un logo. Use PUT para actualizar.' });
  });

  it('PUT upload_logo replaces a stored file (under logo_file) and removes the old object', async () => {
    const { tenant, admin, company } = await setup();
    await call(handler, { method: 'POST', path: `${BASE}/${company.id}/upload_logo/`, token: admin.token, multipart: { files: [png('company_logo')] } });
    const oldKey = (await row(company.id))!.logo_key as string;
    const put = await call(handler, {
      method: 'PUT',
      path: `${BASE}/${company.id}/upload_logo`,
      token: admin.token,
      multipart: { files: [{ field: 'logo_file', filename: 'nuevo.jpg', contentType: 'image/jpeg', data: JPEG }] },
    });
    expect(put.status).toBe(200);
    expect(put.body.message).toBe('Logo actualizado correctamente');
    expect(put.body.company_logo).toMatch(new RegExp(`^/media/tenants/${tenant.id}/company/[0-9a-f-]{36}\\.jpg$`));
    expect(put.body.company_logo_absolute).toBe(`http://localhost:8000${put.body.company_logo}`);
    expect(await objectExists(oldKey)).toBe(false);
    expect(await objectExists(keyOf(put.body.company_logo))).toBe(true);
    const byUrl = await call(handler, { method: 'PUT', path: `${BASE}/${company.id}/upload_logo/`, token: admin.token, json: { company_logo: 'https://nuevo-logo.com/logo-actualizado.png' } });
    expect(byUrl.body).toEqual({
      message: 'Logo actualizado correctamente',
      company_logo: 'https://nuevo-logo.com/logo-actualizado.png',
      company_logo_absolute: 'https://nuevo-logo.com/logo-actualizado.png',
    });
    expect(await row(company.id)).toMatchObject({ logo_key: null, logo_external_url: 'https://nuevo-logo.com/logo-actualizado.png' });
  });

  it('rejects bad files and URLs with the contract messages, keeping the company without a logo', async () => {
    const { admin, company } = await setup();
    const post = (opts: object) => call(handler, { method: 'POST', path: `${BASE}/${company.id}/upload_logo/`, token: admin.token, ...opts });
    const fake = await post({ multipart: { files: [{ field: 'logo', filename: 'logo.png', contentType: 'image/png', data: Buffer.from('not an image at all') }] } });
    expect(fake.status).toBe(400);
    expect(fake.body).toEqual({ logo: ['Solo se permiten imágenes JPG o PNG.'] });
    const big = await post({ multipart: { files: [png('logo', Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024)]))] } });
    expect(big.body).toEqual({ logo: ['El logo no puede superar los 2 MB.'] });
    expect((await post({ json: {} })).body).toEqual({ company_logo: ['Se requiere la URL del logo.'] });
    expect((await post({ json: { company_logo: 'javascript:alert(1)' } })).body).toEqual({ company_logo: ['Introduzca una URL válida.'] });
    expect((await post({ json: { company_logo: 'https://x.com/logo.gif' } })).body).toEqual({ company_logo: ['Formato no permitido. Solo se aceptan: jpg, jpeg, png'] });
    expect((await call(handler, { path: `${BASE}/${company.id}/show_logo/`, token: admin.token })).body).toEqual({ has_logo: false, message: 'La empresa no tiene logo' });
  });

  it('delete_logo removes the logo (and answers 400 when there is none)', async () => {
    const { admin, company } = await setup();
    await call(handler, { method: 'POST', path: `${BASE}/${company.id}/upload_logo/`, token: admin.token, multipart: { files: [png()] } });
    const key = (await row(company.id))!.logo_key as string;
    const del = await call(handler, { method: 'DELETE', path: `${BASE}/${company.id}/delete_logo/`, token: admin.token });
    expect(del.body).toEqual({ message: 'Logo eliminado correctamente' });
    expect(await row(company.id)).toMatchObject({ logo_key: null, logo_external_url: null });
    expect(await objectExists(key)).toBe(false);
    const again = await call(handler, { method: 'DELETE', path: `${BASE}/${company.id}/delete_logo`, token: admin.token });
    expect(again.status).toBe(400);
    expect(again.body).toEqual({ error: 'La empresa no tiene logo.' });
  });
});

describe('tenant isolation', () => {
  it("tenant B cannot list, read, edit, delete or touch the logo of tenant A's company", async () => {
    const a = await setup();
    const b = await tenantWithAdmin();
    const t = b.admin.token;
    const id = a.company.id;
    expect((await call(handler, { path: `${BASE}/`, token: t })).body).toEqual({ status: 'success', data: [] });
    const attempts = [
      { method: 'GET', path: `${BASE}/${id}/show/` },
      { method: 'GET', path: `${BASE}/${id}/` },
      { method: 'PUT', path: `${BASE}/${id}/edit/`, json: { company_name: 'hacked' } },
      { method: 'PATCH', path: `${BASE}/${id}/`, json: { company_name: 'hacked' } },
      { method: 'DELETE', path: `${BASE}/${id}/delete/` },
      { method: 'POST', path: `${BASE}/${id}/upload_logo/`, json: { company_logo: 'https://evil.com/x.png' } },
      { method: 'PUT', path: `${BASE}/${id}/upload_logo/`, json: { company_logo: 'https://evil.com/x.png' } },
      { method: 'GET', path: `${BASE}/${id}/show_logo/` },
      { method: 'DELETE', path: `${BASE}/${id}/delete_logo/` },
    ];
    for (const attempt of attempts) {
      const res = await call(handler, { ...attempt, token: t });
      expect([attempt.method, attempt.path, res.status]).toEqual([attempt.method, attempt.path, 404]);
    }
    expect(await row(id)).toMatchObject({ company_name: a.company.company_name, logo_key: null, logo_external_url: null });
    expect((await call(handler, { path: `${BASE}/abc/show/`, token: t })).status).toBe(404);
  });
});

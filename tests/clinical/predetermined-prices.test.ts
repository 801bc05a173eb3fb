import { handler } from '../../functions/reflexo/configurations-predetermined-prices';
import { createUser, ownerKysely, tenantWithAdmin, type TestUser } from '../helpers/fixtures';
import { call } from '../helpers/http';

/* Module 6: /api/configurations/predetermined_prices/ (tenant-owned, hard delete). */
const PP = '/api/configurations/predetermined_prices';
let tenantId: number;
let staff: TestUser;
beforeAll(async () => {
  const t = await tenantWithAdmin();
  tenantId = t.tenant.id;
  staff = await createUser({ reflexoId: tenantId });
});
const post = (json: unknown, token = staff.token, path = `${PP}/create/`) => call(handler, { method: 'POST', path, json, token });

describe('predetermined prices', () => {
  it('creates (201 {id, reflexo_id}); lists {"predetermined_prices": [{id, name, price "150.00"}]}; detail', async () => {
    const res = await post({ name: 'Consulta de Emergencia', price: 300.0 });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(Number), reflexo_id: tenantId });
    await post({ name: 'Terapia Física', price: '120.5' }, staff.token, PP);
    const list = await call(handler, { path: `${PP}/`, token: staff.token });
    expect(list.body).toEqual({
      predetermined_prices: [
        { id: res.body.id, name: 'Consulta de Emergencia', price: '300.00' },
        { id: expect.any(Number), name: 'Terapia Física', price: '120.50' },
      ],
    });
    const detail = await call(handler, { path: `${PP}/${res.body.id}/`, token: staff.token });
    expect(detail.body).toEqual({ id: res.body.id, name: 'Consulta de Emergencia', price: '300.00', reflexo_id: tenantId, created_at: expect.any(String), updated_at: expect.any(String) });
  });

  it('price must be a positive decimal with at most 2 places', async () => {
    expect((await post({ name: 'x', price: 0 })).body).toEqual({ price: ['Asegúrese de que este valor es mayor que 0.'] });
    expect((await post({ name: 'x', price: -5 })).body).toEqual({ price: ['Asegúrese de que este valor es mayor que 0.'] });
    expect((await post({ name: 'x', price: '10.005' })).body).toEqual({ price: ['Asegúrese de que no haya más de 2 decimales.'] });
    expect((await post({ name: 'x', price: 'caro' })).body).toEqual({ price: ['Se requiere un número válido.'] });
    expect((await post({ name: 'x', price: 1e12 })).status).toBe(400);
    expect((await post({})).body).toEqual({ name: ['Este campo es requerido.'], price: ['Este campo es requerido.'] });
    // 0.1 + 0.2 style values are stored exactly as sent.
    const exact = await post({ name: 'Exacto', price: 0.3 });
    const row = await ownerKysely().selectFrom('predetermined_prices').select('price').where('id', '=', exact.body.id).executeTakeFirstOrThrow();
    expect(row.price).toBe('0.30');
  });

  it('a name is unique among the clinic\'s prices, whatever the case and accents → 409 on name; another clinic may reuse it', async () => {
    const first = await post({ name: 'Terapia Manual', price: 80 });
    expect(first.status).toBe(201);
    const msg = { name: ['Ya existe un precio con ese nombre en la clínica.'] };
    const dup = await post({ name: 'TERAPIA MANUAL', price: 90 });
    expect(dup.status).toBe(409);
    expect(dup.body).toEqual(msg);
    const other = (await post({ name: 'Terápia manual 2', price: 90 })).body;
    const rename = await call(handler, { method: 'PATCH', path: `${PP}/${other.id}/edit/`, token: staff.token, json: { name: 'terapia manual' } });
    expect([rename.status, rename.body]).toEqual([409, msg]);
    expect((await ownerKysely().selectFrom('predetermined_prices').select('name').where('id', '=', other.id).executeTakeFirstOrThrow()).name).toBe('Terápia manual 2');
    const b = await tenantWithAdmin();
    expect((await post({ name: 'Terapia Manual', price: 80 }, b.admin.token)).status).toBe(201);
  });

  it('a global administrator must name the clinic; a user without clinic is refused', async () => {
    const root = await createUser({ superuser: true });
    expect((await post({ name: 'x', price: 10 }, root.token)).body).toEqual({ reflexo_id: ['Un administrador global debe indicar reflexo_id.'] });
    expect((await post({ name: 'x', price: 10, reflexo_id: tenantId }, root.token)).body).toEqual({ id: expect.any(Number), reflexo_id: tenantId });
    const loose = await createUser();
    expect((await post({ name: 'x', price: 10 }, loose.token)).status).toBe(403);
    expect((await call(handler, { path: PP, token: loose.token })).status).toBe(403);
  });

  it('PUT/PATCH (both dialects) and hard delete', async () => {
    const { id } = (await post({ name: 'Consulta General', price: 150 })).body;
    const put = await call(handler, { method: 'PUT', path: `${PP}/${id}/edit/`, token: staff.token, json: { name: 'Consulta General', price: 180.0 } });
    expect(put.body).toMatchObject({ id, price: '180.00' });
    const patch = await call(handler, { method: 'PATCH', path: `${PP}/${id}/`, token: staff.token, json: { price: 200 } });
    expect(patch.body).toMatchObject({ name: 'Consulta General', price: '200.00' });
    expect((await call(handler, { method: 'PUT', path: `${PP}/${id}/`, token: staff.token, json: { price: 1 } })).body).toEqual({ name: ['Este campo es requerido.'] });
    expect((await call(handler, { method: 'DELETE', path: `${PP}/${id}/delete/`, token: staff.token })).status).toBe(204);
    expect(await ownerKysely().selectFrom('predetermined_prices').select('id').where('id', '=', id).executeTakeFirst()).toBeUndefined();
    expect((await call(handler, { method: 'DELETE', path: `${PP}/${id}/`, token: staff.token })).status).toBe(404);
  });

  it('clinic B cannot list, read, edit or delete clinic A\'s prices', async () => {
    const { id } = (await post({ name: 'Privado', price: 99 })).body;
    const b = await tenantWithAdmin();
    const t = b.admin.token;
    expect((await call(handler, { path: PP, token: t })).body).toEqual({ predetermined_prices: [] });
    expect((await call(handler, { path: `${PP}/${id}/`, token: t })).status).toBe(404);
    expect((await call(handler, { method: 'PUT', path: `${PP}/${id}/edit/`, token: t, json: { name: 'x', price: 1 } })).status).toBe(404);
    expect((await call(handler, { method: 'DELETE', path: `${PP}/${id}/delete/`, token: t })).status).toBe(404);
    expect(await ownerKysely().selectFrom('predetermined_prices').select(['name', 'price']).where('id', '=', id).executeTakeFirstOrThrow()).toEqual({ name: 'Privado', price: '99.00' });
    expect((await call(handler, { path: PP })).status).toBe(401);
  });
});

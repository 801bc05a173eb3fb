import { handler as documentTypes } from '../../functions/reflexo/configurations-document-types';
import { handler as paymentTypes } from '../../functions/reflexo/configurations-payment-types';
import { handler as paymentStatuses } from '../../functions/reflexo/configurations-payment-statuses';
import { ownerKysely, tenantWithAdmin, uniq, type TestUser } from '../helpers/fixtures';
import { insertPatient } from '../helpers/clinical-fixtures';
import { DRF_DENIED, sharedRowsCallers } from '../helpers/clinical-actors';
import type { Handler } from '../helpers/http';
import { call } from '../helpers/http';

/*
 * Module 6: document types, payment types, payment statuses (rows every clinic shares, hard delete).
 * Reads are public (the spec); writes are platform staff's (`admin` below is platform staff).
 */
let admin: TestUser;
let tenantId: number;
let callers: Awaited<ReturnType<typeof sharedRowsCallers>>;
beforeAll(async () => {
  tenantId = (await tenantWithAdmin()).tenant.id;
  callers = await sharedRowsCallers();
  admin = callers.platform;
});

/** Every write route and alias of a catalog at `base`, on row `id`. */
const writes = (base: string, id: number, body: Record<string, unknown>): [string, string, Record<string, unknown>?][] => [
  ['POST', `${base}/create/`, body],
  ['POST', `${base}/`, body],
  ['PUT', `${base}/${id}/edit/`, body],
  ['PUT', `${base}/${id}/`, body],
  ['PATCH', `${base}/${id}/edit/`, body],
  ['PATCH', `${base}/${id}/`, body],
  ['DELETE', `${base}/${id}/delete/`],
  ['DELETE', `${base}/${id}/`],
];

describe.each([
  ['document_types', documentTypes],
  ['payment_types', paymentTypes],
  ['payment_statuses', paymentStatuses],
] as [string, Handler][])('%s: only platform staff writes', (table, handler) => {
  const base = `/api/configurations/${table}`;

  it('a clinic user, a clinic Admin (who could before) and a self-registered user get the 403 on every write and alias; reads stay public', async () => {
    const row = await ownerKysely().insertInto(table).values({ name: uniq('Intocable ') }).returning('id').executeTakeFirstOrThrow();
    const before = await ownerKysely().selectFrom(table).selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
    const name = uniq('Intruso ');
    for (const [who, caller] of callers.refused) {
      for (const [method, path, json] of writes(base, row.id, { name })) {
        const res = await call(handler, { method, path, json, token: caller.token });
        expect([who, method, path, res.status, res.body]).toEqual([who, method, path, 403, DRF_DENIED]);
      }
      expect((await call(handler, { path: `${base}/${row.id}/`, token: caller.token })).status).toBe(200);
    }
    expect((await call(handler, { path: `${base}/` })).status).toBe(200);
    expect(await ownerKysely().selectFrom(table).selectAll().where('id', '=', row.id).executeTakeFirstOrThrow()).toEqual(before);
    expect(await ownerKysely().selectFrom(table).select('id').where('name', '=', name).execute()).toEqual([]);
  });

  it('platform staff and superusers write', async () => {
    for (const caller of [callers.platform, callers.superuser]) {
      const created = await call(handler, { method: 'POST', path: `${base}/create/`, json: { name: uniq('Plataforma ') }, token: caller.token });
      expect(created.status).toBe(201);
      expect((await call(handler, { method: 'DELETE', path: `${base}/${created.body.id}/delete/`, token: caller.token })).status).toBe(204);
    }
  });
});

describe.each([
  ['document_types', documentTypes],
  ['payment_types', paymentTypes],
] as [string, Handler][])('%s', (table, handler) => {
  const base = `/api/configurations/${table}`;

  it('lists {"<table>": [{id, name}]} publicly, in id order', async () => {
    const name = uniq('Listado ');
    const mine = (await call(handler, { method: 'POST', path: `${base}/create/`, token: admin.token, json: { name } })).body;
    const res = await call(handler, { path: `${base}/` });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual([table]);
    expect(res.body[table]).toContainEqual({ id: mine.id, name });
    const ids = res.body[table].map((r: any) => r.id);
    expect(ids).toEqual([...ids].sort((x: number, y: number) => x - y));
    expect(Object.keys(res.body[table][0]).sort()).toEqual(['id', 'name']);
  });

  it('the migration seeds the standard rows (checked by their stable codes; other suites may rename them)', async () => {
    const codes = (await ownerKysely().selectFrom(table).select('code').where('code', 'is not', null).execute()).map((r) => r.code);
    expect(codes).toEqual(expect.arrayContaining(table === 'document_types' ? ['DNI', 'CE', 'PASSPORT', 'RUC'] : ['cash', 'card', 'transfer']));
  });

  it('admin creates (201 {id, name}), reads (with timestamps), edits (PUT/PATCH) and hard-deletes (204); both dialects', async () => {
    const name = uniq('Tipo ');
    const created = await call(handler, { method: 'POST', path: `${base}/create/`, token: admin.token, json: { name } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(Number), name });
    const id = created.body.id;
    const detail = await call(handler, { path: `${base}/${id}` });
    expect(detail.body).toEqual({ id, name, created_at: expect.any(String), updated_at: expect.any(String) });
    const put = await call(handler, { method: 'PUT', path: `${base}/${id}/edit/`, token: admin.token, json: { name: `${name} v2` } });
    expect(put.body).toMatchObject({ id, name: `${name} v2` });
    const patch = await call(handler, { method: 'PATCH', path: `${base}/${id}/`, token: admin.token, json: { name: `${name} v3` } });
    expect(patch.body.name).toBe(`${name} v3`);
    expect((await call(handler, { method: 'PUT', path: `${base}/${id}/`, token: admin.token, json: {} })).body).toEqual({ name: ['Este campo es requerido.'] });
    const viaDrf = await call(handler, { method: 'POST', path: base, token: admin.token, json: { name: `${name} drf` } });
    expect(viaDrf.status).toBe(201);
    expect((await call(handler, { method: 'DELETE', path: `${base}/${id}/delete/`, token: admin.token })).status).toBe(204);
    expect(await ownerKysely().selectFrom(table).select('id').where('id', '=', id).executeTakeFirst()).toBeUndefined();
    expect((await call(handler, { method: 'DELETE', path: `${base}/${viaDrf.body.id}/`, token: admin.token })).status).toBe(204);
    expect((await call(handler, { path: `${base}/${id}/` })).status).toBe(404);
    expect((await call(handler, { method: 'DELETE', path: `${base}/${id}/delete/`, token: admin.token })).status).toBe(404);
  });

  it('writing needs an authenticated caller (hardening); blank names are refused', async () => {
    expect((await call(handler, { method: 'POST', path: `${base}/create/`, json: { name: 'x' } })).status).toBe(401);
    expect((await call(handler, { method: 'POST', path: `${base}/create/`, token: admin.token, json: { name: ' ' } })).body).toEqual({ name: ['Este campo no puede estar en blanco.'] });
  });
});

describe('document type in use', () => {
  it('cannot be deleted while a patient uses it (409), and stays', async () => {
    const created = await call(documentTypes, { method: 'POST', path: '/api/configurations/document_types/create/', token: admin.token, json: { name: uniq('Doc ') } });
    await insertPatient(tenantId, { document_type_id: created.body.id });
    const res = await call(documentTypes, { method: 'DELETE', path: `/api/configurations/document_types/${created.body.id}/delete/`, token: admin.token });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ detail: 'El tipo de documento está en uso y no puede eliminarse.' });
    expect(await ownerKysely().selectFrom('document_types').select('id').where('id', '=', created.body.id).executeTakeFirst()).toBeDefined();
  });
});

describe('payment_statuses', () => {
  const base = '/api/configurations/payment_statuses';
  it('lists {id, name, description} publicly; the migration seeds pending/paid/cancelled', async () => {
    const mine = (await call(paymentStatuses, { method: 'POST', path: `${base}/create/`, token: admin.token, json: { name: 'Listado', description: 'Para la lista' } })).body;
    const res = await call(paymentStatuses, { path: `${base}/` });
    expect(Object.keys(res.body)).toEqual(['payment_statuses']);
    expect(res.body.payment_statuses).toContainEqual({ id: mine.id, name: 'Listado', description: 'Para la lista' });
    const seeded = await ownerKysely().selectFrom('payment_statuses').select(['code']).where('code', 'in', ['pending', 'paid', 'cancelled']).execute();
    expect(seeded).toHaveLength(3);
  });

  it('admin creates, reads, edits and deletes; both dialects; no audit fields in responses', async () => {
    const created = await call(paymentStatuses, { method: 'POST', path: `${base}/create/`, token: admin.token, json: { name: 'Reembolsado', description: 'Pago reembolsado al cliente' } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(Number), name: 'Reembolsado', description: 'Pago reembolsado al cliente' });
    const id = created.body.id;
    expect((await call(paymentStatuses, { path: `${base}/${id}/` })).body).toEqual(created.body);
    const patch = await call(paymentStatuses, { method: 'PATCH', path: `${base}/${id}/edit/`, token: admin.token, json: { description: 'Actualizado' } });
    expect(patch.body).toEqual({ id, name: 'Reembolsado', description: 'Actualizado' });
    const put = await call(paymentStatuses, { method: 'PUT', path: `${base}/${id}/`, token: admin.token, json: { name: 'Devuelto' } });
    expect(put.body).toEqual({ id, name: 'Devuelto', description: 'Actualizado' });
    const noDesc = await call(paymentStatuses, { method: 'POST', path: base, token: admin.token, json: { name: 'Parcial' } });
    expect(noDesc.body.description).toBeNull();
    expect((await call(paymentStatuses, { method: 'DELETE', path: `${base}/${id}/delete/`, token: admin.token })).status).toBe(204);
    expect((await call(paymentStatuses, { method: 'DELETE', path: `${base}/${noDesc.body.id}/`, token: admin.token })).status).toBe(204);
    expect((await call(paymentStatuses, { path: `${base}/${id}/` })).status).toBe(404);
    expect((await call(paymentStatuses, { method: 'POST', path: `${base}/create/`, token: admin.token, json: {} })).body).toEqual({ name: ['Este campo es requerido.'] });
  });
});

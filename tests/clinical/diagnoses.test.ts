import { handler } from '../../functions/reflexo/patients-diagnoses';
import { createUser, ownerKysely, uniq, type TestUser } from '../helpers/fixtures';
import { insertDiagnosis } from '../helpers/clinical-fixtures';
import { DRF_DENIED, sharedRowsCallers } from '../helpers/clinical-actors';
import { call } from '../helpers/http';

/* Module 3: /api/patients/diagnoses/ (rows every clinic shares: any user reads, platform staff writes). */
const D = '/api/patients/diagnoses';
// `user` writes (platform staff); `reader` is a self-registered user, who may only read.
let user: TestUser;
let reader: TestUser;
let callers: Awaited<ReturnType<typeof sharedRowsCallers>>;
beforeAll(async () => {
  callers = await sharedRowsCallers();
  user = callers.platform;
  reader = await createUser({ reflexoId: null });
});
const post = (json: unknown, path = `${D}/create/`) => call(handler, { method: 'POST', path, json, token: user.token });

describe('diagnoses', () => {
  it('creates (201, spec fields) and refuses a duplicate code with the spec\'s 400', async () => {
    const code = uniq('DX');
    const res = await post({ name: 'Lumbalgia', code });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(['code', 'created_at', 'id', 'name', 'updated_at']);
    expect(res.body).toMatchObject({ name: 'Lumbalgia', code });
    const dup = await post({ name: 'Otra', code }, D);
    expect(dup.status).toBe(400);
    expect(dup.body).toEqual({ code: ['Un diagnóstico con este código ya existe.'] });
    expect((await post({})).body).toEqual({ name: ['Este campo es requerido.'], code: ['Este campo es requerido.'] });
  });

  it('concurrent creates of one code: exactly one wins', async () => {
    const code = uniq('DXC');
    const results = await Promise.all(Array.from({ length: 6 }, () => post({ name: 'Carrera', code })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 400, 400, 400, 400, 400]);
  });

  it('lists as a DRF page with page/page_size and search', async () => {
    const tag = uniq('zq');
    for (let i = 0; i < 3; i++) await insertDiagnosis({ name: `Cervicalgia ${tag} ${i}` });
    const res = await call(handler, { path: `${D}/`, token: reader.token, query: { search: tag, page_size: 2 } });
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(3);
    expect(res.body.results).toHaveLength(2);
    expect(res.body.previous).toBeNull();
    const next = new URL(res.body.next);
    expect(`${next.origin}${next.pathname}`).toBe(`http://localhost:8000${D}/`);
    expect(Object.fromEntries(next.searchParams)).toEqual({ search: tag, page_size: '2', page: '2' });
    const p2 = await call(handler, { path: D, token: user.token, query: { search: tag, page_size: 2, page: 2 } });
    expect(p2.body.results).toHaveLength(1);
    expect(p2.body.next).toBeNull();
    expect(Object.fromEntries(new URL(p2.body.previous).searchParams)).toEqual({ search: tag, page_size: '2' });
    expect((await call(handler, { path: D, token: user.token, query: { page_size: 1000 } })).status).toBe(400);
  });

  it('search/?q= is a case- and accent-insensitive substring on code and name; q is required', async () => {
    const code = uniq('LUMB');
    await insertDiagnosis({ code, name: 'Lumbalgia mecánica' });
    const byName = await call(handler, { path: `${D}/search/`, token: reader.token, query: { q: `${code.toLowerCase()} MECANICA` } });
    expect(byName.body.count).toBe(1);
    expect(byName.body.results[0].code).toBe(code);
    const byCode = await call(handler, { path: `${D}/search`, token: user.token, query: { q: code.slice(2).toLowerCase() } });
    expect(byCode.body.results.map((r: any) => r.code)).toContain(code);
    expect((await call(handler, { path: `${D}/search/`, token: user.token })).body).toEqual({ q: ['Este campo es requerido.'] });
  });

  it('PUT and PATCH edit; a code taken by another → 400; unknown id → 404 with the spec body', async () => {
    const d = await insertDiagnosis();
    const other = await insertDiagnosis();
    const put = await call(handler, { method: 'PUT', path: `${D}/${d.id}/edit/`, token: user.token, json: { name: 'Lumbalgia crónica', code: d.code } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id: d.id, name: 'Lumbalgia crónica', code: d.code });
    expect((await call(handler, { method: 'PUT', path: `${D}/${d.id}/edit/`, token: user.token, json: { name: 'x' } })).body).toEqual({ code: ['Este campo es requerido.'] });
    const patch = await call(handler, { method: 'PATCH', path: `${D}/${d.id}/`, token: user.token, json: { name: 'Lumbalgia aguda' } });
    expect(patch.body).toMatchObject({ name: 'Lumbalgia aguda', code: d.code });
    const clash = await call(handler, { method: 'PATCH', path: `${D}/${d.id}/edit/`, token: user.token, json: { code: other.code } });
    expect(clash.body).toEqual({ code: ['Un diagnóstico con este código ya existe.'] });
    const missing = await call(handler, { method: 'PATCH', path: `${D}/999999999/edit/`, token: user.token, json: { name: 'x' } });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: 'Diagnóstico no encontrado' });
    expect((await call(handler, { path: `${D}/${d.id}/`, token: user.token })).body.name).toBe('Lumbalgia aguda');
  });

  it('DELETE soft-deletes every live row sharing the code (200 message); ?hard=true removes the row', async () => {
    const old = await insertDiagnosis({ deleted_at: null });
    // A second live row with the same code can only exist from before the partial unique index: simulate with a soft-deleted twin.
    const twin = await insertDiagnosis({ code: old.code, deleted_at: new Date('2025-01-01T00:00:00Z') });
    const res = await call(handler, { method: 'DELETE', path: `${D}/${old.id}/delete/`, token: user.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Diagnóstico eliminado' });
    const rows = await ownerKysely().selectFrom('diagnoses').select(['id', 'deleted_at']).where('code', '=', old.code).orderBy('id').execute();
    expect(rows.every((r) => r.deleted_at !== null)).toBe(true);
    expect(rows.find((r) => r.id === twin.id)!.deleted_at.toISOString()).toBe('2025-01-01T00:00:00.000Z');
    expect((await call(handler, { method: 'DELETE', path: `${D}/${old.id}/delete/`, token: user.token })).body).toEqual({ error: 'Diagnóstico no encontrado' });
    // The code can be reused once deleted.
    expect((await post({ name: 'De nuevo', code: old.code })).status).toBe(201);

    const hard = await insertDiagnosis();
    expect((await call(handler, { method: 'DELETE', path: `${D}/${hard.id}/`, token: user.token, query: { hard: 'true' } })).status).toBe(200);
    expect(await ownerKysely().selectFrom('diagnoses').select('id').where('id', '=', hard.id).executeTakeFirst()).toBeUndefined();
  });

  describe('only platform staff writes them', () => {
    const writes = (id: number): [string, string, Record<string, unknown>?, Record<string, string>?][] => [
      ['POST', `${D}/create/`, { name: 'Intruso', code: uniq('INT') }],
      ['POST', `${D}/`, { name: 'Intruso', code: uniq('INT') }],
      ['PUT', `${D}/${id}/edit/`, { name: 'Intruso', code: uniq('INT') }],
      ['PUT', `${D}/${id}/`, { name: 'Intruso', code: uniq('INT') }],
      ['PATCH', `${D}/${id}/edit/`, { name: 'Intruso' }],
      ['PATCH', `${D}/${id}/`, { name: 'Intruso' }],
      ['DELETE', `${D}/${id}/delete/`],
      ['DELETE', `${D}/${id}/`],
      ['DELETE', `${D}/${id}/delete/`, undefined, { hard: 'true' }],
      ['DELETE', `${D}/${id}/`, undefined, { hard: 'true' }],
    ];

    it('a clinic user, a clinic Admin and a self-registered user get the 403 on every write and alias; the row is untouched', async () => {
      const d = await insertDiagnosis({ name: 'Intocable' });
      const before = await ownerKysely().selectFrom('diagnoses').selectAll().where('id', '=', d.id).executeTakeFirstOrThrow();
      for (const [who, caller] of callers.refused) {
        for (const [method, path, json, query] of writes(d.id)) {
          const res = await call(handler, { method, path, json, query, token: caller.token });
          expect([who, method, path, query, res.status, res.body]).toEqual([who, method, path, query, 403, DRF_DENIED]);
        }
        // Reads stay as they are.
        expect((await call(handler, { path: `${D}/${d.id}/`, token: caller.token })).status).toBe(200);
        expect((await call(handler, { path: `${D}/`, token: caller.token })).status).toBe(200);
      }
      expect(await ownerKysely().selectFrom('diagnoses').selectAll().where('id', '=', d.id).executeTakeFirstOrThrow()).toEqual(before);
      expect(await ownerKysely().selectFrom('diagnoses').select('id').where('name', '=', 'Intruso').execute()).toEqual([]);
    });

    it('the reported hole: a self-registered user cannot hard-delete a diagnosis', async () => {
      const d = await insertDiagnosis();
      const [, selfRegistered] = callers.refused.find(([who]) => who === 'a self-registered user')!;
      const res = await call(handler, { method: 'DELETE', path: `${D}/${d.id}/delete/`, query: { hard: 'true' }, token: selfRegistered.token });
      expect(res.status).toBe(403);
      expect(res.body).toEqual(DRF_DENIED);
      expect(await ownerKysely().selectFrom('diagnoses').select(['id', 'deleted_at']).where('id', '=', d.id).executeTakeFirst()).toEqual({ id: d.id, deleted_at: null });
    });

    it('a superuser writes them too; an unknown id still answers the spec\'s 404 to platform staff', async () => {
      const created = await call(handler, { method: 'POST', path: `${D}/create/`, json: { name: 'De la plataforma', code: uniq('SU') }, token: callers.superuser.token });
      expect(created.status).toBe(201);
      expect((await call(handler, { method: 'DELETE', path: `${D}/999999999/delete/`, token: user.token })).body).toEqual({ error: 'Diagnóstico no encontrado' });
    });
  });

  it('requires authentication', async () => {
    expect((await call(handler, { path: D })).status).toBe(401);
    expect((await call(handler, { method: 'POST', path: `${D}/create/`, json: { name: 'a', code: 'b' } })).status).toBe(401);
  });
});

import { z } from 'zod';
import { handler } from '../../functions/reflexo/architect-audit';
import { recordAudit } from '../../lib/domain/audit';
import { createHandler } from '../../lib/http/app';
import { Conflict } from '../../lib/errors';
import { defineGroup, route } from '../../lib/http/route';
import { createUser, ownerKysely, tenantWithAdmin } from '../helpers/fixtures';
import { call, type Handler } from '../helpers/http';
import { newTally, reportTally } from './harness';

/* GET /api/architect/audit-logs/: the audit log, read-only, per clinic; and recordAudit's guarantees. */
const base = '/api/architect/audit-logs/';
const tally = newTally('audit-log');
tally.covered.push(`GET ${base}`, `GET ${base}{id}/`);
afterAll(() => {
  tally.cases = expect.getState().assertionCalls;
  reportTally(tally);
});

async function entry(reflexoId: number | null, values: Partial<{ user_id: number; action: string; entity: string; entity_id: string; created_at: string; changed_fields: string[] }>) {
  const row = await ownerKysely()
    .insertInto('audit_log')
    .values({ reflexo_id: reflexoId, action: 'update', entity: 'patients', entity_id: '1', ...values })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

describe('audit log read route', () => {
  it('a clinic admin sees only their clinic, newest first, in the DRF page shape; both slash forms', async () => {
    const a = await tenantWithAdmin();
    const b = await tenantWithAdmin();
    const old = await entry(a.tenant.id, { user_id: a.admin.id, action: 'create', created_at: '2026-01-10T15:00:00Z', changed_fields: ['name', 'phone1'] });
    const recent = await entry(a.tenant.id, { user_id: a.admin.id, action: 'update', created_at: '2026-01-12T15:00:00Z' });
    const other = await entry(b.tenant.id, { action: 'delete' });
    for (const path of [base, base.slice(0, -1)]) {
      const res = await call(handler, { path, token: a.admin.token });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ count: 2, next: null, previous: null });
      expect(res.body.results.map((r: any) => r.id)).toEqual([recent, old]);
    }
    const one = (await call(handler, { path: base, token: a.admin.token })).body.results[1];
    expect(one).toEqual({
      id: old,
      reflexo_id: a.tenant.id,
      user_id: a.admin.id,
      user_email: a.admin.email,
      action: 'create',
      entity: 'patients',
      entity_id: '1',
      changed_fields: ['name', 'phone1'],
      ip: null,
      user_agent: null,
      request_id: null,
      created_at: '2026-01-10T15:00:00.000Z',
    });
    expect((await call(handler, { path: `${base}${old}/`, token: a.admin.token })).body.id).toBe(old);
    const foreign = await call(handler, { path: `${base}${other}/`, token: a.admin.token });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({ detail: 'Registro de auditoría no encontrado.' });
    // ?reflexo_id= is a global administrator's filter; a clinic admin stays in their clinic.
    const tried = await call(handler, { path: base, query: { reflexo_id: b.tenant.id }, token: a.admin.token });
    expect(tried.body.results.map((r: any) => r.id)).toEqual([recent, old]);
  });

  it('filters by user, entity, entity_id, action and clinic-local dates; paginates with links', async () => {
    const a = await tenantWithAdmin();
    const other = await createUser({ reflexoId: a.tenant.id });
    // 2026-01-11 03:00Z is still 2026-01-10 in Lima (UTC-5).
    const late = await entry(a.tenant.id, { user_id: other.id, entity: 'appointments', entity_id: '7', action: 'delete', created_at: '2026-01-11T03:00:00Z' });
    const next = await entry(a.tenant.id, { user_id: a.admin.id, entity: 'patients', action: 'update', created_at: '2026-01-11T15:00:00Z' });
    const get = (query: Record<string, string>) => call(handler, { path: base, query, token: a.admin.token });
    const ids = async (query: Record<string, string>) => (await get(query)).body.results.map((r: any) => r.id);
    expect(await ids({ user: String(other.id) })).toEqual([late]);
    expect(await ids({ entity: 'appointments', entity_id: '7' })).toEqual([late]);
    expect(await ids({ action: 'update' })).toEqual([next]);
    expect(await ids({ date_from: '2026-01-10', date_to: '2026-01-10' })).toEqual([late]);
    expect(await ids({ date_from: '2026-01-11' })).toEqual([next]);
    const page = await get({ page_size: '1' });
    expect(page.body.count).toBe(2);
    expect(page.body.next).toBe('http://localhost:8000/api/architect/audit-logs/?page_size=1&page=2');
    const bad = await get({ date_from: '2026-02-30', user: 'abc' });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body).sort()).toEqual(['date_from', 'user']);
    expect((await get({ date_from: '2026-01-12', date_to: '2026-01-11' })).body).toEqual({ date_to: ['date_to debe ser igual o posterior a date_from.'] });
    expect((await get({ entity: 'a\u0000b' })).status).toBe(400);
  });

  it('a normal user → 403; no token → 401; a superuser sees every clinic and may narrow to one', async () => {
    const a = await tenantWithAdmin();
    const b = await tenantWithAdmin();
    const ea = await entry(a.tenant.id, {});
    const eb = await entry(b.tenant.id, {});
    const staffless = await createUser({ reflexoId: a.tenant.id });
    expect((await call(handler, { path: base, token: staffless.token })).status).toBe(403);
    expect((await call(handler, { path: base })).status).toBe(401);
    const su = await createUser({ superuser: true });
    const all = await call(handler, { path: base, query: { page_size: '100' }, token: su.token });
    const seen = all.body.results.map((r: any) => r.id);
    expect(seen).toEqual(expect.arrayContaining([ea, eb]));
    const narrowed = await call(handler, { path: base, query: { reflexo_id: String(b.tenant.id) }, token: su.token });
    expect(narrowed.body.results.map((r: any) => r.id)).toEqual([eb]);
    expect((await call(handler, { path: `${base}${ea}/`, token: su.token })).status).toBe(200);
  });
});

describe('recordAudit', () => {
  let probe: Handler;
  beforeAll(() => {
    probe = createHandler(
      defineGroup({
        name: 'audit-probe',
        prefixes: ['/api/test-audit'],
        tag: 'test',
        routes: [
          route({
            method: 'POST',
            path: '/api/test-audit/{outcome}/',
            access: 'user',
            summary: 'test only',
            params: z.object({ outcome: z.enum(['ok', 'fail']) }),
            response: z.object({ ok: z.literal(true) }),
            responses: { 409: { description: 'the failing outcome' } },
            handler: async ({ db, params }) => {
              await recordAudit(db, { action: 'update', entity: 'probe', entityId: 42, changedFields: ['name'] });
              if (params.outcome === 'fail') throw new Conflict();
              return { ok: true };
            },
          }),
        ],
      }),
    ) as unknown as Handler;
  });

  it('writes who, what, from where in the request transaction; a failed request leaves no entry', async () => {
    const a = await tenantWithAdmin();
    const ok = await call(probe, { method: 'POST', path: '/api/test-audit/ok/', token: a.admin.token });
    expect(ok.status).toBe(200);
    const fail = await call(probe, { method: 'POST', path: '/api/test-audit/fail/', token: a.admin.token });
    expect(fail.status).toBe(409);
    const rows = await ownerKysely().selectFrom('audit_log').selectAll().where('entity', '=', 'probe').where('reflexo_id', '=', a.tenant.id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ user_id: a.admin.id, action: 'update', entity_id: '42', changed_fields: ['name'], ip: '127.0.0.1', user_agent: 'jest' });
    expect(rows[0].request_id).toBe(ok.headers['x-request-id']);
  });
});

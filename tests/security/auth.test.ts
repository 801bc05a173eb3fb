import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { signToken } from '../../lib/auth/tokens';
import { createTenant, createUser, ownerKysely, type TestUser } from '../helpers/fixtures';
import { catalogIds, ownRows, routeTables } from './factories';
import { call, declaredRoutes, errorShapeProblem, idHints, newTally, pathFor, pathParams, reportTally, type RouteCase, sampleBody, useCatalogIds, WRITE_METHODS } from './harness';

/*
 * Authentication and privilege attacks over every route the tables declare: every non-public route
 * refuses a missing, malformed, unsigned (alg none), foreign-key, expired, refresh-typed or revoked
 * token with 401; 'admin' routes refuse a clinic user without the Admin role and 'superuser' routes
 * refuse clinic admins with 403; no write lets a clinic's staff make anyone a superuser.
 */
// Generated over every declared route: the loop, not one request, is what the timeout bounds.
jest.setTimeout(300_000);
const tally = newTally('auth');
const routes = declaredRoutes();
const guarded = routes.filter((r) => r.route.access !== 'public');
let tenantId: number;
let plain: TestUser;
let admin: TestUser;
const ownIds: Record<string, number> = {};
let tables = new Map<string, string | undefined>();

beforeAll(async () => {
  useCatalogIds(await catalogIds());
  tenantId = (await createTenant()).id;
  plain = await createUser({ reflexoId: tenantId });
  admin = await createUser({ reflexoId: tenantId, role: 'Admin', staff: true });
  Object.assign(ownIds, await ownRows(tenantId, 'Au', routes));
  tables = await routeTables(routes);
  ownIds.users = admin.id;
});
afterAll(() => reportTally(tally));

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const claims = (sub: number) => ({ sub: String(sub), typ: 'access', rid: tenantId, su: false, iss: 'reflexo-api', aud: 'reflexo-clients', iat: Math.floor(Date.now() / 1000) - 60, jti: randomUUID() });
const sign = (c: Record<string, unknown>, secret = process.env.JWT_SECRET!) => new SignJWT(c).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));

const ATTACKS: [string, (u: TestUser) => Promise<Record<string, string>>][] = [
  ['no token', async () => ({})],
  ['not a bearer header', async (u) => ({ authorization: `Token ${u.token}` })],
  ['malformed', async () => ({ authorization: 'Bearer abc.def.ghi' })],
  ['alg none', async (u) => ({ authorization: `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims(u.id), exp: 9999999999 })}.` })],
  ['wrong key', async (u) => ({ authorization: `Bearer ${await sign({ ...claims(u.id), exp: 9999999999 }, 'another-secret-another-secret-another-secret-0')}` })],
  ['expired', async (u) => ({ authorization: `Bearer ${await sign({ ...claims(u.id), exp: Math.floor(Date.now() / 1000) - 5 })}` })],
  ['refresh token as access', async (u) => ({ authorization: `Bearer ${(await signToken('refresh', { id: u.id, reflexoId: tenantId, isSuperuser: false }, randomUUID())).token}` })],
  [
    'revoked (jti in revoked_tokens)',
    async (u) => {
      const t = await signToken('access', { id: u.id, reflexoId: tenantId, isSuperuser: false });
      await ownerKysely().insertInto('revoked_tokens').values({ jti: t.jti, user_id: u.id, expires_at: new Date(t.exp * 1000) }).execute();
      return { authorization: `Bearer ${t.token}` };
    },
  ],
];

const pathOf = (r: RouteCase) => pathFor(r, ownIds, tables);

describe('authentication attacks', () => {
  it(`every non-public route answers 401 to ${ATTACKS.length} kinds of bad token`, async () => {
    const failures: string[] = [];
    for (const [name, make] of ATTACKS) {
      const headers = await make(admin);
      for (const r of guarded) {
        const path = pathOf(r);
        const res = await call(r.handler, { method: r.route.method, path, headers });
        tally.cases++;
        if (res.status !== 401) failures.push(`${r.key} with ${name}: ${res.status} ${res.raw.toString('utf8').slice(0, 120)}`);
        const shape = errorShapeProblem(path, res);
        if (shape) failures.push(`${r.key} with ${name}: ${shape}`);
        if (res.status === 401 && !/Bearer/.test(res.headers['www-authenticate'] ?? '')) failures.push(`${r.key} with ${name}: 401 without WWW-Authenticate`);
      }
    }
    guarded.forEach((r) => tally.covered.push(r.key));
    routes.filter((r) => r.route.access === 'public').forEach((r) => tally.exclusions.push(`${r.key}: public, no token to attack`));
    tally.failures.push(...failures);
    expect(failures).toEqual([]);
  });
});

describe('privilege', () => {
  const privileged = routes.filter((r) => r.route.access === 'admin' || r.route.access === 'superuser');
  it(`'admin' routes refuse a clinic user without the Admin role; 'superuser' routes refuse clinic admins (${privileged.length} routes)`, async () => {
    const failures: string[] = [];
    const inconclusive: string[] = [];
    const callers: [string, TestUser, (r: RouteCase) => boolean][] = [
      ['a clinic user without role', plain, () => true],
      ['a clinic admin', admin, (r) => r.route.access === 'superuser'],
    ];
    for (const [who, user, applies] of callers) {
      for (const r of privileged.filter(applies)) {
        const token = (await signToken('access', { id: user.id, reflexoId: tenantId, isSuperuser: false })).token;
        const json = WRITE_METHODS.has(r.route.method) && r.route.method !== 'DELETE' ? sampleBody(r.route, idHints(ownIds)) ?? {} : undefined;
        const res = await call(r.handler, { method: r.route.method, path: pathOf(r), token, json });
        tally.cases++;
        // Body validation runs before the role check, so a body the generator got wrong answers 400.
        if (res.status === 400) inconclusive.push(`${r.key} as ${who}: 400 before the role check`);
        else if (res.status !== 403) failures.push(`${r.key} as ${who}: expected 403, got ${res.status} ${res.raw.toString('utf8').slice(0, 120)}`);
        tally.covered.push(r.key);
      }
    }
    tally.exclusions.push(...inconclusive.map((i) => `inconclusive: ${i}`));
    tally.failures.push(...failures);
    expect(failures).toEqual([]);
  });

  it('no write route lets clinic staff create or promote a superuser', async () => {
    const failures: string[] = [];
    const writes = routes.filter((r) => WRITE_METHODS.has(r.route.method) && r.route.access !== 'public' && r.route.access !== 'superuser');
    const escalation = { is_superuser: true, is_staff: true, su: true, role: 'Admin' };
    for (const r of writes) {
      const token = (await signToken('access', { id: admin.id, reflexoId: tenantId, isSuperuser: false })).token;
      const json = r.route.method === 'DELETE' ? undefined : { ...(sampleBody(r.route, idHints(ownIds)) ?? {}), ...escalation };
      const res = await call(r.handler, { method: r.route.method, path: pathOf(r), token, json });
      tally.cases++;
      if (res.status >= 500) failures.push(`${r.key} with is_superuser: ${res.status}`);
      const promoted = await ownerKysely().selectFrom('users').select(['id', 'email']).where('is_superuser', '=', true).where('reflexo_id', '=', tenantId).execute();
      if (promoted.length) {
        failures.push(`${r.key}: a clinic admin made user(s) ${promoted.map((p) => p.id).join(', ')} superuser`);
        await ownerKysely().updateTable('users').set({ is_superuser: false }).where('reflexo_id', '=', tenantId).execute();
      }
      if (r.route.method === 'DELETE' && r.route.entity === 'users') ownIds.users = admin.id;
    }
    tally.failures.push(...failures);
    expect(failures).toEqual([]);
  });
});

describe('token lifecycle (where the identity routes exist)', () => {
  const logout = routes.find((r) => r.route.method === 'POST' && /\/logout\/?$/.test(r.route.path));
  const refresh = routes.find((r) => r.route.method === 'POST' && /refresh\/?$/.test(r.route.path));
  const login = routes.find((r) => r.route.method === 'POST' && r.route.access === 'public' && /\/login\/?$/.test(r.route.path));
  const me = routes.find((r) => r.route.method === 'GET' && r.route.access === 'user' && pathParams(r.route.path).length === 0);

  // The identity routes are part of the surface: a route table that lost them fails here, it does not skip.
  it('a token used after logout → 401', async () => {
    expect([Boolean(logout), Boolean(me)]).toEqual([true, true]);
    const u = await createUser({ reflexoId: tenantId });
    expect((await call(me!.handler, { path: me!.route.path, token: u.token })).status).toBe(200);
    const out = await call(logout!.handler, { method: 'POST', path: logout!.route.path, token: u.token, json: { refresh: u.refresh } });
    expect(out.status).toBeLessThan(300);
    const again = await call(me!.handler, { path: me!.route.path, token: u.token });
    expect(again.status).toBe(401);
    tally.cases += 3;
  });

  it('a rotated refresh token used again → 401 (and the access token it minted stops too, if the family is revoked)', async () => {
    expect(Boolean(refresh)).toBe(true);
    const u = await createUser({ reflexoId: tenantId });
    let issued = u.refresh;
    if (login) {
      const res = await call(login.handler, { method: 'POST', path: login.route.path, json: { email: u.email, password: u.password } });
      expect(res.status).toBe(200);
      issued = res.body.refresh;
    }
    const first = await call(refresh!.handler, { method: 'POST', path: refresh!.route.path, json: { refresh: issued } });
    expect(first.status).toBe(200);
    const reuse = await call(refresh!.handler, { method: 'POST', path: refresh!.route.path, json: { refresh: issued } });
    expect(reuse.status).toBe(401);
    expect(errorShapeProblem(refresh!.route.path, reuse)).toBeNull();
    const access = await call(refresh!.handler, { method: 'POST', path: refresh!.route.path, json: { refresh: u.token } });
    expect(access.status).toBe(401);
    tally.cases += 3;
  });
});

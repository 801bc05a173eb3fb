import { randomBytes } from 'node:crypto';
import { signToken } from '../../lib/auth/tokens';
import { createTenant, createUser, ownerKysely, type TestUser } from '../helpers/fixtures';
import type { CallResult } from '../helpers/http';
import { EXCLUDED_TABLES, catalogIds, createRow, crossTenantReferences, snapshot, tenantTables } from './factories';
import { call, declaredRoutes, fillPath, idHints, idsIn, newTally, pathParams, reportTally, responseText, type RouteCase, sampleBody, sampleQuery, useCatalogIds } from './harness';

/*
 * The tenant isolation matrix, generated from the route tables. Two clinics hold rows in every
 * tenant-scoped table (discovered from PostgreSQL); clinic B's admin then
 *  - calls every {id} route that names an entity with clinic A's id → 404, and A's row is unchanged;
 *  - calls every list, search, report and export → no A id and no A marker anywhere in what it reads.
 * Every route the generator cannot exercise is listed with its reason.
 */
// Generated over every declared route: the loop, not one request, is what the timeout bounds.
jest.setTimeout(300_000);
const tally = newTally('isolation');
const tagA = `Zq${randomBytes(3).toString('hex')}A`;
const tagB = `Zq${randomBytes(3).toString('hex')}B`;
const idsA: Record<string, number[]> = {};
const idsB: Record<string, number[]> = {};
let adminA: TestUser;
let adminB: TestUser;
const seedProblems: string[] = [];
const firstIds = (m: Record<string, number[]>) => Object.fromEntries(Object.entries(m).map(([t, ids]) => [t, ids[0]]));

const tokenOf = async (u: TestUser) => (await signToken('access', { id: u.id, reflexoId: u.reflexoId, isSuperuser: false })).token;
const SEARCHY = /^(search|q|query|term|name|text|keyword|nombre|buscar|filter|document_number|email|full_name)$/;

beforeAll(async () => {
  useCatalogIds(await catalogIds());
  const a = await createTenant(`Clínica ${tagA}`);
  const b = await createTenant(`Clínica ${tagB}`);
  adminA = await createUser({ reflexoId: a.id, role: 'Admin', staff: true });
  adminB = await createUser({ reflexoId: b.id, role: 'Admin', staff: true });
  for (const table of await tenantTables()) {
    if (EXCLUDED_TABLES[table]) {
      tally.exclusions.push(`table ${table}: ${EXCLUDED_TABLES[table]}`);
      continue;
    }
    try {
      idsA[table] = [await createRow(table, a.id, tagA), await createRow(table, a.id, tagA)];
      idsB[table] = [await createRow(table, b.id, tagB)];
    } catch (err) {
      seedProblems.push(`table ${table}: no factory could create a row (${(err as Error).message.slice(0, 160)}); add one to FACTORIES or a reason to EXCLUDED_TABLES`);
    }
  }
});

afterAll(() => reportTally(tally));

const routes = declaredRoutes();

function idRouteExclusion(r: RouteCase): string | null {
  const params = pathParams(r.route.path);
  if (r.route.access === 'public') return 'public route: no tenant caller';
  if (r.route.access === 'superuser') return 'superuser-only: global administrators cross tenants by design';
  if (!r.route.entity) return 'no entity declared for {id} (global catalog)';
  const others = params.filter((p) => p !== 'id');
  if (others.length) return `path params ${others.join(', ')} have no declared entity`;
  if (!idsA[r.route.entity]) return `entity ${r.route.entity} has no seeded rows (see table exclusions)`;
  return null;
}

async function bodyThatPassesValidation(r: RouteCase, ownId: number): Promise<unknown> {
  if (!['PUT', 'PATCH', 'POST'].includes(r.route.method)) return undefined;
  const candidates: unknown[] = [];
  const getSibling = routes.find((x) => x.route.method === 'GET' && x.route.path === r.route.path && x.group === r.group)
    ?? routes.find((x) => x.route.method === 'GET' && x.route.entity === r.route.entity && x.route.path.endsWith('{id}/') && x.group === r.group);
  if (getSibling) {
    const own = await call(getSibling.handler, { path: fillPath(getSibling.route.path, { id: ownId }), token: await tokenOf(adminB) });
    if (own.status === 200 && own.body && typeof own.body === 'object') {
      // The row as read back, with the fields the factory filled with markers replaced by plausible values.
      const hints = idHints(firstIds(idsB));
      const fixed = Object.fromEntries(Object.entries(own.body).map(([k, v]) => [k, k in hints ? hints[k] : v]));
      candidates.push(fixed, own.body);
    }
  }
  candidates.push(sampleBody(r.route, idHints(firstIds(idsB))) ?? {}, sampleBody(r.route) ?? {}, {});
  let best: { body: unknown; errors: number } = { body: candidates[0], errors: Infinity };
  for (const body of candidates) {
    const res = await call(r.handler, { method: r.route.method, path: fillPath(r.route.path, { id: ownId }), json: body, token: await tokenOf(adminB) });
    tally.cases++;
    if (res.status !== 400 && res.status !== 422) return body;
    const errors = res.body && typeof res.body === 'object' ? Object.keys(res.body).length : Infinity;
    if (errors < best.errors) best = { body, errors };
  }
  return best.body;
}

describe('tenant B on tenant A’s ids', () => {
  it('the factories seeded every tenant-scoped table (or the table is listed with a reason)', () => {
    expect(seedProblems).toEqual([]);
  });

  const idRoutes = routes.filter((r) => pathParams(r.route.path).length > 0);
  it(`every {id} route with an entity answers 404 and leaves A's row unchanged (${idRoutes.length} routes with path params)`, async () => {
    const failures: string[] = [];
    for (const r of idRoutes) {
      const why = idRouteExclusion(r);
      if (why) {
        tally.exclusions.push(`${r.key}: ${why}`);
        if (why.startsWith('no entity') || why.startsWith('public') || why.startsWith('superuser')) tally.covered.push(r.key); // nothing tenant-owned behind it
        continue;
      }
      const entity = r.route.entity!;
      const body = await bodyThatPassesValidation(r, idsB[entity][0]);
      for (const id of idsA[entity]) {
        const before = await snapshot(entity, id);
        const res: CallResult = await call(r.handler, {
          method: r.route.method,
          path: fillPath(r.route.path, { id }),
          json: body,
          token: await tokenOf(adminB),
        });
        tally.cases++;
        const after = await snapshot(entity, id);
        const text = await responseText(res);
        if (res.status === 400 || res.status === 422) {
          // Not a leak (nothing was read or written), but not proof either: listed, not failed.
          tally.exclusions.push(`${r.key}: inconclusive, the generated body was rejected (${res.status}) before the id was looked up: ${text.slice(0, 120)}`);
        } else if (res.status !== 404) failures.push(`${r.key} with A's id ${id}: expected 404, got ${res.status} ${text.slice(0, 160)}`);
        if (JSON.stringify(before) !== JSON.stringify(after)) failures.push(`${r.key}: A's ${entity} row ${id} changed`);
        if (text.toLowerCase().includes(tagA.toLowerCase())) failures.push(`${r.key}: response shows A's data`);
      }
      tally.covered.push(r.key);
    }
    tally.failures.push(...failures);
    expect(failures).toEqual([]);
  });
});

describe('tenant B’s lists, searches, reports and exports', () => {
  const lists = routes.filter((r) => r.route.method === 'GET' && pathParams(r.route.path).length === 0);
  it(`show none of A's ids or names (${lists.length} GET routes without path params)`, async () => {
    const failures: string[] = [];
    let sawOwnData = 0;
    let binaries = 0;
    for (const r of lists) {
      if (r.route.access === 'public') {
        tally.exclusions.push(`${r.key}: public route, no tenant data`);
        tally.covered.push(r.key);
        continue;
      }
      if (r.route.access === 'superuser') {
        tally.exclusions.push(`${r.key}: superuser-only list (B's admin gets 403; see auth suite)`);
        continue;
      }
      const hints: Record<string, unknown> = {};
      const queryShape = (r.route.query as any)?.shape ?? (r.route.query as any)?._zod?.def?.in?.shape ?? {};
      for (const k of Object.keys(queryShape)) if (SEARCHY.test(k)) hints[k] = tagA;
      const attempts = [sampleQuery(r.route, hints), sampleQuery(r.route)];
      // The same list searched for A's marker must come back without A's rows.
      const sibling = routes.find((x) => x.group === r.group && x.route.path === `${r.route.path}{id}/` && x.route.entity);
      for (const query of attempts) {
        const res = await call(r.handler, { path: r.route.path, query, token: await tokenOf(adminB) });
        tally.cases++;
        if (res.status >= 500) failures.push(`${r.key}?${new URLSearchParams(query)}: ${res.status} ${res.raw.toString('utf8').slice(0, 160)}`);
        const text = await responseText(res);
        if (/^unreadable (spreadsheet|pdf)/.test(text)) failures.push(`${r.key}: ${text}`);
        if (/spreadsheet|pdf/.test(res.headers['content-type'] ?? '')) binaries++;
        if (text.toLowerCase().includes(tagA.toLowerCase())) failures.push(`${r.key}?${new URLSearchParams(query)}: shows A's marker ${tagA}`);
        if (text.toLowerCase().includes(tagB.toLowerCase())) sawOwnData++;
        if (sibling && res.status === 200 && typeof res.body === 'object') {
          const leaked = [...idsIn(res.body)].filter((id) => idsA[sibling.route.entity!]?.includes(id));
          if (leaked.length) failures.push(`${r.key}: lists A's ${sibling.route.entity} ids ${leaked.join(', ')}`);
        }
      }
      tally.covered.push(r.key);
    }
    // eslint-disable-next-line no-console
    console.log(`isolation: ${sawOwnData} list responses showed tenant B's own rows (the lists are not vacuous); ${binaries} spreadsheet/PDF exports read cell by cell`);
    tally.failures.push(...failures);
    expect(failures).toEqual([]);
  });

  it('write routes without {id} (creates) cannot attach rows to A: a reflexo_id naming A is refused or ignored', async () => {
    const failures: string[] = [];
    const creates = routes.filter((r) => r.route.method === 'POST' && pathParams(r.route.path).length === 0 && r.route.access !== 'public' && r.route.access !== 'superuser' && r.route.body);
    const tenantA = adminA.reflexoId!;
    const before = new Map<string, number>();
    const tables = Object.keys(idsA);
    for (const t of tables) before.set(t, Number((await ownerKysely().selectFrom(t).select((eb) => eb.fn.countAll().as('n')).where('reflexo_id', '=', tenantA).executeTakeFirst())?.n ?? 0));
    for (const r of creates) {
      // A's reflexo_id and A's row ids as foreign keys: neither may put a row in A or point B's rows at A's.
      const body = { ...(sampleBody(r.route, idHints(firstIds(idsA))) ?? {}), reflexo_id: tenantA };
      const res = await call(r.handler, { method: 'POST', path: r.route.path, json: body, token: await tokenOf(adminB) });
      tally.cases++;
      if (res.status >= 500) failures.push(`${r.key} with reflexo_id of A: ${res.status} ${res.raw.toString('utf8').slice(0, 160)}`);
      tally.covered.push(r.key);
    }
    for (const t of tables) {
      const after = Number((await ownerKysely().selectFrom(t).select((eb) => eb.fn.countAll().as('n')).where('reflexo_id', '=', tenantA).executeTakeFirst())?.n ?? 0);
      if (after !== before.get(t)) failures.push(`tenant B's creates added ${after - before.get(t)!} row(s) to A's ${t}`);
    }
    failures.push(...(await crossTenantReferences()));
    tally.failures.push(...failures);
    expect(failures).toEqual([]);
  });
});

import { sql } from 'kysely';
import { signToken } from '../../lib/auth/tokens';
import { createTenant, createUser, ownerKysely, type TestUser } from '../helpers/fixtures';
import { catalogIds, ownRows, routeTables } from './factories';
import { call, declaredRoutes, idHints, newTally, pathFor, reportTally, type RouteCase, sampleBody, useCatalogIds, WRITE_METHODS } from './harness';

/*
 * Rows every clinic shares (issue 12): diagnoses, appointment statuses, document types, payment types,
 * payment statuses, roles and the ubigeo tables are written only by platform staff. Over EVERY write
 * route of the route tables, a clinic's admin and a user of no clinic try their sample request, aimed
 * at rows of those tables the suite made: the 'platform' routes answer 403, and afterwards not one
 * shared row differs from before (whatever route was used, whatever it answered).
 */
jest.setTimeout(300_000);
const tally = newTally('shared-rows');
const routes = declaredRoutes();
// Deleting one's own account (`DELETE …/me/…`) ends the caller: those run last.
const endsCaller = (r: RouteCase) => r.route.method === 'DELETE' && /\/me\//.test(r.route.path);
const writes = routes.filter((r) => WRITE_METHODS.has(r.route.method)).sort((a, b) => Number(endsCaller(a)) - Number(endsCaller(b)));
const SHARED = ['diagnoses', 'appointment_statuses', 'document_types', 'payment_types', 'payment_statuses', 'roles', 'regions', 'provinces', 'districts'];

/** A delete that can be made hard is tried hard (the issue's `DELETE …/diagnoses/<id>/delete/?hard=true`). */
const takesHard = (r: { route: { query?: unknown } }) => !!(r.route.query as { shape?: Record<string, unknown> } | undefined)?.shape?.hard;

let clinicAdmin: TestUser;
let noClinic: TestUser;
const ownIds: Record<string, number> = {};
let tables = new Map<string, string | undefined>();

// A fresh jti per request: a logout or password change among the routes must not silence the rest.
// A route that deactivates or deletes an account (the caller's own, say) is undone the same way.
async function freshToken(u: TestUser): Promise<string> {
  await ownerKysely().updateTable('users').set({ is_active: true }).where('id', '=', u.id).execute();
  return (await signToken('access', { id: u.id, reflexoId: u.reflexoId, isSuperuser: false })).token;
}

/** Every shared table's rows, as one digest per table (the owner reads through no policy). */
async function fingerprint(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of SHARED) {
    const r = await sql<{ d: string; n: number }>`SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS d, count(*)::int AS n FROM ${sql.table(t)} x`.execute(ownerKysely());
    out[t] = `${r.rows[0].n} rows, ${r.rows[0].d}`;
  }
  return out;
}

beforeAll(async () => {
  useCatalogIds(await catalogIds());
  const tenantId = (await createTenant()).id;
  clinicAdmin = await createUser({ reflexoId: tenantId, role: 'Admin', staff: true });
  noClinic = await createUser({ reflexoId: null });
  Object.assign(ownIds, await ownRows(tenantId, 'Sh', routes));
  tables = await routeTables(routes);
});
afterAll(() => reportTally(tally));

describe('shared rows', () => {
  it(`a user of clinic A or of no clinic never changes a shared row, over all ${writes.length} write routes`, async () => {
    const before = await fingerprint();
    const failures: string[] = [];
    const callers: [string, TestUser][] = [
      ['a clinic admin', clinicAdmin],
      ['a user of no clinic', noClinic],
    ];
    for (const [who, user] of callers) {
      for (const r of writes) {
        const json = r.route.method !== 'DELETE' ? (sampleBody(r.route, idHints(ownIds)) ?? {}) : undefined;
        const path = pathFor(r as RouteCase, ownIds, tables);
        const res = await call(r.handler, { method: r.route.method, path, token: await freshToken(user), json, query: takesHard(r) ? { hard: 'true' } : undefined });
        tally.cases++;
        tally.covered.push(r.key);
        if (r.route.access === 'platform' && res.status !== 403) failures.push(`${r.key} as ${who}: expected 403, got ${res.status} ${res.raw.toString('utf8').slice(0, 120)}`);
        if (res.status >= 500) failures.push(`${r.key} as ${who}: ${res.status}`);
      }
    }
    const after = await fingerprint();
    for (const t of SHARED) if (before[t] !== after[t]) failures.push(`${t} changed: ${before[t]} → ${after[t]}`);
    tally.failures.push(...failures);
    expect(failures).toEqual([]);
    // The suite aimed at shared rows it made itself: every shared table with a write route had one.
    const platformRoutes = writes.filter((r) => r.route.access === 'platform');
    expect(platformRoutes.length).toBeGreaterThan(20);
  });
});

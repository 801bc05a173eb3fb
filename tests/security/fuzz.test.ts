import fc from 'fast-check';
import { signToken } from '../../lib/auth/tokens';
import type { AnyRoute } from '../../lib/http/route';
import { createTenant, createUser, type TestUser } from '../helpers/fixtures';
import type { CallOptions, CallResult } from '../helpers/http';
import { catalogIds, ownRows, routeTables } from './factories';
import { call, declaredRoutes, errorShapeProblem, fillPath, idHints, type JsonSchema, jsonSchemaOf, newTally, pathFor, pathParams, reportTally, type RouteCase, sampleOf, useCatalogIds, WRITE_METHODS } from './harness';

/*
 * Schema fuzzing, generated from the route tables: for every write route, bodies derived from its zod
 * schema and then broken (wrong types, missing and extra fields, huge and unicode strings, negative
 * and huge numbers, impossible dates, SQL and path metacharacters), plus invalid JSON, wrong content
 * types, hostile query strings and path ids. Property: never a 5xx, and a 4xx speaks the surface's
 * error shape. GET routes get a lighter query/path fuzz. FUZZ_DEEP=1 runs ten times the cases.
 */
const DEEP = process.env.FUZZ_DEEP === '1';
const WRITE_RUNS = DEEP ? 1000 : 100;
const READ_RUNS = DEEP ? 200 : 10;
const CONCURRENCY = 8;
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const tally = newTally('fuzz');
const routes = declaredRoutes();
const ownIds: Record<string, number> = {};
let tables = new Map<string, string | undefined>();
let tenantId: number;
const users: Record<'admin' | 'superuser', TestUser | undefined> = { admin: undefined, superuser: undefined };

jest.setTimeout(DEEP ? 3_600_000 : 600_000);

beforeAll(async () => {
  useCatalogIds(await catalogIds());
  tenantId = (await createTenant()).id;
  users.admin = await createUser({ reflexoId: tenantId, role: 'Admin', staff: true });
  users.superuser = await createUser({ superuser: true, staff: true });
  Object.assign(ownIds, await ownRows(tenantId, 'Fz', routes));
  tables = await routeTables(routes);
  HINTS = idHints(ownIds);
});
afterAll(() => reportTally(tally));

/* ---------------------------------------------------------------- hostile values */

const EVIL_STRINGS = [
  '', ' ', "' OR '1'='1", "'; DROP TABLE users; --", '1; SELECT pg_sleep(5)', '../../../etc/passwd', '..\\..\\win.ini', '%00', 'a\u0000b', '\u0000',
  '<script>alert(1)</script>', '${7*7}', '{{7*7}}', 'NaN', 'null', 'undefined', 'true', '-1', '0', '1e309', '1.5', '  42  ', '٣', '１２３',
  '2026-02-30', '0000-00-00', '2026-13-01', '9999-12-31T25:61:61Z', '31/12/2026', '2026-01-15T10:00:00+99:00', '-infinity', 'epoch', '24:00:00', '10:61',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🙂', '\u202eevil', '\ud800', 'ñandú Ñ', '\r\n\t', '%', '_', '\\', '"', '[]', '{}', 'A'.repeat(300), 'Z'.repeat(70_000),
];
const EVIL_NUMBERS = [-1, 0, -0, 0.5, -0.0001, 1e308, -1e308, 2 ** 31, 2 ** 31 - 1, -(2 ** 31), 2 ** 53, 2 ** 53 + 2, 1e21, 123456789012, 99999999999.99];
const EXTRA_KEYS = ['__proto__', 'constructor', 'id', 'reflexo_id', 'is_superuser', 'is_staff', 'role', 'role_id', 'password_hash', 'deleted_at', 'created_at'];

const hostile: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...EVIL_STRINGS) },
  { weight: 3, arbitrary: fc.constantFrom(...EVIL_NUMBERS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.date().map((d) => (Number.isNaN(d.getTime()) ? 'Invalid Date' : d.toISOString())) },
  { weight: 1, arbitrary: fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }) },
);

/** A field value: mostly the valid sample (so validation reaches deeper fields), otherwise hostile. */
let HINTS: Record<string, unknown> = {};
function fieldArb(s: JsonSchema, name: string): fc.Arbitrary<unknown> {
  const valid = sampleOf(s, name, HINTS);
  if (s.type === 'object' && s.properties) return fc.oneof({ weight: 2, arbitrary: objectArb(s) }, { weight: 1, arbitrary: hostile });
  if (s.type === 'array' && s.items) {
    return fc.oneof({ weight: 2, arbitrary: fc.array(fieldArb(s.items, name), { maxLength: 3 }) }, { weight: 1, arbitrary: hostile });
  }
  return fc.oneof({ weight: 3, arbitrary: fc.constant(valid) }, { weight: 2, arbitrary: hostile });
}

function objectArb(s: JsonSchema): fc.Arbitrary<Record<string, unknown>> {
  const props = Object.entries(s.properties ?? {});
  const fields = props.map(([k, v]) => fc.option(fieldArb(v, k), { nil: undefined, freq: 6 }).map((x) => [k, x] as const));
  const extras = fc.dictionary(fc.oneof(fc.constantFrom(...EXTRA_KEYS), fc.string({ maxLength: 8 })), hostile, { maxKeys: 2 });
  return fc.tuple(fc.tuple(...fields), fc.option(extras, { nil: undefined, freq: 4 })).map(([pairs, extra]) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of pairs) if (v !== undefined) out[k] = v;
    if (extra) for (const [k, v] of Object.entries(extra)) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    return out;
  });
}

const BAD_JSON = ['{', '{"a":}', "{'a': 1}", '[1,2', 'null', '"just a string"', '123', 'true', '{"a":1}{"b":2}', '\u0000', '{"a":"\\ud800"}', '{"__proto__":{"is_superuser":true}}', 'NaN'];
const CONTENT_TYPES = ['text/plain', 'application/xml', 'multipart/form-data', 'multipart/form-data; boundary=', 'application/x-www-form-urlencoded', 'image/png', 'application/json; charset=utf-16', 'application/vnd.api+json', ''];
const BAD_QUERIES = ['%', '%%%', 'a=%ZZ', '&&&=', '=1', 'page=-1', 'page=0', 'page=99999999999', 'page_size=100000', 'page=1&page=2', 'search=%27%20OR%201%3D1--', 'date=2026-02-30', 'q=%00', 'x[]=1&x[]=2', 'a'.repeat(3000) + '=1'];
const BAD_IDS = ['0', '-1', '999999999', '2147483648', '99999999999999999999', '1.5', '1e3', 'abc', '%00', '..%2F..', '1%20OR%201%3D1', "1'", '%E0%A4%A', 'NaN', ' 1'];

interface FuzzCase {
  id: string;
  query: Record<string, string> | string | undefined;
  kind: 'json' | 'any-json' | 'bad-json' | 'content-type' | 'form';
  body: unknown;
  contentType?: string;
}

function caseArb(r: RouteCase, ownPath: string): fc.Arbitrary<FuzzCase> {
  const schema = jsonSchemaOf(r.route.body);
  const bodyArb: fc.Arbitrary<unknown> = schema?.properties ? objectArb(schema) : fc.oneof(hostile, fc.dictionary(fc.string({ maxLength: 6 }), hostile, { maxKeys: 3 }));
  const idArb = fc.oneof({ weight: 3, arbitrary: fc.constant(ownPath) }, { weight: 2, arbitrary: fc.constantFrom(...BAD_IDS).map((bad) => fillPath(r.route.path, Object.fromEntries(pathParams(r.route.path).map((p) => [p, bad])))) });
  const queryArb = fc.oneof(
    { weight: 4, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: fc.constantFrom(...BAD_QUERIES) },
    { weight: 2, arbitrary: fc.dictionary(fc.constantFrom('page', 'page_size', 'search', 'q', 'id', 'reflexo_id', 'date', 'format'), fc.constantFrom(...EVIL_STRINGS.filter((s) => s.length < 400)), { maxKeys: 3 }) },
  );
  const write = WRITE_METHODS.has(r.route.method) && r.route.method !== 'DELETE';
  const kinds: fc.Arbitrary<Pick<FuzzCase, 'kind' | 'body' | 'contentType'>>[] = [
    bodyArb.map((body) => ({ kind: 'json' as const, body })),
  ];
  const weighted = write
    ? fc.oneof(
        { weight: 14, arbitrary: kinds[0] },
        { weight: 2, arbitrary: fc.anything({ maxDepth: 2 }).map((body) => ({ kind: 'any-json' as const, body })) },
        { weight: 2, arbitrary: fc.constantFrom(...BAD_JSON).map((body) => ({ kind: 'bad-json' as const, body, contentType: 'application/json' })) },
        { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...CONTENT_TYPES), fc.constantFrom('a=1&b=2', '<x/>', '--x--', '\u0000\u0001')).map(([contentType, body]) => ({ kind: 'content-type' as const, body, contentType })) },
        { weight: 1, arbitrary: bodyArb.map((body) => ({ kind: 'form' as const, body })) },
      )
    : fc.oneof({ weight: 3, arbitrary: fc.constant({ kind: 'json' as const, body: undefined }) }, { weight: 1, arbitrary: kinds[0] });
  return fc.record({ id: idArb, query: queryArb, rest: weighted }).map(({ id, query, rest }) => ({ id, query, ...rest }));
}

function toCall(r: RouteCase, c: FuzzCase, token: string | undefined): CallOptions {
  const path = c.id;
  const base: CallOptions = { method: r.route.method, path, query: c.query, token };
  switch (c.kind) {
    case 'json':
      return c.body === undefined ? base : { ...base, json: c.body };
    case 'any-json': {
      let text: string;
      try {
        text = JSON.stringify(c.body) ?? 'null';
      } catch {
        text = '{}';
      }
      return { ...base, raw: { body: text, contentType: 'application/json' } };
    }
    case 'bad-json':
    case 'content-type':
      return { ...base, raw: { body: String(c.body), contentType: c.contentType } };
    case 'form': {
      const fields: Record<string, string> = {};
      if (c.body && typeof c.body === 'object') for (const [k, v] of Object.entries(c.body)) fields[k.replace(/["\r\n]/g, '')] = typeof v === 'string' ? v : JSON.stringify(v) ?? '';
      return r.route.multipart ? { ...base, multipart: { fields } } : { ...base, raw: { body: new URLSearchParams(fields).toString(), contentType: 'application/x-www-form-urlencoded' } };
    }
  }
}

async function tokenFor(route: AnyRoute): Promise<string | undefined> {
  if (route.access === 'public') return undefined;
  const u = route.access === 'superuser' ? users.superuser! : users.admin!;
  // A fresh jti per case: a fuzzed logout must not silence the cases that follow it.
  return (await signToken('access', { id: u.id, reflexoId: u.reflexoId, isSuperuser: route.access === 'superuser' })).token;
}

/** What is wrong with one answer: a 5xx, or a 4xx outside the surface's error shape. */
function caseProblem(path: string, res: CallResult): string | undefined {
  if (res.status >= 500) return `${res.status} ${res.raw.toString('utf8').slice(0, 200)}`;
  const shape = errorShapeProblem(path, res);
  return shape ? `${res.status} ${shape}` : undefined;
}

async function fuzzRoute(r: RouteCase, runs: number, failures: string[]): Promise<void> {
  const ownPath = pathFor(r, ownIds, tables);
  const mine: string[] = [];
  const started = Date.now();
  await fc.assert(
    fc.asyncProperty(caseArb(r, ownPath), async (c) => {
      const opts = toCall(r, c, await tokenFor(r.route));
      const res = await call(r.handler, opts);
      tally.cases++;
      const repro = () => JSON.stringify({ method: opts.method, path: opts.path, query: opts.query, json: opts.json, raw: opts.raw && { contentType: opts.raw.contentType, body: String(opts.raw.body).slice(0, 200) } }).slice(0, 400);
      const problem = caseProblem(opts.path, res);
      if (problem) mine.push(`${r.key}: ${problem} ← ${repro()}`);
      return true; // failures are collected, not shrunk: every route gets its full run and its own report
    }),
    { numRuns: runs, seed: SEED, endOnFailure: true },
  );
  if (process.env.FUZZ_PROFILE) console.log(`fuzz-time ${Date.now() - started} ${r.key}`);
  const distinct = [...new Set(mine.map((m) => m.slice(0, m.indexOf('←'))))];
  failures.push(...distinct.slice(0, 5).map((d) => mine.find((m) => m.startsWith(d))!));
  tally.covered.push(r.key);
}

/** Routes fuzzed a few at a time: while one waits on PostgreSQL another runs its validation. */
async function fuzzAll(list: RouteCase[], runs: number, failures: string[]): Promise<void> {
  const queue = [...list];
  const worker = async () => {
    for (let r = queue.shift(); r; r = queue.shift()) await fuzzRoute(r, runs, failures);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

describe(`schema fuzzing (seed ${SEED}${DEEP ? ', deep' : ''})`, () => {
  it(`write routes: ${WRITE_RUNS} generated cases each, never 5xx, 4xx in the surface's error shape`, async () => {
    const failures: string[] = [];
    await fuzzAll(routes.filter((x) => WRITE_METHODS.has(x.route.method)), WRITE_RUNS, failures);
    tally.failures.push(...failures);
    expect(failures).toEqual([]);
  });

  it('write routes, every malformed JSON body of the list (not a sample of it): never 5xx, 4xx in the surface\'s error shape', async () => {
    // The generated cases above pick a few of these per route; a crash on one (JSON null reaching a refinement) hid for runs.
    const failures: string[] = [];
    for (const r of routes.filter((x) => WRITE_METHODS.has(x.route.method) && x.route.body)) {
      const path = pathFor(r, ownIds, tables);
      for (const body of BAD_JSON) {
        const res = await call(r.handler, toCall(r, { id: path, query: undefined, kind: 'bad-json', body, contentType: 'application/json' }, await tokenFor(r.route)));
        tally.cases++;
        const problem = caseProblem(path, res);
        if (problem) failures.push(`${r.key}: ${problem} ← ${JSON.stringify(body)}`);
      }
    }
    tally.failures.push(...failures);
    expect(failures).toEqual([]);
  });

  it(`read routes: ${READ_RUNS} hostile query strings and path ids each`, async () => {
    const failures: string[] = [];
    await fuzzAll(routes.filter((x) => x.route.method === 'GET'), READ_RUNS, failures);
    tally.failures.push(...failures);
    expect(failures).toEqual([]);
  });
});

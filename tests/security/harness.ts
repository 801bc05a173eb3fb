import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { groups } from '../../functions/registry';
import { createHandler } from '../../lib/http/app';
import type { AnyRoute, RouteGroup } from '../../lib/http/route';
import { surfaceOf } from '../../lib/http/errors';
import { call as httpCall, type CallOptions, type CallResult, type Handler } from '../helpers/http';
import { MISSING_ID } from './factories';

/*
 * What every file of the security suite shares: the routes, read from the route tables (so a module
 * that lands is covered without editing this suite), one handler per group built from the very same
 * middy stack, valid-looking sample inputs derived from each route's zod schemas, the error-shape
 * property, and the tally behind the suite's summary line.
 */

export interface RouteCase {
  group: RouteGroup;
  route: AnyRoute;
  handler: Handler;
  /** "GET /api/x/{id}/" */
  key: string;
}

const handlers = new Map<RouteGroup, Handler>();
export const handlerFor = (g: RouteGroup): Handler => {
  let h = handlers.get(g);
  if (!h) handlers.set(g, (h = createHandler(g) as unknown as Handler));
  return h;
};

export function declaredRoutes(extra: RouteGroup[] = []): RouteCase[] {
  return [...groups, ...extra].flatMap((group) =>
    group.routes.map((route) => ({ group, route, handler: handlerFor(group), key: `${route.method} ${route.path}` })),
  );
}

export const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
export const pathParams = (path: string) => [...path.matchAll(/\{([a-zA-Z_][a-zA-Z0-9_]*)\+?\}/g)].map((m) => m[1]);
export const fillPath = (path: string, values: Record<string, string | number>) =>
  path.replace(/\{([a-zA-Z_][a-zA-Z0-9_]*)\+?\}/g, (_, n) => String(values[n] ?? '1'));

/* ------------------------------------------------------------------ JSON Schema from zod */

export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  default?: unknown;
  additionalProperties?: unknown;
};

const opaque = (s: JsonSchema | undefined) => !s || (!s.type && !s.anyOf && !s.oneOf && !s.allOf && !s.enum && s.const === undefined && !s.properties);

/** Where the input side is opaque (z.preprocess), the output side says what the field really is. */
function mergeSides(input: JsonSchema | undefined, output: JsonSchema | undefined): JsonSchema | undefined {
  if (opaque(input)) return output ?? input;
  if (input!.properties && output?.properties) {
    const properties: Record<string, JsonSchema> = {};
    for (const [k, v] of Object.entries(input!.properties)) properties[k] = mergeSides(v, output.properties[k]) ?? v;
    return { ...input, properties };
  }
  if (input!.items && output?.items) return { ...input, items: mergeSides(input!.items, output.items) };
  return input;
}

export function jsonSchemaOf(schema: z.ZodType | undefined): JsonSchema | undefined {
  if (!schema) return undefined;
  const side = (io: 'input' | 'output') => {
    try {
      return z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
    } catch {
      return undefined;
    }
  };
  return mergeSides(side('input'), side('output'));
}

let counter = 0;
const next = () => ++counter;

const PATTERN_SAMPLES = ['1', '2026-01-15', '10:00:00', '10:00', '12345678', 'A', 'abc', '987654321', '#123456', '2026-01-15T10:00:00Z'];

/** A value that should satisfy `s`: the happy-path input the other properties start from. */
export function sampleOf(s: JsonSchema | undefined, name = '', hints: Record<string, unknown> = {}): unknown {
  if (!s) return undefined;
  if (name in hints) {
    const h = hints[name];
    const wantsString = s.type === 'string' || (Array.isArray(s.type) && s.type.includes('string') && !s.type.includes('integer') && !s.type.includes('number'));
    return wantsString && typeof h === 'number' ? String(h) : h;
  }
  if (s.const !== undefined) return s.const;
  if (s.enum?.length) return s.enum[0];
  if (s.default !== undefined) return s.default;
  const alt = s.anyOf ?? s.oneOf;
  if (alt?.length) return sampleOf(alt.find((a) => a.type !== 'null') ?? alt[0], name, hints);
  if (s.allOf?.length) return sampleOf(s.allOf[0], name, hints);
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(s.properties ?? {})) {
        // Optional fields too (domains often require what the schema leaves optional), except the
        // tenant selector, which only a global administrator may send.
        if ((s.required ?? []).includes(k) || k in hints || (k !== 'reflexo_id' && !hints.__requiredOnly)) out[k] = sampleOf(v, k, hints);
      }
      return out;
    }
    case 'array':
      return Array.from({ length: Math.max(1, s.minItems ?? 1) }, () => sampleOf(s.items, name, hints));
    case 'integer':
    case 'number': {
      const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 1);
      return Math.min(Math.max(min, 1), s.maximum ?? Number.MAX_SAFE_INTEGER);
    }
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'string':
      return sampleString(s, name);
    default:
      return 'x';
  }
}

function sampleString(s: JsonSchema, name: string): string {
  const n = next();
  if (s.format === 'email' || /email|correo/i.test(name)) return `sec${n}${randomUUID().slice(0, 6)}@sec.test`;
  if (s.format === 'date' || ((!s.pattern || s.pattern.includes('\\d{4}-\\d{2}-\\d{2}')) && /(^|_)(date|day|fecha)(_|$)/i.test(name))) return dateFor(name);
  if (s.format === 'date-time') return '2026-01-15T10:00:00Z';
  if (s.format === 'time') return '10:00:00';
  if (s.format === 'uuid') return randomUUID();
  if (s.format === 'uri' || s.format === 'url') return 'https://example.com/x';
  if (/password|clave|contrase/i.test(name)) return 'Clave#Segura2026!x';
  if (/height|weight|amount|price|cost|total|payment$|monto|precio|peso|talla/i.test(name)) return '60.50';
  if (s.pattern) {
    const re = safeRegex(s.pattern);
    const hit = re && PATTERN_SAMPLES.find((v) => re.test(v));
    if (hit) return hit;
  }
  let v = `Sec ${name || 'valor'} ${n}`;
  if (s.minLength && v.length < s.minLength) v = v.padEnd(s.minLength, 'x');
  if (s.maxLength && v.length > s.maxLength) v = `S${n}`.slice(0, s.maxLength).padEnd(Math.min(s.maxLength, s.minLength ?? 1), 'x');
  return v;
}

const isoDay = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
/**
 * Birth and diagnosis dates lie in the past; appointments and other bookings may not; query
 * filters (date_from, date, …) mean today, where the factories put their rows.
 */
function dateFor(name: string): string {
  if (/birth|nacim|diagnos/i.test(name)) return '1990-05-15';
  if (queryMode) return isoDay(0);
  return isoDay(30);
}
let queryMode = false;

function safeRegex(p: string): RegExp | undefined {
  try {
    return new RegExp(p);
  } catch {
    return undefined;
  }
}

/** Query values arrive as strings. */
export function sampleQuery(route: AnyRoute, hints: Record<string, unknown> = {}): Record<string, string> {
  queryMode = true;
  let v: Record<string, unknown> | undefined;
  try {
    v = sampleOf(jsonSchemaOf(route.query), '', hints) as Record<string, unknown> | undefined;
  } finally {
    queryMode = false;
  }
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v ?? {})) if (x !== undefined && x !== null) out[k] = String(x);
  return out;
}

export const sampleBody = (route: AnyRoute, hints: Record<string, unknown> = {}) =>
  route.body ? (sampleOf(jsonSchemaOf(route.body), '', hints) as Record<string, unknown>) : undefined;

/* ------------------------------------------------------------------ the error-shape property */

const stringArrays = (b: Record<string, unknown>) =>
  Object.keys(b).length > 0 && Object.values(b).every((v) => Array.isArray(v) && v.every((m) => typeof m === 'string' || (m && typeof m === 'object')));

/** Routes that answer a page (text/html), as patterns over concrete paths. */
const HTML_PAGES = declaredRoutes()
  .filter((r) => Object.values(r.route.responses ?? {}).some((x: any) => x?.contentTypes?.includes('text/html')))
  .map((r) => new RegExp(`^${r.route.path.replace(/\{[^}]+\}/g, '[^/]+')}/?$`));

/** null when the 4xx body has the surface's error shape, otherwise why not. */
export function errorShapeProblem(path: string, res: CallResult): string | null {
  if (res.status < 400 || res.status >= 500) return null;
  // The pages people open from an e-mail (the unsubscribe link) answer their errors as a page too.
  if (HTML_PAGES.some((p) => p.test(path.split('?')[0])) && /^text\/html/.test(res.headers['content-type'] ?? '')) return null;
  const b = res.body;
  if (!b || typeof b !== 'object' || Array.isArray(b)) return `4xx body is not a JSON object: ${String(res.raw.toString('utf8')).slice(0, 120)}`;
  if (surfaceOf(path) === 'v1') {
    if (typeof b.detail === 'string') return null;
    if (Array.isArray(b.detail) && b.detail.every((d: any) => d && Array.isArray(d.loc) && typeof d.msg === 'string')) return null;
    return `v1 4xx body is not FastAPI {detail}: ${JSON.stringify(b).slice(0, 160)}`;
  }
  for (const k of ['detail', 'error', 'message']) if (typeof b[k] === 'string' || (b[k] && typeof b[k] === 'object')) return null;
  if (stringArrays(b)) return null;
  return `Reflexo 4xx body is neither {field: [msg]} nor {detail|error|message}: ${JSON.stringify(b).slice(0, 160)}`;
}

/* ------------------------------------------------------------------ tally and summary line */

export interface Tally {
  file: string;
  covered: string[];
  declared: string[];
  cases: number;
  failures: string[];
  exclusions: string[];
}

export function newTally(file: string): Tally {
  return { file, covered: [], declared: declaredRoutes().map((r) => r.key), cases: 0, failures: [], exclusions: [] };
}

/** One folder per `npm test` run: the jest parent process (workers are forked from it) and its database. */
function runDir(): string {
  const jestPid = typeof process.send === 'function' ? process.ppid : process.pid;
  const id = createHash('sha1').update(`${jestPid} ${process.env.TEST_OWNER_URL ?? 'local'}`).digest('hex').slice(0, 12);
  const dir = join(__dirname, '..', '..', '.data', 'test', `security-${id}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

const SUITE_FILES = () => readdirSync(__dirname).filter((f) => f.endsWith('.test.ts'));

/**
 * Each file writes its tally; the last file of the suite to finish prints the summary line, so
 * the line appears once however jest schedules the files (and also when a single file is run).
 */
export function reportTally(t: Tally): void {
  const dir = runDir();
  writeFileSync(join(dir, `${t.file}.json`), JSON.stringify(t));
  const done = readdirSync(dir).filter((f) => f.endsWith('.json'));
  const all = done.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Tally);
  const expected = SUITE_FILES().length;
  const details = [
    ...t.exclusions.map((e) => `  excluded: ${e}`),
    ...t.failures.slice(0, 60).map((f) => `  FAIL: ${f}`),
  ];
  const own = `security[${t.file}]: routes ${new Set(t.covered).size}, cases ${t.cases}, failures ${t.failures.length}, excluded ${t.exclusions.length} (listed below)`;
  // eslint-disable-next-line no-console
  console.log([own, ...details].join('\n'));
  if (done.length < expected && !process.env.SECURITY_SUMMARY_NOW) return;
  const declared = new Set(all.flatMap((a) => a.declared));
  const covered = new Set(all.flatMap((a) => a.covered).filter((k) => declared.has(k)));
  const cases = all.reduce((n, a) => n + a.cases, 0);
  const failures = all.reduce((n, a) => n + a.failures.length, 0);
  const uncovered = [...declared].filter((k) => !covered.has(k));
  // eslint-disable-next-line no-console
  console.log(
    `security: routes covered ${covered.size} / declared ${declared.size}, cases run ${cases}, failures ${failures}` +
      (uncovered.length ? `\n  not covered: ${uncovered.join(', ')}` : '') +
      (done.length < expected ? ` (partial: ${done.length} of ${expected} files ran)` : ''),
  );
}

/** Runs `fn` with process.stdout captured (log lines are JSON written there). */
export async function captureStdout<T>(fn: () => Promise<T>): Promise<{ value: T; lines: string[] }> {
  const lines: string[] = [];
  const original = process.stdout.write.bind(process.stdout);
  (process.stdout as any).write = (chunk: any, ...rest: any[]) => {
    lines.push(String(chunk));
    const cb = rest.find((r) => typeof r === 'function');
    if (cb) cb();
    return true;
  };
  try {
    return { value: await fn(), lines };
  } finally {
    (process.stdout as any).write = original;
  }
}

/** Everything a user could read in a response: JSON/text as is, spreadsheets cell by cell, PDFs as text. */
export async function responseText(res: CallResult): Promise<string> {
  const type = res.headers['content-type'] ?? '';
  if (/spreadsheetml|excel/.test(type)) {
    try {
      const ExcelJS = (await import('exceljs')).default;
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(res.raw as any);
      const cells: string[] = [];
      wb.eachSheet((ws) => ws.eachRow((row) => cells.push(JSON.stringify(row.values))));
      return cells.join('\n');
    } catch (err) {
      return `unreadable spreadsheet: ${(err as Error).message}`;
    }
  }
  if (/pdf/.test(type)) {
    try {
      // pdf.js (as shipped in pdf-parse) misreads a Node Buffer; a plain Uint8Array copy reads fine.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const pdfjs = require('pdf-parse/lib/pdf.js/v2.0.550/build/pdf.js');
      pdfjs.disableWorker = true;
      const doc = await pdfjs.getDocument({ data: new Uint8Array(res.raw), verbosity: 0 });
      const pages: string[] = [];
      for (let n = 1; n <= doc.numPages; n++) pages.push((await (await doc.getPage(n)).getTextContent()).items.map((i: { str: string }) => i.str).join('\n'));
      await doc.destroy();
      return pages.join('\n');
    } catch (err) {
      return `unreadable pdf: ${(err as Error).message}`;
    }
  }
  return res.raw.toString('utf8');
}

/** Every `id` value anywhere in a JSON value. */
export function idsIn(v: unknown, out: Set<number> = new Set()): Set<number> {
  if (Array.isArray(v)) for (const x of v) idsIn(x, out);
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === 'id' && typeof x === 'number') out.add(x);
      else idsIn(x, out);
    }
  }
  return out;
}

/**
 * Field-name hints that point foreign keys at real rows: `patient_id` / `patient` → a row of
 * `patients` owned by the caller's clinic. Turns many generated bodies from a 400 into a real write.
 */
let catalogs: Record<string, number> = {};
/** Global catalog ids (factories.catalogIds()), loaded once per test file. */
export const useCatalogIds = (ids: Record<string, number>) => void (catalogs = ids);
/* Values the contracts validate beyond their type: Lima's ubigeo (ids are the codes), Peruvian phone and DNI. */
const FIELD_HINTS: Record<string, unknown> = {
  region_code: 15,
  province_code: 1501,
  district_code: 150101,
  region_id: 15,
  province_id: 1501,
  district_id: 150101,
  region: 15,
  province: 1501,
  district: 150101,
  phone: '987654321',
  phone1: '987654321',
  phone2: '987654322',
  document_number: '12345678',
  sex: 'M',
  amount: 50,
  price: 50,
  payment_method: 'cash',
};

export function idHints(ownIds: Record<string, number>): Record<string, unknown> {
  const hints: Record<string, unknown> = {};
  for (const [table, id] of Object.entries({ ...catalogs, ...ownIds })) {
    const singulars = new Set([table.replace(/ies$/, 'y').replace(/s$/, ''), table.replace(/es$/, '')]);
    if (id === MISSING_ID) continue;
    for (const singular of singulars) for (const name of [`${singular}_id`, singular, `${table}_id`]) hints[name] = id;
  }
  // Unique per call: a second create must not collide with the first on the clinic's unique DNI.
  const digits = (n: number) => String(Math.floor(Math.random() * 10 ** n)).padStart(n, '0');
  return { ...hints, ...FIELD_HINTS, document_number: `7${digits(7)}`, phone: `9${digits(8)}`, phone1: `9${digits(8)}`, phone2: `9${digits(8)}` };
}

/*
 * The suite's requests come from their own address (one per file, 10.x.y.z): login and code
 * throttling keyed by IP must never lock the rest of `npm test` out of 127.0.0.1 after thousands of
 * deliberately wrong requests.
 */
// Random in all three octets: files run one after another in the same worker process, so a pid-based prefix would be shared.
const SUITE_IP = `10.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 250)}`;
export const call = (handler: Handler, opts: CallOptions, sourceIp = SUITE_IP): Promise<CallResult> => httpCall(handler, { sourceIp, ...opts });

/**
 * A concrete path for `r`: {id} → the suite's own row behind it (or an id that exists nowhere), other
 * params by name (`patient_id` → the suite's patient). Never a seeded catalog row.
 */
export function pathFor(r: RouteCase, ids: Record<string, number>, tables: Map<string, string | undefined>): string {
  const hints = idHints(ids);
  const value = (p: string) => {
    if (p === 'id') {
      const table = tables.get(r.key);
      return (table && ids[table]) || MISSING_ID;
    }
    return typeof hints[p] === 'number' ? (hints[p] as number) : MISSING_ID;
  };
  return fillPath(r.route.path, Object.fromEntries(pathParams(r.route.path).map((p) => [p, value(p)])));
}

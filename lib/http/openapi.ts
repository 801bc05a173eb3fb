import { z } from 'zod';
import { config } from '../config';
import { declareLaxInput } from './coerce';
import { surfaceOf, type Surface } from './errors';
import type { AnyRoute, ResponseSpec, RouteGroup } from './route';

/* The OpenAPI 3.1 document, derived from the route tables (the single source of truth). */

type Json = Record<string, unknown>;

/** OpenAPI has no greedy parameters: the router's `{key+}` is documented as `{key}`. */
export const oasPath = (path: string) => path.replace(/\{(\w+)\+\}/g, '{$1}');

/*
 * JSON Schema patterns are read with Unicode regex rules, where an escaped slash (`\/`, common in
 * JavaScript regex literals) is a syntax error that stops Swagger UI from rendering at all.
 */
const portablePatterns = (_key: string, value: unknown) => (_key === 'pattern' && typeof value === 'string' ? value.replace(/\\\//g, '/') : value);

/*
 * Named schemas (`.meta({ id: 'Patient' })` in a route table) become components that every operation
 * references, instead of a copy per operation: the document stays small enough for Swagger UI to
 * render quickly, and code generators get one type per entity. One build collects them here.
 */
let components: Record<string, Json> = {};
let responseComponents: Record<string, Json> = {};

function addResponse(name: string, r: Json): string {
  const text = JSON.stringify(r);
  for (let i = 1; ; i++) {
    const candidate = i === 1 ? name : `${name}_${i}`;
    if (!(candidate in responseComponents)) responseComponents[candidate] = r;
    if (JSON.stringify(responseComponents[candidate]) === text) return candidate;
  }
}

/** Stores a named schema; the same name with a different shape (an input variant) gets a suffix. */
function addComponent(name: string, schema: Json): string {
  const text = JSON.stringify(schema);
  for (let i = 0; ; i++) {
    const candidate = i === 0 ? name : i === 1 ? `${name}Input` : `${name}${i}`;
    if (!(candidate in components)) components[candidate] = schema;
    if (JSON.stringify(components[candidate]) === text) return candidate;
  }
}

/** `lax`: a request body, which takes numbers and booleans as text too (lib/http/coerce.ts) and says so. */
const jsonSchema = (schema: z.ZodType, io: 'input' | 'output', lax = false): Json => {
  const override = lax ? (ctx: { zodSchema: unknown; jsonSchema: Json }) => declareLaxInput(ctx.zodSchema, ctx.jsonSchema) : undefined;
  const { $schema: _ignored, $defs, ...rest } = JSON.parse(JSON.stringify(z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12', override })), portablePatterns) as Json & { $defs?: Record<string, Json> };
  // zod names each def after its id; lift them into components (renaming on conflict) and point the refs there.
  const renamed = new Map<string, string>();
  const defs = Object.entries($defs ?? {});
  for (const [id] of defs) renamed.set(id, id);
  const retarget = (v: Json): Json => JSON.parse(JSON.stringify(v).replace(/"#\/\$defs\/([^"]+)"/g, (_m, id: string) => `"#/components/schemas/${renamed.get(id) ?? id}"`));
  for (const [id, def] of defs) renamed.set(id, addComponent(id, retarget(def)));
  return retarget(rest);
};

/*
 * A schema object used by several operations (a DRF alias shares its route's body and response) is
 * written once, as a component named after its first user, and referenced from each.
 */
let uses = new Map<z.ZodType, number>();
const sharedNames = new Map<string, string>();
const pascal = (s: string) => s.replace(/(^|[^a-zA-Z0-9])([a-zA-Z0-9])/g, (_m, _sep, c: string) => c.toUpperCase());
const ids = new WeakMap<z.ZodType, number>();
let nextId = 0;
function schemaOf(schema: z.ZodType, io: 'input' | 'output', name: string): Json {
  const own = jsonSchema(schema, io, io === 'input');
  if ((uses.get(schema) ?? 0) < 2 || own.$ref) return own;
  if (!ids.has(schema)) ids.set(schema, nextId++);
  const key = `${io}:${ids.get(schema)}`;
  let ref = sharedNames.get(key);
  if (!ref) sharedNames.set(key, (ref = addComponent(name, own)));
  return { $ref: `#/components/schemas/${ref}` };
}

function countUses(groups: RouteGroup[]): void {
  uses = new Map();
  sharedNames.clear();
  const count = (z?: z.ZodType) => z && uses.set(z, (uses.get(z) ?? 0) + 1);
  for (const r of groups.flatMap((g) => g.routes)) {
    count(r.body);
    count(r.response);
    for (const spec of Object.values(r.responses ?? {})) count(spec.schema);
  }
}

function parameters(route: AnyRoute): Json[] {
  const out: Json[] = [];
  const add = (where: 'path' | 'query', schema: z.ZodType | undefined) => {
    if (!schema) return;
    const js = jsonSchema(schema, 'input') as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, s] of Object.entries(js.properties ?? {})) {
      out.push({ name, in: where, required: where === 'path' || (js.required ?? []).includes(name), schema: s });
    }
  };
  add('path', route.params);
  for (const m of oasPath(route.path).matchAll(/\{([^}]+)\}/g)) {
    if (!out.some((p) => p.name === m[1])) out.push({ name: m[1], in: 'path', required: true, schema: { type: 'string' } });
  }
  add('query', route.query);
  return out;
}

/* Error bodies exactly as lib/http/errors.ts renderError writes them, one set per surface. */
const ERROR_SCHEMAS: Record<string, Json> = {
  DrfDetail: {
    type: 'object',
    description: 'DRF: `{"detail": "..."}`; token errors add `"code": "token_not_valid"`.',
    properties: { detail: { type: 'string' }, code: { type: 'string' } },
    required: ['detail'],
    additionalProperties: false,
  },
  DrfFieldErrors: {
    type: 'object',
    description: 'DRF: `{"field": ["message"]}`; nested fields joined by dots, `non_field_errors` for the whole body.',
    minProperties: 1,
    additionalProperties: { type: 'array', items: { type: 'string' } },
  },
  DrfBadRequest: { anyOf: [{ $ref: '#/components/schemas/DrfFieldErrors' }, { $ref: '#/components/schemas/DrfDetail' }] },
  FastApiDetail: {
    type: 'object',
    description: 'FastAPI: `{"detail": "..."}`.',
    properties: { detail: { type: 'string' } },
    required: ['detail'],
    additionalProperties: false,
  },
  FastApiValidationError: {
    type: 'object',
    description: 'FastAPI: `{"detail": [{"loc", "msg", "type"}]}`.',
    properties: {
      detail: {
        type: 'array',
        items: {
          type: 'object',
          properties: { loc: { type: 'array', items: { type: ['string', 'integer'] } }, msg: { type: 'string' }, type: { type: 'string' }, input: {} },
          required: ['loc', 'msg', 'type'],
        },
      },
    },
    required: ['detail'],
    additionalProperties: false,
  },
};

const errorRef = (surface: Surface, status: number): Json => {
  const name = surface === 'v1' ? (status === 422 ? 'FastApiValidationError' : 'FastApiDetail') : status === 400 ? 'DrfBadRequest' : 'DrfDetail';
  return { $ref: `#/components/schemas/${name}` };
};

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * What a route answers because of what it is, whatever its handler does: the middleware stack's
 * refusals (lib/http/middleware.ts) and the database's (fromPgError).
 */
function genericStatuses(group: RouteGroup, route: AnyRoute): Record<number, string> {
  const surface = surfaceOf(route.path);
  const out: Record<number, string> = {};
  if (BODY_METHODS.has(route.method)) {
    out[400] = surface === 'v1' ? 'Cuerpo ilegible (JSON o multipart mal formado)' : 'Datos inválidos o cuerpo ilegible';
    out[413] = 'Cuerpo demasiado grande';
    out[415] = takesForms(route) ? 'Tipo de contenido no soportado (JSON, multipart/form-data o urlencoded)' : 'Tipo de contenido no soportado (solo JSON)';
  }
  // v1 also validates path parameters (FastAPI: a non-integer id is a 422, not a 404).
  if (route.body || route.query || (surface === 'v1' && route.params)) out[surface === 'v1' ? 422 : 400] ??= 'Datos inválidos';
  if (route.access !== 'public') {
    out[401] = 'No autenticado, o el token no es válido o ha expirado';
    // Any authenticated route refuses the users of a deactivated clinic (lib/http/app.ts).
    if (route.access !== 'user') out[403] = 'Sin permisos, o clínica desactivada';
    else out[403] = group.tenantScoped ? 'Usuario sin clínica asignada, o clínica desactivada' : 'Clínica desactivada';
  }
  if (route.params) out[404] = 'No encontrado';
  if (route.db !== false) out[503] = 'Base de datos u otro servicio no disponible temporalmente';
  return out;
}

const RETRY_AFTER = { 'Retry-After': { description: 'Segundos hasta poder reintentar (bloqueo por intentos fallidos)', schema: { type: 'integer' } } };

function response(group: RouteGroup, surface: Surface, status: number, declared: ResponseSpec | undefined, generic: string | undefined): Json {
  // An error status can have the route's own cause and the stack's: the description names both.
  const out: Json = { description: [declared?.description, status >= 400 ? generic : undefined].filter(Boolean).join('; ') || generic || 'OK' };
  if (status === 429) out.headers = RETRY_AFTER;
  if (declared?.headers) out.headers = Object.fromEntries(Object.entries(declared.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }]));
  if (declared?.contentTypes) {
    out.content = Object.fromEntries(declared.contentTypes.map((t) => [t, { schema: { type: 'string', format: 'binary' } }]));
    return out;
  }
  const own = declared?.schema ? schemaOf(declared.schema, 'output', `${pascal(group.name)}${status}`) : undefined;
  const standard = status >= 400 ? errorRef(surface, status) : undefined;
  // A declared body and the standard one can both happen (a domain 404 `{"error"}` and the router's `{"detail"}` for a malformed id).
  const schema = own && generic && standard ? { anyOf: [own, standard] } : (own ?? standard);
  if (schema) out.content = { 'application/json': { schema } };
  return out;
}

function responses(group: RouteGroup, route: AnyRoute): Json {
  const surface = surfaceOf(route.path);
  const ok = route.status ?? 200;
  const declared: Record<number, ResponseSpec> = { ...route.responses };
  declared[ok] = { description: 'OK', schema: route.response, ...route.responses?.[ok] };
  const generic = genericStatuses(group, route);
  const statuses = [...new Set([...Object.keys(declared), ...Object.keys(generic)].map(Number))].sort((x, y) => x - y);
  return Object.fromEntries(
    statuses.map((s) => {
      const r = response(group, surface, s, declared[s], generic[s]);
      // Responses repeat (the stack's refusals on every route of a kind, a DRF alias's whole set): each distinct one is written once.
      const name = declared[s] ? `${pascal(group.name)}${s}` : `${surface === 'v1' ? 'V1' : 'Reflexo'}${s}`;
      return [String(s), { $ref: `#/components/responses/${addResponse(name, r)}` }];
    }),
  );
}

const formBody = { schema: { type: 'object', additionalProperties: true } };

/** Reflexo writes take forms as DRF does; v1 routes only where they say so. */
const takesForms = (route: AnyRoute) => surfaceOf(route.path) === 'reflexo' || !!route.multipart || !!route.forms;

function requestBody(group: RouteGroup, route: AnyRoute): Json | undefined {
  const content: Json = {};
  const schema = route.body ? schemaOf(route.body, 'input', `${pascal(group.name)}${pascal(route.method.toLowerCase())}Body`) : undefined;
  if (schema) content['application/json'] = { schema };
  if (takesForms(route) && (schema || route.multipart)) {
    // Form fields are the same fields (numbers and booleans as their text); uploads add file parts.
    content['application/x-www-form-urlencoded'] = schema ? { schema } : formBody;
    content['multipart/form-data'] = schema && !route.multipart ? { schema } : formBody;
  }
  return Object.keys(content).length ? { required: true, content } : undefined;
}

/**
 * Every operation says who may call it (the route table's `access`, checked before the handler runs).
 * v1 names no clinic, so on its clinic groups a user of no clinic, a superuser included, gets 403
 * (functions/v1/surface.ts); Reflexo's superusers name one with `reflexo_id`.
 */
function whoMayCall(group: RouteGroup, route: AnyRoute): string {
  const clinicOnly = group.tenantScoped && surfaceOf(route.path) === 'v1';
  switch (route.access) {
    case 'public':
      return 'Acceso: público (sin token).';
    case 'user':
      return clinicOnly ? 'Acceso: cualquier usuario de una clínica, con los datos de su clínica (sin clínica: 403).' : 'Acceso: cualquier usuario autenticado.';
    case 'admin':
      return clinicOnly ? 'Acceso: administrador de la clínica (rol Admin), con los datos de su clínica.' : 'Acceso: administrador de la clínica (rol Admin) o superusuario.';
    case 'platform':
      return 'Acceso: personal de la plataforma (superusuario o permiso `architect.view_all_tenants`).';
    case 'superuser':
      return 'Acceso: superusuario.';
  }
}

function operation(group: RouteGroup, route: AnyRoute): Json {
  const op: Json = {
    operationId: `${route.method.toLowerCase()}${route.path.replace(/[{}]/g, '').replace(/[^a-zA-Z0-9]+/g, '_').replace(/_$/, '')}`,
    summary: route.summary,
    tags: [group.tag],
    parameters: parameters(route),
    // Public operations say so: without `security: []` they would inherit a document-level requirement.
    security: route.access === 'public' ? [] : [{ bearerAuth: [] }],
    responses: responses(group, route),
  };
  op.description = [route.description, whoMayCall(group, route)].filter(Boolean).join('\n\n');
  if (route.deprecated) op.deprecated = true;
  const body = requestBody(group, route);
  if (body) op.requestBody = body;
  return op;
}

/* Only the error schemas some operation uses (directly or through another schema): no dead components. */
function usedSchemas(paths: unknown): Record<string, Json> {
  const refs = (v: unknown) => [...JSON.stringify(v).matchAll(/"#\/components\/schemas\/(\w+)"/g)].map((m) => m[1]);
  const used = new Set<string>();
  const pending = refs(paths);
  while (pending.length) {
    const name = pending.pop()!;
    if (used.has(name)) continue;
    used.add(name);
    pending.push(...refs(ERROR_SCHEMAS[name] ?? {}));
  }
  return Object.fromEntries(Object.keys(ERROR_SCHEMAS).filter((n) => used.has(n)).map((n) => [n, ERROR_SCHEMAS[n]]));
}

/** One tag per module; its description says where it lives, for readers scanning Swagger UI. */
function tags(groups: RouteGroup[]): Json[] {
  const prefixes = new Map<string, string[]>();
  for (const g of groups) prefixes.set(g.tag, [...(prefixes.get(g.tag) ?? []), ...g.prefixes]);
  return [...prefixes].map(([name, p]) => ({ name, description: `Rutas bajo ${p.map((x) => `\`${x}\``).join(', ')}` }));
}

export function buildOpenApi(groups: RouteGroup[]): Json {
  components = {};
  responseComponents = {};
  countUses(groups);
  const paths: Record<string, Json> = {};
  for (const g of groups) {
    for (const r of g.routes) (paths[oasPath(r.path)] ??= {})[r.method.toLowerCase()] = operation(g, r);
  }
  const named = Object.fromEntries(Object.keys(components).sort().map((k) => [k, components[k]]));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Reflexo clinic API',
      version: config.version,
      description:
        'Multi-tenant clinic management API. Two contracts over one domain: the Reflexo API (`/api/<module>/...`, DRF-style errors) and the Consultorio API v1 (`/api/v1/...`, FastAPI-style errors). Every path also answers without its trailing slash.',
    },
    servers: [{ url: '/' }],
    components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } }, schemas: { ...usedSchemas({ paths, responseComponents }), ...named }, responses: responseComponents },
    tags: tags(groups),
    paths,
  };
}

/**
 * One surface's part of the document (its paths, and only the components and tags they use): the
 * docs page shows one contract at a time, so Swagger UI renders half as much.
 */
export function documentForSurface(doc: Json, surface: Surface): Json {
  const paths = Object.fromEntries(Object.entries(doc.paths as Json).filter(([p]) => surfaceOf(p) === surface || !p.startsWith('/api/') || p.startsWith('/api/health')));
  const all = doc.components as { schemas?: Record<string, Json>; responses?: Record<string, Json>; securitySchemes: Json };
  const used = { schemas: new Set<string>(), responses: new Set<string>() };
  const pending: unknown[] = [paths];
  while (pending.length) {
    for (const m of JSON.stringify(pending.pop()).matchAll(/"#\/components\/(schemas|responses)\/([^"]+)"/g)) {
      const kind = m[1] as 'schemas' | 'responses';
      if (used[kind].has(m[2])) continue;
      used[kind].add(m[2]);
      pending.push(all[kind]?.[m[2]]);
    }
  }
  const pick = (kind: 'schemas' | 'responses') => Object.fromEntries(Object.entries(all[kind] ?? {}).filter(([k]) => used[kind].has(k)));
  const tagsUsed = new Set(Object.values(paths).flatMap((ops) => Object.values(ops as Record<string, { tags?: string[] }>).flatMap((o) => o.tags ?? [])));
  const title = surface === 'v1' ? 'Consultorio API v1' : 'Reflexo API';
  return {
    ...doc,
    info: { ...(doc.info as Json), title },
    components: { securitySchemes: all.securitySchemes, schemas: pick('schemas'), responses: pick('responses') },
    tags: (doc.tags as { name: string }[]).filter((t) => tagsUsed.has(t.name)),
    paths,
  };
}

/*
 * The docs page's rendering of a document: OpenAPI 3.0.3. Swagger UI 5 reads 3.1 through ApiDOM,
 * which took ~2.5 s to render the Reflexo half on a reload here; the same document as 3.0 renders in
 * ~0.6 s. Only JSON Schema 2020-12 constructs 3.0 lacks are rewritten; /openapi.json stays 3.1.
 */
export function asOpenApi30(doc: Json): Json {
  const named = ((doc.components as Json | undefined)?.schemas ?? {}) as Record<string, Json>;
  // 3.0's `nullable` needs a `type` beside it: take it from the alternative (or the component it names).
  const typeOf = (alt: Json): string | undefined => {
    if (typeof alt.type === 'string') return alt.type;
    if (typeof alt.$ref === 'string') return typeOf(named[alt.$ref.replace('#/components/schemas/', '')] ?? {});
    if (Array.isArray(alt.enum)) return [...new Set(alt.enum.map((e) => (typeof e === 'number' ? 'number' : typeof e)))].length === 1 ? (typeof alt.enum[0] === 'number' ? 'number' : typeof alt.enum[0]) : undefined;
    return undefined;
  };
  const schema = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(schema);
    if (!v || typeof v !== 'object') return v;
    const o: Json = {};
    for (const [k, x] of Object.entries(v as Json)) o[k] = schema(x);
    if (Array.isArray(o.type)) {
      const types = (o.type as string[]).filter((t) => t !== 'null');
      if (types.length < (o.type as string[]).length && types.length === 1) o.nullable = true;
      if (types.length === 1) o.type = types[0];
      else {
        delete o.type;
        o.anyOf = types.map((t) => ({ type: t }));
      }
    }
    for (const key of ['anyOf', 'oneOf'] as const) {
      const alts = o[key] as Json[] | undefined;
      if (!alts?.some((a) => a.type === 'null')) continue;
      const rest = alts.filter((a) => a.type !== 'null');
      delete o[key];
      if (rest.length === 1 && !rest[0].$ref) Object.assign(o, rest[0]);
      else if (rest.length === 1) o.allOf = rest;
      else o[key] = rest;
      const types = [...new Set(rest.map(typeOf))];
      if (types.length === 1 && types[0]) {
        o.type ??= types[0];
        o.nullable = true;
      }
    }
    // A value that is always null has no 3.0 type of its own: a nullable string whose only value is null.
    if (o.type === 'null') Object.assign(o, { type: 'string', nullable: true, enum: [null] });
    if ('const' in o) {
      o.enum = [o.const];
      delete o.const;
    }
    if (Array.isArray(o.examples)) {
      o.example = (o.examples as unknown[])[0];
      delete o.examples;
    }
    for (const [exclusive, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
      if (typeof o[exclusive] === 'number') {
        o[bound] = o[exclusive];
        o[exclusive] = true;
      }
    }
    delete o.propertyNames;
    delete o.$schema;
    return o;
  };
  return { ...(schema(doc) as Json), openapi: '3.0.3' };
}

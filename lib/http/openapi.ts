import { z } from 'zod';
import { config } from '../config';
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

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output'): Json => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
  return JSON.parse(JSON.stringify(rest), portablePatterns);
};

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
    out[415] = route.multipart ? 'Tipo de contenido no soportado (JSON, multipart/form-data o urlencoded)' : 'Tipo de contenido no soportado (solo JSON)';
  }
  if (route.body || route.query) out[surface === 'v1' ? 422 : 400] ??= 'Datos inválidos';
  if (route.access !== 'public') {
    out[401] = 'No autenticado, o el token no es válido o ha expirado';
    if (route.access !== 'user') out[403] = 'Sin permisos';
    else if (group.tenantScoped) out[403] = 'Usuario sin clínica asignada';
  }
  if (route.params) out[404] = 'No encontrado';
  if (route.db !== false) out[503] = 'Base de datos u otro servicio no disponible temporalmente';
  return out;
}

const RETRY_AFTER = { 'Retry-After': { description: 'Segundos hasta poder reintentar (bloqueo por intentos fallidos)', schema: { type: 'integer' } } };

function response(surface: Surface, status: number, declared: ResponseSpec | undefined, generic: string | undefined): Json {
  // An error status can have the route's own cause and the stack's: the description names both.
  const out: Json = { description: [declared?.description, status >= 400 ? generic : undefined].filter(Boolean).join('; ') || generic || 'OK' };
  if (status === 429) out.headers = RETRY_AFTER;
  if (declared?.contentTypes) {
    out.content = Object.fromEntries(declared.contentTypes.map((t) => [t, { schema: { type: 'string', format: 'binary' } }]));
    return out;
  }
  const own = declared?.schema ? jsonSchema(declared.schema, 'output') : undefined;
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
  return Object.fromEntries(statuses.map((s) => [String(s), response(surface, s, declared[s], generic[s])]));
}

const formBody = { schema: { type: 'object', additionalProperties: true } };

function requestBody(route: AnyRoute): Json | undefined {
  const content: Json = {};
  if (route.body) content['application/json'] = { schema: jsonSchema(route.body, 'input') };
  if (route.multipart) content['multipart/form-data'] = formBody;
  return Object.keys(content).length ? { required: true, content } : undefined;
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
  if (route.description) op.description = route.description;
  if (route.deprecated) op.deprecated = true;
  const body = requestBody(route);
  if (body) op.requestBody = body;
  return op;
}

/* Only the error schemas some operation uses (directly or through another schema): no dead components. */
function usedSchemas(paths: Json): Record<string, Json> {
  const refs = (v: unknown) => [...JSON.stringify(v).matchAll(/"#\/components\/schemas\/(\w+)"/g)].map((m) => m[1]);
  const used = new Set<string>();
  const pending = refs(paths);
  while (pending.length) {
    const name = pending.pop()!;
    if (used.has(name)) continue;
    used.add(name);
    pending.push(...refs(ERROR_SCHEMAS[name]));
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
  const paths: Record<string, Json> = {};
  for (const g of groups) {
    for (const r of g.routes) (paths[oasPath(r.path)] ??= {})[r.method.toLowerCase()] = operation(g, r);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Reflexo clinic API',
      version: config.version,
      description:
        'Multi-tenant clinic management API. Two contracts over one domain: the Reflexo API (`/api/<module>/...`, DRF-style errors) and the Consultorio API v1 (`/api/v1/...`, FastAPI-style errors). Every path also answers without its trailing slash.',
    },
    servers: [{ url: '/' }],
    components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } }, schemas: usedSchemas(paths) },
    tags: tags(groups),
    paths,
  };
}

import { z } from 'zod';
import { config } from '../config';
import { surfaceOf } from './errors';
import type { AnyRoute, RouteGroup } from './route';

/* The OpenAPI 3.1 document, derived from the route tables (the single source of truth). */

type Json = Record<string, unknown>;

/** OpenAPI has no greedy parameters: the router's `{key+}` is documented as `{key}`. */
const oasPath = (path: string) => path.replace(/\{(\w+)\+\}/g, '{$1}');

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

const errorSchemas = {
  reflexo: { type: 'object', additionalProperties: true, description: 'DRF style: {"detail": "..."} or {"field": ["message"]}' },
  v1: { type: 'object', properties: { detail: {} }, description: 'FastAPI style: {"detail": "..."} or {"detail": [{"loc", "msg", "type"}]}' },
};

function operation(group: RouteGroup, route: AnyRoute): Json {
  const ok = String(route.status ?? 200);
  const responses: Json = {
    [ok]: {
      description: 'OK',
      ...(route.response ? { content: { 'application/json': { schema: jsonSchema(route.response, 'output') } } } : {}),
    },
  };
  for (const [status, r] of Object.entries(route.responses ?? {})) {
    responses[status] = { description: r.description, ...(r.schema ? { content: { 'application/json': { schema: jsonSchema(r.schema, 'output') } } } : {}) };
  }
  const surface = surfaceOf(route.path);
  const err = { content: { 'application/json': { schema: errorSchemas[surface] } } };
  if (route.body || route.query) responses[surface === 'v1' ? '422' : '400'] ??= { description: 'Datos inválidos', ...err };
  if (route.access !== 'public') {
    responses['401'] ??= { description: 'No autenticado', ...err };
    if (route.access !== 'user') responses['403'] ??= { description: 'Sin permisos', ...err };
  }
  if (route.params) responses['404'] ??= { description: 'No encontrado', ...err };
  const op: Json = {
    operationId: `${route.method.toLowerCase()}${route.path.replace(/[{}]/g, '').replace(/[^a-zA-Z0-9]+/g, '_').replace(/_$/, '')}`,
    summary: route.summary,
    tags: [group.tag],
    parameters: parameters(route),
    responses,
  };
  if (route.description) op.description = route.description;
  if (route.deprecated) op.deprecated = true;
  if (route.access !== 'public') op.security = [{ bearerAuth: [] }];
  if (route.body) {
    const content: Json = { 'application/json': { schema: jsonSchema(route.body, 'input') } };
    if (route.multipart) content['multipart/form-data'] = { schema: { type: 'object', additionalProperties: true } };
    op.requestBody = { required: true, content };
  } else if (route.multipart) {
    op.requestBody = { required: true, content: { 'multipart/form-data': { schema: { type: 'object', additionalProperties: true } } } };
  }
  return op;
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
    components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    tags: [...new Set(groups.map((g) => g.tag))].map((name) => ({ name })),
    paths,
  };
}

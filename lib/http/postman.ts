import type { Surface } from './errors';

/*
 * A Postman collection (v2.1) per surface, derived from the served OpenAPI document (so it is what
 * the route tables say, like /openapi.json): a login request first that stores the token, then every
 * operation grouped by tag, each with a test that its status is one the document declares for it.
 * Path ids default to 1, bodies to an example built from the schema's required fields; variables can
 * be changed in Postman. Deletions run after everything else, and the requests that end the session
 * (logout, deleting one's own account) last of all, so one run exercises every route with a live token.
 */
type Json = Record<string, any>;

const LOGIN: Record<Surface, { path: string; body: Json; token: string }> = {
  reflexo: { path: '/api/architect/auth/login/', body: { email: '{{email}}', password: '{{password}}' }, token: 'access' },
  v1: { path: '/api/v1/auth/login', body: { username: '{{username}}', password: '{{password}}' }, token: 'access_token' },
};

function resolve(doc: Json, schema: Json | undefined, depth = 0): Json | undefined {
  if (!schema || depth > 8) return schema;
  if (schema.$ref) return resolve(doc, doc.components?.schemas?.[String(schema.$ref).split('/').pop()!], depth + 1);
  return schema;
}

/** A plausible value for a schema: its example, default, first enum value, or one of its type. */
function example(doc: Json, schema: Json | undefined, depth = 0): unknown {
  const s = resolve(doc, schema, depth);
  if (!s || depth > 6) return null;
  if (s.example !== undefined) return s.example;
  if (s.default !== undefined) return s.default;
  if (Array.isArray(s.enum)) return s.enum[0];
  if (s.const !== undefined) return s.const;
  for (const k of ['anyOf', 'oneOf', 'allOf']) if (Array.isArray(s[k])) return example(doc, s[k].find((x: Json) => x.type !== 'null') ?? s[k][0], depth + 1);
  const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') : s.type;
  switch (type) {
    case 'object': {
      const out: Json = {};
      for (const name of s.required ?? []) out[name] = example(doc, s.properties?.[name], depth + 1);
      return out;
    }
    case 'array':
      return [];
    case 'integer':
      return Math.max(1, s.minimum ?? 1);
    case 'number':
      return Math.max(1, s.minimum ?? 1);
    case 'boolean':
      return false;
    case 'string':
      if (s.format === 'date') return new Date().toISOString().slice(0, 10);
      if (s.format === 'date-time') return new Date().toISOString();
      if (s.format === 'email') return 'postman@example.com';
      return 'texto';
    default:
      return null;
  }
}

const pathVariables = (path: string) => [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);

function request(doc: Json, path: string, method: string, op: Json): Json {
  const vars = pathVariables(path);
  const segments = path.replace(/\{(\w+)\}/g, ':$1').split('/').filter(Boolean);
  const query = (op.parameters ?? [])
    .filter((p: Json) => p.in === 'query' && p.required)
    .map((p: Json) => ({ key: p.name, value: String(example(doc, p.schema) ?? '') }));
  const json = op.requestBody?.content?.['application/json']?.schema;
  const statuses = Object.keys(op.responses ?? {}).map(Number);
  return {
    name: `${method.toUpperCase()} ${path}`,
    request: {
      method: method.toUpperCase(),
      ...(op.security?.length === 0 ? { auth: { type: 'noauth' } } : {}),
      header: json ? [{ key: 'Content-Type', value: 'application/json' }] : [],
      url: {
        raw: `{{baseUrl}}/${segments.join('/')}${path.endsWith('/') ? '/' : ''}${query.length ? `?${query.map((q: Json) => `${q.key}=${q.value}`).join('&')}` : ''}`,
        host: ['{{baseUrl}}'],
        path: [...segments, ...(path.endsWith('/') ? [''] : [])],
        ...(query.length ? { query } : {}),
        ...(vars.length ? { variable: vars.map((v) => ({ key: v, value: '{{id}}' })) } : {}),
      },
      ...(json ? { body: { mode: 'raw', raw: JSON.stringify(example(doc, json), null, 2), options: { raw: { language: 'json' } } } } : {}),
      description: op.summary,
    },
    event: [
      {
        listen: 'test',
        script: { type: 'text/javascript', exec: [`pm.test('answers a documented status (${statuses.join(', ')})', function () {`, `  pm.expect(${JSON.stringify(statuses)}).to.include(pm.response.code);`, '});'] },
      },
    ],
  };
}

export function postmanCollection(doc: Json, surface: Surface, baseUrl = 'http://localhost:8000'): Json {
  const login = LOGIN[surface];
  const folders = new Map<string, Json[]>();
  const deletions: Json[] = [];
  const last: Json[] = [];
  for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, Json>>)) {
    for (const [method, op] of Object.entries(ops)) {
      if (path === login.path && method === 'post') continue;
      const item = request(doc, path, method, op);
      if (/logout|\/me\/delete\/?$/.test(path)) last.push(item);
      else if (method === 'delete') deletions.push(item);
      else {
        const tag = op.tags?.[0] ?? 'Otros';
        folders.set(tag, [...(folders.get(tag) ?? []), item]);
      }
    }
  }
  const loginItem = {
    name: 'Login (guarda el token)',
    request: {
      method: 'POST',
      auth: { type: 'noauth' },
      header: [{ key: 'Content-Type', value: 'application/json' }],
      url: { raw: `{{baseUrl}}${login.path}`, host: ['{{baseUrl}}'], path: login.path.split('/').filter(Boolean).concat(login.path.endsWith('/') ? [''] : []) },
      body: { mode: 'raw', raw: JSON.stringify(login.body, null, 2), options: { raw: { language: 'json' } } },
    },
    event: [
      {
        listen: 'test',
        script: {
          type: 'text/javascript',
          exec: ["pm.test('login succeeds', function () { pm.response.to.have.status(200); });", `pm.collectionVariables.set('token', pm.response.json().${login.token});`],
        },
      },
    ],
  };
  return {
    info: {
      name: surface === 'v1' ? 'Consultorio API v1' : 'Reflexo API',
      description: `Generada desde /openapi.json?surface=${surface}. Variables: baseUrl, credenciales del usuario demo, id (ids de ruta).`,
      schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
    },
    auth: { type: 'bearer', bearer: [{ key: 'token', value: '{{token}}', type: 'string' }] },
    variable: [
      { key: 'baseUrl', value: baseUrl },
      { key: 'email', value: 'clinica@demo.reflexo.pe' },
      { key: 'username', value: 'clinica' },
      { key: 'password', value: 'Reflexo#2026' },
      { key: 'id', value: '1' },
      { key: 'token', value: '' },
    ],
    item: [
      loginItem,
      ...[...folders].map(([name, item]) => ({ name, item })),
      ...(deletions.length ? [{ name: 'Eliminaciones (después de todo lo demás)', item: deletions }] : []),
      ...(last.length ? [{ name: 'Cerrar sesión (al final)', item: last }] : []),
    ],
  };
}

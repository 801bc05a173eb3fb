import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import { groups } from '../../functions/registry';
import { routeGroupOf } from '../../lib/http/app';
import { buildOpenApi, oasPath } from '../../lib/http/openapi';
import { createRouter } from '../../lib/http/router';
import type { RouteGroup } from '../../lib/http/route';

/*
 * Every response a test receives is held against the OpenAPI document that /openapi.json serves:
 * the status must be declared for the operation that answered, and the body must be of a declared
 * media type and, for JSON, match the declared schema. The document is what clients generate code
 * from, so a test that passes while the API answers something undocumented would hide a broken
 * contract.
 */

interface MediaType {
  schema?: unknown;
}
interface Operation {
  responses: Record<string, { content?: Record<string, MediaType> }>;
  requestBody?: { content?: Record<string, MediaType> };
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
}

export interface Served {
  method: string;
  path: string;
  status: number;
  headers: Record<string, string>;
  raw: Buffer;
  body: unknown;
  /** What the test sent (JSON, or the fields of a form without files). */
  request?: { mediaType: string; body: unknown };
}

const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
addFormats(ajv);

/*
 * Built on first use, once per test file (jest gives each file its own module registry; building
 * the registry's document takes ~250 ms). Validators are compiled per operation as responses arrive.
 */
const documents = new Map<RouteGroup, { key: string; doc: Document }>();
let registryDocument: { key: string; doc: Document } | undefined;

function documentFor(group: RouteGroup): { key: string; doc: Document } {
  if (groups.includes(group)) {
    if (!registryDocument) {
      registryDocument = { key: 'registry', doc: buildOpenApi(groups) as unknown as Document };
      ajv.addSchema(registryDocument.doc, registryDocument.key);
    }
    return registryDocument;
  }
  // Test-only groups (tests/foundation/routing.test.ts's echo, the fault probes) get the same builder.
  let own = documents.get(group);
  if (!own) {
    own = { key: `group-${documents.size}`, doc: buildOpenApi([group]) as unknown as Document };
    ajv.addSchema(own.doc, own.key);
    documents.set(group, own);
  }
  return own;
}

const routers = new Map<RouteGroup, ReturnType<typeof createRouter>>();
const routerFor = (group: RouteGroup) => {
  let r = routers.get(group);
  if (!r) routers.set(group, (r = createRouter(group.routes)));
  return r;
};

const pointer = (...parts: string[]) => parts.map((p) => `/${p.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
const validators = new Map<string, ValidateFunction>();
function validatorFor(key: string, ref: string): ValidateFunction {
  const id = `${key}#${ref}`;
  let v = validators.get(id);
  if (!v) {
    v = ajv.getSchema(id);
    if (!v) throw new Error(`OpenAPI contract: no schema at ${id}`);
    validators.set(id, v);
  }
  return v;
}

const mediaTypeOf = (headers: Record<string, string>) => (headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
const isJson = (mediaType: string) => mediaType === 'application/json' || mediaType.endsWith('+json');

function said(res: Served, template: string): string {
  const text = isJson(mediaTypeOf(res.headers)) ? JSON.stringify(res.body) : `<${res.raw.length} bytes of ${mediaTypeOf(res.headers) || 'no content type'}>`;
  return `${res.method} ${template} (called as ${res.path}) answered ${res.status}; body: ${(text ?? '').slice(0, 600)}`;
}

/* Preflights are answered by the CORS step before routing; OpenAPI has no operation for them. */
function preflightProblem(res: Served): string | undefined {
  if (res.status === 204 && res.raw.length === 0) return undefined;
  if (res.status === 403 && isJson(mediaTypeOf(res.headers))) return undefined;
  return `preflight ${said(res, res.path)}: only 204 (granted) or 403 JSON (refused) are expected`;
}

/* No operation matched: the router's own 404/405, in JSON like every other error. */
function unroutedProblem(res: Served): string | undefined {
  const body = res.body as { detail?: unknown } | undefined;
  if ([404, 405].includes(res.status) && isJson(mediaTypeOf(res.headers)) && typeof body?.detail === 'string') return undefined;
  return `${said(res, '<no route>')}: a path no route declares may only answer 404/405 with a JSON {"detail"} body`;
}

/* The declared media types of the status, then the JSON schema of the one that was sent. */
function bodyProblem(res: Served, template: string, key: string, content: Record<string, MediaType>, responsePointer: string): string | undefined {
  const mediaType = mediaTypeOf(res.headers);
  if (!Object.keys(content).length) return res.raw.length ? `${said(res, template)}: status ${res.status} is declared without a body` : undefined;
  if (!content[mediaType]) return `${said(res, template)}: content type "${mediaType}" is not declared (declared: ${Object.keys(content).join(', ')})`;
  if (!isJson(mediaType) || !content[mediaType].schema) return undefined;
  const validate = validatorFor(key, `${responsePointer}${pointer('content', mediaType, 'schema')}`);
  if (validate(res.body)) return undefined;
  const why = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
  return `${said(res, template)}: body does not match the declared schema: ${why.join('; ')}`;
}

/*
 * A request the server accepted (2xx) must be one the document allows: otherwise a client generated
 * from the document could not send it, and a contract tester sending data the document forbids would
 * see it accepted. (Bodies the server refuses may break the schema: that is what the refusal is for.)
 */
function requestProblem(res: Served, template: string, key: string, op: Operation): string | undefined {
  if (!res.request || res.status >= 300) return undefined;
  const content = op.requestBody?.content ?? {};
  if (!content[res.request.mediaType]?.schema) return undefined;
  const validate = validatorFor(key, pointer('paths', template, res.method.toLowerCase(), 'requestBody', 'content', res.request.mediaType, 'schema'));
  if (validate(res.request.body)) return undefined;
  const why = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
  return `${said(res, template)}: the server accepted a ${res.request.mediaType} body the declared request schema refuses: ${JSON.stringify(res.request.body).slice(0, 400)}: ${why.join('; ')}`;
}

export function contractProblem(handler: object, res: Served): string | undefined {
  if (res.method === 'OPTIONS') return preflightProblem(res);
  const group = routeGroupOf(handler);
  if (!group) return `call() was given a handler that createHandler did not build (${res.method} ${res.path})`;
  const match = routerFor(group)(res.method, res.path);
  if (match.kind !== 'match') return unroutedProblem(res);
  const template = oasPath(match.match.route.path);
  const { key, doc } = documentFor(group);
  const op = doc.paths[template]?.[res.method.toLowerCase()];
  if (!op) return `${said(res, template)}: the OpenAPI document has no such operation`;
  const refused = requestProblem(res, template, key, op);
  if (refused) return refused;
  let declared = op.responses[String(res.status)] as { content?: Record<string, MediaType>; $ref?: string } | undefined;
  if (!declared) return `${said(res, template)}: status ${res.status} is not declared (declared: ${Object.keys(op.responses).join(', ')})`;
  let at = pointer('paths', template, res.method.toLowerCase(), 'responses', String(res.status));
  // Shared responses live in components.responses; the status points at one.
  if (declared.$ref) {
    const name = declared.$ref.replace('#/components/responses/', '');
    declared = (doc as unknown as { components: { responses: Record<string, typeof declared> } }).components.responses[name];
    at = pointer('components', 'responses', name);
  }
  return bodyProblem(res, template, key, declared?.content ?? {}, at);
}

/** Throws with the operation, status and body when a response breaks the served OpenAPI document. */
export function assertContract(handler: object, res: Served): void {
  const problem = contractProblem(handler, res);
  if (problem) throw new Error(`OpenAPI contract: ${problem}`);
}

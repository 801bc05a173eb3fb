import type { MiddlewareObj, Request as MiddyRequest } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { config } from '../config';
import { loadSecrets } from '../secrets';
import { InvalidToken, verifyToken, type TokenClaims } from '../auth/tokens';
import { parseBody } from './body';
import { coerceLike } from './coerce';
import { fromPgError, renderError, surfaceOf, type ErrorPresenter, type Surface } from './errors';
import { AppError, type FieldIssue, invalidToken, MethodNotAllowed, NotFound, Unauthorized, ValidationError } from '../errors';
import { logLine } from './log';
import { createRouter } from './router';
import { isReply, type AnyRoute, type Method, type RouteGroup } from './route';
import { type Actor } from '../auth/actor';
import { type UploadedFile } from '../files/upload';

export type Event = APIGatewayProxyEventV2;
export type Result = APIGatewayProxyStructuredResultV2;

/** What the middlewares learn about a request, in the order they learn it. */
export interface State {
  started: number;
  requestId: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  origin?: string;
  route?: AnyRoute;
  rawParams: Record<string, string>;
  rawQuery: Record<string, string>;
  body?: unknown;
  files: UploadedFile[];
  claims?: TokenClaims;
  params?: unknown;
  query?: unknown;
  actor: Actor | null;
  /**
   * Bad input from a caller whose token is not yet checked against the database (revocation, active
   * user, role). Raised only after that check, so a revoked token or a user without the role learns
   * nothing about the route's schema or ids: they get their 401/403 first.
   */
  inputError?: AppError;
}

type Request = MiddyRequest<Event, Result, Error, Context>;
type Middleware = MiddlewareObj<Event, Result, Error, Context>;

/** Per-request state, keyed by the event object middy hands to every step and to the handler. */
const states = new WeakMap<Event, State>();
export const stateOf = (event: Event): State => states.get(event)!;
const st = (request: Request): State => states.get(request.event)!;

/** A finished response thrown from a `before` step (CORS preflight); rendered as is. */
export class EarlyResponse extends Error {
  constructor(readonly response: Result) {
    super('early response');
  }
}

const lowerHeaders = (h: Record<string, string | undefined> | undefined) => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) if (v !== undefined) out[k.toLowerCase()] = v;
  return out;
};

/** Normalises the API Gateway v2 event, times the request and writes one structured log line. */
export const observe = (): Middleware => ({
  before: async (request) => {
    await loadSecrets();
    const event = request.event;
    const headers = lowerHeaders(event.headers);
    const rawQuery: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(event.rawQueryString ?? '')) if (!(k in rawQuery)) rawQuery[k] = v;
    states.set(event, {
      started: performance.now(),
      requestId: event.requestContext?.requestId ?? request.context?.awsRequestId ?? randomUUID(),
      method: (event.requestContext?.http?.method ?? 'GET').toUpperCase(),
      path: event.rawPath || '/',
      headers,
      origin: headers.origin,
      rawParams: {},
      rawQuery,
      files: [],
      actor: null,
    });
  },
  after: (request) => logRequest(request),
  onError: (request) => logRequest(request),
});

/*
 * One line per request, the fields CloudWatch needs: `function` (the Lambda function's name, which is
 * also the FunctionName dimension of its metrics), `route` (the matched route template, so Logs
 * Insights groups /patients/7/ and /patients/9/ together; null when nothing matched), `status`, `ms`,
 * `tenant`. The 5xx metric filter (lib/ops/observability.js) reads `msg` and `status`.
 */
function logRequest(request: Request): void {
  const s = states.get(request.event);
  if (!s) return;
  logLine('info', 'request', {
    request_id: s.requestId,
    function: request.context?.functionName || process.env.AWS_LAMBDA_FUNCTION_NAME || null,
    method: s.method,
    route: s.route?.path ?? null,
    path: s.path,
    status: request.response?.statusCode ?? 500,
    ms: Math.round((performance.now() - s.started) * 10) / 10,
    tenant: s.actor?.reflexoId ?? null,
    user: s.actor?.userId ?? null,
  });
}

const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
  'Cross-Origin-Opener-Policy': 'same-origin',
};
const API_CSP = "default-src 'none'; frame-ancestors 'none'";

function corsHeaders(origin: string | undefined): Record<string, string> {
  if (!origin || !config.corsOrigins.includes(origin)) return { Vary: 'Origin' };
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Credentials': 'true',
    'Access-Control-Expose-Headers': 'X-Total-Count, Link, Content-Disposition, X-Request-Id',
    Vary: 'Origin',
  };
}

/** Turns whatever the handler returned, or threw, into the surface's HTTP response, with CORS and security headers. */
export const respond = (presentError?: ErrorPresenter): Middleware => {
  const finish = (request: Request, res: Result) => {
    const s = states.get(request.event);
    const cors = corsHeaders(s?.origin);
    // A handler whose answer varies on something else too (compression by Accept-Encoding) keeps it.
    const vary = [...new Set(`${res.headers?.Vary ?? ''},${cors.Vary}`.split(',').map((v) => v.trim()).filter(Boolean))].join(', ');
    res.headers = {
      ...SECURITY_HEADERS,
      'Content-Security-Policy': API_CSP,
      'Cache-Control': 'no-store',
      ...(res.headers ?? {}),
      ...cors,
      Vary: vary,
      'X-Request-Id': s?.requestId ?? '',
    };
    request.response = res;
  };
  return {
    after: (request) => finish(request, request.response as Result),
    onError: (request) => {
      const err = request.error;
      if (err instanceof EarlyResponse) return finish(request, err.response);
      const mapped = err instanceof AppError ? err : fromPgError(err);
      if (!mapped) {
        logLine('error', 'unhandled error', {
          request_id: states.get(request.event)?.requestId,
          error: (err as Error)?.name,
          message: (err as Error)?.message,
          stack: (err as Error)?.stack,
        });
      }
      const out = renderError(mapped ?? new AppError(500, 'Error interno del servidor.'), surfaceOf(request.event.rawPath ?? '/'), presentError);
      // FastAPI's OAuth2 scheme says exactly `Bearer`; the Reflexo surface names its realm.
      if (out.status === 401) out.headers['WWW-Authenticate'] = surfaceOf(request.event.rawPath ?? '/') === 'v1' ? 'Bearer' : 'Bearer realm="api"';
      finish(request, {
        statusCode: out.status,
        headers: { 'Content-Type': 'application/json', ...out.headers },
        body: JSON.stringify(out.body),
      });
    },
  };
};

/** Answers CORS preflights: allowed origins get the grant, others a 403 without it. */
export const cors = (): Middleware => ({
  before: (request) => {
    const s = st(request);
    if (s.method !== 'OPTIONS') return;
    const allowed = !!s.origin && config.corsOrigins.includes(s.origin);
    throw new EarlyResponse(
      allowed
        ? {
            statusCode: 204,
            headers: {
              'Access-Control-Allow-Methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
              'Access-Control-Allow-Headers': s.headers['access-control-request-headers'] || 'Authorization, Content-Type',
              'Access-Control-Max-Age': '600',
            },
            body: '',
          }
        : { statusCode: 403, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ detail: 'Origen no permitido por CORS.' }) },
    );
  },
});

/** Finds the route for method + path (with or without trailing slash): 404 or 405 otherwise. */
export const route = (group: RouteGroup): Middleware => {
  const match = createRouter(group.routes);
  return {
    before: (request) => {
      const s = st(request);
      const r = match(s.method, s.path);
      if (r.kind === 'none') throw new NotFound();
      if (r.kind === 'method') throw new MethodNotAllowed(s.method, r.allow);
      s.route = r.match.route;
      s.rawParams = r.match.params;
    },
  };
};

const BODY_METHODS = new Set<Method>(['POST', 'PUT', 'PATCH']);

export const body = (): Middleware => ({
  before: async (request) => {
    const s = st(request);
    if (!BODY_METHODS.has(s.route!.method)) return;
    // Reflexo writes take JSON, multipart or urlencoded, as DRF does; v1 routes take forms where they say so (login).
    const forms = surfaceOf(s.path) === 'reflexo' || !!s.route!.multipart || !!s.route!.forms;
    const parsed = await parseBody(request.event, s.headers['content-type'], forms);
    // No body reads as {} (an empty PATCH); JSON null sent to a route with a body schema is a body, refused as not an object.
    s.body = parsed.body === null && s.route!.body ? null : (parsed.body ?? {});
    s.files = parsed.files;
  },
});

/** Verifies the bearer token (signature, expiry, type). Revocation and the user row are checked in the transaction. */
export const authenticate = (): Middleware => ({
  before: async (request) => {
    const s = st(request);
    if (s.route!.access === 'public') return;
    const header = s.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw new Unauthorized();
    try {
      s.claims = await verifyToken(m[1], 'access');
    } catch (err) {
      if (err instanceof InvalidToken) throw invalidToken();
      throw err;
    }
  },
});



/** zod issues in the one FieldIssue shape; a missing field's `input` is the object it is missing from (as FastAPI shows). */
function toIssues(where: 'path' | 'query' | 'body', error: z.ZodError, surface: Surface, data: unknown): FieldIssue[] {
  return error.issues.map((i) => {
    const input = (i as { input?: unknown }).input;
    const missing = i.code === 'invalid_type' && input === undefined;
    const path = i.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    const parent = path.slice(0, -1).reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined), data);
    return {
      loc: [where, ...path],
      msg: missing ? (surface === 'v1' ? 'Field required' : 'Este campo es requerido.') : i.message,
      type: missing ? 'missing' : i.code,
      input: missing ? (parent ?? null) : input,
    };
  });
}

/** zod validation of path params (a bad id is a 404, as Django's URL converters do), query and body. */
export const validate = (): Middleware => {
  const spanish = { reportInput: true, error: z.locales.es().localeError };
  const english = { reportInput: true };
  return {
    before: (request) => {
      const s = st(request);
      const surface = surfaceOf(s.path);
      const opts = surface === 'v1' ? english : spanish;
      const r = s.route!;
      const issues: FieldIssue[] = [];
      if (r.params) {
        const p = r.params.safeParse(s.rawParams, opts);
        if (p.success) s.params = p.data;
        // Reflexo: a malformed id names no resource (Django's URL converters answer 404); v1: FastAPI's 422.
        else if (surface === 'v1') issues.push(...toIssues('path', p.error, surface, s.rawParams));
        else {
          if (!s.claims) throw new NotFound();
          s.inputError = new NotFound();
          return;
        }
      } else s.params = s.rawParams;
      if (r.query) {
        const q = r.query.safeParse(s.rawQuery, opts);
        if (q.success) s.query = q.data;
        else issues.push(...toIssues('query', q.error, surface, s.rawQuery));
      } else s.query = {};
      if (r.body && BODY_METHODS.has(r.method)) {
        const raw = coerceLike(r.body, s.body);
        const b = r.body.safeParse(raw, opts);
        if (b.success) s.body = b.data;
        else issues.push(...toIssues('body', b.error, surface, raw));
      }
      if (issues.length) {
        if (!s.claims) throw new ValidationError(issues);
        s.inputError = new ValidationError(issues);
      }
    },
  };
};

/** Serialises a handler's value: a Reply as given, anything else as 200 (or the route's status) JSON. */
export function toResult(route: AnyRoute, value: unknown): Result {
  if (isReply(value)) {
    if (value.binary) {
      return { statusCode: value.status, headers: value.headers, body: value.binary.toString('base64'), isBase64Encoded: true };
    }
    const headers = { ...(value.headers ?? {}) };
    if (value.body === undefined) return { statusCode: value.status, headers, body: '' };
    if (typeof value.body === 'string' && headers['Content-Type']) return { statusCode: value.status, headers, body: value.body };
    return { statusCode: value.status, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(value.body) };
  }
  return { statusCode: route.status ?? 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(value) };
}

import middy from '@middy/core';
import { sql } from 'kysely';
import { config } from '../config';
import type { Context } from 'aws-lambda';
import { ANONYMOUS, withTenant, type TenantScope } from '../db/tenant';
import { runWithContext, type RequestContext } from './context';
import { Forbidden } from './errors';
import { authenticate, body, cors, invalidToken, observe, respond, route, stateOf, toResult, validate, type Event, type Result, type State } from './middleware';
import { isAdmin, type Actor, type RouteGroup } from './route';

/*
 * The caller is re-checked in the same round trip that opens the transaction: the user must still
 * exist and be active, and the token's jti must not be revoked. Values are inlined because BEGIN and
 * this query travel together over the simple protocol; both are validated integers/UUIDs (tokens.ts).
 */
const actorProbe = (userId: string, jti: string) =>
  `SELECT u.id, u.reflexo_id, u.is_superuser, u.is_staff, u.is_active, r.name AS role,` +
  ` EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = '${jti}') AS revoked` +
  ` FROM users u LEFT JOIN roles r ON r.id = u.role_id WHERE u.id = ${Number(userId)}`;

interface ProbeRow {
  id: number;
  reflexo_id: number | null;
  is_superuser: boolean;
  is_staff: boolean;
  is_active: boolean;
  role: string | null;
  revoked: boolean;
}

function baseUrl(state: State): string {
  if (config.publicBaseUrl) return config.publicBaseUrl.replace(/\/$/, '');
  const host = state.headers['x-forwarded-host'] ?? state.headers.host ?? 'localhost:8000';
  const proto = state.headers['x-forwarded-proto'] ?? (/^(localhost|127\.)/.test(host) ? 'http' : 'https');
  return `${proto}://${host}`;
}

async function runRoute(state: State, sourceIp: string): Promise<unknown> {
  const r = state.route!;
  const claims = state.claims;
  const scope: TenantScope = claims ? { reflexoId: claims.rid, global: claims.su, userId: Number(claims.sub) } : ANONYMOUS;
  const req = {
    method: r.method,
    path: state.path,
    params: state.params,
    query: state.query,
    body: state.body,
    files: state.files,
    headers: state.headers,
    actor: null as Actor | null,
    requestId: state.requestId,
    sourceIp,
    baseUrl: baseUrl(state),
  };
  if (r.db === false) {
    if (state.inputError) throw state.inputError;
    return r.handler({ ...req, db: undefined as never });
  }
  const ctx: RequestContext = { requestId: state.requestId, sourceIp, userAgent: state.headers['user-agent'] ?? '', actor: null };
  return runWithContext(ctx, () => withTenant(
    scope,
    async (db, rows) => {
      if (claims) {
        const u = rows[0] as unknown as ProbeRow | undefined;
        if (!u || !u.is_active || u.revoked) throw invalidToken();
        // Tenant or superuser flag changed since the token was issued: the database wins.
        if (u.reflexo_id !== claims.rid || u.is_superuser !== claims.su) {
          const rid = u.reflexo_id === null ? '' : String(u.reflexo_id);
          await sql`SELECT set_config('app.reflexo_id', ${rid}, true), set_config('app.global', ${u.is_superuser ? 'on' : 'off'}, true)`.execute(db);
        }
        req.actor = state.actor = ctx.actor = {
          userId: u.id,
          reflexoId: u.reflexo_id,
          isSuperuser: u.is_superuser,
          isStaff: u.is_staff,
          role: u.role,
          jti: claims.jti,
          tokenExp: claims.exp,
        };
        if (r.access === 'admin' && !isAdmin(req.actor)) throw new Forbidden();
        if (r.access === 'superuser' && !req.actor.isSuperuser) throw new Forbidden();
      }
      if (state.inputError) throw state.inputError;
      return r.handler({ ...req, db });
    },
    claims ? actorProbe(claims.sub, claims.jti) : undefined,
  ));
}

/*
 * Which route group a handler serves. Tests check every response against that group's operations in
 * the OpenAPI document (tests/helpers/contract.ts), so the document, not a second copy of the
 * schemas, is what a response must match.
 */
// A symbol on the function itself, because tests that reload modules (jest.isolateModules) get handlers from another copy of this file.
const ROUTE_GROUP = Symbol.for('reflexo.routeGroup');
export const routeGroupOf = (handler: object): RouteGroup | undefined => (handler as { [ROUTE_GROUP]?: RouteGroup })[ROUTE_GROUP];

/**
 * The one middy stack every Lambda function uses: observe (request id, log line) → respond (errors,
 * CORS, security headers) → CORS preflight → route → body → authenticate → validate → handler in a
 * tenant-scoped transaction.
 */
export function createHandler(group: RouteGroup) {
  const handler = middy<Event, Result, Error, Context>()
    .use(observe())
    .use(respond())
    .use(cors())
    .use(route(group))
    .use(body())
    .use(authenticate())
    .use(validate())
    .handler(async (event) => {
      const state = stateOf(event);
      const result = toResult(state.route!, await runRoute(state, event.requestContext?.http?.sourceIp ?? ''));
      return result;
    });
  return Object.defineProperty(handler, ROUTE_GROUP, { value: group });
}

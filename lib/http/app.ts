import middy from '@middy/core';
import { sql } from 'kysely';
import { config } from '../config';
import type { Context } from 'aws-lambda';
import { ANONYMOUS, setTenantScope, withTenant, type Db, type TenantScope } from '../db/tenant';
import { runWithContext, type RequestContext } from '../context';
import { authenticate, body, cors, observe, respond, route, stateOf, toResult, validate, type Event, type Result, type State } from './middleware';
import { Forbidden, invalidToken } from '../errors';
import type { Access, RouteGroup } from './route';
import { isAdmin, isPlatform, PLATFORM_PERMISSION, type Actor } from '../auth/actor';
import type { TokenClaims } from '../auth/tokens';

/*
 * The caller is re-checked in the same round trip that opens the transaction: the user must still
 * exist and be active, and the token's jti must not be revoked. Values are inlined because BEGIN and
 * this query travel together over the simple protocol; both are validated integers/UUIDs (tokens.ts).
 */
const actorProbe = (userId: string, jti: string) =>
  `SELECT u.id, u.reflexo_id, u.is_superuser, u.is_staff, u.is_active, r.name AS role, coalesce(r.code = 'admin', false) AS clinic_admin,` +
  ` '${PLATFORM_PERMISSION}' = ANY(u.permissions) AS platform,` +
  ` (SELECT t.is_active FROM tenants t WHERE t.id = u.reflexo_id) AS tenant_active,` +
  ` EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = '${jti}') AS revoked` +
  ` FROM users u LEFT JOIN roles r ON r.id = u.role_id WHERE u.id = ${Number(userId)}`;

interface ProbeRow {
  id: number;
  reflexo_id: number | null;
  is_superuser: boolean;
  is_staff: boolean;
  is_active: boolean;
  role: string | null;
  clinic_admin: boolean;
  platform: boolean;
  /** null when the user has no clinic, or when the token named another clinic (row-level security hid it). */
  tenant_active: boolean | null;
  revoked: boolean;
}

const inactiveClinic = () => new Forbidden('La clínica de este usuario está desactivada.', { code: 'tenant_inactive' });

/** The caller as the database knows them now; the token only says who they were at login. */
async function loadActor(db: Db, u: ProbeRow, claims: TokenClaims): Promise<Actor> {
  const global = u.is_superuser || u.platform;
  let tenantActive = u.tenant_active;
  // Tenant or global flag changed since the token was issued: the database wins.
  if (u.reflexo_id !== claims.rid || global !== claims.su) {
    setTenantScope(db, { reflexoId: u.reflexo_id, global });
    if (u.reflexo_id !== null) tenantActive = (await sql<{ is_active: boolean }>`SELECT is_active FROM tenants WHERE id = ${u.reflexo_id}`.execute(db)).rows[0]?.is_active ?? null;
  }
  if (u.reflexo_id !== null && tenantActive === false) throw inactiveClinic();
  return {
    userId: u.id,
    reflexoId: u.reflexo_id,
    isSuperuser: u.is_superuser,
    isStaff: u.is_staff,
    role: u.role,
    isClinicAdmin: u.clinic_admin,
    isPlatform: u.platform,
    jti: claims.jti,
    tokenExp: claims.exp,
  };
}

const ALLOWED: Record<Access, (a: Actor) => boolean> = {
  public: () => true,
  user: () => true,
  admin: isAdmin,
  platform: isPlatform,
  superuser: (a) => a.isSuperuser,
};

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
        const actor = await loadActor(db, u, claims);
        req.actor = state.actor = ctx.actor = actor;
        if (!ALLOWED[r.access](actor)) throw new Forbidden();
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
    .use(respond(group.presentError))
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

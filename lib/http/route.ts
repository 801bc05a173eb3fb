import type { z } from 'zod';
import type { Db } from '../db/tenant';
import type { ErrorPresenter } from './errors';
import type { Actor } from '../auth/actor';
import type { UploadedFile } from '../files/upload';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Who may call a route. `public`: anyone; `user`: any valid access token; `admin`: a clinic
 * administrator (role code 'admin') or a superuser; `platform`: superusers and platform staff (the
 * only ones who write rows every clinic shares); `superuser`: superusers only.
 */
export type Access = 'public' | 'user' | 'admin' | 'platform' | 'superuser';

export interface Req<P = unknown, Q = unknown, B = unknown> {
  method: Method;
  path: string;
  params: P;
  query: Q;
  body: B;
  files: UploadedFile[];
  headers: Record<string, string>;
  actor: Actor | null;
  /** The request's transaction, already carrying the tenant context for row-level security. */
  db: Db;
  requestId: string;
  sourceIp: string;
  /** Scheme + host the client used, for absolute URLs in responses. */
  baseUrl: string;
}

/** A response other than "200 with this JSON". */
export interface Reply {
  readonly __reply: true;
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Raw bytes (exports, files); sent base64-encoded to API Gateway. */
  binary?: Buffer;
}

export const reply = (status: number, body?: unknown, headers?: Record<string, string>): Reply => ({ __reply: true, status, body, headers });
export const created = (body: unknown) => reply(201, body);
export const binary = (data: Buffer, contentType: string, headers: Record<string, string> = {}): Reply => ({
  __reply: true,
  status: 200,
  binary: data,
  headers: { 'Content-Type': contentType, ...headers },
});
export const isReply = (v: unknown): v is Reply => !!v && typeof v === 'object' && (v as Reply).__reply === true;

/**
 * One declared status. Without `schema` or `contentTypes`, an error status (≥ 400) carries the
 * surface's standard error body and any other status has no body.
 */
export interface ResponseSpec {
  description: string;
  /** JSON body. */
  schema?: z.ZodType;
  /** Non-JSON bodies (files, pages, scripts), by media type. */
  contentTypes?: string[];
  /** Response headers a client reads (v1 lists: X-Total-Count, Link), name → description. */
  headers?: Record<string, string>;
}

type Infer<T> = T extends z.ZodType ? z.output<T> : Record<string, never>;

export interface RouteSpec<P extends z.ZodType | undefined, Q extends z.ZodType | undefined, B extends z.ZodType | undefined> {
  method: Method;
  /** Full path with `{name}` parameters and the trailing slash the contract shows, e.g. `/api/x/{id}/`. */
  path: string;
  access: Access;
  summary: string;
  description?: string;
  params?: P;
  query?: Q;
  body?: B;
  /** Accept multipart/form-data bodies (fields are validated by `body`, files arrive in `req.files`). */
  multipart?: boolean;
  /** A v1 route that also takes urlencoded and multipart forms (Reflexo routes always do, as DRF). */
  forms?: boolean;
  /**
   * Success status and response schemas: the OpenAPI document is built from them, and every test
   * response is checked against that document (tests/helpers/contract.ts). `responses` lists what
   * the route itself can answer besides the success; the statuses any route of its kind answers
   * (validation, auth, 404 on params, 413/415, 503) are added by lib/http/openapi.ts.
   */
  status?: number;
  response?: z.ZodType;
  responses?: Record<number, ResponseSpec>;
  /**
   * The table whose row `{id}` names (e.g. 'patients'). The security suite uses it to check that
   * another tenant's id answers 404 and leaves the row unchanged.
   */
  entity?: string;
  /** Routes that never touch the database (docs) skip the connection and transaction. */
  db?: false;
  deprecated?: boolean;
  handler: (req: Req<Infer<P>, Infer<Q>, Infer<B>>) => Promise<unknown>;
}

export type AnyRoute = RouteSpec<any, any, any>;

/** Identity function that gives each route its own type inference. */
export function route<P extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined, B extends z.ZodType | undefined = undefined>(
  spec: RouteSpec<P, Q, B>,
): AnyRoute {
  return spec as AnyRoute;
}

/** One Lambda function: a named group of routes under one or more path prefixes. */
export interface RouteGroup {
  /** The serverless.yml function name. */
  name: string;
  /** Path prefixes API Gateway forwards to this function (`ANY prefix` and `ANY prefix/{proxy+}`). */
  prefixes: string[];
  tag: string;
  routes: AnyRoute[];
  /** This function also receives every request no other route claims (API Gateway's `$default`). */
  catchAll?: boolean;
  /** The surface's own error bodies (functions/reflexo/surface.ts); the standard ones otherwise. */
  presentError?: ErrorPresenter;
  /**
   * Every authenticated route reads or writes one clinic's data, so a user not yet assigned to a
   * clinic gets 403 (lib/domain/tenancy.ts); the OpenAPI document declares it.
   */
  tenantScoped?: boolean;
}

export const defineGroup = (g: RouteGroup): RouteGroup => g;

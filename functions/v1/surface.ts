import { z } from 'zod';
import { Forbidden, type AppError } from '../../lib/errors';
import type { ErrorPresenter } from '../../lib/http/errors';
import { v1ListHeaders, v1PageQuery } from '../../lib/http/pagination';
import { defineGroup, reply, route, type Access, type AnyRoute, type Req, type ResponseSpec, type RouteGroup } from '../../lib/http/route';

/*
 * The Consultorio v1 surface's conventions, in one place (README "Consultorio API v1"): FastAPI error
 * bodies, bare-array lists paginated by ?page=&size= with X-Total-Count and Link headers, timestamps
 * ISO-8601 UTC with Z, money as JSON numbers, Spanish field names as the spec's examples.
 */
export const presentV1Error: ErrorPresenter = (e: AppError) => {
  if (e.code === 'token_not_valid') return { detail: 'Could not validate credentials' };
  const said = inV1Words(e.message);
  return !e.generic && said !== e.message ? { detail: said } : undefined;
};

/** The shared domain speaks Reflexo's word for the person who sees the patient ("terapeuta"); v1 calls them doctors. */
export const inV1Words = (message: string): string => message.replace(/terapeutas/g, 'doctores').replace(/terapeuta/g, 'doctor');

/** A v1 route group: its errors speak FastAPI, and a clinic's data is for the clinic's users. */
export const defineV1Group = (g: Omit<RouteGroup, 'presentError'>): RouteGroup =>
  defineGroup({ ...g, routes: g.tenantScoped ? g.routes.map(forClinicUsers) : g.routes, presentError: presentV1Error });

/*
 * v1 is a clinic's application: no v1 route names a clinic, so a user who belongs to none (a platform
 * superuser; a self-registered user not yet assigned) gets 403 on clinic data, instead of the domain's
 * request to name a `reflexo_id` that v1 has nowhere to send. Platform staff work across clinics
 * through the Reflexo surface.
 */
const forClinicUsers = (r: AnyRoute): AnyRoute =>
  r.access === 'public'
    ? r
    : {
        ...r,
        handler: (req) => {
          if (req.actor && req.actor.reflexoId === null) throw new Forbidden('Su usuario no pertenece a ninguna clínica: la API v1 trabaja con los datos de la clínica del usuario.');
          return r.handler(req);
        },
      };

export const V1_LIST_HEADERS = {
  'X-Total-Count': 'Total de elementos que cumplen los filtros (todas las páginas)',
  Link: 'RFC 8288: first, prev, next y last con los mismos filtros',
};

export interface Page<T> {
  rows: T[];
  count: number;
}

type ListReq = Req<any, { page: number; size: number } & Record<string, unknown>, any>;

/**
 * A v1 list: `query` adds filters to `?page=&size=`; the handler returns one page of records and the
 * total; `present` shapes each record. Every v1 list is declared through this, so all paginate alike.
 */
export function listRoute(spec: {
  path: string;
  summary: string;
  description?: string;
  access?: Access;
  params?: z.ZodType;
  entity?: string;
  query?: z.ZodRawShape;
  item: z.ZodType;
  responses?: Record<number, ResponseSpec>;
  load: (req: ListReq) => Promise<Page<any>>;
  present: (row: any, req: ListReq) => unknown;
}): AnyRoute {
  return route({
    method: 'GET',
    path: spec.path,
    access: spec.access ?? 'user',
    summary: spec.summary,
    description: spec.description,
    params: spec.params,
    entity: spec.entity,
    query: z.object({ ...v1PageQuery, ...(spec.query ?? {}) }),
    response: z.array(spec.item),
    responses: { 200: { description: 'Una página (arreglo); totales en las cabeceras', schema: z.array(spec.item), headers: V1_LIST_HEADERS }, ...spec.responses },
    handler: async (req) => {
      const r = req as unknown as ListReq;
      const page = await spec.load(r);
      return reply(200, page.rows.map((row) => spec.present(row, r)), v1ListHeaders(page.count, r.query.page, r.query.size, r.baseUrl, r.path, r.query));
    },
  });
}

/** `{ "id": n }` in a nested reference (`paciente: {id}`), or a plain id. */
export const refId = z.union([z.number().int().positive(), z.object({ id: z.number().int().positive() }).transform((o) => o.id)]);

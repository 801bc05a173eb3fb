import type { z } from 'zod';
import { reply, route, type Access, type AnyRoute, type Req, type ResponseSpec } from './route';
import { idParams } from './schemas';

/*
 * A resource's write routes (and its detail) declared once, in either surface's dialect:
 *
 *   reflexo: POST {P}/create/  PUT|PATCH {P}/{id}/edit/  DELETE {P}/{id}/delete/  GET {P}/{id}/
 *            + the DRF router aliases DRF-era clients use: POST {P}/, PUT|PATCH|DELETE {P}/{id}/
 *   v1:      POST {P}  GET|PUT|PATCH|DELETE {P}/{id_name}
 *
 * Each alias is the same route object under another path: one handler, one schema, one entry in the
 * OpenAPI document per path. Paths can be overridden per operation where a contract names them
 * otherwise (the first path is the contract's, the rest are aliases).
 */
export type Dialect = 'reflexo' | 'v1';

type Handler<B = any> = (req: Req<any, any, B>) => Promise<unknown>;

interface Operation {
  summary?: string;
  access?: Access;
  response?: z.ZodType;
  responses?: Record<number, ResponseSpec>;
  query?: z.ZodType;
  status?: number;
  paths?: string[];
  description?: string;
  multipart?: boolean;
}

export interface ResourceSpec {
  prefix: string;
  dialect: Dialect;
  /** For summaries: "Crear paciente", "Editar paciente (parcial)"… */
  noun: string;
  /** Table the id names (the security suite checks another tenant's id answers 404). */
  entity?: string;
  /** Default access of every operation. */
  access: Access;
  /** Path parameters; default `{ id }` (v1 names it after the resource: `{ patient_id }`). */
  params?: z.ZodType;
  idName?: string;
  /** Response of one item, for every operation that answers one. */
  item?: z.ZodType;
  create?: Operation & { body: z.ZodType; handler: Handler };
  get?: Operation & { handler: Handler };
  /** `full` is false for PATCH (and for v1 PUT, which updates what is sent, as FastAPI apps do). */
  update?: Operation & { body: z.ZodType; patchBody?: z.ZodType; handler: (req: Req<any, any, any>, full: boolean) => Promise<unknown> };
  remove?: Operation & { handler: Handler };
}

const withPaths = (r: AnyRoute, paths: string[]): AnyRoute[] => paths.map((path, i) => (i === 0 ? { ...r, path } : { ...r, path, summary: `${r.summary} (alias)` }));

export function resourceRoutes(spec: ResourceSpec): AnyRoute[] {
  const P = spec.prefix;
  const id = `{${spec.idName ?? 'id'}}`;
  const reflexo = spec.dialect === 'reflexo';
  const one = reflexo ? [`${P}/${id}/`] : [`${P}/${id}`];
  const params = spec.params ?? idParams;
  const base = (op: Operation) => ({
    access: op.access ?? spec.access,
    response: op.response ?? spec.item,
    responses: op.responses,
    query: op.query,
    description: op.description,
    ...(op.multipart ? { multipart: true } : {}),
  });
  const out: AnyRoute[] = [];
  if (spec.create) {
    const c = spec.create;
    const r = route({ ...base(c), method: 'POST', path: '', summary: c.summary ?? `Crear ${spec.noun}`, body: c.body, status: c.status ?? 201, handler: async (req) => reply(c.status ?? 201, await c.handler(req)) });
    out.push(...withPaths(r, c.paths ?? (reflexo ? [`${P}/create/`, `${P}/`] : [P])));
  }
  if (spec.get) {
    const g = spec.get;
    out.push(...withPaths(route({ ...base(g), method: 'GET', path: '', summary: g.summary ?? `Ver ${spec.noun}`, params, entity: spec.entity, handler: g.handler }), g.paths ?? one));
  }
  if (spec.update) {
    const u = spec.update;
    const paths = u.paths ?? (reflexo ? [`${P}/${id}/edit/`, ...one] : one);
    const put = route({ ...base(u), method: 'PUT', path: '', summary: u.summary ?? `Editar ${spec.noun}${reflexo ? ' (completo)' : ''}`, params, entity: spec.entity, body: reflexo ? u.body : (u.patchBody ?? u.body), handler: (req) => u.handler(req, reflexo) });
    const patch = route({ ...base(u), method: 'PATCH', path: '', summary: `Editar ${spec.noun} (parcial)`, params, entity: spec.entity, body: u.patchBody ?? u.body, handler: (req) => u.handler(req, false) });
    out.push(...withPaths(put, paths), ...withPaths(patch, paths));
  }
  if (spec.remove) {
    const d = spec.remove;
    const status = d.status ?? 204;
    const r = route({
      ...base(d),
      response: d.response,
      method: 'DELETE',
      path: '',
      summary: d.summary ?? `Eliminar ${spec.noun}`,
      params,
      entity: spec.entity,
      status,
      handler: async (req) => {
        const value = await d.handler(req);
        return status === 204 ? reply(204) : value;
      },
    });
    out.push(...withPaths(r, d.paths ?? (reflexo ? [`${P}/${id}/delete/`, ...one] : one)));
  }
  return out;
}

import { z } from 'zod';
import { reply, route, type AnyRoute } from '../../lib/http/route';
import { idParams, timestamp } from '../../lib/http/schemas';
import { createNamed, editNamed, getNamed, listNamed, removeNamed } from '../../lib/domain/configuration-catalogs';
import { text } from '../../lib/domain/clinical-schemas';
import type { NamedCatalog } from '../../lib/db/tables/clinical';

/*
 * Document types and payment types share one shape ({id, name}) and one set of routes: the spec's
 * create/, <id>/edit/, <id>/delete/ plus the DRF router dialect. Reading is public as the spec says;
 * writing a global catalog needs an authenticated admin (a deliberate hardening of the spec).
 */
const Item = z.object({ id: z.number().int(), name: z.string() });
const Detail = Item.extend({ created_at: timestamp, updated_at: timestamp });
const NameBody = z.object({ name: text(100) });

export function namedCatalogRoutes(table: NamedCatalog, prefix: string, label: string): AnyRoute[] {
  const create = route({
    method: 'POST',
    path: `${prefix}/create/`,
    access: 'admin',
    summary: `Crear ${label}`,
    body: NameBody,
    status: 201,
    response: Item,
    handler: async ({ db, body }) => reply(201, await createNamed(db, table, body.name)),
  });
  const detail = route({
    method: 'GET',
    path: `${prefix}/{id}/`,
    access: 'public',
    summary: `Ver ${label} específico`,
    params: idParams,
    response: Detail,
    handler: ({ db, params }) => getNamed(db, table, params.id),
  });
  const put = route({
    method: 'PUT',
    path: `${prefix}/{id}/edit/`,
    access: 'admin',
    summary: `Editar ${label} (completo)`,
    params: idParams,
    body: NameBody,
    response: Detail,
    handler: ({ db, params, body }) => editNamed(db, table, params.id, body.name),
  });
  const patch = route({
    ...put,
    method: 'PATCH',
    summary: `Editar ${label} (parcial)`,
    body: NameBody.partial(),
  });
  const remove = route({
    method: 'DELETE',
    path: `${prefix}/{id}/delete/`,
    access: 'admin',
    summary: `Eliminar ${label} (definitivo)`,
    params: idParams,
    status: 204,
    responses: { 409: { description: 'En uso por otros registros: no puede eliminarse' } },
    handler: async ({ db, params }) => {
      await removeNamed(db, table, params.id);
      return reply(204);
    },
  });
  return [
    route({
      method: 'GET',
      path: `${prefix}/`,
      access: 'public',
      summary: `Listar ${label}s`,
      response: z.object({ [table]: z.array(Item) }),
      handler: async ({ db }) => ({ [table]: await listNamed(db, table) }),
    }),
    create,
    { ...create, path: `${prefix}/`, summary: `${create.summary} (DRF: POST en la colección)` },
    detail,
    put,
    { ...put, path: `${prefix}/{id}/`, summary: `${put.summary} (DRF)` },
    patch,
    { ...patch, path: `${prefix}/{id}/`, summary: `${patch.summary} (DRF)` },
    remove,
    { ...remove, path: `${prefix}/{id}/`, summary: `${remove.summary} (DRF)` },
  ];
}

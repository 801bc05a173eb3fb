import { z } from 'zod';
import { route, defineGroup, type AnyRoute, type RouteGroup } from '../../lib/http/route';
import type { ErrorPresenter } from '../../lib/http/errors';
import { resourceRoutes } from '../../lib/http/resource';
import { timestamp } from '../../lib/http/schemas';
import { createNamed, editNamed, getNamed, listNamed, removeNamed, type NamedRecord } from '../../lib/domain/configuration-catalogs';
import type { NamedCatalog } from '../../lib/db/tables/clinical';
import { presentReflexoError } from './surface';
import { text } from './clinical-schemas';

/*
 * Rows every clinic shares (diagnoses, document types, payment types, payment statuses): reading is
 * as the spec says (public for the configuration catalogs, any user for diagnoses); writing is for
 * platform staff only (`access: 'platform'`), a deliberate hardening of the spec's "no auth": a
 * clinic renaming "DNI" would rename it for every clinic.
 */

// A refused write gets DRF's own permission body, the one the contract shows for its 403s.
const DRF_PERMISSION_DENIED = 'You do not have permission to perform this action.';
const presentError: ErrorPresenter = (e) => (e.status === 403 && e.generic ? { detail: DRF_PERMISSION_DENIED } : presentReflexoError(e));

/** A Reflexo group of shared rows: its refusals read as DRF's 403. */
export const defineSharedCatalogGroup = (g: Omit<RouteGroup, 'presentError'>): RouteGroup => defineGroup({ ...g, presentError });

export const platformOnly = { 403: { description: 'Solo el personal de la plataforma escribe filas compartidas por todas las clínicas: `{"detail": "You do not have permission to perform this action."}`' } };

/* Document types and payment types share one shape ({id, name}) and one set of routes. */
const Item = z.object({ id: z.number().int(), name: z.string() });
const Detail = Item.extend({ created_at: timestamp, updated_at: timestamp });
const NameBody = z.object({ name: text(100) });

const toItem = (r: NamedRecord) => ({ id: r.id, name: r.name });
const toDetail = (r: NamedRecord) => ({ id: r.id, name: r.name, created_at: r.created_at, updated_at: r.updated_at });

export function namedCatalogRoutes(table: NamedCatalog, prefix: string, label: string): AnyRoute[] {
  return [
    route({
      method: 'GET',
      path: `${prefix}/`,
      access: 'public',
      summary: `Listar ${label}s`,
      response: z.object({ [table]: z.array(Item) }),
      handler: async ({ db }) => ({ [table]: (await listNamed(db, table)).map(toItem) }),
    }),
    ...resourceRoutes({
      prefix,
      dialect: 'reflexo',
      noun: label,
      access: 'platform',
      item: Detail,
      create: { body: NameBody, response: Item, responses: platformOnly, handler: async ({ db, actor, body }) => toItem(await createNamed(db, actor, table, body.name)) },
      get: { access: 'public', summary: `Ver ${label} específico`, handler: async ({ db, params }) => toDetail(await getNamed(db, table, params.id)) },
      update: {
        body: NameBody,
        patchBody: NameBody.partial(),
        responses: platformOnly,
        handler: async ({ db, actor, params, body }) => toDetail(await editNamed(db, actor, table, params.id, body.name)),
      },
      remove: {
        summary: `Eliminar ${label} (definitivo)`,
        responses: { ...platformOnly, 409: { description: 'En uso por otros registros: no puede eliminarse' } },
        handler: ({ db, actor, params }) => removeNamed(db, actor, table, params.id),
      },
    }),
  ];
}

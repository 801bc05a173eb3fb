import { z } from 'zod';
import { defineReflexoGroup } from './surface';
import { createHandler } from '../../lib/http/app';
import { reply, route } from '../../lib/http/route';
import { idParams, timestamp } from '../../lib/http/schemas';
import { createPrice, editPrice, getPrice, listPrices, removePrice } from '../../lib/domain/predetermined-prices';
import { decimalInput, intInput, text } from '../../lib/domain/clinical-schemas';

/* Module 6 of reflexo-api.md: predetermined prices (tenant-owned), price > 0 as "150.00", hard delete. */
const PREFIX = '/api/configurations/predetermined_prices';

const money = z.string().regex(/^\d+\.\d{2}$/);
const Item = z.object({ id: z.number().int(), name: z.string(), price: money });
const Detail = Item.extend({ reflexo_id: z.number().int(), created_at: timestamp, updated_at: timestamp });
const Body = z.object({ name: text(255), price: decimalInput(10, 2), reflexo_id: intInput.optional() });

const create = route({
  method: 'POST',
  path: `${PREFIX}/create/`,
  access: 'user',
  summary: 'Crear precio predeterminado',
  body: Body,
  status: 201,
  response: z.object({ id: z.number().int(), reflexo_id: z.number().int() }),
  handler: async ({ db, actor, body }) => reply(201, await createPrice(db, actor, body)),
});
const put = route({
  method: 'PUT',
  path: `${PREFIX}/{id}/edit/`,
  access: 'user',
  summary: 'Editar precio (completo)',
  entity: 'predetermined_prices',
  params: idParams,
  body: Body,
  response: Detail,
  handler: ({ db, actor, params, body }) => editPrice(db, actor, params.id, body),
});
const patch = route({ ...put, method: 'PATCH', summary: 'Editar precio (parcial)', body: Body.partial() });
const remove = route({
  method: 'DELETE',
  path: `${PREFIX}/{id}/delete/`,
  access: 'user',
  summary: 'Eliminar precio predeterminado (definitivo)',
  entity: 'predetermined_prices',
  params: idParams,
  status: 204,
  handler: async ({ db, actor, params }) => {
    await removePrice(db, actor, params.id);
    return reply(204);
  },
});

export const group = defineReflexoGroup({
  name: 'configurations-predetermined-prices',
  prefixes: [PREFIX],
  tag: 'Configurations',
  tenantScoped: true,
  routes: [
    route({
      method: 'GET',
      path: `${PREFIX}/`,
      access: 'user',
      summary: 'Listar precios predeterminados',
      response: z.object({ predetermined_prices: z.array(Item) }),
      handler: ({ db, actor }) => listPrices(db, actor),
    }),
    create,
    { ...create, path: `${PREFIX}/`, summary: 'Crear precio predeterminado (DRF)' },
    route({
      method: 'GET',
      path: `${PREFIX}/{id}/`,
      access: 'user',
      summary: 'Ver precio específico',
      entity: 'predetermined_prices',
      params: idParams,
      response: Detail,
      handler: ({ db, actor, params }) => getPrice(db, actor, params.id),
    }),
    put,
    { ...put, path: `${PREFIX}/{id}/`, summary: 'Editar precio (DRF, completo)' },
    patch,
    { ...patch, path: `${PREFIX}/{id}/`, summary: 'Editar precio (DRF, parcial)' },
    remove,
    { ...remove, path: `${PREFIX}/{id}/`, summary: 'Eliminar precio predeterminado (DRF)' },
  ],
});

export const handler = createHandler(group);

import { z } from 'zod';
import { defineReflexoGroup } from './surface';
import { createHandler } from '../../lib/http/app';
import { route } from '../../lib/http/route';
import { resourceRoutes } from '../../lib/http/resource';
import { fieldErrors, timestamp } from '../../lib/http/schemas';
import { moneyString } from '../../lib/money';
import { createPrice, editPrice, getPrice, listPrices, removePrice, type PriceRecord } from '../../lib/domain/predetermined-prices';
import { decimalInput, intInput, text } from './clinical-schemas';

/*
 * Module 6 of reflexo-api.md: predetermined prices (tenant-owned), price > 0, hard delete. `price`
 * travels as the "150.00" string of the spec's examples (DRF's DecimalField), in and out exact.
 */
const PREFIX = '/api/configurations/predetermined_prices';

const money = z.string().regex(/^\d+\.\d{2}$/);
const Item = z.object({ id: z.number().int(), name: z.string(), price: money });
const Detail = Item.extend({ reflexo_id: z.number().int(), created_at: timestamp, updated_at: timestamp });
const Body = z.object({ name: text(255), price: decimalInput(10, 2), reflexo_id: intInput.optional() });

const duplicateName = { 409: { description: 'Ya existe un precio con ese nombre en la clínica: `{"name": [...]}`', schema: fieldErrors } };

const toItem = (p: PriceRecord) => ({ id: p.id, name: p.name, price: moneyString(p.price)! });
const toDetail = (p: PriceRecord) => ({ ...toItem(p), reflexo_id: p.reflexo_id, created_at: p.created_at, updated_at: p.updated_at });

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
      handler: async ({ db, actor }) => ({ predetermined_prices: (await listPrices(db, actor)).map(toItem) }),
    }),
    ...resourceRoutes({
      prefix: PREFIX,
      dialect: 'reflexo',
      noun: 'precio predeterminado',
      entity: 'predetermined_prices',
      access: 'user',
      item: Detail,
      create: {
        body: Body,
        response: z.object({ id: z.number().int(), reflexo_id: z.number().int() }),
        responses: duplicateName,
        handler: async ({ db, actor, body }) => {
          const p = await createPrice(db, actor, body);
          return { id: p.id, reflexo_id: p.reflexo_id };
        },
      },
      get: { summary: 'Ver precio específico', handler: async ({ db, actor, params }) => toDetail(await getPrice(db, actor, params.id)) },
      update: {
        summary: 'Editar precio (completo)',
        body: Body,
        patchBody: Body.partial(),
        responses: duplicateName,
        handler: async ({ db, actor, params, body }) => toDetail(await editPrice(db, actor, params.id, body)),
      },
      remove: { summary: 'Eliminar precio predeterminado (definitivo)', handler: ({ db, actor, params }) => removePrice(db, actor, params.id) },
    }),
  ],
});

export const handler = createHandler(group);

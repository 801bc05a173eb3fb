import { z } from 'zod';
import { createHandler } from '../../lib/http/app';
import { route } from '../../lib/http/route';
import { resourceRoutes } from '../../lib/http/resource';
import {
  createPaymentStatus,
  editPaymentStatus,
  getPaymentStatus,
  listPaymentStatuses,
  removePaymentStatus,
  type PaymentStatusRecord,
} from '../../lib/domain/configuration-catalogs';
import { defineSharedCatalogGroup, platformOnly } from './_named-catalog-routes';
import { optionalText, text } from './clinical-schemas';

/*
 * Module 6 of reflexo-api.md: payment statuses, a catalog every clinic shares, shown as {id, name,
 * description} (no audit fields). Reading is public; writing is for platform staff.
 */
const PREFIX = '/api/configurations/payment_statuses';
const Status = z.object({ id: z.number().int(), name: z.string(), description: z.string().nullable() });
const StatusBody = z.object({ name: text(100), description: optionalText(1000) });

const toStatus = (s: PaymentStatusRecord) => ({ id: s.id, name: s.name, description: s.description });

export const group = defineSharedCatalogGroup({
  name: 'configurations-payment-statuses',
  prefixes: [PREFIX],
  tag: 'Configurations',
  routes: [
    route({
      method: 'GET',
      path: `${PREFIX}/`,
      access: 'public',
      summary: 'Listar estados de pago',
      response: z.object({ payment_statuses: z.array(Status) }),
      handler: async ({ db }) => ({ payment_statuses: (await listPaymentStatuses(db)).map(toStatus) }),
    }),
    ...resourceRoutes({
      prefix: PREFIX,
      dialect: 'reflexo',
      noun: 'estado de pago',
      access: 'platform',
      item: Status,
      create: { body: StatusBody, responses: platformOnly, handler: async ({ db, actor, body }) => toStatus(await createPaymentStatus(db, actor, body)) },
      get: { access: 'public', summary: 'Ver estado de pago específico', handler: async ({ db, params }) => toStatus(await getPaymentStatus(db, params.id)) },
      update: {
        body: StatusBody,
        patchBody: StatusBody.partial(),
        responses: platformOnly,
        handler: async ({ db, actor, params, body }) => toStatus(await editPaymentStatus(db, actor, params.id, body)),
      },
      remove: {
        summary: 'Eliminar estado de pago (definitivo)',
        responses: { ...platformOnly, 409: { description: 'En uso por otros registros: no puede eliminarse' } },
        handler: ({ db, actor, params }) => removePaymentStatus(db, actor, params.id),
      },
    }),
  ],
});

export const handler = createHandler(group);

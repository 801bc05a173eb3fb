import { z } from 'zod';
import { defineReflexoGroup } from './surface';
import { createHandler } from '../../lib/http/app';
import { reply, route } from '../../lib/http/route';
import { idParams } from '../../lib/http/schemas';
import {
  createPaymentStatus,
  editPaymentStatus,
  getPaymentStatus,
  listPaymentStatuses,
  removePaymentStatus,
} from '../../lib/domain/configuration-catalogs';
import { optionalText, text } from '../../lib/domain/clinical-schemas';

/*
 * Module 6 of reflexo-api.md: payment statuses, a global catalog of {id, name, description} (no
 * audit fields in responses). Reading is public; writing needs an authenticated admin.
 */
const PREFIX = '/api/configurations/payment_statuses';
const Status = z.object({ id: z.number().int(), name: z.string(), description: z.string().nullable() });
const StatusBody = z.object({ name: text(100), description: optionalText(1000) });

const create = route({
  method: 'POST',
  path: `${PREFIX}/create/`,
  access: 'admin',
  summary: 'Crear estado de pago',
  body: StatusBody,
  status: 201,
  response: Status,
  handler: async ({ db, body }) => reply(201, await createPaymentStatus(db, body)),
});
const put = route({
  method: 'PUT',
  path: `${PREFIX}/{id}/edit/`,
  access: 'admin',
  summary: 'Editar estado de pago (completo)',
  params: idParams,
  body: StatusBody,
  response: Status,
  handler: ({ db, params, body }) => editPaymentStatus(db, params.id, body),
});
const patch = route({ ...put, method: 'PATCH', summary: 'Editar estado de pago (parcial)', body: StatusBody.partial() });
const remove = route({
  method: 'DELETE',
  path: `${PREFIX}/{id}/delete/`,
  access: 'admin',
  summary: 'Eliminar estado de pago (definitivo)',
  params: idParams,
  status: 204,
  responses: { 409: { description: 'En uso por otros registros: no puede eliminarse' } },
  handler: async ({ db, params }) => {
    await removePaymentStatus(db, params.id);
    return reply(204);
  },
});

export const group = defineReflexoGroup({
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
      handler: async ({ db }) => ({ payment_statuses: await listPaymentStatuses(db) }),
    }),
    create,
    { ...create, path: `${PREFIX}/`, summary: 'Crear estado de pago (DRF)' },
    route({
      method: 'GET',
      path: `${PREFIX}/{id}/`,
      access: 'public',
      summary: 'Ver estado de pago específico',
      params: idParams,
      response: Status,
      handler: ({ db, params }) => getPaymentStatus(db, params.id),
    }),
    put,
    { ...put, path: `${PREFIX}/{id}/`, summary: 'Editar estado de pago (DRF, completo)' },
    patch,
    { ...patch, path: `${PREFIX}/{id}/`, summary: 'Editar estado de pago (DRF, parcial)' },
    remove,
    { ...remove, path: `${PREFIX}/{id}/`, summary: 'Eliminar estado de pago (DRF)' },
  ],
});

export const handler = createHandler(group);

import { z } from 'zod';
import { defineReflexoGroup } from './surface';
import { createHandler } from '../../lib/http/app';
import { reply, route } from '../../lib/http/route';
import { idParams, intString, timestamp } from '../../lib/http/schemas';
import { createHistory, deleteHistory, editHistory, getHistory, listHistories } from '../../lib/domain/histories';
import { isHard } from '../../lib/domain/clinical-rules';
import { boolInput, decimalInput, hardQuery, intInput, optionalText } from '../../lib/domain/clinical-schemas';

/*
 * Module 6 of reflexo-api.md: clinical histories (tenant-owned), one live history per patient,
 * `local_id` numbered per clinic. The list is {"histories": [...]} (optionally ?patient=<id>).
 */
const PREFIX = '/api/configurations/histories';

const Summary = z.object({
  id: z.number().int(),
  local_id: z.number().int(),
  patient: z.number().int(),
  patient_name: z.string(),
  reflexo_id: z.number().int(),
});
const Detail = Summary.extend({
  testimony: z.boolean(),
  private_observation: z.string().nullable(),
  observation: z.string().nullable(),
  height: z.number().nullable(),
  weight: z.number().nullable(),
  last_weight: z.number().nullable(),
  menstruation: z.boolean(),
  diu_type: z.string().nullable(),
  gestation: z.boolean(),
  created_at: timestamp,
  updated_at: timestamp,
});
const Conflict = z.object({ error: z.string(), existing_history_id: z.number().int().nullable() });

const clinical = {
  testimony: boolInput.optional(),
  private_observation: optionalText(5000),
  observation: optionalText(5000),
  // Height in metres, weights in kg: numeric(5,2) and numeric(6,2).
  height: decimalInput(3, 2).nullable().optional(),
  weight: decimalInput(4, 2).nullable().optional(),
  last_weight: decimalInput(4, 2).nullable().optional(),
  menstruation: boolInput.optional(),
  diu_type: optionalText(100),
  gestation: boolInput.optional(),
};
const CreateBody = z.object({ patient: intInput, reflexo_id: intInput.optional(), ...clinical });
// PUT and PATCH take the same body: every clinical field is optional, as in the spec's model table.
const EditBody = z.object(clinical);

const create = route({
  method: 'POST',
  path: `${PREFIX}/create/`,
  access: 'user',
  summary: 'Crear historial médico',
  body: CreateBody,
  status: 201,
  response: z.object({ id: z.number().int(), reflexo_id: z.number().int() }),
  responses: { 409: { description: 'Ya existe un historial activo para este paciente', schema: Conflict } },
  handler: async ({ db, actor, body }) => reply(201, await createHistory(db, actor, body)),
});
const put = route({
  method: 'PUT',
  path: `${PREFIX}/{id}/edit/`,
  access: 'user',
  summary: 'Editar historial (completo)',
  entity: 'histories',
  params: idParams,
  body: EditBody,
  response: Detail,
  handler: ({ db, actor, params, body }) => editHistory(db, actor, params.id, body),
});
const patch = route({ ...put, method: 'PATCH', summary: 'Editar historial (parcial)' });
const remove = route({
  method: 'DELETE',
  path: `${PREFIX}/{id}/delete/`,
  access: 'user',
  summary: 'Eliminar historial médico (soft delete; ?hard=true definitivo)',
  entity: 'histories',
  params: idParams,
  query: hardQuery,
  status: 204,
  handler: async ({ db, actor, params, query }) => {
    await deleteHistory(db, actor, params.id, isHard(query.hard));
    return reply(204);
  },
});

export const group = defineReflexoGroup({
  name: 'configurations-histories',
  prefixes: [PREFIX],
  tag: 'Configurations',
  tenantScoped: true,
  routes: [
    route({
      method: 'GET',
      path: `${PREFIX}/`,
      access: 'user',
      summary: 'Listar historiales médicos',
      query: z.object({ patient: intString.optional() }),
      response: z.object({ histories: z.array(Summary) }),
      handler: ({ db, actor, query }) => listHistories(db, actor, query.patient),
    }),
    create,
    { ...create, path: `${PREFIX}/`, summary: 'Crear historial médico (DRF)' },
    route({
      method: 'GET',
      path: `${PREFIX}/{id}/`,
      access: 'user',
      summary: 'Ver historial médico específico',
      entity: 'histories',
      params: idParams,
      response: Detail,
      handler: ({ db, actor, params }) => getHistory(db, actor, params.id),
    }),
    put,
    { ...put, path: `${PREFIX}/{id}/`, summary: 'Editar historial (DRF, completo)' },
    patch,
    { ...patch, path: `${PREFIX}/{id}/`, summary: 'Editar historial (DRF, parcial)' },
    remove,
    { ...remove, path: `${PREFIX}/{id}/`, summary: 'Eliminar historial médico (DRF)' },
  ],
});

export const handler = createHandler(group);

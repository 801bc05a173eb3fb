import { z } from 'zod';
import { defineReflexoGroup } from './surface';
import { createHandler } from '../../lib/http/app';
import { route } from '../../lib/http/route';
import { resourceRoutes } from '../../lib/http/resource';
import { intString, timestamp } from '../../lib/http/schemas';
import { createHistory, deleteHistory, editHistory, getHistory, listHistories, type HistoryRecord, type HistorySummary } from '../../lib/domain/histories';
import { boolInput, hardQuery, intInput, isHard, optionalDecimal, optionalText, toNumber, withFieldNames } from './clinical-schemas';

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

/** "Juan Pérez", as the spec's list shows the patient. */
const patientName = (h: HistorySummary) => `${h.patient_first_name} ${h.patient_paternal_lastname}`.trim();
const toSummary = (h: HistorySummary) => ({ id: h.id, local_id: h.local_id, patient: h.patient_id, patient_name: patientName(h), reflexo_id: h.reflexo_id });
const toDetail = (h: HistoryRecord) => ({
  ...toSummary(h),
  testimony: h.testimony,
  private_observation: h.private_observation,
  observation: h.observation,
  height: toNumber(h.height),
  weight: toNumber(h.weight),
  last_weight: toNumber(h.last_weight),
  menstruation: h.menstruation,
  diu_type: h.diu_type,
  gestation: h.gestation,
  created_at: h.created_at,
  updated_at: h.updated_at,
});

const clinical = {
  testimony: boolInput.optional(),
  private_observation: optionalText(5000),
  observation: optionalText(5000),
  // Height in metres, weights in kg: numeric(5,2) and numeric(6,2).
  height: optionalDecimal(3, 2),
  weight: optionalDecimal(4, 2),
  last_weight: optionalDecimal(4, 2),
  menstruation: boolInput.optional(),
  diu_type: optionalText(100),
  gestation: boolInput.optional(),
};
const CreateBody = z.object({ patient: intInput, reflexo_id: intInput.optional(), ...clinical });
// PUT and PATCH take the same body: every clinical field is optional, as in the spec's model table.
const EditBody = z.object(clinical);

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
      handler: async ({ db, actor, query }) => ({ histories: (await listHistories(db, actor, query.patient)).map(toSummary) }),
    }),
    ...resourceRoutes({
      prefix: PREFIX,
      dialect: 'reflexo',
      noun: 'historial médico',
      entity: 'histories',
      access: 'user',
      item: Detail,
      create: {
        body: CreateBody,
        response: z.object({ id: z.number().int(), reflexo_id: z.number().int() }),
        responses: { 409: { description: 'Ya existe un historial activo para este paciente', schema: Conflict } },
        handler: async ({ db, actor, body }) => {
          const { patient, ...fields } = body;
          const h = await withFieldNames({ patient_id: 'patient' }, () => createHistory(db, actor, { ...fields, patient_id: patient }));
          return { id: h.id, reflexo_id: h.reflexo_id };
        },
      },
      get: { summary: 'Ver historial médico específico', handler: async ({ db, actor, params }) => toDetail(await getHistory(db, actor, params.id)) },
      update: { summary: 'Editar historial (completo)', body: EditBody, handler: async ({ db, actor, params, body }) => toDetail(await editHistory(db, actor, params.id, body)) },
      remove: {
        summary: 'Eliminar historial médico (soft delete; ?hard=true definitivo)',
        query: hardQuery,
        handler: ({ db, actor, params, query }) => deleteHistory(db, actor, params.id, isHard(query.hard)),
      },
    }),
  ],
});

export const handler = createHandler(group);

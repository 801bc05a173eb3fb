import { z } from 'zod';
import { defineReflexoGroup } from './surface';
import { createHandler } from '../../lib/http/app';
import { drfPage, drfPageSchema, MAX_PAGE_SIZE, pageNumber } from '../../lib/http/pagination';
import { reply, route } from '../../lib/http/route';
import { errorBody, idParams, timestamp } from '../../lib/http/schemas';
import { createDiagnosis, deleteDiagnosis, editDiagnosis, getDiagnosis, listDiagnoses } from '../../lib/domain/diagnoses';
import { isHard } from '../../lib/domain/clinical-rules';
import { hardQuery, messageBody, text } from '../../lib/domain/clinical-schemas';

/*
 * Module 3 of reflexo-api.md: diagnoses, a global catalog any authenticated user reads and edits.
 * Lists are DRF pages ({count, next, previous, results}, ?page=&page_size=, default 10).
 */
const PREFIX = '/api/patients/diagnoses';
const Diagnosis = z.object({ id: z.number().int(), name: z.string(), code: z.string(), created_at: timestamp, updated_at: timestamp });
const Body = z.object({ name: text(255), code: text(50) });

const notFound = { 404: { description: '`{"error": "Diagnóstico no encontrado"}`', schema: errorBody } };

const pageQuery = { page: pageNumber(1), page_size: pageNumber(10, MAX_PAGE_SIZE) };

const create = route({
  method: 'POST',
  path: `${PREFIX}/create/`,
  access: 'user',
  summary: 'Crear diagnóstico',
  body: Body,
  status: 201,
  response: Diagnosis,
  handler: async ({ db, body }) => reply(201, await createDiagnosis(db, body)),
});
const put = route({
  method: 'PUT',
  path: `${PREFIX}/{id}/edit/`,
  access: 'user',
  summary: 'Editar diagnóstico (completo)',
  params: idParams,
  body: Body,
  response: Diagnosis,
  responses: notFound,
  handler: ({ db, params, body }) => editDiagnosis(db, params.id, body),
});
const patch = route({ ...put, method: 'PATCH', summary: 'Editar diagnóstico (parcial)', body: Body.partial() });
const remove = route({
  method: 'DELETE',
  path: `${PREFIX}/{id}/delete/`,
  access: 'user',
  summary: 'Eliminar diagnóstico (soft delete global por código; ?hard=true definitivo)',
  params: idParams,
  query: hardQuery,
  response: messageBody,
  responses: { ...notFound, 409: { description: 'El diagnóstico tiene historiales médicos asociados (?hard=true)' } },
  handler: async ({ db, params, query }) => {
    await deleteDiagnosis(db, params.id, isHard(query.hard));
    return { message: 'Diagnóstico eliminado' };
  },
});

export const group = defineReflexoGroup({
  name: 'patients-diagnoses',
  prefixes: [PREFIX],
  tag: 'Diagnoses',
  routes: [
    route({
      method: 'GET',
      path: `${PREFIX}/`,
      access: 'user',
      summary: 'Listar diagnósticos (?search=, ?page=, ?page_size=)',
      query: z.object({ ...pageQuery, search: z.string().max(100).optional() }),
      response: drfPageSchema(Diagnosis),
      handler: async ({ db, query, baseUrl, path }) =>
        drfPage(await listDiagnoses(db, { page: query.page, size: query.page_size, search: query.search }), baseUrl, path, query),
    }),
    route({
      method: 'GET',
      path: `${PREFIX}/search/`,
      access: 'user',
      summary: 'Buscar diagnósticos por código o nombre (?q=)',
      query: z.object({ ...pageQuery, q: z.string().trim().min(1, 'Este campo no puede estar en blanco.').max(100) }),
      response: drfPageSchema(Diagnosis),
      handler: async ({ db, query, baseUrl, path }) =>
        drfPage(await listDiagnoses(db, { page: query.page, size: query.page_size, search: query.q }), baseUrl, path, query),
    }),
    create,
    { ...create, path: `${PREFIX}/`, summary: 'Crear diagnóstico (DRF)' },
    route({
      method: 'GET',
      path: `${PREFIX}/{id}/`,
      access: 'user',
      summary: 'Ver diagnóstico (DRF)',
      params: idParams,
      response: Diagnosis,
      responses: notFound,
      handler: ({ db, params }) => getDiagnosis(db, params.id),
    }),
    put,
    { ...put, path: `${PREFIX}/{id}/`, summary: 'Editar diagnóstico (DRF, completo)' },
    patch,
    { ...patch, path: `${PREFIX}/{id}/`, summary: 'Editar diagnóstico (DRF, parcial)' },
    remove,
    { ...remove, path: `${PREFIX}/{id}/`, summary: 'Eliminar diagnóstico (DRF)' },
  ],
});

export const handler = createHandler(group);

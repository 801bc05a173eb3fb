import { z } from 'zod';
import { createHandler } from '../../lib/http/app';
import { drfPage, drfPageSchema, MAX_PAGE_SIZE, pageNumber } from '../../lib/http/pagination';
import { route } from '../../lib/http/route';
import { resourceRoutes } from '../../lib/http/resource';
import { errorBody, timestamp } from '../../lib/http/schemas';
import { createDiagnosis, deleteDiagnosis, editDiagnosis, getDiagnosis, listDiagnoses, type DiagnosisRecord } from '../../lib/domain/diagnoses';
import { defineSharedCatalogGroup, platformOnly } from './_named-catalog-routes';
import { hardQuery, isHard, messageBody, MSG, text } from './clinical-schemas';

/*
 * Module 3 of reflexo-api.md: diagnoses, rows every clinic shares. Any authenticated user reads them;
 * only platform staff writes them (create, edit, delete incl. ?hard=true, every alias): the spec lets
 * any user, which let a self-registered account erase every clinic's diagnoses.
 * Lists are DRF pages ({count, next, previous, results}, ?page=&page_size=, default 10).
 */
const PREFIX = '/api/patients/diagnoses';
const Diagnosis = z.object({ id: z.number().int(), name: z.string(), code: z.string(), created_at: timestamp, updated_at: timestamp });
const Body = z.object({ name: text(255), code: text(50) });

const toDiagnosis = (d: DiagnosisRecord) => ({ id: d.id, name: d.name, code: d.code, created_at: d.created_at, updated_at: d.updated_at });
const toPage = <P extends { rows: DiagnosisRecord[] }>(p: P) => ({ ...p, rows: p.rows.map(toDiagnosis) });

const notFound = { 404: { description: '`{"error": "Diagnóstico no encontrado"}`', schema: errorBody } };
const pageQuery = { page: pageNumber(1), page_size: pageNumber(10, MAX_PAGE_SIZE) };

export const group = defineSharedCatalogGroup({
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
        drfPage(toPage(await listDiagnoses(db, { page: query.page, size: query.page_size, search: query.search })), baseUrl, path, query),
    }),
    route({
      method: 'GET',
      path: `${PREFIX}/search/`,
      access: 'user',
      summary: 'Buscar diagnósticos por código o nombre (?q=)',
      query: z.object({ ...pageQuery, q: z.string().trim().min(1, MSG.blank).max(100) }),
      response: drfPageSchema(Diagnosis),
      handler: async ({ db, query, baseUrl, path }) => drfPage(toPage(await listDiagnoses(db, { page: query.page, size: query.page_size, search: query.q })), baseUrl, path, query),
    }),
    ...resourceRoutes({
      prefix: PREFIX,
      dialect: 'reflexo',
      noun: 'diagnóstico',
      access: 'platform',
      item: Diagnosis,
      create: { body: Body, responses: platformOnly, handler: async ({ db, actor, body }) => toDiagnosis(await createDiagnosis(db, actor, body)) },
      get: { access: 'user', summary: 'Ver diagnóstico (DRF)', responses: notFound, handler: async ({ db, params }) => toDiagnosis(await getDiagnosis(db, params.id)) },
      update: {
        body: Body,
        patchBody: Body.partial(),
        responses: { ...notFound, ...platformOnly },
        handler: async ({ db, actor, params, body }) => toDiagnosis(await editDiagnosis(db, actor, params.id, body)),
      },
      remove: {
        summary: 'Eliminar diagnóstico (soft delete global por código; ?hard=true definitivo)',
        query: hardQuery,
        status: 200,
        response: messageBody,
        responses: { ...notFound, ...platformOnly, 409: { description: 'El diagnóstico tiene historiales médicos asociados (?hard=true)' } },
        handler: async ({ db, actor, params, query }) => {
          await deleteDiagnosis(db, actor, params.id, isHard(query.hard));
          return { message: 'Diagnóstico eliminado' };
        },
      },
    }),
  ],
});

export const handler = createHandler(group);

import { z } from 'zod';
import { createHandler } from '../../lib/http/app';
import { MAX_PAGE_SIZE, pageNumber } from '../../lib/http/pagination';
import { defineGroup, reply, route } from '../../lib/http/route';
import { detailBody, idParams, timestamp } from '../../lib/http/schemas';
import { createPatient, deletePatient, editPatient, getPatient, listPatients } from '../../lib/domain/patients';
import { isHard } from '../../lib/domain/clinical-rules';
import { hardQuery, intInput, MSG, optionalText, text } from '../../lib/domain/clinical-schemas';

/*
 * Module 3 of reflexo-api.md: patients (tenant-owned). Lists are {count, num_pages, current_page,
 * results} with ?page=&per_page= (default 10). Delete is soft unless ?hard=true.
 */
const PREFIX = '/api/patients/patients';

const Patient = z.object({
  id: z.number().int(),
  document_number: z.string(),
  paternal_lastname: z.string(),
  maternal_lastname: z.string().nullable(),
  name: z.string(),
  email: z.string().nullable(),
  phone1: z.string().nullable(),
  sex: z.string().nullable(),
  address: z.string().nullable(),
  reflexo_id: z.number().int(),
  created_at: timestamp,
  updated_at: timestamp,
});
const PatientDetail = Patient.extend({
  phone2: z.string().nullable(),
  document_type_id: z.number().int().nullable(),
  region_code: z.number().int().nullable(),
  province_code: z.number().int().nullable(),
  district_code: z.number().int().nullable(),
  ocupation: z.string().nullable(),
  health_condition: z.string().nullable(),
});
const PatientPage = z.object({ count: z.number().int(), num_pages: z.number().int(), current_page: z.number().int(), results: z.array(Patient) });
// The spec's body names the patient holding the document or e-mail; `{"detail"}` when that row vanished meanwhile.
const Duplicate = z.union([
  z.object({
    message: z.string(),
    data: z.object({ id: z.number().int(), document_number: z.string(), name: z.string(), email: z.string().nullable() }),
  }),
  detailBody,
]);

const fields = {
  document_number: text(20),
  paternal_lastname: text(150),
  maternal_lastname: optionalText(150),
  name: text(150),
  email: z.string({ error: MSG.email }).trim().max(254, MSG.maxLength(254)).pipe(z.email(MSG.email)),
  phone1: optionalText(20),
  phone2: optionalText(20),
  sex: z.enum(['M', 'F'], { error: 'Elija una opción válida: M o F.' }).nullable().optional(),
  address: optionalText(255),
  document_type_id: intInput,
  // Ubigeo ids: `*_code` as the spec shows, `*_id` as clients also send; the domain requires one of each.
  region_code: intInput.optional(),
  province_code: intInput.optional(),
  district_code: intInput.optional(),
  region_id: intInput.optional(),
  province_id: intInput.optional(),
  district_id: intInput.optional(),
  ocupation: text(150),
  health_condition: text(2000),
  reflexo_id: intInput.optional(),
};
const CreateBody = z.object(fields);
const PatchBody = CreateBody.partial();

const pageQuery = { page: pageNumber(1), per_page: pageNumber(10, MAX_PAGE_SIZE) };

const create = route({
  method: 'POST',
  path: `${PREFIX}/create/`,
  access: 'user',
  summary: 'Crear paciente',
  body: CreateBody,
  status: 201,
  response: Patient,
  responses: { 409: { description: 'El paciente ya existe (documento o email duplicado)', schema: Duplicate } },
  handler: async ({ db, actor, body }) => reply(201, await createPatient(db, actor, body)),
});
const put = route({
  method: 'PUT',
  path: `${PREFIX}/{id}/edit/`,
  access: 'user',
  summary: 'Editar paciente (completo)',
  entity: 'patients',
  params: idParams,
  body: CreateBody,
  response: Patient,
  responses: { 409: { description: 'Documento o email de otro paciente', schema: Duplicate } },
  handler: ({ db, actor, params, body }) => editPatient(db, actor, params.id, body, false),
});
const patch = route({
  ...put,
  method: 'PATCH',
  summary: 'Editar paciente (parcial)',
  body: PatchBody,
  handler: ({ db, actor, params, body }) => editPatient(db, actor, params.id, body, true),
});
const remove = route({
  method: 'DELETE',
  path: `${PREFIX}/{id}/delete/`,
  access: 'user',
  summary: 'Eliminar paciente (soft delete; ?hard=true definitivo)',
  entity: 'patients',
  params: idParams,
  query: hardQuery,
  status: 204,
  responses: { 409: { description: 'El paciente tiene citas o tickets (?hard=true)' } },
  handler: async ({ db, actor, params, query }) => {
    await deletePatient(db, actor, params.id, isHard(query.hard));
    return reply(204);
  },
});

export const group = defineGroup({
  name: 'patients-patients',
  prefixes: [PREFIX],
  tag: 'Patients',
  tenantScoped: true,
  routes: [
    route({
      method: 'GET',
      path: `${PREFIX}/`,
      access: 'user',
      summary: 'Listar pacientes (?page=, ?per_page=)',
      query: z.object(pageQuery),
      response: PatientPage,
      handler: ({ db, actor, query }) => listPatients(db, actor, { page: query.page, perPage: query.per_page }),
    }),
    route({
      method: 'GET',
      path: `${PREFIX}/search/`,
      access: 'user',
      summary: 'Buscar pacientes por nombre, apellidos, documento o email (?q=)',
      query: z.object({ ...pageQuery, q: z.string().trim().min(1, MSG.blank).max(100, MSG.maxLength(100)) }),
      response: PatientPage,
      handler: ({ db, actor, query }) => listPatients(db, actor, { page: query.page, perPage: query.per_page, q: query.q }),
    }),
    create,
    { ...create, path: `${PREFIX}/`, summary: 'Crear paciente (DRF)' },
    route({
      method: 'GET',
      path: `${PREFIX}/{id}/`,
      access: 'user',
      summary: 'Ver paciente',
      entity: 'patients',
      params: idParams,
      response: PatientDetail,
      handler: ({ db, actor, params }) => getPatient(db, actor, params.id),
    }),
    put,
    { ...put, path: `${PREFIX}/{id}/`, summary: 'Editar paciente (DRF, completo)' },
    patch,
    { ...patch, path: `${PREFIX}/{id}/`, summary: 'Editar paciente (DRF, parcial)' },
    remove,
    { ...remove, path: `${PREFIX}/{id}/`, summary: 'Eliminar paciente (DRF)' },
  ],
});

export const handler = createHandler(group);

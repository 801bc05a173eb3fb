import { z } from 'zod';
import { defineReflexoGroup } from './surface';
import { createHandler } from '../../lib/http/app';
import { MAX_PAGE_SIZE, pageNumber } from '../../lib/http/pagination';
import { route } from '../../lib/http/route';
import { detailBody, timestamp } from '../../lib/http/schemas';
import { createPatient, deletePatient, editPatient, getPatient, listPatients, type PatientRecord } from '../../lib/domain/patients';
import { resourceRoutes } from '../../lib/http/resource';
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

/** What the list and search show (the spec's fields, nothing clinical). */
const toPatient = (p: PatientRecord) => ({
  id: p.id,
  document_number: p.document_number,
  paternal_lastname: p.paternal_lastname,
  maternal_lastname: p.maternal_lastname,
  name: p.name,
  email: p.email,
  phone1: p.phone1,
  sex: p.sex,
  address: p.address,
  reflexo_id: p.reflexo_id,
  created_at: p.created_at,
  updated_at: p.updated_at,
});

/** The detail adds what an edit form needs to prefill. */
const toPatientDetail = (p: PatientRecord) => ({
  ...toPatient(p),
  phone2: p.phone2,
  document_type_id: p.document_type_id,
  region_code: p.region_id,
  province_code: p.province_id,
  district_code: p.district_id,
  ocupation: p.ocupation,
  health_condition: p.health_condition,
});

const patientPage = (page: { rows: PatientRecord[]; count: number }, current: number, perPage: number) => ({
  count: page.count,
  num_pages: Math.max(1, Math.ceil(page.count / perPage)),
  current_page: current,
  results: page.rows.map(toPatient),
});

const duplicate = { 409: { description: 'El paciente ya existe (documento o email duplicado)', schema: Duplicate } };

export const group = defineReflexoGroup({
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
      handler: async ({ db, actor, query }) => patientPage(await listPatients(db, actor, { page: query.page, perPage: query.per_page }), query.page, query.per_page),
    }),
    route({
      method: 'GET',
      path: `${PREFIX}/search/`,
      access: 'user',
      summary: 'Buscar pacientes por nombre, apellidos, documento o email (?q=)',
      query: z.object({ ...pageQuery, q: z.string().trim().min(1, MSG.blank).max(100, MSG.maxLength(100)) }),
      response: PatientPage,
      handler: async ({ db, actor, query }) => patientPage(await listPatients(db, actor, { page: query.page, perPage: query.per_page, q: query.q }), query.page, query.per_page),
    }),
    ...resourceRoutes({
      prefix: PREFIX,
      dialect: 'reflexo',
      noun: 'paciente',
      entity: 'patients',
      access: 'user',
      item: Patient,
      create: { body: CreateBody, responses: duplicate, handler: async ({ db, actor, body }) => toPatient(await createPatient(db, actor, body)) },
      get: { response: PatientDetail, handler: async ({ db, actor, params }) => toPatientDetail(await getPatient(db, actor, params.id)) },
      update: { body: CreateBody, patchBody: PatchBody, responses: duplicate, handler: async ({ db, actor, params, body }, full) => toPatient(await editPatient(db, actor, params.id, body, !full)) },
      remove: {
        summary: 'Eliminar paciente (soft delete; ?hard=true definitivo)',
        query: hardQuery,
        responses: { 409: { description: 'El paciente tiene citas o tickets (?hard=true)' } },
        handler: ({ db, actor, params, query }) => deletePatient(db, actor, params.id, isHard(query.hard)),
      },
    }),
  ],
});

export const handler = createHandler(group);

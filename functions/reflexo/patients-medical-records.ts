import { z } from 'zod';
import { defineReflexoGroup } from './surface';
import { createHandler } from '../../lib/http/app';
import { MAX_PAGE_SIZE } from '../../lib/http/pagination';
import { reply, route } from '../../lib/http/route';
import { idParams, intString, isoDate, timestamp } from '../../lib/http/schemas';
import { createMedicalRecord, deleteMedicalRecord, editMedicalRecord, getMedicalRecord, listMedicalRecords } from '../../lib/domain/medical-records';
import { isHard } from '../../lib/domain/clinical-rules';
import { dateInput, hardQuery, intInput, MSG, optionalText, text } from '../../lib/domain/clinical-schemas';

/*
 * Module 3 of reflexo-api.md: medical records (tenant-owned). The list is shaped like the patients
 * list ({count, num_pages, current_page, results}) as the spec's example shows, paginated with
 * ?page=&page_size= as its notes say (per_page is accepted too).
 */
const PREFIX = '/api/patients/medical-records';

const MedicalRecord = z.object({
  id: z.number().int(),
  patient_id: z.number().int(),
  diagnose_id: z.number().int(),
  diagnosis_date: isoDate,
  notes: z.string().nullable(),
  symptoms: z.string().nullable(),
  treatment: z.string().nullable(),
  status: z.string(),
  reflexo_id: z.number().int(),
  created_at: timestamp,
  updated_at: timestamp,
});
const MedicalRecordPage = z.object({ count: z.number().int(), num_pages: z.number().int(), current_page: z.number().int(), results: z.array(MedicalRecord) });

const fields = {
  patient_id: intInput,
  diagnose_id: intInput,
  diagnosis_date: dateInput,
  notes: optionalText(5000),
  symptoms: optionalText(5000),
  treatment: optionalText(5000),
  status: text(30).optional(),
  reflexo_id: intInput.optional(),
};
const CreateBody = z.object(fields);

const pageNumber = (max?: number) =>
  z
    .string()
    .regex(/^\d{1,6}$/, 'Debe ser un número entero positivo.')
    .transform(Number)
    .pipe(max ? z.number().int().min(1).max(max) : z.number().int().min(1))
    .optional();
const queryDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, MSG.date).pipe(dateInput).optional();
const ListQuery = z.object({
  page: pageNumber(),
  page_size: pageNumber(MAX_PAGE_SIZE),
  per_page: pageNumber(MAX_PAGE_SIZE),
  patient_id: intString.optional(),
  diagnose_id: intString.optional(),
  status: z.string().trim().min(1).max(30).optional(),
  date_from: queryDate,
  date_to: queryDate,
});

const create = route({
  method: 'POST',
  path: `${PREFIX}/create/`,
  access: 'user',
  summary: 'Crear historial médico',
  body: CreateBody,
  status: 201,
  response: MedicalRecord,
  handler: async ({ db, actor, body }) => reply(201, await createMedicalRecord(db, actor, body)),
});
const put = route({
  method: 'PUT',
  path: `${PREFIX}/{id}/edit/`,
  access: 'user',
  summary: 'Editar historial médico (completo)',
  entity: 'medical_records',
  params: idParams,
  body: CreateBody,
  response: MedicalRecord,
  handler: ({ db, actor, params, body }) => editMedicalRecord(db, actor, params.id, body),
});
const patch = route({ ...put, method: 'PATCH', summary: 'Editar historial médico (parcial)', body: CreateBody.partial() });
const remove = route({
  method: 'DELETE',
  path: `${PREFIX}/{id}/delete/`,
  access: 'user',
  summary: 'Eliminar historial médico (soft delete; ?hard=true definitivo)',
  entity: 'medical_records',
  params: idParams,
  query: hardQuery,
  status: 204,
  handler: async ({ db, actor, params, query }) => {
    await deleteMedicalRecord(db, actor, params.id, isHard(query.hard));
    return reply(204);
  },
});
const detail = route({
  method: 'GET',
  path: `${PREFIX}/{id}/`,
  access: 'user',
  summary: 'Ver historial médico específico',
  entity: 'medical_records',
  params: idParams,
  response: MedicalRecord,
  handler: ({ db, actor, params }) => getMedicalRecord(db, actor, params.id),
});

export const group = defineReflexoGroup({
  name: 'patients-medical-records',
  prefixes: [PREFIX],
  tag: 'Medical records',
  tenantScoped: true,
  routes: [
    route({
      method: 'GET',
      path: `${PREFIX}/`,
      access: 'user',
      summary: 'Listar historiales médicos (filtros patient_id, diagnose_id, status, date_from, date_to)',
      query: ListQuery,
      response: MedicalRecordPage,
      handler: ({ db, actor, query }) =>
        listMedicalRecords(
          db,
          actor,
          { patientId: query.patient_id, diagnoseId: query.diagnose_id, status: query.status, dateFrom: query.date_from, dateTo: query.date_to },
          query.page ?? 1,
          query.page_size ?? query.per_page ?? 10,
        ),
    }),
    create,
    { ...create, path: `${PREFIX}/`, summary: 'Crear historial médico (DRF)' },
    detail,
    put,
    { ...put, path: `${PREFIX}/{id}/`, summary: 'Editar historial médico (DRF, completo)' },
    patch,
    { ...patch, path: `${PREFIX}/{id}/`, summary: 'Editar historial médico (DRF, parcial)' },
    remove,
    { ...remove, path: `${PREFIX}/{id}/`, summary: 'Eliminar historial médico (DRF)' },
  ],
});

export const handler = createHandler(group);

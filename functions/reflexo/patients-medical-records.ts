import { z } from 'zod';
import { defineReflexoGroup } from './surface';
import { createHandler } from '../../lib/http/app';
import { MAX_PAGE_SIZE, pageNumber, pageSizeAlias } from '../../lib/http/pagination';
import { route } from '../../lib/http/route';
import { resourceRoutes } from '../../lib/http/resource';
import { intString, isoDate, timestamp } from '../../lib/http/schemas';
import {
  createMedicalRecord,
  deleteMedicalRecord,
  editMedicalRecord,
  getMedicalRecord,
  listMedicalRecords,
  type MedicalRecordRecord,
} from '../../lib/domain/medical-records';
import { dateInput, hardQuery, intInput, isHard, MSG, optionalText, text } from './clinical-schemas';

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

const toMedicalRecord = (r: MedicalRecordRecord) => ({
  id: r.id,
  patient_id: r.patient_id,
  diagnose_id: r.diagnose_id,
  diagnosis_date: r.diagnosis_date,
  notes: r.notes,
  symptoms: r.symptoms,
  treatment: r.treatment,
  status: r.status,
  reflexo_id: r.reflexo_id,
  created_at: r.created_at,
  updated_at: r.updated_at,
});

const CreateBody = z.object({
  patient_id: intInput,
  diagnose_id: intInput,
  diagnosis_date: dateInput,
  notes: optionalText(5000),
  symptoms: optionalText(5000),
  treatment: optionalText(5000),
  status: text(30).optional(),
  reflexo_id: intInput.optional(),
});

const queryDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, MSG.date).pipe(dateInput).optional();
const ListQuery = z.object({
  page: pageNumber(1),
  page_size: pageSizeAlias(MAX_PAGE_SIZE),
  per_page: pageSizeAlias(MAX_PAGE_SIZE),
  patient_id: intString.optional(),
  diagnose_id: intString.optional(),
  status: z.string().trim().min(1).max(30).optional(),
  date_from: queryDate,
  date_to: queryDate,
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
      handler: async ({ db, actor, query }) => {
        const p = await listMedicalRecords(
          db,
          actor,
          { patientId: query.patient_id, diagnoseId: query.diagnose_id, status: query.status, dateFrom: query.date_from, dateTo: query.date_to },
          query.page,
          query.page_size ?? query.per_page ?? 10,
        );
        return { count: p.count, num_pages: Math.max(1, Math.ceil(p.count / p.size)), current_page: p.page, results: p.rows.map(toMedicalRecord) };
      },
    }),
    ...resourceRoutes({
      prefix: PREFIX,
      dialect: 'reflexo',
      noun: 'historial médico',
      entity: 'medical_records',
      access: 'user',
      item: MedicalRecord,
      create: { body: CreateBody, handler: async ({ db, actor, body }) => toMedicalRecord(await createMedicalRecord(db, actor, body)) },
      get: { summary: 'Ver historial médico específico', handler: async ({ db, actor, params }) => toMedicalRecord(await getMedicalRecord(db, actor, params.id)) },
      update: {
        body: CreateBody,
        patchBody: CreateBody.partial(),
        handler: async ({ db, actor, params, body }) => toMedicalRecord(await editMedicalRecord(db, actor, params.id, body)),
      },
      remove: {
        summary: 'Eliminar historial médico (soft delete; ?hard=true definitivo)',
        query: hardQuery,
        handler: ({ db, actor, params, query }) => deleteMedicalRecord(db, actor, params.id, isHard(query.hard)),
      },
    }),
  ],
});

export const handler = createHandler(group);

import { z } from 'zod';
import { defineReflexoGroup } from './surface';
import { createHandler } from '../../lib/http/app';
import { MAX_PAGE_SIZE, pageNumber, pageSizeAlias } from '../../lib/http/pagination';
import { route } from '../../lib/http/route';
import { detailBody, isoDate, timestamp } from '../../lib/http/schemas';
import { resourceRoutes } from '../../lib/http/resource';
import { ValidationError, type FieldIssue } from '../../lib/errors';
import { createPatient, deletePatient, editPatient, getPatient, listPatients, searchPatients, type PatientInput, type PatientRecord } from '../../lib/domain/patients';
import { resolveCatalogRef } from '../../lib/domain/configuration-catalogs';
import type { Db } from '../../lib/db/tenant';
import { catalogRef, hardQuery, intInput, isHard, MSG, optionalDate, optionalText, text, ubigeoRef, withFieldNames } from './clinical-schemas';

/*
 * Module 3 of reflexo-api.md: patients (tenant-owned). Lists are {count, num_pages, current_page,
 * results} with ?page=&per_page= (default 10). Delete is soft unless ?hard=true.
 *
 * What only this contract requires (document type, the three ubigeo levels, occupation and health
 * condition, an e-mail) is checked here; the domain takes a patient without them (a v1 patient), and
 * such a patient lists here with nulls.
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
const Ref = z.object({ id: z.number().int(), name: z.string() }).nullable();
/** The detail carries what an edit form needs to round-trip: every writable field, catalog rows as objects and as ids. */
const PatientDetail = Patient.extend({
  phone2: z.string().nullable(),
  birth_date: isoDate.nullable(),
  ocupation: z.string().nullable(),
  health_condition: z.string().nullable(),
  document_type_id: z.number().int().nullable(),
  document_type: Ref,
  region: Ref,
  province: Ref,
  district: Ref,
  region_id: z.number().int().nullable(),
  province_id: z.number().int().nullable(),
  district_id: z.number().int().nullable(),
  region_code: z.number().int().nullable(),
  province_code: z.number().int().nullable(),
  district_code: z.number().int().nullable(),
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

const LEVELS = ['region', 'province', 'district'] as const;

const fields = {
  document_number: text(20),
  paternal_lastname: text(150),
  maternal_lastname: optionalText(150),
  name: text(150),
  email: z.string({ error: MSG.email }).trim().max(254, MSG.maxLength(254)).pipe(z.email(MSG.email)),
  phone1: optionalText(20),
  phone2: optionalText(20),
  sex: z.enum(['M', 'F'], { error: 'Elija una opción válida: M o F.' }).nullable().optional(),
  birth_date: optionalDate,
  address: optionalText(255),
  // The type's id, its name or code (`"DNI"`, any case), or the `{id, name}` the detail shows.
  document_type_id: catalogRef.optional(),
  document_type: catalogRef.optional(),
  // Ubigeo ids: `*_code` as the spec shows, `*_id` as clients also send, or the detail's objects.
  region_code: ubigeoRef.optional(),
  province_code: ubigeoRef.optional(),
  district_code: ubigeoRef.optional(),
  region_id: ubigeoRef.optional(),
  province_id: ubigeoRef.optional(),
  district_id: ubigeoRef.optional(),
  region: ubigeoRef.optional(),
  province: ubigeoRef.optional(),
  district: ubigeoRef.optional(),
  ocupation: text(150),
  health_condition: text(2000),
  reflexo_id: intInput.optional(),
};
const PatchBody = z.object(fields).partial();

/** The spec's required fields that may arrive under more than one name (create and PUT). */
const FullBody = z.object(fields).superRefine(
  (v, ctx) => {
    // Runs even when the object itself failed (see `when`): a body that is not an object has nothing to check.
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return;
    const sent = (k: string) => (v as Record<string, unknown>)[k] !== undefined;
    if (!sent('document_type_id') && !sent('document_type')) ctx.addIssue({ code: 'custom', path: ['document_type_id'], message: MSG.required });
    for (const l of LEVELS) if (![`${l}_code`, `${l}_id`, l].some(sent)) ctx.addIssue({ code: 'custom', path: [`${l}_code`], message: MSG.required });
  },
  // Reported with the other fields' errors, not in a second round.
  { when: () => true } as never,
);

type Body = z.output<typeof PatchBody>;

/**
 * The domain's input from this contract's body, and the names this body used for the domain's
 * fields (errors then name what the client sent). Aliases of one value must agree.
 */
async function patientInput(db: Db, body: Body): Promise<{ input: PatientInput; names: Record<string, string> }> {
  const { document_type_id, document_type, ocupation, region_code, province_code, district_code, region_id, province_id, district_id, region, province, district, ...plain } = body;
  const input: PatientInput = { ...plain, occupation: ocupation };
  // This contract's names for the domain's fields; a level or type not sent is reported as the spec names it.
  const names: Record<string, string> = { occupation: 'ocupation', document_type: 'document_type_id', region_id: 'region_code', province_id: 'province_code', district_id: 'district_code' };
  const issues: FieldIssue[] = [];

  const levels = { region: [region_code, region_id, region], province: [province_code, province_id, province], district: [district_code, district_id, district] };
  for (const l of LEVELS) {
    const sent = ([`${l}_code`, `${l}_id`, l] as const).map((name, i) => ({ name, value: levels[l][i] })).filter((x) => x.value !== undefined);
    if (!sent.length) continue;
    input[`${l}_id`] = sent[0].value;
    names[`${l}_id`] = sent[0].name;
    for (const other of sent.slice(1)) if (other.value !== sent[0].value) issues.push({ loc: ['body', other.name], msg: `No coincide con ${sent[0].name}.`, type: 'invalid' });
  }

  if (document_type_id !== undefined || document_type !== undefined) {
    input.document_type = document_type_id ?? document_type;
    names.document_type = document_type_id !== undefined ? 'document_type_id' : 'document_type';
    const same = String(document_type_id).trim().toLowerCase() === String(document_type).trim().toLowerCase();
    if (document_type_id !== undefined && document_type !== undefined && !same) {
      const a = await resolveCatalogRef(db, 'document_types', document_type_id, 'document_type_id');
      const b = await resolveCatalogRef(db, 'document_types', document_type, 'document_type');
      if (a.id !== b.id) issues.push({ loc: ['body', 'document_type'], msg: 'No coincide con document_type_id.', type: 'invalid' });
    }
  }
  if (issues.length) throw new ValidationError(issues);
  return { input, names };
}

/** `?per_page=` as the spec says (default 10); `?page_size=`, the spec's other lists' name, is taken too. */
const pageQuery = { page: pageNumber(1), per_page: pageSizeAlias(MAX_PAGE_SIZE), page_size: pageSizeAlias(MAX_PAGE_SIZE) };
const perPage = (q: { per_page?: number; page_size?: number }) => q.per_page ?? q.page_size ?? 10;

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

const ref = (id: number | null, name: string | null) => (id === null ? null : { id, name: name ?? '' });

/** The detail: what a PUT built from it sends back unchanged. */
const toPatientDetail = (p: PatientRecord) => ({
  ...toPatient(p),
  phone2: p.phone2,
  birth_date: p.birth_date,
  ocupation: p.occupation,
  health_condition: p.health_condition,
  document_type_id: p.document_type_id,
  document_type: ref(p.document_type_id, p.document_type_name),
  region: ref(p.region_id, p.region_name),
  province: ref(p.province_id, p.province_name),
  district: ref(p.district_id, p.district_name),
  region_id: p.region_id,
  province_id: p.province_id,
  district_id: p.district_id,
  region_code: p.region_id,
  province_code: p.province_id,
  district_code: p.district_id,
});

const patientPage = (page: { rows: PatientRecord[]; count: number; page: number; size: number }) => ({
  count: page.count,
  num_pages: Math.max(1, Math.ceil(page.count / page.size)),
  current_page: page.page,
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
      summary: 'Listar pacientes (?page=, ?per_page= o ?page_size=)',
      query: z.object(pageQuery),
      response: PatientPage,
      handler: async ({ db, actor, query }) => patientPage(await listPatients(db, actor, { page: query.page, perPage: perPage(query) })),
    }),
    route({
      method: 'GET',
      path: `${PREFIX}/search/`,
      access: 'user',
      summary: 'Buscar pacientes por nombre, apellidos, documento o email (?q=)',
      query: z.object({ ...pageQuery, q: z.string().trim().min(1, MSG.blank).max(100, MSG.maxLength(100)) }),
      response: PatientPage,
      handler: async ({ db, actor, query }) => patientPage(await searchPatients(db, actor, { page: query.page, perPage: perPage(query), q: query.q })),
    }),
    ...resourceRoutes({
      prefix: PREFIX,
      dialect: 'reflexo',
      noun: 'paciente',
      entity: 'patients',
      access: 'user',
      item: Patient,
      create: {
        body: FullBody,
        responses: duplicate,
        handler: async ({ db, actor, body }) => {
          const { input, names } = await patientInput(db, body);
          return toPatient(await withFieldNames(names, () => createPatient(db, actor, input)));
        },
      },
      get: { response: PatientDetail, handler: async ({ db, actor, params }) => toPatientDetail(await getPatient(db, actor, params.id)) },
      update: {
        body: FullBody,
        patchBody: PatchBody,
        responses: duplicate,
        handler: async ({ db, actor, params, body }) => {
          const { input, names } = await patientInput(db, body);
          return toPatient(await withFieldNames(names, () => editPatient(db, actor, params.id, input)));
        },
      },
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

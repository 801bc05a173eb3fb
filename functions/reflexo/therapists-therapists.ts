import { z } from 'zod';
import { defineReflexoGroup } from './surface';
import { createHandler } from '../../lib/http/app';
import { reply, route, type AnyRoute, type Req } from '../../lib/http/route';
import { resourceRoutes } from '../../lib/http/resource';
import { drfPage, drfPageQuery, drfPageSchema } from '../../lib/http/pagination';
import { fieldErrors, idParams, intString, isoDate, timestamp } from '../../lib/http/schemas';
import { ValidationError, type FieldIssue } from '../../lib/errors';
import {
  clinicCalendar,
  createTherapist,
  editTherapist,
  getTherapist,
  hardDeleteTherapist,
  listTherapists,
  removeTherapistPhoto,
  restoreTherapist,
  setTherapistPhoto,
  softDeleteTherapist,
  ubigeoParents,
  type TherapistCheck,
  type TherapistInput,
  type TherapistRecord,
} from '../../lib/domain/therapists';
import { catalogRef } from './scheduling-params';

/*
 * Module 4 of reflexo-api.md: a clinic's therapists (tenant data), photos in S3. The contract's own
 * rules (document shaped by its type, nested ubigeo ids, the e-mail domain, adults only) are checked
 * here, on the row a write would produce; the domain, shared with v1's doctors, asks none of them.
 */

const P = '/api/therapists/therapists';

/** The spec's default e-mail domain, when the clinic sets none (tenants.settings.therapist_email_domain). */
export const DEFAULT_THERAPIST_EMAIL_DOMAIN = 'gmail.com';

const named = z.object({ id: z.number().int(), name: z.string() });
// A therapist created through v1 (a doctor) may lack the document, the maternal surname, the e-mail and the location.
const Therapist = z.object({
  id: z.number().int(),
  reflexo_id: z.number().int(),
  reflexo_name: z.string(),
  document_type: named.nullable(),
  document_number: z.string().nullable(),
  last_name_paternal: z.string(),
  last_name_maternal: z.string().nullable(),
  first_name: z.string(),
  full_name: z.string(),
  birth_date: isoDate.nullable(),
  gender: z.enum(['M', 'F']).nullable(),
  personal_reference: z.string().nullable(),
  is_active: z.boolean(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  region: named.nullable(),
  province: named.nullable(),
  district: named.nullable(),
  address: z.string().nullable(),
  profile_picture: z.string().nullable(),
  profile_picture_url: z.string().nullable(),
  created_at: timestamp,
  updated_at: timestamp,
});
const PhotoResult = z.object({
  message: z.string(),
  therapist: z.object({ id: z.number().int(), profile_picture: z.string().nullable(), profile_picture_url: z.string().nullable() }),
});

const mediaPath = (key: string | null) => (key ? `/media/${key}` : null);
const pictures = (key: string | null, baseUrl: string) => ({ profile_picture: key ? `${baseUrl}${mediaPath(key)}` : null, profile_picture_url: mediaPath(key) });
const ref = (id: number | null, name: string | null) => (id === null ? null : { id, name: name ?? '' });

const toTherapist = (t: TherapistRecord, baseUrl: string) => ({
  id: t.id,
  reflexo_id: t.reflexo_id,
  reflexo_name: t.reflexo_name,
  document_type: ref(t.document_type_id, t.document_type_name),
  document_number: t.document_number,
  last_name_paternal: t.last_name_paternal,
  last_name_maternal: t.last_name_maternal,
  first_name: t.first_name,
  full_name: [t.first_name, t.last_name_paternal, t.last_name_maternal].filter(Boolean).join(' '),
  birth_date: t.birth_date,
  gender: t.gender as 'M' | 'F' | null,
  personal_reference: t.personal_reference,
  is_active: t.is_active,
  phone: t.phone,
  email: t.email,
  region: ref(t.region_id, t.region_name),
  province: ref(t.province_id, t.province_name),
  district: ref(t.district_id, t.district_name),
  address: t.address,
  ...pictures(t.photo_key, baseUrl),
  created_at: t.created_at,
  updated_at: t.updated_at,
});

const photoResult = (message: string, p: { id: number; photo_key: string | null }, baseUrl: string) => ({ message, therapist: { id: p.id, ...pictures(p.photo_key, baseUrl) } });

/* ---- the contract's rules ---------------------------------------------------------------------- */

/** Document number rules per document type code (DNI 8–9 digits, CE up to 12 digits…). */
function documentIssue(code: string | null, number: string): string | null {
  switch (code) {
    case 'DNI':
      return /^\d{8,9}$/.test(number) ? null : 'El DNI debe tener entre 8 y 9 dígitos.';
    case 'CE':
      return /^\d{1,12}$/.test(number) ? null : 'El carné de extranjería debe tener como máximo 12 dígitos.';
    case 'PASSPORT':
      return /^[A-Za-z0-9]{6,12}$/.test(number) ? null : 'El pasaporte debe tener entre 6 y 12 caracteres alfanuméricos.';
    case 'RUC':
      return /^\d{11}$/.test(number) ? null : 'El RUC debe tener 11 dígitos.';
    default:
      return /^[A-Za-z0-9-]{1,20}$/.test(number) ? null : 'Número de documento inválido.';
  }
}

function ageOn(birth: string, today: string): number {
  const [by, bm, bd] = birth.split('-').map(Number);
  const [ty, tm, td] = today.split('-').map(Number);
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0);
}

/**
 * Each rule runs when the request touches its fields (all of them on create and PUT, which require
 * them), on the merged row: a PATCH of the province is checked against the stored region.
 */
const reflexoRules: TherapistCheck = async (db, { reflexoId, row, sent, documentTypeCode }) => {
  const issues: FieldIssue[] = [];
  const add = (field: string, msg: string, type = 'value_error') => issues.push({ loc: ['body', field], msg, type });

  if (sent.has('document_type_id') || sent.has('document_number')) {
    if (row.document_type_id !== null && row.document_number !== null) {
      const msg = documentIssue(documentTypeCode, row.document_number);
      if (msg) add('document_number', msg);
    } else if (row.document_type_id === null && row.document_number !== null) add('document_type_id', 'Este campo es requerido.', 'missing');
    else if (row.document_type_id !== null) add('document_number', 'Este campo es requerido.', 'missing');
  }

  const levels = ['region_id', 'province_id', 'district_id'] as const;
  if (levels.some((l) => sent.has(l))) {
    const missing = levels.filter((l) => row[l] === null);
    for (const l of missing) add(l, 'Este campo es requerido para validar la ubicación.', 'missing');
    if (!missing.length) {
      const [r, p, d] = levels.map((l) => row[l]!);
      const loc = await ubigeoParents(db, r, p, d);
      if (loc.region === null) add('region_id', 'La región no existe.');
      if (loc.province === null) add('province_id', 'La provincia no existe.');
      else if (loc.province_region !== r) add('province_id', 'La provincia no pertenece a la región indicada.');
      if (loc.district === null) add('district_id', 'El distrito no existe.');
      else if (loc.district_province !== p) add('district_id', 'El distrito no pertenece a la provincia indicada.');
    }
  }

  const dated = sent.has('birth_date') && row.birth_date !== null;
  const mailed = sent.has('email') && row.email !== null;
  if (dated || mailed) {
    const clinic = await clinicCalendar(db, reflexoId);
    if (dated) {
      if (row.birth_date! > clinic.today) add('birth_date', 'La fecha de nacimiento no puede ser futura.');
      else if (ageOn(row.birth_date!, clinic.today) < 18) add('birth_date', 'El terapeuta debe tener al menos 18 años.');
    }
    // "" or "*" lifts the rule; absent, it is the contract's @gmail.com.
    const domain = (clinic.emailDomain ?? DEFAULT_THERAPIST_EMAIL_DOMAIN).trim().toLowerCase().replace(/^@/, '');
    if (mailed && domain && domain !== '*' && !row.email!.toLowerCase().endsWith(`@${domain}`)) add('email', `El email debe terminar en @${domain}.`);
  }
  if (issues.length) throw new ValidationError(issues);
};

/* ---- input ------------------------------------------------------------------------------------- */

const id = z.number({ error: 'Debe ser un número entero válido.' }).int().positive();
const text = (max: number) => z.string().trim().min(1, 'Este campo no puede estar en blanco.').max(max);
const optionalText = (max: number) => z.string().trim().max(max).nullable().optional();
const therapistBody = z.object({
  reflexo_id: id.nullable().optional(),
  document_type_id: catalogRef,
  document_number: text(20),
  last_name_paternal: text(150),
  last_name_maternal: text(150),
  first_name: text(150),
  email: z.email('Introduzca una dirección de correo electrónico válida.').max(254),
  region_id: id,
  province_id: id,
  district_id: id,
  phone: z.string().trim().regex(/^[0-9+\-\s()]{6,20}$/, 'Número de teléfono inválido.').nullable().optional(),
  address: optionalText(255),
  birth_date: isoDate.nullable().optional(),
  gender: z.enum(['M', 'F'], { error: 'Debe ser M o F.' }).nullable().optional(),
  personal_reference: optionalText(255),
  // Deactivates (false) or reactivates (true); a deleted therapist comes back with restore/.
  is_active: z.boolean({ error: 'Debe ser un valor booleano válido.' }).optional(),
});
type Body = Partial<z.output<typeof therapistBody>>;

const inputOf = ({ document_type_id, ...rest }: Body): TherapistInput => ({ ...rest, ...(document_type_id !== undefined ? { document_type: document_type_id } : {}) });

/** A Reflexo PUT replaces the therapist: the contract's optional fields it leaves out are cleared. */
const PUT_CLEARS: Body = { phone: null, address: null, birth_date: null, gender: null, personal_reference: null };

const duplicateDocument = { 409: { description: 'Otro terapeuta de la clínica tiene ese tipo y número de documento: `{"document_number": [...]}`', schema: fieldErrors } };

const restore = route({
  method: 'POST',
  path: `${P}/{id}/restore/`,
  access: 'user',
  summary: 'Restaurar terapeuta eliminado (soft delete)',
  params: idParams,
  response: Therapist,
  responses: duplicateDocument,
  entity: 'therapists',
  handler: async ({ db, actor, params, baseUrl }) => toTherapist(await restoreTherapist(db, actor!, params.id), baseUrl),
});
const photoDelete = route({
  method: 'DELETE',
  path: `${P}/{id}/photo/delete/`,
  access: 'user',
  summary: 'Eliminar foto del terapeuta',
  params: idParams,
  response: PhotoResult,
  entity: 'therapists',
  handler: async ({ db, actor, params, baseUrl }) => photoResult('Foto eliminada definitivamente', await removeTherapistPhoto(db, actor!, params.id), baseUrl),
});

const flag = z
  .enum(['true', 'false', 'True', 'False', '1', '0'], { error: 'Debe ser true o false.' })
  .optional()
  .transform((v) => (v === undefined ? undefined : v === 'true' || v === 'True' || v === '1'));

const routes: AnyRoute[] = [
  route({
    method: 'GET',
    path: `${P}/`,
    access: 'user',
    summary: 'Listar terapeutas (filtros active, region, province, district, search)',
    description: 'Nunca lista los eliminados (soft delete). `active=true`: solo activos; `active=false`: solo desactivados; sin `active`: ambos.',
    query: z.object({
      ...drfPageQuery,
      active: flag,
      region: intString.optional(),
      province: intString.optional(),
      district: intString.optional(),
      search: z.string().trim().max(100).optional(),
    }),
    response: drfPageSchema(Therapist),
    handler: async ({ db, actor, query, baseUrl, path }) => {
      const page = await listTherapists(db, actor!, { ...query, size: query.page_size });
      return drfPage({ ...page, rows: page.rows.map((t) => toTherapist(t, baseUrl)) }, baseUrl, path, { ...query, active: query.active === undefined ? undefined : String(query.active) });
    },
  }),
  ...resourceRoutes({
    prefix: P,
    dialect: 'reflexo',
    noun: 'terapeuta',
    entity: 'therapists',
    access: 'user',
    item: Therapist,
    create: {
      body: therapistBody,
      responses: duplicateDocument,
      handler: async ({ db, actor, body, baseUrl }: Req<unknown, unknown, Body>) => toTherapist(await createTherapist(db, actor!, inputOf(body), { check: reflexoRules }), baseUrl),
    },
    get: { handler: async ({ db, actor, params, baseUrl }) => toTherapist(await getTherapist(db, actor!, params.id), baseUrl) },
    update: {
      body: therapistBody,
      patchBody: therapistBody.partial(),
      responses: duplicateDocument,
      handler: async ({ db, actor, params, body, baseUrl }: Req<{ id: number }, unknown, Body>, full) =>
        toTherapist(await editTherapist(db, actor!, params.id, inputOf(full ? { ...PUT_CLEARS, ...body } : body), { check: reflexoRules }), baseUrl),
    },
    remove: {
      summary: 'Eliminar terapeuta (soft delete)',
      handler: ({ db, actor, params }) => softDeleteTherapist(db, actor!, params.id),
    },
  }),
  route({
    method: 'DELETE',
    path: `${P}/{id}/hard-delete/`,
    access: 'admin',
    summary: 'Eliminar terapeuta definitivamente (hard delete)',
    params: idParams,
    status: 204,
    responses: { 409: { description: 'El terapeuta tiene citas registradas (use la eliminación lógica)' } },
    entity: 'therapists',
    handler: async ({ db, actor, params }) => {
      await hardDeleteTherapist(db, actor!, params.id);
      return reply(204);
    },
  }),
  restore,
  { ...restore, method: 'PATCH' },
  route({
    method: 'POST',
    path: `${P}/{id}/photo/`,
    access: 'user',
    summary: 'Subir foto del terapeuta (multipart, campo photo_file)',
    params: idParams,
    multipart: true,
    response: PhotoResult,
    responses: { 400: { description: 'Falta el archivo photo_file, o no es un JPG/PNG válido de hasta 2 MB' } },
    entity: 'therapists',
    handler: async ({ db, actor, params, files, baseUrl }) =>
      photoResult('Foto actualizada', await setTherapistPhoto(db, actor!, params.id, files.find((f) => f.field === 'photo_file')), baseUrl),
  }),
  photoDelete,
  { ...photoDelete, path: `${P}/{id}/photo/` },
];

export const group = defineReflexoGroup({ name: 'therapists-therapists', prefixes: [P], tag: 'Therapists', tenantScoped: true, routes });

export const handler = createHandler(group);

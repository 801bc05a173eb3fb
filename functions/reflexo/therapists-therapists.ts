import { z } from 'zod';
import { defineReflexoGroup } from './surface';
import { createHandler } from '../../lib/http/app';
import { reply, route, type AnyRoute } from '../../lib/http/route';
import { drfPage, drfPageQuery, drfPageSchema } from '../../lib/http/pagination';
import { fieldErrors, idParams, intString, isoDate, timestamp } from '../../lib/http/schemas';
import {
  createTherapist,
  editTherapist,
  getTherapist,
  hardDeleteTherapist,
  listTherapists,
  removeTherapistPhoto,
  restoreTherapist,
  setTherapistPhoto,
  softDeleteTherapist,
} from '../../lib/domain/therapists';

/* Module 4 of reflexo-api.md: a clinic's therapists (tenant data), photos in S3. */

const P = '/api/therapists/therapists';

const named = z.object({ id: z.number().int(), name: z.string() });
const Therapist = z.object({
  id: z.number().int(),
  reflexo_id: z.number().int(),
  reflexo_name: z.string(),
  document_type: named,
  document_number: z.string(),
  last_name_paternal: z.string(),
  last_name_maternal: z.string(),
  first_name: z.string(),
  full_name: z.string(),
  birth_date: isoDate.nullable(),
  gender: z.enum(['M', 'F']).nullable(),
  personal_reference: z.string().nullable(),
  is_active: z.boolean(),
  phone: z.string().nullable(),
  email: z.string(),
  region: named,
  province: named,
  district: named,
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

const id = z.number({ error: 'Debe ser un número entero válido.' }).int().positive();
const text = (max: number) => z.string().trim().min(1, 'Este campo no puede estar en blanco.').max(max);
const optionalText = (max: number) => z.string().trim().max(max).nullable().optional();
const therapistBody = z.object({
  reflexo_id: id.nullable().optional(),
  document_type_id: id,
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
});

const duplicateDocument = { 409: { description: 'Otro terapeuta de la clínica tiene ese tipo y número de documento: `{"document_number": [...]}`', schema: fieldErrors } };

const create = route({
  method: 'POST',
  path: `${P}/create/`,
  access: 'user',
  summary: 'Crear terapeuta',
  body: therapistBody,
  status: 201,
  response: Therapist,
  responses: duplicateDocument,
  handler: async ({ db, actor, body, baseUrl }) => reply(201, await createTherapist(db, actor!, body, baseUrl)),
});
const put = route({
  method: 'PUT',
  path: `${P}/{id}/edit/`,
  access: 'user',
  summary: 'Editar terapeuta (completo)',
  params: idParams,
  body: therapistBody,
  response: Therapist,
  responses: duplicateDocument,
  entity: 'therapists',
  handler: ({ db, actor, params, body, baseUrl }) => editTherapist(db, actor!, params.id, body, true, baseUrl),
});
const patch = route({
  method: 'PATCH',
  path: `${P}/{id}/edit/`,
  access: 'user',
  summary: 'Editar terapeuta (parcial)',
  params: idParams,
  body: therapistBody.partial(),
  response: Therapist,
  responses: duplicateDocument,
  entity: 'therapists',
  handler: ({ db, actor, params, body, baseUrl }) => editTherapist(db, actor!, params.id, body, false, baseUrl),
});
const softDelete = route({
  method: 'DELETE',
  path: `${P}/{id}/delete/`,
  access: 'user',
  summary: 'Eliminar terapeuta (soft delete)',
  params: idParams,
  status: 204,
  entity: 'therapists',
  handler: async ({ db, actor, params }) => {
    await softDeleteTherapist(db, actor!, params.id);
    return reply(204);
  },
});
const restore = route({
  method: 'POST',
  path: `${P}/{id}/restore/`,
  access: 'user',
  summary: 'Restaurar terapeuta eliminado (soft delete)',
  params: idParams,
  response: Therapist,
  responses: duplicateDocument,
  entity: 'therapists',
  handler: ({ db, actor, params, baseUrl }) => restoreTherapist(db, actor!, params.id, baseUrl),
});
const photoDelete = route({
  method: 'DELETE',
  path: `${P}/{id}/photo/delete/`,
  access: 'user',
  summary: 'Eliminar foto del terapeuta',
  params: idParams,
  response: PhotoResult,
  entity: 'therapists',
  handler: ({ db, actor, params, baseUrl }) => removeTherapistPhoto(db, actor!, params.id, baseUrl),
});

const routes: AnyRoute[] = [
  route({
    method: 'GET',
    path: `${P}/`,
    access: 'user',
    summary: 'Listar terapeutas (filtros active, region, province, district, search)',
    query: z.object({
      ...drfPageQuery,
      active: z
        .enum(['true', 'false', 'True', 'False', '1', '0'], { error: 'Debe ser true o false.' })
        .optional()
        .transform((v) => v === undefined || v === 'true' || v === 'True' || v === '1'),
      region: intString.optional(),
      province: intString.optional(),
      district: intString.optional(),
      search: z.string().trim().max(100).optional(),
    }),
    response: drfPageSchema(Therapist),
    handler: async ({ db, actor, query, baseUrl, path }) =>
      drfPage(await listTherapists(db, actor!, { ...query, size: query.page_size }, baseUrl), baseUrl, path, { ...query, active: query.active ? undefined : 'false' }),
  }),
  create,
  { ...create, path: `${P}/`, summary: 'Crear terapeuta (dialecto DRF)' },
  put,
  { ...put, path: `${P}/{id}/` },
  patch,
  { ...patch, path: `${P}/{id}/` },
  softDelete,
  { ...softDelete, path: `${P}/{id}/` },
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
  route({
    method: 'GET',
    path: `${P}/{id}/`,
    access: 'user',
    summary: 'Ver terapeuta',
    params: idParams,
    response: Therapist,
    entity: 'therapists',
    handler: ({ db, actor, params, baseUrl }) => getTherapist(db, actor!, params.id, baseUrl),
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
    handler: ({ db, actor, params, files, baseUrl }) =>
      setTherapistPhoto(db, actor!, params.id, files.find((f) => f.field === 'photo_file'), baseUrl),
  }),
  photoDelete,
  { ...photoDelete, path: `${P}/{id}/photo/` },
];

export const group = defineReflexoGroup({ name: 'therapists-therapists', prefixes: [P], tag: 'Therapists', tenantScoped: true, routes });

export const handler = createHandler(group);

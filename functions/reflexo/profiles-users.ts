import { z } from 'zod';
import { defineReflexoGroup } from './surface';
import { createHandler } from '../../lib/http/app';
import { created, route } from '../../lib/http/route';
import { drfPage, drfPageQuery, drfPageSchema } from '../../lib/http/pagination';
import { nullableTimestamp, timestamp } from '../../lib/http/schemas';
import { deleteMe, deleteMyPhoto, getMyProfile, searchUsers, updateMyProfile, uploadMyPhoto } from '../../lib/domain/identity-profiles';
import type { UserRecord } from '../../lib/domain/identity-users';
import { mediaUrl } from '../../lib/storage/s3';
import { inactiveClinic, Message } from './identity-shapes';

/*
 * Module 2 profiles (/api/profiles/users): the caller's own profile, photo, account; user search.
 * The update takes JSON or multipart (with photo_file), as real frontends send it. Fields the profile
 * cannot change (e-mail, flags, clinic, role) pass when sent back unchanged and are refused (400,
 * naming them) when they differ.
 */

const text = (max: number) => z.string().trim().max(max);
const fields = {
  user_name: text(150).min(1),
  name: text(150).nullable(),
  paternal_lastname: text(150).nullable(),
  maternal_lastname: text(150).nullable(),
  phone: text(20).nullable(),
  document_number: text(20).nullable(),
  sex: text(1).nullable(),
};
const PatchBody = z.object({
  user_name: fields.user_name.optional(),
  name: fields.name.optional(),
  paternal_lastname: fields.paternal_lastname.optional(),
  maternal_lastname: fields.maternal_lastname.optional(),
  phone: fields.phone.optional(),
  document_number: fields.document_number.optional(),
  sex: fields.sex.optional(),
  email: z.email().max(254).optional(),
  is_active: z.boolean().optional(),
  is_staff: z.boolean().optional(),
  is_superuser: z.boolean().optional(),
  reflexo_id: z.number().int().positive().nullable().optional(),
  role_id: z.number().int().positive().nullable().optional(),
});
const PutBody = PatchBody.extend({ user_name: fields.user_name, name: fields.name });

const Profile = z.object({
  id: z.number().int(),
  user_name: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  paternal_lastname: z.string().nullable(),
  maternal_lastname: z.string().nullable(),
  full_name: z.string(),
  phone: z.string().nullable(),
  account_statement: z.string(),
  is_active: z.boolean(),
  date_joined: timestamp,
  last_login: nullableTimestamp,
  profile_photo_url: z.string().nullable(),
  document_number: z.string().nullable(),
  document_type: z.null(),
  sex: z.string().nullable(),
  country: z.null(),
  photo_url: z.string().nullable(),
});

const relativeMedia = (key: string | null) => (key ? `/media/${key}` : null);

const toProfile = (u: UserRecord, baseUrl: string) => ({
  id: u.id,
  user_name: u.user_name,
  email: u.email,
  name: u.name,
  paternal_lastname: u.paternal_lastname,
  maternal_lastname: u.maternal_lastname,
  full_name: [u.name, u.paternal_lastname, u.maternal_lastname].filter(Boolean).join(' '),
  phone: u.phone,
  account_statement: u.account_statement,
  is_active: u.is_active,
  date_joined: u.created_at,
  last_login: u.last_login,
  profile_photo_url: relativeMedia(u.photo_key),
  document_number: u.document_number,
  document_type: null,
  sex: u.sex,
  country: null,
  photo_url: mediaUrl(baseUrl, u.photo_key),
});

const updateRoute = (method: 'PUT' | 'PATCH') =>
  route({
    method,
    path: '/api/profiles/users/me/update/',
    access: 'user',
    summary: method === 'PUT' ? 'Actualizar mi perfil (completo; JSON o multipart con photo_file)' : 'Actualizar campos puntuales de mi perfil',
    body: method === 'PUT' ? PutBody : PatchBody,
    multipart: true,
    response: Profile,
    responses: inactiveClinic,
    handler: async ({ db, actor, body, files, baseUrl }) => toProfile(await updateMyProfile(db, actor!, body, files.find((f) => f.field === 'photo_file')), baseUrl),
  });

export const group = defineReflexoGroup({
  name: 'profiles-users',
  prefixes: ['/api/profiles/users'],
  tag: 'Profiles: users',
  routes: [
    route({
      method: 'GET',
      path: '/api/profiles/users/me/',
      access: 'user',
      summary: 'Mi perfil de usuario',
      response: Profile,
      responses: inactiveClinic,
      handler: async ({ db, actor, baseUrl }) => toProfile(await getMyProfile(db, actor!), baseUrl),
    }),
    updateRoute('PUT'),
    updateRoute('PATCH'),
    route({
      method: 'POST',
      path: '/api/profiles/users/me/create/photo/',
      access: 'user',
      summary: 'Subir foto de perfil (multipart photo_file; JPG/PNG por contenido, máx. 2 MB)',
      multipart: true,
      status: 201,
      response: z.object({ message: z.string(), photo_url: z.string() }),
      responses: { ...inactiveClinic, 400: { description: 'Falta el archivo photo_file, o no es un JPG/PNG válido de hasta 2 MB' } },
      handler: async ({ db, actor, files }) => {
        const u = await uploadMyPhoto(db, actor!, files.find((f) => f.field === 'photo_file'));
        return created({ message: 'Foto de perfil actualizada exitosamente', photo_url: relativeMedia(u.photo_key)! });
      },
    }),
    route({
      method: 'DELETE',
      path: '/api/profiles/users/me/delete/photo/',
      access: 'user',
      summary: 'Eliminar foto de perfil (se borra también el archivo)',
      response: Message,
      responses: { ...inactiveClinic, 404: { description: 'No tiene foto de perfil' } },
      handler: async ({ db, actor }) => {
        await deleteMyPhoto(db, actor!);
        return { message: 'Foto de perfil eliminada definitivamente' };
      },
    }),
    route({
      method: 'DELETE',
      path: '/api/profiles/users/me/delete/',
      access: 'user',
      summary: 'Eliminar mi usuario (hard delete)',
      response: Message,
      responses: inactiveClinic,
      handler: async ({ db, actor }) => {
        await deleteMe(db, actor!);
        return { message: 'Usuario eliminado definitivamente' };
      },
    }),
    route({
      method: 'GET',
      path: '/api/profiles/users/search/',
      access: 'user',
      summary: 'Buscar usuarios por coincidencia parcial del nombre de usuario o nombres (?q=, paginado)',
      query: z.object({ q: z.string().max(100).optional(), ...drfPageQuery }),
      response: drfPageSchema(Profile),
      responses: inactiveClinic,
      handler: async ({ db, query, baseUrl, path }) => {
        const page = await searchUsers(db, query.q, query.page, query.page_size);
        return drfPage({ ...page, rows: page.rows.map((u) => toProfile(u, baseUrl)) }, baseUrl, path, query);
      },
    }),
    route({
      method: 'GET',
      path: '/api/profiles/users/profile/',
      access: 'user',
      summary: 'Ver mi perfil completo',
      response: Profile,
      responses: inactiveClinic,
      handler: async ({ db, actor, baseUrl }) => toProfile(await getMyProfile(db, actor!), baseUrl),
    }),
  ],
});

export const handler = createHandler(group);

import { z } from 'zod';
import { defineReflexoGroup } from './surface';
import { createHandler } from '../../lib/http/app';
import { created, route, type AnyRoute } from '../../lib/http/route';
import { errorBody, idParams, timestamp } from '../../lib/http/schemas';
import { createUser, deleteUser, editUser, getUser, listUsers } from '../../lib/domain/identity-users';

/* Module 1 users (/api/architect/users): list, create, edit (PUT/PATCH), hard delete; DRF router aliases too. */

const text = (max: number) => z.string().trim().max(max);
const editable = {
  email: z.email().max(254),
  user_name: text(150).min(1),
  name: text(150).nullable(),
  document_number: text(20).nullable(),
  paternal_lastname: text(150).nullable(),
  maternal_lastname: text(150).nullable(),
  sex: text(1).nullable(),
  phone: text(20).nullable(),
  password: z.string().min(1).max(1024),
  is_active: z.boolean(),
  is_staff: z.boolean(),
  is_superuser: z.boolean(),
  reflexo_id: z.number().int().positive().nullable(),
  role_id: z.number().int().positive().nullable(),
};
const optional = Object.fromEntries(Object.entries(editable).map(([k, v]) => [k, v.optional()])) as { [K in keyof typeof editable]: z.ZodOptional<(typeof editable)[K]> };

const CreateBody = z.object({ ...optional, email: editable.email, user_name: editable.user_name, password: editable.password });
// The contract's PUT example names these six; everything else stays as it is.
const PutBody = z.object({
  ...optional,
  email: editable.email,
  user_name: editable.user_name,
  name: editable.name,
  document_number: editable.document_number,
  paternal_lastname: editable.paternal_lastname,
  maternal_lastname: editable.maternal_lastname,
});
const PatchBody = z.object(optional);

const ListItem = z.object({
  id: z.number().int(),
  email: z.string(),
  user_name: z.string(),
  name: z.string().nullable(),
  paternal_lastname: z.string().nullable(),
  maternal_lastname: z.string().nullable(),
  is_active: z.boolean(),
  is_staff: z.boolean(),
  is_superuser: z.boolean(),
});
const UserDetail = ListItem.extend({
  document_number: z.string().nullable(),
  phone: z.string().nullable(),
  sex: z.string().nullable(),
  account_statement: z.string(),
  reflexo_id: z.number().int().nullable(),
  role_id: z.number().int().nullable(),
  created_at: timestamp,
  updated_at: timestamp,
});
const Forbidden403 = { 403: { description: 'Sin permisos: `{"error": "No tienes permisos para acceder a esta información"}`', schema: errorBody } };

const createRoute = route({
  method: 'POST',
  path: '/api/architect/users/create/',
  access: 'user',
  summary: 'Crear usuario (is_staff/is_superuser/reflexo_id solo desde un superusuario)',
  body: CreateBody,
  status: 201,
  response: UserDetail,
  responses: Forbidden403,
  handler: async ({ db, actor, body }) => created(await createUser(db, actor!, body)),
});
const putRoute = route({
  method: 'PUT',
  path: '/api/architect/users/{id}/edit/',
  access: 'user',
  summary: 'Editar usuario (completo)',
  params: idParams,
  body: PutBody,
  response: UserDetail,
  responses: Forbidden403,
  entity: 'users',
  handler: ({ db, actor, params, body }) => editUser(db, actor!, params.id, body),
});
const patchRoute = route({
  method: 'PATCH',
  path: '/api/architect/users/{id}/edit/',
  access: 'user',
  summary: 'Editar usuario (parcial)',
  params: idParams,
  body: PatchBody,
  response: UserDetail,
  responses: Forbidden403,
  entity: 'users',
  handler: ({ db, actor, params, body }) => editUser(db, actor!, params.id, body),
});
const deleteRoute = route({
  method: 'DELETE',
  path: '/api/architect/users/{id}/delete/',
  access: 'user',
  summary: 'Eliminar usuario (hard delete; un admin no superusuario no puede eliminar a un superusuario)',
  params: idParams,
  response: z.object({ message: z.string() }),
  responses: Forbidden403,
  entity: 'users',
  handler: ({ db, actor, params }) => deleteUser(db, actor!, params.id),
});
const drf = (r: AnyRoute, path: string): AnyRoute => ({ ...r, path, summary: `${r.summary} (alias DRF)` });

export const group = defineReflexoGroup({
  name: 'architect-users',
  prefixes: ['/api/architect/users'],
  tag: 'Architect: users',
  routes: [
    route({
      method: 'GET',
      path: '/api/architect/users/',
      access: 'user',
      summary: 'Listar usuarios (superusuario: todos; staff: solo él mismo; otros: 403)',
      response: z.array(ListItem),
      responses: Forbidden403,
      handler: ({ db, actor }) => listUsers(db, actor!),
    }),
    createRoute,
    putRoute,
    patchRoute,
    deleteRoute,
    drf(createRoute, '/api/architect/users/'),
    route({
      method: 'GET',
      path: '/api/architect/users/{id}/',
      access: 'user',
      summary: 'Ver usuario (alias DRF)',
      params: idParams,
      response: UserDetail,
      responses: Forbidden403,
      entity: 'users',
      handler: ({ db, actor, params }) => getUser(db, actor!, params.id),
    }),
    drf(putRoute, '/api/architect/users/{id}/'),
    drf(patchRoute, '/api/architect/users/{id}/'),
    drf(deleteRoute, '/api/architect/users/{id}/'),
  ],
});

export const handler = createHandler(group);

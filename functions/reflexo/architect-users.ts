import { z } from 'zod';
import { defineReflexoGroup } from './surface';
import { createHandler } from '../../lib/http/app';
import { resourceRoutes } from '../../lib/http/resource';
import { route } from '../../lib/http/route';
import { detailBody, errorBody, timestamp } from '../../lib/http/schemas';
import { createUser, deleteUser, editUser, getOwnAccount, getUser, listUsers, usersForbidden, type UserRecord } from '../../lib/domain/identity-users';
import { Message } from './identity-shapes';

/*
 * Module 1 users (/api/architect/users): list, create, edit (PUT/PATCH), hard delete; DRF router
 * aliases too. is_staff, is_superuser and reflexo_id come only from a superuser: anyone else who
 * sends a value other than the user's gets a 400 naming the field (the spec says "ignored").
 */

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

const toListItem = (u: UserRecord) => ({
  id: u.id,
  email: u.email,
  user_name: u.user_name,
  name: u.name,
  paternal_lastname: u.paternal_lastname,
  maternal_lastname: u.maternal_lastname,
  is_active: u.is_active,
  is_staff: u.is_staff,
  is_superuser: u.is_superuser,
});

const toDetail = (u: UserRecord) => ({
  id: u.id,
  user_name: u.user_name,
  email: u.email,
  name: u.name,
  document_number: u.document_number,
  paternal_lastname: u.paternal_lastname,
  maternal_lastname: u.maternal_lastname,
  phone: u.phone,
  sex: u.sex,
  account_statement: u.account_statement,
  is_active: u.is_active,
  is_staff: u.is_staff,
  is_superuser: u.is_superuser,
  reflexo_id: u.reflexo_id,
  role_id: u.role_id,
  created_at: u.created_at,
  updated_at: u.updated_at,
});

const Forbidden403 = { 403: { description: 'Sin permisos: `{"error": "No tienes permisos para acceder a esta información"}`; o la clínica del usuario está desactivada (`{"detail"}`)', schema: z.union([errorBody, detailBody]) } };

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
      // The contract's own rule for this list: staff see only themselves, whatever else they administer.
      handler: async ({ db, actor }) => {
        if (actor!.isSuperuser) return (await listUsers(db, actor!)).map(toListItem);
        if (actor!.isStaff) return [toListItem(await getOwnAccount(db, actor!))];
        throw usersForbidden();
      },
    }),
    ...resourceRoutes({
      prefix: '/api/architect/users',
      dialect: 'reflexo',
      noun: 'usuario',
      entity: 'users',
      access: 'user',
      item: UserDetail,
      create: {
        summary: 'Crear usuario (is_staff/is_superuser/reflexo_id solo desde un superusuario)',
        body: CreateBody,
        responses: Forbidden403,
        handler: async ({ db, actor, body }) => toDetail(await createUser(db, actor!, body)),
      },
      get: { responses: Forbidden403, handler: async ({ db, actor, params }) => toDetail(await getUser(db, actor!, params.id)) },
      update: {
        body: PutBody,
        patchBody: PatchBody,
        responses: Forbidden403,
        handler: async ({ db, actor, params, body }) => toDetail(await editUser(db, actor!, params.id, body)),
      },
      remove: {
        summary: 'Eliminar usuario (hard delete; un admin no superusuario no puede eliminar a un superusuario)',
        status: 200,
        response: Message,
        responses: Forbidden403,
        handler: async ({ db, actor, params }) => {
          await deleteUser(db, actor!, params.id);
          return { message: 'Usuario eliminado definitivamente' };
        },
      },
    }),
  ],
});

export const handler = createHandler(group);

import { z } from 'zod';
import { defineReflexoGroup } from './surface';
import { createHandler } from '../../lib/http/app';
import { created, route, type AnyRoute } from '../../lib/http/route';
import { errorBody, idParams, timestamp } from '../../lib/http/schemas';
import { assertRoleAdmin, createRole, deleteRole, editRole, listRoles } from '../../lib/domain/identity-roles';

/* Module 1 roles (/api/architect/roles): admin-only CRUD of the global role catalog, ordered by name. */

const name = z.string().trim().min(1, 'Este campo no puede estar en blanco.').max(100);
const guardName = z.string().trim().min(1).max(100);
const Role = z.object({ id: z.number().int(), name: z.string(), guard_name: z.string(), created_at: timestamp, updated_at: timestamp });
// The contract's 403 is DRF's English message; its 404 the spec's `{"error"}`.
const forbidden = { 403: { description: 'Solo administradores: `{"detail": "You do not have permission to perform this action."}`' } };
const notFound = { ...forbidden, 404: { description: '`{"error": "Rol no encontrado"}`', schema: errorBody } };
const duplicate = { 409: { description: 'Ya existe un rol con ese nombre' } };

// access 'user' + an explicit check: the contract's 403 body is DRF's English message, not ours.
const createRoute = route({
  method: 'POST',
  path: '/api/architect/roles/create/',
  access: 'user',
  summary: 'Crear rol',
  body: z.object({ name, guard_name: guardName.optional() }),
  status: 201,
  response: Role,
  responses: { ...forbidden, ...duplicate },
  handler: async ({ db, actor, body }) => {
    assertRoleAdmin(actor);
    return created(await createRole(db, body));
  },
});
const putRoute = route({
  method: 'PUT',
  path: '/api/architect/roles/{id}/edit/',
  access: 'user',
  summary: 'Editar rol (completo)',
  params: idParams,
  body: z.object({ name, guard_name: guardName.optional() }),
  response: Role,
  responses: { ...notFound, ...duplicate },
  handler: ({ db, actor, params, body }) => {
    assertRoleAdmin(actor);
    return editRole(db, params.id, body);
  },
});
const patchRoute = route({
  method: 'PATCH',
  path: '/api/architect/roles/{id}/edit/',
  access: 'user',
  summary: 'Editar rol (parcial)',
  params: idParams,
  body: z.object({ name: name.optional(), guard_name: guardName.optional() }),
  response: Role,
  responses: { ...notFound, ...duplicate },
  handler: ({ db, actor, params, body }) => {
    assertRoleAdmin(actor);
    return editRole(db, params.id, body);
  },
});
const deleteRoute = route({
  method: 'DELETE',
  path: '/api/architect/roles/{id}/delete/',
  access: 'user',
  summary: 'Eliminar rol',
  params: idParams,
  response: z.object({ message: z.string() }),
  responses: notFound,
  handler: ({ db, actor, params }) => {
    assertRoleAdmin(actor);
    return deleteRole(db, params.id);
  },
});
const drf = (r: AnyRoute, path: string): AnyRoute => ({ ...r, path, summary: `${r.summary} (alias DRF)` });

export const group = defineReflexoGroup({
  name: 'architect-roles',
  prefixes: ['/api/architect/roles'],
  tag: 'Architect: roles',
  routes: [
    route({
      method: 'GET',
      path: '/api/architect/roles/',
      access: 'user',
      summary: 'Listar roles (orden alfabético)',
      response: z.array(Role),
      responses: forbidden,
      handler: ({ db, actor }) => {
        assertRoleAdmin(actor);
        return listRoles(db);
      },
    }),
    createRoute,
    putRoute,
    patchRoute,
    deleteRoute,
    drf(createRoute, '/api/architect/roles/'),
    route({
      method: 'GET',
      path: '/api/architect/roles/{id}/',
      access: 'user',
      summary: 'Ver rol (alias DRF)',
      params: idParams,
      response: Role,
      responses: notFound,
      handler: ({ db, actor, params }) => {
        assertRoleAdmin(actor);
        return editRole(db, params.id, {});
      },
    }),
    drf(putRoute, '/api/architect/roles/{id}/'),
    drf(patchRoute, '/api/architect/roles/{id}/'),
    drf(deleteRoute, '/api/architect/roles/{id}/'),
  ],
});

export const handler = createHandler(group);

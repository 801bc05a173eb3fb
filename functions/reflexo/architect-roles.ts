import { z } from 'zod';
import { presentReflexoError } from './surface';
import { createHandler } from '../../lib/http/app';
import type { ErrorPresenter } from '../../lib/http/errors';
import { resourceRoutes } from '../../lib/http/resource';
import { defineGroup, route } from '../../lib/http/route';
import { errorBody, timestamp } from '../../lib/http/schemas';
import { createRole, deleteRole, editRole, getRole, listRoles, type RoleRecord } from '../../lib/domain/identity-roles';
import { Message } from './identity-shapes';

/*
 * Module 1 roles (/api/architect/roles): one catalog every clinic shares, ordered by name. Clinic
 * administrators and superusers read it; only the platform (superusers and platform staff) writes it,
 * so no clinic can rename or delete a role the others use. A role's `code` (what it may do) is not
 * part of the contract and never changes through it.
 */
const PREFIX = '/api/architect/roles';

const name = z.string().trim().min(1, 'Este campo no puede estar en blanco.').max(100);
// Blank (as a form sends an untouched field) means the default guard, "api".
const guardName = z.string().trim().max(100);
const Role = z.object({ id: z.number().int(), name: z.string(), guard_name: z.string(), created_at: timestamp, updated_at: timestamp });

const toRole = (r: RoleRecord) => ({ id: r.id, name: r.name, guard_name: r.guard_name, created_at: r.created_at, updated_at: r.updated_at });

// The contract's 403 is DRF's own English message, for every refusal of these routes' access level.
const DRF_PERMISSION_DENIED = 'You do not have permission to perform this action.';
const presentError: ErrorPresenter = (e) => (e.status === 403 && e.generic ? { detail: DRF_PERMISSION_DENIED } : presentReflexoError(e));

const notFound = { 404: { description: '`{"error": "Rol no encontrado"}`', schema: errorBody } };
const duplicate = { 409: { description: 'Ya existe un rol con ese nombre' } };
const Body = z.object({ name, guard_name: guardName.optional() });

export const group = defineGroup({
  name: 'architect-roles',
  prefixes: [PREFIX],
  tag: 'Architect: roles',
  presentError,
  routes: [
    route({
      method: 'GET',
      path: `${PREFIX}/`,
      access: 'admin',
      summary: 'Listar roles (orden alfabético; administradores de clínica y superusuarios)',
      response: z.array(Role),
      handler: async ({ db }) => (await listRoles(db)).map(toRole),
    }),
    ...resourceRoutes({
      prefix: PREFIX,
      dialect: 'reflexo',
      noun: 'rol',
      entity: 'roles',
      access: 'platform',
      item: Role,
      create: {
        summary: 'Crear rol (solo la plataforma: superusuarios y staff de plataforma; guard_name por defecto "api")',
        body: Body,
        responses: duplicate,
        handler: async ({ db, actor, body }) => toRole(await createRole(db, actor, body)),
      },
      get: { access: 'admin', responses: notFound, handler: async ({ db, params }) => toRole(await getRole(db, params.id)) },
      update: {
        body: Body,
        patchBody: Body.partial(),
        responses: { ...notFound, ...duplicate },
        handler: async ({ db, actor, params, body }) => toRole(await editRole(db, actor, params.id, body)),
      },
      remove: {
        summary: 'Eliminar rol (solo la plataforma; el rol de administrador de clínica no se elimina)',
        status: 200,
        response: Message,
        responses: { ...notFound, 409: { description: 'El rol define permisos de las clínicas (administrador): `{"error": "..."}`', schema: errorBody } },
        handler: async ({ db, actor, params }) => {
          await deleteRole(db, actor, params.id);
          return { message: 'Rol eliminado' };
        },
      },
    }),
  ],
});

export const handler = createHandler(group);

import { z } from 'zod';
import type { UserRecord } from '../../lib/domain/identity-users';
import { createUser, deleteUser, editUser, getUser, listUsers } from '../../lib/domain/identity-users';
import { listRoles, type RoleRecord } from '../../lib/domain/identity-roles';
import { ValidationError } from '../../lib/errors';
import { createHandler } from '../../lib/http/app';
import { resourceRoutes } from '../../lib/http/resource';
import { isoUtc } from '../../lib/time';
import { defineV1Group, listRoute } from './surface';

/*
 * v1 users and roles: the caller's clinic users (clinic admins; superusers see everyone) and the role
 * catalog. Same domain as /api/architect/users: a user created here logs in on both surfaces.
 */
const idParam = (name: string) => z.object({ [name]: z.string().regex(/^\d{1,9}$/, 'Input should be a valid integer').transform(Number) });

export const UsuarioV1 = z
  .object({
    id: z.number().int(),
    username: z.string(),
    email: z.string(),
    role: z.string().nullable(),
    role_id: z.number().int().nullable(),
    full_name: z.string(),
    nombres: z.string().nullable(),
    apellidos: z.string().nullable(),
    telefono: z.string().nullable(),
    activo: z.boolean(),
    reflexo_id: z.number().int().nullable(),
    last_login: z.string().nullable(),
    created_at: z.string(),
  })
  .meta({ id: 'UsuarioV1' });

const apellidos = (u: UserRecord) => [u.paternal_lastname, u.maternal_lastname].filter(Boolean).join(' ') || null;
export const fullName = (u: UserRecord) => [u.name, u.paternal_lastname, u.maternal_lastname].filter(Boolean).join(' ') || u.user_name;

export const toUsuario = (u: UserRecord) => ({
  id: u.id,
  username: u.user_name,
  email: u.email,
  role: u.role_name,
  role_id: u.role_id,
  full_name: fullName(u),
  nombres: u.name,
  apellidos: apellidos(u),
  telefono: u.phone,
  activo: u.is_active,
  reflexo_id: u.reflexo_id,
  last_login: u.last_login ? isoUtc(new Date(u.last_login)) : null,
  created_at: isoUtc(new Date(u.created_at)),
});

/** v1 names → the domain's: `nombres`/`apellidos` (or `full_name`), `telefono`, `activo`. */
export function userInput(b: { nombres?: string | null; apellidos?: string | null; full_name?: string; telefono?: string | null; activo?: boolean; username?: string; email?: string; password?: string; role_id?: number | null }) {
  const names = b.full_name !== undefined && b.nombres === undefined ? b.full_name.trim().split(/\s+/) : null;
  const last = (b.apellidos ?? (names ? names.slice(1).join(' ') : undefined))?.trim().split(/\s+/);
  return {
    ...(b.username !== undefined ? { user_name: b.username } : {}),
    ...(b.email !== undefined ? { email: b.email } : {}),
    ...(b.password !== undefined ? { password: b.password } : {}),
    ...(b.role_id !== undefined ? { role_id: b.role_id } : {}),
    ...(b.activo !== undefined ? { is_active: b.activo } : {}),
    ...(b.telefono !== undefined ? { phone: b.telefono } : {}),
    ...(b.nombres !== undefined || names ? { name: b.nombres ?? names![0] ?? null } : {}),
    ...(last ? { paternal_lastname: last[0] || null, maternal_lastname: last.slice(1).join(' ') || null } : {}),
  };
}

const text = (max: number) => z.string().trim().max(max);
const UserBody = z.object({
  username: text(150).min(1),
  email: z.email().max(254),
  password: z.string().min(1).max(1024),
  nombres: text(150).nullable().optional(),
  apellidos: text(300).nullable().optional(),
  full_name: text(450).optional(),
  telefono: text(20).nullable().optional(),
  role_id: z.number().int().positive().nullable().optional(),
  activo: z.boolean().optional(),
});

const Rol = z.object({ id: z.number().int(), nombre: z.string(), codigo: z.string().nullable(), guard_name: z.string() }).meta({ id: 'RolV1' });
const toRol = (r: RoleRecord) => ({ id: r.id, nombre: r.name, codigo: r.code, guard_name: r.guard_name });

const page = <T>(rows: T[], p: { page: number; size: number }) => ({ rows: rows.slice((p.page - 1) * p.size, p.page * p.size), count: rows.length });

export const group = defineV1Group({
  name: 'v1-users',
  prefixes: ['/api/v1/users', '/api/v1/roles'],
  tag: 'v1 · Usuarios y roles',
  tenantScoped: true,
  routes: [
    listRoute({
      path: '/api/v1/users',
      access: 'admin',
      summary: 'Usuarios de la clínica (administradores de la clínica; superusuarios: todos)',
      item: UsuarioV1,
      load: async ({ db, actor, query }) => page(await listUsers(db, actor!), query),
      present: toUsuario,
    }),
    ...resourceRoutes({
      prefix: '/api/v1/users',
      dialect: 'v1',
      idName: 'user_id',
      params: idParam('user_id'),
      noun: 'usuario',
      entity: 'users',
      access: 'admin',
      item: UsuarioV1,
      create: {
        body: UserBody.refine((b) => !!(b.nombres || b.full_name), { message: 'Field required', path: ['nombres'] }),
        responses: { 409: { description: 'Usuario o e-mail ya registrado' } },
        handler: async ({ db, actor, body }) => toUsuario(await createUser(db, actor!, { ...userInput(body), email: body.email, user_name: body.username, password: body.password })),
      },
      get: { handler: async ({ db, actor, params }) => toUsuario(await getUser(db, actor!, params.user_id)) },
      update: {
        body: UserBody.partial(),
        handler: async ({ db, actor, params, body }) => toUsuario(await editUser(db, actor!, params.user_id, userInput(body))),
      },
      remove: {
        handler: async ({ db, actor, params }) => {
          if (params.user_id === actor!.userId) throw ValidationError.field(null, 'No puede eliminar su propio usuario');
          await deleteUser(db, actor!, params.user_id);
        },
      },
    }).filter((r) => r.method !== 'PATCH'),
    listRoute({ path: '/api/v1/roles', summary: 'Roles (catálogo global)', item: Rol, load: async ({ db, query }) => page(await listRoles(db), query), present: toRol }),
  ],
});

export const handler = createHandler(group);

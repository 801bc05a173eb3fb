import type { Db } from '../db/tenant';
import { Conflict, Forbidden, NotFound } from '../errors';
import { isPlatform, type Actor } from '../auth/actor';
import { deleteRoleRow, insertRole, selectRole, selectRoles, updateRole, type RoleRow } from '../queries/identity-roles';
import { auditIdentity } from './identity-security';

/*
 * Roles are one catalog every clinic shares, so only the platform (superusers and platform staff)
 * writes it; a clinic's administrator cannot rename or delete a role other clinics use. What a role
 * may do is its fixed `code`, never its name: renaming "Admin" leaves every clinic admin an admin.
 */

/** A role as the domain hands it to a surface. */
export type RoleRecord = RoleRow;

export interface RoleInput {
  name?: string;
  guard_name?: string;
}

/** The guard every role of the spec shows; an empty value (a form's blank field) means the same. */
export const DEFAULT_GUARD = 'api';

const roleNotFound = () => new NotFound('Rol no encontrado', { code: 'role_not_found' });

function assertPlatform(actor: Actor | null): void {
  if (!isPlatform(actor)) throw new Forbidden();
}

export const listRoles = (db: Db): Promise<RoleRecord[]> => selectRoles(db);

export async function getRole(db: Db, id: number): Promise<RoleRecord> {
  const row = await selectRole(db, id);
  if (!row) throw roleNotFound();
  return row;
}

export async function createRole(db: Db, actor: Actor | null, input: RoleInput & { name: string }): Promise<RoleRecord> {
  assertPlatform(actor);
  const row = await insertRole(db, { name: input.name, guard_name: input.guard_name || DEFAULT_GUARD });
  await auditIdentity(db, { action: 'create', entity: 'roles', entityId: row.id, changedFields: Object.keys(input), reflexoId: null });
  return row;
}

export async function editRole(db: Db, actor: Actor | null, id: number, input: RoleInput): Promise<RoleRecord> {
  assertPlatform(actor);
  const values: RoleInput = {};
  if (input.name !== undefined) values.name = input.name;
  if (input.guard_name !== undefined) values.guard_name = input.guard_name || DEFAULT_GUARD;
  const row = Object.keys(values).length ? await updateRole(db, id, values) : await selectRole(db, id);
  if (!row) throw roleNotFound();
  if (Object.keys(values).length) await auditIdentity(db, { action: 'update', entity: 'roles', entityId: id, changedFields: Object.keys(values), reflexoId: null });
  return row;
}

/** A role with a code is what clinics' permissions hang on: deleting it would strip every holder. */
export async function deleteRole(db: Db, actor: Actor | null, id: number): Promise<void> {
  assertPlatform(actor);
  const row = await selectRole(db, id);
  if (!row) throw roleNotFound();
  if (row.code !== null) throw new Conflict('Este rol define permisos de las clínicas y no puede eliminarse; puede cambiarle el nombre.', { code: 'role_protected' });
  if (!(await deleteRoleRow(db, id))) throw roleNotFound();
  await auditIdentity(db, { action: 'delete', entity: 'roles', entityId: id, reflexoId: null });
}

import type { Db } from '../db/tenant';
import { AppError, NotFound } from '../errors';
import { isAdmin, type Actor } from '../auth/actor';
import { deleteRoleRow, insertRole, selectRole, selectRoles, updateRole } from '../queries/identity-roles';

/* Module 1 roles: a global catalog, managed only by admins (role "Admin" or superuser). */

const roleNotFound = () => new NotFound('Rol no encontrado', { code: 'role_not_found' });

/** The contract shows DRF's own English message for this 403. */
export function assertRoleAdmin(actor: Actor | null): void {
  if (!isAdmin(actor)) throw new AppError(403, 'You do not have permission to perform this action.');
}

export const listRoles = (db: Db) => selectRoles(db);

export const createRole = (db: Db, input: { name: string; guard_name?: string }) => insertRole(db, input);

export async function editRole(db: Db, id: number, input: { name?: string; guard_name?: string }) {
  const row = Object.keys(input).length ? await updateRole(db, id, input) : await selectRole(db, id);
  if (!row) throw roleNotFound();
  return row;
}

export async function deleteRole(db: Db, id: number) {
  if (!(await deleteRoleRow(db, id))) throw roleNotFound();
  return { message: 'Rol eliminado' };
}

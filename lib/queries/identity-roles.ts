import type { Db } from '../db/tenant';

/* Roles: a global catalog (no tenant column). `code` is the fixed key of what a role may do. */

const roleColumns = ['id', 'name', 'guard_name', 'code', 'created_at', 'updated_at'] as const;

export type RoleRow = NonNullable<Awaited<ReturnType<typeof selectRole>>>;

export const selectRoles = (db: Db) => db.selectFrom('roles').select(roleColumns).orderBy('name').orderBy('id').execute();

export const selectRole = (db: Db, id: number) => db.selectFrom('roles').select(roleColumns).where('id', '=', id).executeTakeFirst();

export const insertRole = (db: Db, values: { name: string; guard_name: string }) => db.insertInto('roles').values(values).returning(roleColumns).executeTakeFirstOrThrow();

export const updateRole = (db: Db, id: number, values: { name?: string; guard_name?: string }) =>
  db.updateTable('roles').set(values).where('id', '=', id).returning(roleColumns).executeTakeFirst();

export const deleteRoleRow = async (db: Db, id: number) => Number((await db.deleteFrom('roles').where('id', '=', id).executeTakeFirst()).numDeletedRows) > 0;

import { sql } from 'kysely';
import type { Db } from '../db/tenant';
import type { UsersTable } from '../db/tables/core';
import type { Insertable, Updateable } from 'kysely';

/* Users: reads and writes run under the request's RLS (a tenant sees its own users, everyone sees themself). */

export const userColumns = [
  'id',
  'reflexo_id',
  'email',
  'user_name',
  'document_number',
  'name',
  'paternal_lastname',
  'maternal_lastname',
  'sex',
  'phone',
  'account_statement',
  'is_active',
  'is_staff',
  'is_superuser',
  'role_id',
  'photo_key',
  'email_verified_at',
  'last_login',
  'created_at',
  'updated_at',
] as const;

export type UserRow = Awaited<ReturnType<typeof selectUserById>> & {};

export const selectUserById = (db: Db, id: number) => db.selectFrom('users').select(userColumns).where('id', '=', id).executeTakeFirst();

export const selectUserCredentialsByEmail = (db: Db, email: string) =>
  db
    .selectFrom('users')
    .select([...userColumns, 'password_hash'])
    .where('email', '=', email)
    .executeTakeFirst();

export const selectPasswordHash = async (db: Db, id: number) =>
  (await db.selectFrom('users').select('password_hash').where('id', '=', id).executeTakeFirst())?.password_hash;

export const selectUsers = (db: Db, filter: { id?: number }) => {
  let q = db.selectFrom('users').select(userColumns);
  if (filter.id !== undefined) q = q.where('id', '=', filter.id);
  return q.orderBy('id').execute();
};

export const insertUser = (db: Db, values: Insertable<UsersTable>) => db.insertInto('users').values(values).returning(userColumns).executeTakeFirstOrThrow();

export const updateUser = (db: Db, id: number, values: Updateable<UsersTable>) =>
  db.updateTable('users').set(values).where('id', '=', id).returning(userColumns).executeTakeFirst();

export const deleteUserRow = async (db: Db, id: number) => Number((await db.deleteFrom('users').where('id', '=', id).executeTakeFirst()).numDeletedRows) > 0;

export const emailTaken = async (db: Db, email: string, exceptId?: number) => {
  let q = db.selectFrom('users').select('id').where('email', '=', email);
  if (exceptId !== undefined) q = q.where('id', '<>', exceptId);
  return !!(await q.executeTakeFirst());
};

/** Partial, case-insensitive match on user name and names; `%` and `_` in the query are literal. */
export function searchUsersQuery(db: Db, q: string | undefined) {
  let qb = db.selectFrom('users').select(userColumns);
  if (q) {
    const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    qb = qb.where((eb) =>
      eb.or([
        eb('user_name', 'ilike', pattern),
        eb('name', 'ilike', pattern),
        eb('paternal_lastname', 'ilike', pattern),
        eb('maternal_lastname', 'ilike', pattern),
      ]),
    );
  }
  return qb.orderBy('user_name').orderBy('id');
}

export const touchLastLogin = (db: Db, id: number, passwordHash?: string) =>
  db
    .updateTable('users')
    .set({ last_login: sql`now()`, ...(passwordHash ? { password_hash: passwordHash } : {}) })
    .where('id', '=', id)
    .execute();

import { sql, type ExpressionBuilder, type Insertable, type Updateable } from 'kysely';
import type { Db } from '../db/tenant';
import type { Database } from '../db/types';
import type { UsersTable } from '../db/tables/core';

/*
 * Users: reads and writes run under the request's RLS (a tenant sees its own users, everyone sees
 * themself). A user is read with the name of their role, which both surfaces show.
 */

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
  'permissions',
  'photo_key',
  'email_verified_at',
  'last_login',
  'created_at',
  'updated_at',
] as const;

const qualified = userColumns.map((c) => `users.${c}` as const);

const users = (db: Db) => db.selectFrom('users').leftJoin('roles', 'roles.id', 'users.role_id').select([...qualified, 'roles.name as role_name']);

export type UserRow = NonNullable<Awaited<ReturnType<typeof selectUserById>>>;

export const selectUserById = (db: Db, id: number) => users(db).where('users.id', '=', id).executeTakeFirst();

/** The clinic's active flag, for the login and refresh checks (null when the user has no clinic). */
const tenantActive = (eb: ExpressionBuilder<Database, 'users'>) =>
  eb.selectFrom('tenants').select('tenants.is_active').whereRef('tenants.id', '=', 'users.reflexo_id').as('tenant_active');

/**
 * The account a login names: its e-mail or its user name, both case-insensitive (citext). Should a
 * user name equal another account's e-mail, the e-mail wins.
 */
export const selectUserForLogin = (db: Db, identifier: string) =>
  users(db)
    .select(['users.password_hash', tenantActive])
    .where((eb) => eb.or([eb('users.email', '=', identifier), eb('users.user_name', '=', identifier)]))
    .orderBy(sql`users.email = ${identifier}::citext`, 'desc')
    .limit(1)
    .executeTakeFirst();

/** Who a refresh token belongs to, as the database knows them now. */
export const selectSessionUser = (db: Db, id: number) => users(db).select(tenantActive).where('users.id', '=', id).executeTakeFirst();

export const selectUserCredentialsByEmail = (db: Db, email: string) =>
  db
    .selectFrom('users')
    .select(['id', 'email', 'reflexo_id', 'is_active'])
    .where('email', '=', email)
    .executeTakeFirst();

export const selectPasswordHash = async (db: Db, id: number) =>
  (await db.selectFrom('users').select('password_hash').where('id', '=', id).executeTakeFirst())?.password_hash;

export const selectUsers = (db: Db, filter: { id?: number; reflexoId?: number }) => {
  let q = users(db);
  if (filter.id !== undefined) q = q.where('users.id', '=', filter.id);
  if (filter.reflexoId !== undefined) q = q.where('users.reflexo_id', '=', filter.reflexoId);
  return q.orderBy('users.id').execute();
};

export const insertUser = async (db: Db, values: Insertable<UsersTable>) => (await db.insertInto('users').values(values).returning('id').executeTakeFirstOrThrow()).id;

/** False when no visible row has that id. */
export const updateUser = async (db: Db, id: number, values: Updateable<UsersTable>) =>
  !!(await db.updateTable('users').set(values).where('id', '=', id).returning('id').executeTakeFirst());

export const deleteUserRow = async (db: Db, id: number) => Number((await db.deleteFrom('users').where('id', '=', id).executeTakeFirst()).numDeletedRows) > 0;

export const emailTaken = async (db: Db, email: string, exceptId?: number) => {
  let q = db.selectFrom('users').select('id').where('email', '=', email);
  if (exceptId !== undefined) q = q.where('id', '<>', exceptId);
  return !!(await q.executeTakeFirst());
};

/** Partial, case-insensitive match on user name and names; `%` and `_` in the query are literal. */
export function searchUsersQuery(db: Db, q: string | undefined) {
  let qb = users(db);
  if (q) {
    const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    qb = qb.where((eb) =>
      eb.or([
        eb('users.user_name', 'ilike', pattern),
        eb('users.name', 'ilike', pattern),
        eb('users.paternal_lastname', 'ilike', pattern),
        eb('users.maternal_lastname', 'ilike', pattern),
      ]),
    );
  }
  return qb.orderBy('users.user_name').orderBy('users.id');
}

export const touchLastLogin = async (db: Db, id: number, passwordHash?: string) =>
  (
    await db
      .updateTable('users')
      .set({ last_login: sql`now()`, ...(passwordHash ? { password_hash: passwordHash } : {}) })
      .where('id', '=', id)
      .returning('last_login')
      .executeTakeFirstOrThrow()
  ).last_login;

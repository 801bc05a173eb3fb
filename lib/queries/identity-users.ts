import { sql, type ExpressionBuilder, type Insertable, type Updateable } from 'kysely';
import type { Db } from '../db/tenant';
import type { Database } from '../db/types';
import type { UsersTable } from '../db/tables/core';
import type { FailureKind } from './identity-credentials';

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
const loginUser = (db: Db, identifier: string) =>
  users(db)
    .select(['users.password_hash', tenantActive])
    .where((eb) => eb.or([eb('users.email', '=', identifier), eb('users.user_name', '=', identifier)]))
    .orderBy(sql`users.email = ${identifier}::citext`, 'desc')
    .limit(1);

export type LoginUserRow = NonNullable<Awaited<ReturnType<ReturnType<typeof loginUser>['executeTakeFirst']>>>;

export interface RecentFailure {
  kind: FailureKind;
  key: string;
  n: number;
  /** When the oldest failure inside the window happened (JSON timestamp). */
  oldest: string;
}

/**
 * A login's one read: the account `identifier` names, with `account_key` (its e-mail lowercased by
 * PostgreSQL, the one throttle key of the account whatever name reached it), and the failures inside
 * the window of `keys` and of that account key.
 */
export async function selectLoginAttempt(db: Db, identifier: string, keys: { kind: FailureKind; key: string }[], windowSeconds: number) {
  const named = keys.map((k) => sql`(kind = ${k.kind} AND key = ${k.key})`);
  const { rows } = await sql<Partial<LoginUserRow> & { account_key: string | null; failures: RecentFailure[] }>`
    WITH u AS (${loginUser(db, identifier)})
    SELECT u.*, lower(u.email::text) AS account_key, f.failures
      FROM (SELECT coalesce(json_agg(x), '[]'::json) AS failures FROM (
              SELECT kind, key, count(*)::int AS n, min(created_at) AS oldest FROM auth_failures
               WHERE (${sql.join([...named, sql`(kind = 'login_account' AND key = (SELECT lower(email::text) FROM u))`], sql` OR `)})
                 AND created_at > now() - make_interval(secs => ${windowSeconds})
               GROUP BY kind, key) x) f
      LEFT JOIN u ON true`.execute(db);
  const { account_key: accountKey, failures, ...user } = rows[0];
  return { user: user.id === null || user.id === undefined ? undefined : { ...(user as LoginUserRow), account_key: accountKey! }, failures };
}

/**
 * A successful login's writes, in one statement: spent refresh tokens pruned, the new one stored,
 * the account's failures cleared (when it had any), last_login (and a rehashed password) set.
 */
export async function recordLogin(
  db: Db,
  v: { userId: number; passwordHash?: string; refresh: { jti: string; family: string; expires_at: Date }; clearKeys: { kind: FailureKind; key: string }[] },
): Promise<Date> {
  const cleared = v.clearKeys.length
    ? sql`, cleared AS (DELETE FROM auth_failures WHERE ${sql.join(v.clearKeys.map((k) => sql`(kind = ${k.kind} AND key = ${k.key})`), sql` OR `)})`
    : sql``;
  const { rows } = await sql<{ last_login: Date }>`
    WITH pruned AS (DELETE FROM refresh_tokens WHERE user_id = ${v.userId} AND expires_at < now()),
         issued AS (INSERT INTO refresh_tokens (jti, family, user_id, expires_at) VALUES (${v.refresh.jti}, ${v.refresh.family}, ${v.userId}, ${v.refresh.expires_at}))
         ${cleared}
    ${db.updateTable('users').set({ last_login: sql`now()`, ...(v.passwordHash ? { password_hash: v.passwordHash } : {}) }).where('id', '=', v.userId).returning('last_login')}`.execute(db);
  if (!rows[0]) throw new Error(`login of user ${v.userId}, who is not visible`);
  return rows[0].last_login;
}

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


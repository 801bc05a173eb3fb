import { sql } from 'kysely';
import { hashPassword } from '../auth/passwords';
import type { Db } from '../db/tenant';
import { Forbidden, NotFound, ValidationError } from '../errors';
import { isAdmin, type Actor } from '../auth/actor';
import { deleteObject } from '../storage/s3';
import { pushPasswordHistory } from '../queries/identity-credentials';
import { deleteUserRow, insertUser, selectUserById, selectUsers, updateUser, type UserRow } from '../queries/identity-users';
import { passwordProblems } from './identity-password-policy';
import { auditIdentity } from './identity-security';

/*
 * Module 1 users (/api/architect/users): superusers manage everyone; a clinic's Admin-role users manage
 * the users of their own clinic; anyone else is refused with the spec's body. The list follows the
 * spec's own rule (superuser: all, staff: themself, others: 403). Staff without the Admin role may not
 * manage users: they could otherwise reset an administrator's password and take the clinic over.
 */

export const PASSWORD_HISTORY_SIZE = 5;

const noPermission = () => new Forbidden('No tienes permisos para acceder a esta información', { code: 'users_forbidden' });
const userNotFound = () => new NotFound('Usuario no encontrado.');

const canManageUsers = (a: Actor) => isAdmin(a);

type Row = NonNullable<UserRow>;

export const userListItem = (u: Row) => ({
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

export const userDetail = (u: Row) => ({
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

/** Superusers see every user; staff see only themselves (a one-element array); others are refused. */
export async function listUsers(db: Db, actor: Actor) {
  if (actor.isSuperuser) return (await selectUsers(db, {})).map(userListItem);
  if (actor.isStaff) return (await selectUsers(db, { id: actor.userId })).map(userListItem);
  throw noPermission();
}

/** Unique e-mail / user name collisions become the DRF field error the client can show. */
export function duplicateUserField(err: unknown): never {
  const e = err as { code?: string; constraint?: string };
  if (e?.code === '23505' && e.constraint === 'users_email_key') throw ValidationError.field('email', 'Ya existe un usuario con este email.', 'unique');
  if (e?.code === '23505' && e.constraint === 'users_user_name_key') throw ValidationError.field('user_name', 'Ya existe un usuario con este nombre de usuario.', 'unique');
  throw err;
}

/**
 * Inserts a user; a duplicate becomes a field error. The savepoint keeps the transaction usable after
 * the violation, because callers may be inside withGlobalScope, which must still reset the scope.
 */
export async function insertUserOrFieldError(db: Db, values: Parameters<typeof insertUser>[1]) {
  await sql`SAVEPOINT insert_user`.execute(db);
  try {
    const row = await insertUser(db, values);
    await sql`RELEASE SAVEPOINT insert_user`.execute(db);
    return row;
  } catch (err) {
    await sql`ROLLBACK TO SAVEPOINT insert_user`.execute(db);
    return duplicateUserField(err);
  }
}

export async function assertPasswordAcceptable(password: string, field: string, full: boolean): Promise<void> {
  const problems = await passwordProblems(password, { full });
  if (problems.length) throw new ValidationError(problems.map((msg) => ({ loc: ['body', field], msg, type: 'password' })));
}

export interface UserInput {
  email?: string;
  user_name?: string;
  name?: string | null;
  document_number?: string | null;
  paternal_lastname?: string | null;
  maternal_lastname?: string | null;
  sex?: string | null;
  phone?: string | null;
  password?: string;
  is_active?: boolean;
  is_staff?: boolean;
  is_superuser?: boolean;
  reflexo_id?: number | null;
  role_id?: number | null;
}

const profileFields = ['email', 'user_name', 'name', 'document_number', 'paternal_lastname', 'maternal_lastname', 'sex', 'phone', 'is_active'] as const;

/** The columns this caller may set: privilege flags and the clinic only from a superuser. */
function permittedValues(actor: Actor, input: UserInput) {
  const values: Record<string, unknown> = {};
  for (const f of profileFields) if (input[f] !== undefined) values[f] = input[f];
  if (input.role_id !== undefined) values.role_id = input.role_id;
  if (actor.isSuperuser) {
    if (input.is_staff !== undefined) values.is_staff = input.is_staff;
    if (input.is_superuser !== undefined) values.is_superuser = input.is_superuser;
    if (input.reflexo_id !== undefined) values.reflexo_id = input.reflexo_id;
  }
  return values;
}

export async function createUser(db: Db, actor: Actor, input: UserInput & { email: string; user_name: string; password: string }) {
  if (!canManageUsers(actor)) throw noPermission();
  if (!actor.isSuperuser && actor.reflexoId === null) throw noPermission();
  await assertPasswordAcceptable(input.password, 'password', true);
  const values = permittedValues(actor, input);
  const reflexoId = actor.isSuperuser ? (input.reflexo_id ?? null) : actor.reflexoId;
  const passwordHash = await hashPassword(input.password);
  const row = await insertUserOrFieldError(db, {
    ...(values as object),
    email: input.email,
    user_name: input.user_name,
    reflexo_id: reflexoId,
    is_staff: actor.isSuperuser ? (input.is_staff ?? false) : false,
    is_superuser: actor.isSuperuser ? (input.is_superuser ?? false) : false,
    password_hash: passwordHash,
  });
  await pushPasswordHistory(db, row.id, passwordHash, PASSWORD_HISTORY_SIZE);
  await auditIdentity(db, { action: 'create', entity: 'users', entityId: row.id, changedFields: Object.keys(input).filter((k) => k !== 'password'), reflexoId: row.reflexo_id });
  return userDetail(row);
}

/** A managed user: visible under RLS, and (for clinic admins) in the caller's own clinic. */
async function managedUser(db: Db, actor: Actor, id: number): Promise<Row> {
  const row = await selectUserById(db, id);
  if (!row) throw userNotFound();
  if (!actor.isSuperuser && row.id !== actor.userId && row.reflexo_id !== actor.reflexoId) throw userNotFound();
  if (row.is_superuser && !actor.isSuperuser) throw noPermission();
  return row;
}

export async function getUser(db: Db, actor: Actor, id: number) {
  if (!canManageUsers(actor)) throw noPermission();
  return userDetail(await managedUser(db, actor, id));
}

export async function editUser(db: Db, actor: Actor, id: number, input: UserInput) {
  if (!canManageUsers(actor)) throw noPermission();
  await managedUser(db, actor, id);
  const values = permittedValues(actor, input);
  const changed = Object.keys(values);
  if (input.password !== undefined) {
    await assertPasswordAcceptable(input.password, 'password', true);
    values.password_hash = await hashPassword(input.password);
    changed.push('password');
  }
  const row = changed.length ? await updateUser(db, id, values).catch(duplicateUserField) : await selectUserById(db, id);
  if (!row) throw userNotFound();
  if (values.password_hash) await pushPasswordHistory(db, id, values.password_hash as string, PASSWORD_HISTORY_SIZE);
  await auditIdentity(db, { action: 'update', entity: 'users', entityId: id, changedFields: changed, reflexoId: row.reflexo_id });
  return userDetail(row);
}

export async function deleteUser(db: Db, actor: Actor, id: number) {
  if (!canManageUsers(actor)) throw noPermission();
  const row = await managedUser(db, actor, id);
  await removeUser(db, row);
  return { message: 'Usuario eliminado definitivamente' };
}

/** Hard delete: the row (credentials state cascades) and the stored photo, leaving no trace. */
export async function removeUser(db: Db, row: Row): Promise<void> {
  if (!(await deleteUserRow(db, row.id))) throw userNotFound();
  await auditIdentity(db, { action: 'delete', entity: 'users', entityId: row.id, reflexoId: row.reflexo_id });
  if (row.photo_key) await deleteObject(row.photo_key);
}

import { hashPassword } from '../auth/passwords';
import type { Db } from '../db/tenant';
import { Forbidden, NotFound, ValidationError, type FieldIssue } from '../errors';
import { isAdmin, PLATFORM_PERMISSION, type Actor } from '../auth/actor';
import { deleteObject } from '../storage/s3';
import { pushPasswordHistory } from '../queries/identity-credentials';
import { selectRole } from '../queries/identity-roles';
import { deleteUserRow, insertUser, selectUserById, selectUsers, updateUser, type UserRow } from '../queries/identity-users';
import { underSavepoint } from './clinical-rules';
import { passwordProblems } from './identity-password-policy';
import { auditIdentity } from './identity-security';

/*
 * User management: superusers manage everyone; a clinic administrator (role code 'admin', whatever
 * the role is called) manages the users of their own clinic; anyone else is refused. Staff without
 * the admin role may not manage users: they could otherwise reset an administrator's password and
 * take the clinic over. Privileges (is_staff, is_superuser) and the clinic come only from a
 * superuser: anyone else who sends a value other than the one the user has is refused, naming the
 * field, rather than having it silently dropped.
 */

export const PASSWORD_HISTORY_SIZE = 5;

/** A user as the domain hands it to a surface (with the role's display name); never the password hash. */
export type UserRecord = UserRow;

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

export const usersForbidden = () => new Forbidden('No tienes permisos para acceder a esta información', { code: 'users_forbidden' });
const userNotFound = () => new NotFound('Usuario no encontrado.');

function assertManager(actor: Actor): void {
  if (!isAdmin(actor)) throw usersForbidden();
  // A clinic admin without a clinic administers nothing.
  if (!actor.isSuperuser && actor.reflexoId === null) throw usersForbidden();
}

/** Unique e-mail / user name collisions become the field error a client can show. */
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
export async function insertUserOrFieldError(db: Db, values: Parameters<typeof insertUser>[1]): Promise<number> {
  const res = await underSavepoint(db, 'insert_user', () => insertUser(db, values));
  if (!res.ok) duplicateUserField(res.error);
  return res.value;
}

export async function assertPasswordAcceptable(password: string, field: string, full: boolean): Promise<void> {
  const problems = await passwordProblems(password, { full });
  if (problems.length) throw new ValidationError(problems.map((msg) => ({ loc: ['body', field], msg, type: 'password' })));
}

const PROFILE_FIELDS = ['email', 'user_name', 'name', 'document_number', 'paternal_lastname', 'maternal_lastname', 'sex', 'phone', 'is_active', 'role_id'] as const;
const PRIVILEGED_FIELDS = ['is_staff', 'is_superuser', 'reflexo_id'] as const;
type Privileges = Pick<UserRecord, (typeof PRIVILEGED_FIELDS)[number]>;

/**
 * Fields the caller may not set, sent with a value other than the one the user has (or, on create,
 * would get): each is refused by name. The same value passes: forms send every field back.
 */
export function unpermittedChanges(input: object, current: object, fields: readonly string[], msg: string): FieldIssue[] {
  const sent = input as Record<string, unknown>;
  const has = current as Record<string, unknown>;
  return fields.filter((f) => sent[f] !== undefined && sent[f] !== has[f]).map((f) => ({ loc: ['body', f], msg, type: 'forbidden_field', input: sent[f] }));
}

function refuseChanges(input: object, current: object): void {
  const issues = unpermittedChanges(input, current, PRIVILEGED_FIELDS, 'Solo un superusuario puede establecer este campo.');
  if (issues.length) throw new ValidationError(issues);
}

async function assertRoleExists(db: Db, roleId: number | null | undefined): Promise<void> {
  if (roleId === undefined || roleId === null) return;
  if (!(await selectRole(db, roleId))) throw ValidationError.field('role_id', `Clave primaria "${roleId}" inválida - objeto no existe.`, 'does_not_exist', roleId);
}

function columnValues(actor: Actor, input: UserInput): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const f of PROFILE_FIELDS) if (input[f] !== undefined) values[f] = input[f];
  if (actor.isSuperuser) for (const f of PRIVILEGED_FIELDS) if (input[f] !== undefined) values[f] = input[f];
  return values;
}

const reload = async (db: Db, id: number): Promise<UserRecord> => {
  const row = await selectUserById(db, id);
  if (!row) throw userNotFound();
  return row;
};

/** The users a manager may see: every user for a superuser (or one clinic's), their clinic's for a clinic admin. */
export async function listUsers(db: Db, actor: Actor, filter: { reflexoId?: number } = {}): Promise<UserRecord[]> {
  assertManager(actor);
  return selectUsers(db, { reflexoId: actor.isSuperuser ? filter.reflexoId : actor.reflexoId! });
}

/** The caller's own account. */
export const getOwnAccount = (db: Db, actor: Actor): Promise<UserRecord> => reload(db, actor.userId);

export async function createUser(db: Db, actor: Actor, input: UserInput & { email: string; user_name: string; password: string }): Promise<UserRecord> {
  assertManager(actor);
  // A superuser's user has no clinic unless one is named; a clinic admin's lands in their clinic.
  const defaults: Privileges = { is_staff: false, is_superuser: false, reflexo_id: actor.isSuperuser ? null : actor.reflexoId };
  if (!actor.isSuperuser) refuseChanges(input, defaults);
  await assertRoleExists(db, input.role_id);
  await assertPasswordAcceptable(input.password, 'password', true);
  const passwordHash = await hashPassword(input.password);
  const id = await insertUserOrFieldError(db, {
    ...defaults,
    ...(columnValues(actor, input) as object),
    email: input.email,
    user_name: input.user_name,
    password_hash: passwordHash,
  });
  await pushPasswordHistory(db, id, passwordHash, PASSWORD_HISTORY_SIZE);
  const row = await reload(db, id);
  await auditIdentity(db, { action: 'create', entity: 'users', entityId: id, changedFields: Object.keys(input).filter((k) => k !== 'password'), reflexoId: row.reflexo_id });
  return row;
}

/** A managed user: visible under RLS, and (for clinic admins) in the caller's own clinic and without platform rights. */
async function managedUser(db: Db, actor: Actor, id: number): Promise<UserRecord> {
  const row = await selectUserById(db, id);
  if (!row) throw userNotFound();
  if (!actor.isSuperuser && row.id !== actor.userId && row.reflexo_id !== actor.reflexoId) throw userNotFound();
  // Platform staff see every clinic: whoever could reset their password would inherit that.
  if ((row.is_superuser || row.permissions.includes(PLATFORM_PERMISSION)) && !actor.isSuperuser) throw usersForbidden();
  return row;
}

export async function getUser(db: Db, actor: Actor, id: number): Promise<UserRecord> {
  assertManager(actor);
  return managedUser(db, actor, id);
}

export async function editUser(db: Db, actor: Actor, id: number, input: UserInput): Promise<UserRecord> {
  assertManager(actor);
  const current = await managedUser(db, actor, id);
  if (!actor.isSuperuser) refuseChanges(input, current);
  await assertRoleExists(db, input.role_id);
  const values = columnValues(actor, input);
  const changed = Object.keys(values);
  if (input.password !== undefined) {
    await assertPasswordAcceptable(input.password, 'password', true);
    values.password_hash = await hashPassword(input.password);
    changed.push('password');
  }
  if (changed.length) {
    const res = await underSavepoint(db, 'update_user', () => updateUser(db, id, values));
    if (!res.ok) duplicateUserField(res.error);
    if (!res.value) throw userNotFound();
  }
  if (values.password_hash) await pushPasswordHistory(db, id, values.password_hash as string, PASSWORD_HISTORY_SIZE);
  const row = await reload(db, id);
  await auditIdentity(db, { action: 'update', entity: 'users', entityId: id, changedFields: changed, reflexoId: row.reflexo_id });
  return row;
}

export async function deleteUser(db: Db, actor: Actor, id: number): Promise<void> {
  assertManager(actor);
  await removeUser(db, await managedUser(db, actor, id));
}

/** Hard delete: the row (credentials state cascades) and the stored photo, leaving no trace. */
export async function removeUser(db: Db, row: Pick<UserRecord, 'id' | 'reflexo_id' | 'photo_key'>): Promise<void> {
  if (!(await deleteUserRow(db, row.id))) throw userNotFound();
  await auditIdentity(db, { action: 'delete', entity: 'users', entityId: row.id, reflexoId: row.reflexo_id });
  if (row.photo_key) await deleteObject(row.photo_key);
}

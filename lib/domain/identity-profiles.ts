import type { Db } from '../db/tenant';
import { NotFound, ValidationError, type FieldIssue } from '../errors';
import type { Actor } from '../auth/actor';
import type { UploadedFile } from '../files/upload';
import { checkImage } from '../files/images';
import { deleteObject, mediaKey, putObject } from '../storage/s3';
import { insertRevokedToken } from '../queries/identity-credentials';
import { searchUsersQuery, selectUserById, updateUser } from '../queries/identity-users';
import { paginate, type Page } from '../queries/paginate';
import { underSavepoint } from './clinical-rules';
import { duplicateUserField, removeUser, unpermittedChanges, type UserRecord } from './identity-users';
import { auditIdentity } from './identity-security';

/* The caller's own account (profiles): everything acts on the user the token names. */

async function me(db: Db, actor: Actor): Promise<UserRecord> {
  const row = await selectUserById(db, actor.userId);
  if (!row) throw new NotFound('Usuario no encontrado.');
  return row;
}

export const getMyProfile = (db: Db, actor: Actor): Promise<UserRecord> => me(db, actor);

export interface ProfileInput {
  user_name?: string;
  name?: string | null;
  paternal_lastname?: string | null;
  maternal_lastname?: string | null;
  phone?: string | null;
  document_number?: string | null;
  sex?: string | null;
  /*
   * Not settable here; a form that sends them back unchanged is fine, a change is refused: the
   * e-mail moves only through its verification code, the rest only through user management.
   */
  email?: string;
  is_active?: boolean;
  is_staff?: boolean;
  is_superuser?: boolean;
  reflexo_id?: number | null;
  role_id?: number | null;
}

const EDITABLE = ['user_name', 'name', 'paternal_lastname', 'maternal_lastname', 'phone', 'document_number', 'sex'] as const;
const MANAGED = ['is_active', 'is_staff', 'is_superuser', 'reflexo_id', 'role_id'] as const;

export async function updateMyProfile(db: Db, actor: Actor, input: ProfileInput, photo?: UploadedFile): Promise<UserRecord> {
  let row = await me(db, actor);
  const issues: FieldIssue[] = [];
  if (input.email !== undefined && input.email.toLowerCase() !== row.email.toLowerCase()) {
    issues.push({ loc: ['body', 'email'], msg: 'El email se cambia con un código de verificación (/api/profiles/verification/email/change/).', type: 'forbidden_field', input: input.email });
  }
  issues.push(...unpermittedChanges(input, row, MANAGED, 'Este campo no se puede cambiar desde el perfil.'));
  if (issues.length) throw new ValidationError(issues);
  const values = Object.fromEntries(EDITABLE.filter((f) => input[f] !== undefined).map((f) => [f, input[f]]));
  const fields = Object.keys(values);
  if (fields.length) {
    const res = await underSavepoint(db, 'update_profile', () => updateUser(db, actor.userId, values));
    if (!res.ok) duplicateUserField(res.error);
  }
  if (photo) await storePhoto(db, row, photo);
  if (fields.length || photo) row = await me(db, actor);
  if (fields.length) await auditIdentity(db, { action: 'update', entity: 'users', entityId: actor.userId, changedFields: fields });
  return row;
}

/** The server names the object (tenant prefix + random id); the client's filename is never used. */
async function storePhoto(db: Db, row: UserRecord, file: UploadedFile): Promise<void> {
  const image = checkImage(file, 'photo_file');
  const key = mediaKey(row.reflexo_id, 'users', image.ext);
  await putObject(key, image.data, image.contentType);
  await updateUser(db, row.id, { photo_key: key });
  if (row.photo_key) await deleteObject(row.photo_key);
}

export async function uploadMyPhoto(db: Db, actor: Actor, file: UploadedFile | undefined): Promise<UserRecord> {
  await storePhoto(db, await me(db, actor), file as UploadedFile);
  await auditIdentity(db, { action: 'update', entity: 'users', entityId: actor.userId, changedFields: ['photo'] });
  return me(db, actor);
}

export async function deleteMyPhoto(db: Db, actor: Actor): Promise<void> {
  const row = await me(db, actor);
  if (!row.photo_key) throw new NotFound('No tiene foto de perfil.');
  await updateUser(db, row.id, { photo_key: null });
  await deleteObject(row.photo_key);
  await auditIdentity(db, { action: 'update', entity: 'users', entityId: actor.userId, changedFields: ['photo'] });
}

export async function deleteMe(db: Db, actor: Actor): Promise<void> {
  await removeUser(db, await me(db, actor));
  await insertRevokedToken(db, { jti: actor.jti, user_id: actor.userId, expires_at: new Date(actor.tokenExp * 1000) });
}

/** Users the caller may see (their clinic, or everyone for a superuser), matched on names. */
export const searchUsers = (db: Db, q: string | undefined, page: number, size: number): Promise<Page<UserRecord>> =>
  paginate(searchUsersQuery(db, q?.trim() || undefined), page, size);

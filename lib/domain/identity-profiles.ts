import type { Db } from '../db/tenant';
import { NotFound } from '../errors';
import type { Actor } from '../auth/actor';
import type { UploadedFile } from '../files/upload';
import { checkImage } from '../files/images';
import { deleteObject, mediaKey, mediaUrl, putObject } from '../storage/s3';
import { insertRevokedToken } from '../queries/identity-credentials';
import { searchUsersQuery, selectUserById, updateUser, type UserRow } from '../queries/identity-users';
import { paginate } from '../queries/paginate';
import { duplicateUserField, removeUser } from './identity-users';
import { auditIdentity } from './identity-security';

/* Module 2 profiles (/api/profiles/users): everything acts on the caller, found by the token. */

type Row = NonNullable<UserRow>;

const relativeMedia = (key: string | null) => (key ? `/media/${key}` : null);

export const profile = (u: Row, baseUrl: string) => ({
  id: u.id,
  user_name: u.user_name,
  email: u.email,
  name: u.name,
  paternal_lastname: u.paternal_lastname,
  maternal_lastname: u.maternal_lastname,
  full_name: [u.name, u.paternal_lastname, u.maternal_lastname].filter(Boolean).join(' '),
  phone: u.phone,
  account_statement: u.account_statement,
  is_active: u.is_active,
  date_joined: u.created_at,
  last_login: u.last_login,
  profile_photo_url: relativeMedia(u.photo_key),
  document_number: u.document_number,
  document_type: null,
  sex: u.sex,
  country: null,
  photo_url: mediaUrl(baseUrl, u.photo_key),
});

async function me(db: Db, actor: Actor): Promise<Row> {
  const row = await selectUserById(db, actor.userId);
  if (!row) throw new NotFound('Usuario no encontrado.');
  return row;
}

export const getMyProfile = async (db: Db, actor: Actor, baseUrl: string) => profile(await me(db, actor), baseUrl);

export interface ProfileInput {
  user_name?: string;
  name?: string | null;
  paternal_lastname?: string | null;
  maternal_lastname?: string | null;
  phone?: string | null;
  document_number?: string | null;
  sex?: string | null;
}

export async function updateMyProfile(db: Db, actor: Actor, input: ProfileInput, photo: UploadedFile | undefined, baseUrl: string) {
  const fields = Object.keys(input).filter((k) => input[k as keyof ProfileInput] !== undefined);
  let row = fields.length ? await updateUser(db, actor.userId, Object.fromEntries(fields.map((f) => [f, input[f as keyof ProfileInput]]))).catch(duplicateUserField) : await me(db, actor);
  if (!row) throw new NotFound('Usuario no encontrado.');
  if (photo) row = await storePhoto(db, row, photo);
  if (fields.length) await auditIdentity(db, { action: 'update', entity: 'users', entityId: actor.userId, changedFields: fields });
  return profile(row, baseUrl);
}

/** The server names the object (tenant prefix + random id); the client's filename is never used. */
async function storePhoto(db: Db, row: Row, file: UploadedFile): Promise<Row> {
  const image = checkImage(file, 'photo_file');
  const key = mediaKey(row.reflexo_id, 'users', image.ext);
  await putObject(key, image.data, image.contentType);
  const updated = await updateUser(db, row.id, { photo_key: key });
  if (row.photo_key) await deleteObject(row.photo_key);
  return updated ?? row;
}

export async function uploadMyPhoto(db: Db, actor: Actor, file: UploadedFile | undefined) {
  const row = await storePhoto(db, await me(db, actor), file as UploadedFile);
  await auditIdentity(db, { action: 'update', entity: 'users', entityId: actor.userId, changedFields: ['photo'] });
  return { message: 'Foto de perfil actualizada exitosamente', photo_url: relativeMedia(row.photo_key)! };
}

export async function deleteMyPhoto(db: Db, actor: Actor) {
  const row = await me(db, actor);
  if (!row.photo_key) throw new NotFound('No tiene foto de perfil.');
  await updateUser(db, row.id, { photo_key: null });
  await deleteObject(row.photo_key);
  await auditIdentity(db, { action: 'update', entity: 'users', entityId: actor.userId, changedFields: ['photo'] });
  return { message: 'Foto de perfil eliminada definitivamente' };
}

export async function deleteMe(db: Db, actor: Actor) {
  const row = await me(db, actor);
  await removeUser(db, row);
  await insertRevokedToken(db, { jti: actor.jti, user_id: actor.userId, expires_at: new Date(actor.tokenExp * 1000) });
  return { message: 'Usuario eliminado definitivamente' };
}

/** Users the caller may see (their clinic, or everyone for a superuser), matched on names. */
export async function searchUsers(db: Db, q: string | undefined, page: number, size: number, baseUrl: string) {
  const p = await paginate(searchUsersQuery(db, q?.trim() || undefined), page, size);
  return { ...p, rows: p.rows.map((r) => profile(r as Row, baseUrl)) };
}

import { sql } from 'kysely';
import type { Db } from '../db/tenant';
import { BadRequest, NotFound, ValidationError } from '../errors';
import { isPlatform, type Actor } from '../auth/actor';
import type { UploadedFile } from '../files/upload';
import { checkImage, type CheckedImage } from '../files/images';
import { deleteObject, mediaKey, mediaUrl, putObject } from '../storage/s3';
import { recordAudit } from './audit';
import { requireTenantReader, tenantForWrite } from './tenancy';
import { deleteCompany, insertCompany, lockCompany, selectCompanies, updateCompany, type CompanyRow } from '../queries/company';

/*
 * Company data: the clinic's name and logo. A logo is either an image we store in S3 under the
 * tenant's prefix, or an http(s) URL the clinic gives us in JSON (never fetched by the server).
 */

export const LOGO_FILE_FIELDS = ['logo', 'logo_file', 'company_logo'] as const;
const DUPLICATE_NAME = 'Company Data with this company name already exists.';
const FORMAT_MESSAGE = 'Formato no permitido. Solo se aceptan: jpg, jpeg, png';

/** Tenant users see their clinic; global administrators see every clinic (or the one they name). */
const readerTenant = (actor: Actor | null, requested?: number): number | null => {
  requireTenantReader(actor);
  return isPlatform(actor) ? (requested ?? null) : actor!.reflexoId;
};

const relativeLogo = (row: CompanyRow) => (row.logo_key ? `/media/${row.logo_key}` : row.logo_external_url);
const absoluteLogo = (row: CompanyRow, baseUrl: string) => (row.logo_key ? mediaUrl(baseUrl, row.logo_key) : row.logo_external_url);

export function companyView(row: CompanyRow, baseUrl: string) {
  return {
    id: row.id,
    reflexo: row.reflexo_id,
    company_name: row.company_name,
    company_logo: relativeLogo(row),
    logo_url: absoluteLogo(row, baseUrl),
    has_logo: !!(row.logo_key || row.logo_external_url),
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export const listCompanies = async (db: Db, actor: Actor | null, baseUrl: string, reflexoId?: number) =>
  (await selectCompanies(db, { reflexoId: readerTenant(actor, reflexoId) })).map((r) => companyView(r, baseUrl));

async function findCompany(db: Db, actor: Actor | null, id: number, lock = false): Promise<CompanyRow> {
  const tenant = readerTenant(actor);
  const row = lock ? await lockCompany(db, id, tenant) : (await selectCompanies(db, { reflexoId: tenant, id }))[0];
  if (!row) throw new NotFound('Empresa no encontrada.');
  return row;
}

export const showCompany = async (db: Db, actor: Actor | null, id: number, baseUrl: string) => companyView(await findCompany(db, actor, id), baseUrl);

const cleanName = (name: string | undefined, required: boolean): string | undefined => {
  const trimmed = name?.trim();
  if (trimmed) return trimmed;
  if (required || name !== undefined) throw ValidationError.field('company_name', 'Este campo es requerido.', 'missing');
  return undefined;
};

/** The uploaded logo, if any, under any of the accepted multipart field names. */
export const logoFile = (files: UploadedFile[]) => files.find((f) => (LOGO_FILE_FIELDS as readonly string[]).includes(f.field));

/** checkImage with the contract's messages, attributed to the field the file came under. */
function checkLogo(file: UploadedFile): CheckedImage {
  try {
    return checkImage(file, file.field);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    const type = err.issues[0]?.type;
    const msg = type === 'too_large' ? 'El logo no puede superar los 2 MB.' : type === 'empty' ? 'El archivo está vacío.' : 'Solo se permiten imágenes JPG o PNG.';
    throw ValidationError.field(file.field, msg, type);
  }
}

/** A logo URL given in JSON: absolute http(s), with an image extension the contract allows. */
function checkLogoUrl(value: unknown): string {
  if (typeof value !== 'string' || !value.trim()) throw ValidationError.field('company_logo', 'Se requiere la URL del logo.', 'missing');
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw ValidationError.field('company_logo', 'Introduzca una URL válida.', 'invalid_url');
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.href.length > 2048) throw ValidationError.field('company_logo', 'Introduzca una URL válida.', 'invalid_url');
  if (!/\.(jpe?g|png)$/i.test(url.pathname)) throw ValidationError.field('company_logo', FORMAT_MESSAGE, 'invalid_image');
  return url.href;
}

async function storeLogo(reflexoId: number, image: CheckedImage): Promise<string> {
  const key = mediaKey(reflexoId, 'company', image.ext);
  await putObject(key, image.data, image.contentType);
  return key;
}

/* Old objects are removed after the row no longer points at them; a failed removal only leaves an orphan. */
async function forgetObject(key: string | null) {
  if (!key) return;
  try {
    await deleteObject(key);
  } catch {
    /* orphaned objects are harmless: keys are unguessable and no row references them */
  }
}

/** Runs a write that may hit the per-tenant unique name, turning the violation into the contract's 400. */
async function withUniqueName<T>(db: Db, write: () => Promise<T>): Promise<T> {
  await sql`savepoint company_name`.execute(db);
  try {
    const out = await write();
    await sql`release savepoint company_name`.execute(db);
    return out;
  } catch (err) {
    if ((err as { code?: string }).code !== '23505') throw err;
    await sql`rollback to savepoint company_name`.execute(db);
    throw ValidationError.field('company_name', DUPLICATE_NAME, 'unique');
  }
}

export async function createCompany(
  db: Db,
  actor: Actor | null,
  input: { company_name?: string; reflexo_id?: number | null },
  files: UploadedFile[],
  baseUrl: string,
) {
  const reflexoId = tenantForWrite(actor, input.reflexo_id);
  const companyName = cleanName(input.company_name, true)!;
  const file = logoFile(files);
  const image = file ? checkLogo(file) : undefined;
  const logoKey = image ? await storeLogo(reflexoId, image) : null;
  const row = await insertCompany(db, { reflexo_id: reflexoId, company_name: companyName, logo_key: logoKey });
  if (!row) {
    await forgetObject(logoKey);
    throw ValidationError.field('company_name', DUPLICATE_NAME, 'unique');
  }
  await recordAudit(db, { action: 'create', entity: 'company_data', entityId: row.id, changedFields: image ? ['company_name', 'company_logo'] : ['company_name'] });
  const { reflexo: _tenant, ...view } = companyView(row, baseUrl);
  return view;
}

/**
 * PUT/PATCH edit. JSON changes the name only; multipart may also carry a logo. An unacceptable logo
 * does not fail the edit: the old logo stays and the response carries the contract's `warning`.
 */
export async function editCompany(
  db: Db,
  actor: Actor | null,
  id: number,
  input: { company_name?: string },
  files: UploadedFile[],
  partial: boolean,
  baseUrl: string,
) {
  const current = await findCompany(db, actor, id, true);
  tenantForWrite(actor, current.reflexo_id);
  const changes: Parameters<typeof updateCompany>[3] = {};
  const name = cleanName(input.company_name, !partial);
  if (name !== undefined) changes.company_name = name;
  let warning: string | undefined;
  const file = logoFile(files);
  if (file) {
    try {
      const image = checkLogo(file);
      changes.logo_key = await storeLogo(current.reflexo_id, image);
      changes.logo_external_url = null;
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      warning = `El logo no se actualizó: ${err.issues[0]?.type === 'too_large' ? 'El logo excede el tamaño máximo de 2MB' : FORMAT_MESSAGE}`;
    }
  }
  if (!Object.keys(changes).length) changes.company_name = current.company_name; // still touches updated_at
  const row = await withUniqueName(db, () => updateCompany(db, id, current.reflexo_id, changes));
  if (changes.logo_key) await forgetObject(current.logo_key);
  await recordAudit(db, {
    action: 'update',
    entity: 'company_data',
    entityId: id,
    changedFields: Object.keys(changes).map((k) => (k === 'logo_key' || k === 'logo_external_url' ? 'company_logo' : k)).filter((k, i, a) => a.indexOf(k) === i),
  });
  const { reflexo: _tenant, ...view } = companyView(row, baseUrl);
  return warning ? { warning, ...view } : view;
}

export async function removeCompany(db: Db, actor: Actor | null, id: number) {
  const current = await findCompany(db, actor, id, true);
  tenantForWrite(actor, current.reflexo_id);
  await deleteCompany(db, id, current.reflexo_id);
  await recordAudit(db, { action: 'delete', entity: 'company_data', entityId: id });
  await forgetObject(current.logo_key);
  return { status: 'success', message: `Empresa "${current.company_name}" eliminada correctamente` };
}

/**
 * POST upload_logo (only when there is none) and PUT upload_logo (replace). The logo comes as a
 * JSON URL in `company_logo` or as a file under `logo`, `logo_file` or `company_logo`.
 */
export async function uploadLogo(
  db: Db,
  actor: Actor | null,
  id: number,
  body: Record<string, unknown>,
  files: UploadedFile[],
  replace: boolean,
  baseUrl: string,
) {
  const current = await findCompany(db, actor, id, true);
  tenantForWrite(actor, current.reflexo_id);
  if (!replace && (current.logo_key || current.logo_external_url)) {
    throw new BadRequest('La empresa ya tiene un logo. Use PUT para actualizar.', { code: 'logo_exists' });
  }
  const file = logoFile(files);
  let changes: { logo_key: string | null; logo_external_url: string | null };
  if (file) changes = { logo_key: await storeLogo(current.reflexo_id, checkLogo(file)), logo_external_url: null };
  else changes = { logo_key: null, logo_external_url: checkLogoUrl(body.company_logo) };
  const row = await updateCompany(db, id, current.reflexo_id, changes);
  await recordAudit(db, { action: 'update', entity: 'company_data', entityId: id, changedFields: ['company_logo'] });
  if (current.logo_key && current.logo_key !== row.logo_key) await forgetObject(current.logo_key);
  if (replace) {
    return { message: 'Logo actualizado correctamente', company_logo: relativeLogo(row)!, company_logo_absolute: absoluteLogo(row, baseUrl)! };
  }
  return file ? { message: 'Logo subido correctamente' } : { message: 'Logo subido correctamente', logo_url: row.logo_external_url! };
}

export async function showLogo(db: Db, actor: Actor | null, id: number, baseUrl: string) {
  const row = await findCompany(db, actor, id);
  if (!row.logo_key && !row.logo_external_url) return { has_logo: false as const, message: 'La empresa no tiene logo' };
  return {
    has_logo: true as const,
    logo_url: relativeLogo(row)!,
    logo_url_absolute: absoluteLogo(row, baseUrl)!,
    company_name: row.company_name,
    company_id: row.id,
  };
}

export async function removeLogo(db: Db, actor: Actor | null, id: number) {
  const current = await findCompany(db, actor, id, true);
  tenantForWrite(actor, current.reflexo_id);
  if (!current.logo_key && !current.logo_external_url) throw new BadRequest('La empresa no tiene logo.', { code: 'logo_missing' });
  await updateCompany(db, id, current.reflexo_id, { logo_key: null, logo_external_url: null });
  await recordAudit(db, { action: 'update', entity: 'company_data', entityId: id, changedFields: ['company_logo'] });
  await forgetObject(current.logo_key);
  return { message: 'Logo eliminado correctamente' };
}

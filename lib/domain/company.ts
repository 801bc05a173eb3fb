import { sql } from 'kysely';
import type { Db } from '../db/tenant';
import { BadRequest, NotFound, ValidationError } from '../errors';
import { isPlatform, type Actor } from '../auth/actor';
import type { UploadedFile } from '../files/upload';
import { checkImage, type CheckedImage } from '../files/images';
import { deleteObject, mediaKey, putObject } from '../storage/s3';
import { recordAudit } from './audit';
import { requireTenantReader, tenantForWrite } from './tenancy';
import { deleteCompany, insertCompany, lockCompany, selectCompanies, updateCompany, type CompanyRow } from '../queries/company';

/*
 * Company data: the clinic's name and logo. A logo is either an image we store in S3 under the
 * tenant's prefix, or an http(s) URL the clinic gives us (never fetched by the server). Functions
 * return records; each surface words its own responses (messages, warnings, URLs).
 */

/** A company as the domain hands it to a surface. */
export interface CompanyRecord {
  id: number;
  reflexo_id: number;
  company_name: string;
  /** The logo we stored (its S3 key), or the one given as a URL; null when there is none. */
  logo: CompanyLogo | null;
  created_at: Date;
  updated_at: Date;
}

export type CompanyLogo = { kind: 'stored'; key: string } | { kind: 'url'; url: string };

/** Why an edit left the logo as it was (the edit itself went through). */
export type LogoRefusal = 'too_large' | 'invalid_format';

export interface CompanyInput {
  /** Global administrators name the clinic of a new company. */
  reflexo_id?: number | null;
  company_name?: string;
}

const DUPLICATE_NAME = 'Company Data with this company name already exists.';
const FORMAT_MESSAGE = 'Formato no permitido. Solo se aceptan: jpg, jpeg, png';

const toRecord = (row: CompanyRow): CompanyRecord => ({
  id: row.id,
  reflexo_id: row.reflexo_id,
  company_name: row.company_name,
  logo: row.logo_key ? { kind: 'stored', key: row.logo_key } : row.logo_external_url ? { kind: 'url', url: row.logo_external_url } : null,
  created_at: row.created_at,
  updated_at: row.updated_at,
});

/** Tenant users see their clinic; global administrators see every clinic (or the one they name). */
const readerTenant = (actor: Actor | null, requested?: number): number | null => {
  requireTenantReader(actor);
  return isPlatform(actor) ? (requested ?? null) : actor!.reflexoId;
};

export const listCompanies = async (db: Db, actor: Actor | null, reflexoId?: number): Promise<CompanyRecord[]> =>
  (await selectCompanies(db, { reflexoId: readerTenant(actor, reflexoId) })).map(toRecord);

async function findCompany(db: Db, actor: Actor | null, id: number, lock = false): Promise<CompanyRow> {
  const tenant = readerTenant(actor);
  const row = lock ? await lockCompany(db, id, tenant) : (await selectCompanies(db, { reflexoId: tenant, id }))[0];
  if (!row) throw new NotFound('Empresa no encontrada.');
  return row;
}

/** The company, for writing: locked, and in a clinic the caller may write to. */
async function findForWrite(db: Db, actor: Actor | null, id: number): Promise<CompanyRow> {
  const row = await findCompany(db, actor, id, true);
  tenantForWrite(actor, row.reflexo_id);
  return row;
}

export const getCompany = async (db: Db, actor: Actor | null, id: number): Promise<CompanyRecord> => toRecord(await findCompany(db, actor, id));

/** A name is required on create and cannot be blanked; undefined when an edit leaves it. */
const cleanName = (name: string | undefined, required: boolean): string | undefined => {
  const trimmed = name?.trim();
  if (trimmed) return trimmed;
  if (required || name !== undefined) throw ValidationError.field('company_name', 'Este campo es requerido.', 'missing');
  return undefined;
};

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

/** A logo URL: absolute http(s), with an image extension the contract allows. */
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

/** Runs a write that may hit the per-tenant unique name, turning the violation into a field error. */
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

/** A new company of the caller's clinic (names are unique per clinic, whatever the case), with an optional logo file. */
export async function createCompany(db: Db, actor: Actor | null, input: CompanyInput, logo?: UploadedFile): Promise<CompanyRecord> {
  const reflexoId = tenantForWrite(actor, input.reflexo_id);
  const companyName = cleanName(input.company_name, true)!;
  const image = logo ? checkLogo(logo) : undefined;
  const logoKey = image ? await storeLogo(reflexoId, image) : null;
  const row = await insertCompany(db, { reflexo_id: reflexoId, company_name: companyName, logo_key: logoKey });
  if (!row) {
    await forgetObject(logoKey);
    throw ValidationError.field('company_name', DUPLICATE_NAME, 'unique');
  }
  await recordAudit(db, { action: 'create', entity: 'company_data', entityId: row.id, changedFields: image ? ['company_name', 'company_logo'] : ['company_name'] });
  return toRecord(row);
}

/**
 * Sets what `input` carries (absent: unchanged) and, given a file, the logo. An unacceptable logo
 * does not fail the edit: the old logo stays and the result says why (`logoRefused`).
 */
export async function editCompany(
  db: Db,
  actor: Actor | null,
  id: number,
  input: CompanyInput,
  logo?: UploadedFile,
): Promise<{ company: CompanyRecord; logoRefused?: LogoRefusal }> {
  const current = await findForWrite(db, actor, id);
  const changes: Parameters<typeof updateCompany>[3] = {};
  const name = cleanName(input.company_name, false);
  if (name !== undefined) changes.company_name = name;
  let logoRefused: LogoRefusal | undefined;
  if (logo) {
    try {
      changes.logo_key = await storeLogo(current.reflexo_id, checkLogo(logo));
      changes.logo_external_url = null;
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      logoRefused = err.issues[0]?.type === 'too_large' ? 'too_large' : 'invalid_format';
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
  return logoRefused ? { company: toRecord(row), logoRefused } : { company: toRecord(row) };
}

/** Hard delete, with its stored logo; returns what was deleted. */
export async function removeCompany(db: Db, actor: Actor | null, id: number): Promise<CompanyRecord> {
  const current = await findForWrite(db, actor, id);
  await deleteCompany(db, id, current.reflexo_id);
  await recordAudit(db, { action: 'delete', entity: 'company_data', entityId: id });
  await forgetObject(current.logo_key);
  return toRecord(current);
}

/**
 * Sets the logo from a file or, without one, from a URL. `add` refuses a company that already has a
 * logo (code `logo_exists`); `replace` overwrites it.
 */
export async function setCompanyLogo(
  db: Db,
  actor: Actor | null,
  id: number,
  source: { file?: UploadedFile; url?: unknown },
  mode: 'add' | 'replace',
): Promise<CompanyRecord> {
  const current = await findForWrite(db, actor, id);
  if (mode === 'add' && (current.logo_key || current.logo_external_url)) {
    throw new BadRequest('La empresa ya tiene un logo. Use PUT para actualizar.', { code: 'logo_exists' });
  }
  const changes = source.file
    ? { logo_key: await storeLogo(current.reflexo_id, checkLogo(source.file)), logo_external_url: null }
    : { logo_key: null, logo_external_url: checkLogoUrl(source.url) };
  const row = await updateCompany(db, id, current.reflexo_id, changes);
  await recordAudit(db, { action: 'update', entity: 'company_data', entityId: id, changedFields: ['company_logo'] });
  if (current.logo_key && current.logo_key !== row.logo_key) await forgetObject(current.logo_key);
  return toRecord(row);
}

/** Removes the logo (and its stored object); a company without one → 400, code `logo_missing`. */
export async function removeCompanyLogo(db: Db, actor: Actor | null, id: number): Promise<CompanyRecord> {
  const current = await findForWrite(db, actor, id);
  if (!current.logo_key && !current.logo_external_url) throw new BadRequest('La empresa no tiene logo.', { code: 'logo_missing' });
  const row = await updateCompany(db, id, current.reflexo_id, { logo_key: null, logo_external_url: null });
  await recordAudit(db, { action: 'update', entity: 'company_data', entityId: id, changedFields: ['company_logo'] });
  await forgetObject(current.logo_key);
  return toRecord(row);
}

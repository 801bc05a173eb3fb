import type { Db } from '../db/tenant';
import type { Actor } from '../auth/actor';
import type { UploadedFile } from '../files/upload';
import { Conflict, NotFound, ValidationError, type FieldIssue } from '../errors';
import { paginate } from '../queries/paginate';
import { checkImage } from '../files/images';
import { deleteObject, mediaKey, putObject } from '../storage/s3';
import { tenantClock } from '../queries/tenant-clock';
import {
  deleteTherapist,
  findDocumentType,
  findLocation,
  insertTherapist,
  therapistHasAppointments,
  therapistQuery,
  updateTherapist,
  type TherapistRow,
} from '../queries/therapists';
import { readerScope } from './scheduling-scope';
import { tenantForWrite } from './tenancy';

/*
 * Therapists of a clinic. Validation follows the Reflexo contract: adults only, document number
 * shaped by its type, ubigeo ids that nest, and an e-mail domain rule. The domain rule is a per-clinic
 * setting (tenants.settings.therapist_email_domain); absent, it is the contract's "@gmail.com";
 * "" or "*" lifts it.
 */

export const DEFAULT_THERAPIST_EMAIL_DOMAIN = 'gmail.com';

export interface TherapistInput {
  reflexo_id?: number | null;
  document_type_id: number;
  document_number: string;
  last_name_paternal: string;
  last_name_maternal: string;
  first_name: string;
  email: string;
  region_id: number;
  province_id: number;
  district_id: number;
  phone?: string | null;
  address?: string | null;
  birth_date?: string | null;
  gender?: 'M' | 'F' | null;
  personal_reference?: string | null;
}

const notFound = () => new NotFound('Terapeuta no encontrado.');

const mediaPath = (key: string | null) => (key ? `/media/${key}` : null);

export function therapistView(t: TherapistRow, baseUrl: string) {
  return {
    id: t.id,
    reflexo_id: t.reflexo_id,
    reflexo_name: t.reflexo_name,
    document_type: { id: t.document_type_id, name: t.document_type_name },
    document_number: t.document_number,
    last_name_paternal: t.last_name_paternal,
    last_name_maternal: t.last_name_maternal,
    first_name: t.first_name,
    full_name: [t.first_name, t.last_name_paternal, t.last_name_maternal].filter(Boolean).join(' '),
    birth_date: t.birth_date,
    gender: t.gender,
    personal_reference: t.personal_reference,
    is_active: t.deleted_at === null,
    phone: t.phone,
    email: t.email,
    region: { id: t.region_id, name: t.region_name },
    province: { id: t.province_id, name: t.province_name },
    district: { id: t.district_id, name: t.district_name },
    address: t.address,
    profile_picture: t.photo_key ? `${baseUrl}${mediaPath(t.photo_key)}` : null,
    profile_picture_url: mediaPath(t.photo_key),
    created_at: t.created_at,
    updated_at: t.updated_at,
  };
}

/** Document number rules per document type code (DNI 8–9 digits, CE up to 12 digits…). */
function documentIssue(code: string | null, number: string): string | null {
  switch (code) {
    case 'DNI':
      return /^\d{8,9}$/.test(number) ? null : 'El DNI debe tener entre 8 y 9 dígitos.';
    case 'CE':
      return /^\d{1,12}$/.test(number) ? null : 'El carné de extranjería debe tener como máximo 12 dígitos.';
    case 'PASSPORT':
      return /^[A-Za-z0-9]{6,12}$/.test(number) ? null : 'El pasaporte debe tener entre 6 y 12 caracteres alfanuméricos.';
    case 'RUC':
      return /^\d{11}$/.test(number) ? null : 'El RUC debe tener 11 dígitos.';
    default:
      return /^[A-Za-z0-9-]{1,20}$/.test(number) ? null : 'Número de documento inválido.';
  }
}

function ageOn(birth: string, today: string): number {
  const [by, bm, bd] = birth.split('-').map(Number);
  const [ty, tm, td] = today.split('-').map(Number);
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0);
}

/** Every cross-field rule, on the merged row (so a PATCH is checked as the row it produces). */
async function validate(db: Db, reflexoId: number, v: TherapistInput): Promise<void> {
  const issues: FieldIssue[] = [];
  const add = (field: string, msg: string) => issues.push({ loc: ['body', field], msg, type: 'value_error' });
  const clock = await tenantClock(db, reflexoId);
  if (!clock) throw ValidationError.field('reflexo_id', 'La clínica indicada no existe.', 'invalid');

  const docType = await findDocumentType(db, v.document_type_id);
  if (!docType) add('document_type_id', 'Tipo de documento inválido.');
  else {
    const msg = documentIssue(docType.code, v.document_number);
    if (msg) add('document_number', msg);
  }

  const loc = await findLocation(db, v.region_id, v.province_id, v.district_id);
  if (loc.region === null) add('region_id', 'La región no existe.');
  if (loc.province === null) add('province_id', 'La provincia no existe.');
  else if (loc.province_region !== v.region_id) add('province_id', 'La provincia no pertenece a la región indicada.');
  if (loc.district === null) add('district_id', 'El distrito no existe.');
  else if (loc.district_province !== v.province_id) add('district_id', 'El distrito no pertenece a la provincia indicada.');

  if (v.birth_date) {
    if (v.birth_date > clock.today) add('birth_date', 'La fecha de nacimiento no puede ser futura.');
    else if (ageOn(v.birth_date, clock.today) < 18) add('birth_date', 'El terapeuta debe tener al menos 18 años.');
  }

  const domain = (clock.email_domain ?? DEFAULT_THERAPIST_EMAIL_DOMAIN).trim().toLowerCase().replace(/^@/, '');
  if (domain && domain !== '*' && !v.email.toLowerCase().endsWith(`@${domain}`)) add('email', `El email debe terminar en @${domain}.`);

  if (issues.length) throw new ValidationError(issues);
}

const duplicateDocument = (err: unknown) =>
  (err as { code?: string }).code === '23505'
    ? new Conflict('Ya existe un terapeuta con este documento.', { fields: { document_number: ['Ya existe un terapeuta con este tipo y número de documento.'] } })
    : err;

/** `deleted`: also find soft-deleted therapists (restore, hard delete). */
async function load(db: Db, actor: Actor, id: number, deleted = false) {
  const row = await therapistQuery(db, { reflexoId: readerScope(actor), id, live: deleted ? undefined : true }).executeTakeFirst();
  if (!row) throw notFound();
  return row;
}

export async function listTherapists(
  db: Db,
  actor: Actor,
  f: { active: boolean; region?: number; province?: number; district?: number; search?: string; page: number; size: number },
  baseUrl: string,
) {
  const q = therapistQuery(db, {
    reflexoId: readerScope(actor),
    live: f.active,
    regionId: f.region,
    provinceId: f.province,
    districtId: f.district,
    search: f.search,
  });
  const page = await paginate(q, f.page, f.size);
  return { ...page, rows: page.rows.map((r) => therapistView(r, baseUrl)) };
}

export const getTherapist = async (db: Db, actor: Actor, id: number, baseUrl: string) => therapistView(await load(db, actor, id), baseUrl);

const columns = (v: TherapistInput) => ({
  document_type_id: v.document_type_id,
  document_number: v.document_number,
  last_name_paternal: v.last_name_paternal,
  last_name_maternal: v.last_name_maternal,
  first_name: v.first_name,
  email: v.email,
  region_id: v.region_id,
  province_id: v.province_id,
  district_id: v.district_id,
  phone: v.phone ?? null,
  address: v.address ?? null,
  birth_date: v.birth_date ?? null,
  gender: v.gender ?? null,
  personal_reference: v.personal_reference ?? null,
});

export async function createTherapist(db: Db, actor: Actor, body: TherapistInput, baseUrl: string) {
  const reflexoId = tenantForWrite(actor, body.reflexo_id);
  await validate(db, reflexoId, body);
  let id: number;
  try {
    ({ id } = await insertTherapist(db, { reflexo_id: reflexoId, ...columns(body) }));
  } catch (err) {
    throw duplicateDocument(err);
  }
  return getTherapist(db, actor, id, baseUrl);
}

/** PUT sends every field (optional ones absent mean "clear"), PATCH only what changes. */
export async function editTherapist(db: Db, actor: Actor, id: number, body: Partial<TherapistInput>, full: boolean, baseUrl: string) {
  const t = await load(db, actor, id);
  const current: TherapistInput = {
    document_type_id: t.document_type_id,
    document_number: t.document_number,
    last_name_paternal: t.last_name_paternal,
    last_name_maternal: t.last_name_maternal,
    first_name: t.first_name,
    email: t.email,
    region_id: t.region_id,
    province_id: t.province_id,
    district_id: t.district_id,
    phone: t.phone,
    address: t.address,
    birth_date: t.birth_date,
    gender: t.gender as 'M' | 'F' | null,
    personal_reference: t.personal_reference,
  };
  const { reflexo_id: _ignored, ...changes } = body;
  const merged = full ? ({ ...columns(changes as TherapistInput) } as TherapistInput) : { ...current, ...changes };
  await validate(db, t.reflexo_id, merged);
  try {
    await updateTherapist(db, id, t.reflexo_id, columns(merged));
  } catch (err) {
    throw duplicateDocument(err);
  }
  return getTherapist(db, actor, id, baseUrl);
}

export async function softDeleteTherapist(db: Db, actor: Actor, id: number) {
  const t = await load(db, actor, id);
  await updateTherapist(db, id, t.reflexo_id, { deleted_at: new Date() });
}

export async function restoreTherapist(db: Db, actor: Actor, id: number, baseUrl: string) {
  const t = await load(db, actor, id, true);
  if (t.deleted_at !== null) {
    try {
      await updateTherapist(db, id, t.reflexo_id, { deleted_at: null });
    } catch (err) {
      throw duplicateDocument(err);
    }
  }
  return getTherapist(db, actor, id, baseUrl);
}

export async function hardDeleteTherapist(db: Db, actor: Actor, id: number) {
  const t = await load(db, actor, id, true);
  if (await therapistHasAppointments(db, id)) {
    throw new Conflict('El terapeuta tiene citas registradas; use la eliminación lógica (/delete/).');
  }
  await deleteTherapist(db, id, t.reflexo_id);
  if (t.photo_key) await deleteObject(t.photo_key).catch(() => undefined);
}

export async function setTherapistPhoto(db: Db, actor: Actor, id: number, file: UploadedFile | undefined, baseUrl: string) {
  const t = await load(db, actor, id);
  const image = checkImage(file, 'photo_file');
  const key = mediaKey(t.reflexo_id, 'therapists', image.ext);
  await putObject(key, image.data, image.contentType);
  await updateTherapist(db, id, t.reflexo_id, { photo_key: key });
  // The old object goes only once the new one is stored and referenced.
  if (t.photo_key) await deleteObject(t.photo_key).catch(() => undefined);
  return { message: 'Foto actualizada', therapist: photoView(id, key, baseUrl) };
}

export async function removeTherapistPhoto(db: Db, actor: Actor, id: number, baseUrl: string) {
  const t = await load(db, actor, id);
  if (t.photo_key) {
    await updateTherapist(db, id, t.reflexo_id, { photo_key: null });
    await deleteObject(t.photo_key);
  }
  return { message: 'Foto eliminada definitivamente', therapist: photoView(id, null, baseUrl) };
}

const photoView = (id: number, key: string | null, baseUrl: string) => ({
  id,
  profile_picture: key ? `${baseUrl}${mediaPath(key)}` : null,
  profile_picture_url: mediaPath(key),
});

import type { Db } from '../db/tenant';
import type { Actor } from '../auth/actor';
import type { UploadedFile } from '../files/upload';
import { Conflict, NotFound, ValidationError, type FieldIssue } from '../errors';
import { paginate, type Page } from '../queries/paginate';
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
import { appointmentsByKind, paidIncome, type ProductivityKindRow } from '../queries/productivity';
import { recordAudit } from './audit';
import { readerScope, type CatalogRef } from './scheduling-scope';
import { tenantForWrite } from './tenancy';

/*
 * A clinic's practitioners: Reflexo's therapists and v1's doctors are the same rows. The domain asks
 * only what every surface needs (a first name and a paternal surname, a document unique per clinic
 * when there is one, a well-formed colour); what one contract adds (Reflexo: document shaped by its
 * type, a nested ubigeo location, an e-mail domain, adults only) is that surface's `check`, run here
 * on the row the write would produce.
 */

/** What a write may set. Absent: unchanged; null: cleared. */
export interface TherapistInput {
  /** Global administrators name the clinic of a new therapist. */
  reflexo_id?: number | null;
  first_name?: string;
  last_name_paternal?: string;
  last_name_maternal?: string | null;
  /** Id, or the type's name or code (`"DNI"`). */
  document_type?: CatalogRef | null;
  document_number?: string | null;
  email?: string | null;
  phone?: string | null;
  address?: string | null;
  birth_date?: string | null;
  gender?: 'M' | 'F' | null;
  personal_reference?: string | null;
  region_id?: number | null;
  province_id?: number | null;
  district_id?: number | null;
  specialty?: string | null;
  color?: string | null;
  is_active?: boolean;
}

/** The therapist's own columns, as the write would leave them. */
export interface TherapistFields {
  first_name: string;
  last_name_paternal: string;
  last_name_maternal: string | null;
  document_type_id: number | null;
  document_number: string | null;
  email: string | null;
  phone: string | null;
  address: string | null;
  birth_date: string | null;
  gender: 'M' | 'F' | null;
  personal_reference: string | null;
  region_id: number | null;
  province_id: number | null;
  district_id: number | null;
  specialty: string | null;
  color: string | null;
  is_active: boolean;
}
type Field = keyof TherapistFields;

/**
 * A surface's own rules, checked on the row a create or edit would produce. `sent` names the fields
 * the request changes, so a rule can leave alone what it did not touch (a Reflexo PATCH of the phone
 * of a v1 doctor that has no document).
 */
export type TherapistCheck = (
  db: Db,
  ctx: { reflexoId: number; row: TherapistFields; sent: ReadonlySet<Field>; documentTypeCode: string | null },
) => Promise<void>;

/** A therapist as the domain hands it to a surface (tenant, document type and ubigeo names joined in). */
export type TherapistRecord = TherapistRow;

const FIELDS: Field[] = [
  'first_name',
  'last_name_paternal',
  'last_name_maternal',
  'document_type_id',
  'document_number',
  'email',
  'phone',
  'address',
  'birth_date',
  'gender',
  'personal_reference',
  'region_id',
  'province_id',
  'district_id',
  'specialty',
  'color',
  'is_active',
];

const EMPTY: TherapistFields = {
  first_name: '',
  last_name_paternal: '',
  last_name_maternal: null,
  document_type_id: null,
  document_number: null,
  email: null,
  phone: null,
  address: null,
  birth_date: null,
  gender: null,
  personal_reference: null,
  region_id: null,
  province_id: null,
  district_id: null,
  specialty: null,
  color: null,
  is_active: true,
};

const notFound = () => new NotFound('Terapeuta no encontrado.');

const duplicateDocument = (err: unknown) =>
  (err as { code?: string }).code === '23505'
    ? new Conflict('Ya existe un terapeuta con este documento.', { code: 'therapist_document_exists', fields: { document_number: ['Ya existe un terapeuta con este tipo y número de documento.'] } })
    : err;

/** `withDeleted`: also find soft-deleted therapists (restore, hard delete). */
async function load(db: Db, actor: Actor, id: number, withDeleted = false): Promise<TherapistRow> {
  const row = await therapistQuery(db, { reflexoId: readerScope(actor), id, withDeleted }).executeTakeFirst();
  if (!row) throw notFound();
  return row;
}

const fieldsOf = (t: TherapistRow): TherapistFields => ({
  first_name: t.first_name,
  last_name_paternal: t.last_name_paternal,
  last_name_maternal: t.last_name_maternal,
  document_type_id: t.document_type_id,
  document_number: t.document_number,
  email: t.email,
  phone: t.phone,
  address: t.address,
  birth_date: t.birth_date,
  gender: t.gender as 'M' | 'F' | null,
  personal_reference: t.personal_reference,
  region_id: t.region_id,
  province_id: t.province_id,
  district_id: t.district_id,
  specialty: t.specialty,
  color: t.color,
  is_active: t.is_active,
});

/**
 * The row `input` turns `base` into, with the document type resolved, after the rules every surface
 * shares and then the surface's own `check`.
 */
async function merge(db: Db, reflexoId: number, base: TherapistFields, input: TherapistInput, check?: TherapistCheck) {
  const row: TherapistFields = { ...base };
  const sent = new Set<Field>();
  let documentTypeCode: string | null = null;
  if (input.document_type !== undefined) {
    sent.add('document_type_id');
    if (input.document_type === null) row.document_type_id = null;
    else {
      const type = await findDocumentType(db, input.document_type);
      if (!type) throw ValidationError.field('document_type_id', 'Tipo de documento inválido.', 'does_not_exist', input.document_type);
      row.document_type_id = type.id;
      documentTypeCode = type.code;
    }
  }
  for (const f of FIELDS) {
    if (f === 'document_type_id') continue;
    const v = (input as Record<string, unknown>)[f];
    if (v !== undefined) {
      (row as unknown as Record<string, unknown>)[f] = v;
      sent.add(f);
    }
  }
  // A new number is checked against the type it keeps.
  if (row.document_type_id !== null && !sent.has('document_type_id') && sent.has('document_number')) documentTypeCode = (await findDocumentType(db, row.document_type_id))?.code ?? null;

  const issues: FieldIssue[] = [];
  for (const f of ['first_name', 'last_name_paternal'] as const) if (!row[f]?.trim()) issues.push({ loc: ['body', f], msg: 'Este campo es requerido.', type: 'missing' });
  if (row.color !== null && !/^#[0-9a-fA-F]{6}$/.test(row.color)) issues.push({ loc: ['body', 'color'], msg: 'Use un color hexadecimal #rrggbb.', type: 'value_error' });
  if (issues.length) throw new ValidationError(issues);
  if (check) await check(db, { reflexoId, row, sent, documentTypeCode });
  return { row, sent };
}

/** One page of the clinic's therapists (never the soft-deleted); `active` keeps only (de)activated ones. */
export function listTherapists(
  db: Db,
  actor: Actor,
  f: { active?: boolean; region?: number; province?: number; district?: number; search?: string; specialty?: string; page: number; size: number },
): Promise<Page<TherapistRecord>> {
  const q = therapistQuery(db, { reflexoId: readerScope(actor), active: f.active, regionId: f.region, provinceId: f.province, districtId: f.district, search: f.search, specialty: f.specialty });
  return paginate(q, f.page, f.size);
}

export const getTherapist = (db: Db, actor: Actor, id: number): Promise<TherapistRecord> => load(db, actor, id);

async function clinicExists(db: Db, reflexoId: number): Promise<void> {
  if (!(await tenantClock(db, reflexoId))) throw ValidationError.field('reflexo_id', 'La clínica indicada no existe.', 'invalid');
}

export async function createTherapist(db: Db, actor: Actor, input: TherapistInput, opts: { check?: TherapistCheck } = {}): Promise<TherapistRecord> {
  const reflexoId = tenantForWrite(actor, input.reflexo_id);
  await clinicExists(db, reflexoId);
  const { row } = await merge(db, reflexoId, EMPTY, input, opts.check);
  let id: number;
  try {
    ({ id } = await insertTherapist(db, { reflexo_id: reflexoId, ...row }));
  } catch (err) {
    throw duplicateDocument(err);
  }
  await recordAudit(db, { action: 'create', entity: 'therapists', entityId: id, reflexoId, changedFields: FIELDS.filter((f) => row[f] !== null && row[f] !== '') });
  return load(db, actor, id);
}

/** Sets what `input` carries; a surface whose PUT replaces the row sends its optional fields as null. */
export async function editTherapist(db: Db, actor: Actor, id: number, input: TherapistInput, opts: { check?: TherapistCheck } = {}): Promise<TherapistRecord> {
  const t = await load(db, actor, id);
  const { reflexo_id: _clinic, ...changes } = input;
  const { row, sent } = await merge(db, t.reflexo_id, fieldsOf(t), changes, opts.check);
  if (!sent.size) return t;
  const set = Object.fromEntries([...sent].map((f) => [f, row[f]]));
  try {
    await updateTherapist(db, id, t.reflexo_id, set);
  } catch (err) {
    throw duplicateDocument(err);
  }
  await recordAudit(db, { action: 'update', entity: 'therapists', entityId: id, reflexoId: t.reflexo_id, changedFields: [...sent] });
  return load(db, actor, id);
}

/** Soft delete: gone from every list and lookup until restored; appointments keep pointing at it. */
export async function softDeleteTherapist(db: Db, actor: Actor, id: number): Promise<void> {
  const t = await load(db, actor, id);
  await updateTherapist(db, id, t.reflexo_id, { deleted_at: new Date() });
  await recordAudit(db, { action: 'delete', entity: 'therapists', entityId: id, reflexoId: t.reflexo_id, changedFields: ['deleted_at'] });
}

export async function restoreTherapist(db: Db, actor: Actor, id: number): Promise<TherapistRecord> {
  const t = await load(db, actor, id, true);
  if (t.deleted_at !== null) {
    try {
      await updateTherapist(db, id, t.reflexo_id, { deleted_at: null });
    } catch (err) {
      // Another live therapist took the document meanwhile.
      throw duplicateDocument(err);
    }
    await recordAudit(db, { action: 'restore', entity: 'therapists', entityId: id, reflexoId: t.reflexo_id, changedFields: ['deleted_at'] });
  }
  return load(db, actor, id);
}

export async function hardDeleteTherapist(db: Db, actor: Actor, id: number): Promise<void> {
  const t = await load(db, actor, id, true);
  if (await therapistHasAppointments(db, id)) {
    throw new Conflict('El terapeuta tiene citas registradas; use la eliminación lógica (/delete/).', { code: 'therapist_has_appointments' });
  }
  await deleteTherapist(db, id, t.reflexo_id);
  await recordAudit(db, { action: 'hard_delete', entity: 'therapists', entityId: id, reflexoId: t.reflexo_id });
  if (t.photo_key) await deleteObject(t.photo_key).catch(() => undefined);
}

/** Stores the photo in S3 and returns the therapist's new photo key. */
export async function setTherapistPhoto(db: Db, actor: Actor, id: number, file: UploadedFile | undefined): Promise<{ id: number; photo_key: string }> {
  const t = await load(db, actor, id);
  const image = checkImage(file, 'photo_file');
  const key = mediaKey(t.reflexo_id, 'therapists', image.ext);
  await putObject(key, image.data, image.contentType);
  await updateTherapist(db, id, t.reflexo_id, { photo_key: key });
  // The old object goes only once the new one is stored and referenced.
  if (t.photo_key) await deleteObject(t.photo_key).catch(() => undefined);
  return { id, photo_key: key };
}

export async function removeTherapistPhoto(db: Db, actor: Actor, id: number): Promise<{ id: number; photo_key: null }> {
  const t = await load(db, actor, id);
  if (t.photo_key) {
    await updateTherapist(db, id, t.reflexo_id, { photo_key: null });
    await deleteObject(t.photo_key);
  }
  return { id, photo_key: null };
}

/* Lookups a surface's own therapist rules need (route tables never query the database themselves). */

/** The clinic's calendar day and its therapist e-mail rule (tenants.settings.therapist_email_domain). */
export async function clinicCalendar(db: Db, reflexoId: number): Promise<{ today: string; emailDomain: string | null }> {
  const clock = await tenantClock(db, reflexoId);
  if (!clock) throw ValidationError.field('reflexo_id', 'La clínica indicada no existe.', 'invalid');
  return { today: clock.today, emailDomain: clock.email_domain };
}

/** Which of an ubigeo triple exist (live), and the parent each province and district really has. */
export const ubigeoParents = (db: Db, regionId: number, provinceId: number, districtId: number) => findLocation(db, regionId, provinceId, districtId);

/* Productivity: what a doctor did over a span of the clinic's days (v1 `/doctors/{id}/productivity`). */

export const MAX_PRODUCTIVITY_DAYS = 366;

export interface TherapistProductivity {
  therapist: TherapistRecord;
  from: string;
  to: string;
  timeZone: string;
  /** Appointments on those days by status kind (cancelled by timestamp or status), with their minutes and distinct patients. */
  byKind: ProductivityKindRow[];
  /** Tickets paid on those days for the therapist's appointments: their sum (decimal string) and number. */
  income: { amount: string; tickets: number };
}

const monthEnd = (date: string) => {
  const [y, m] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
};

/**
 * `from`/`to` are the clinic's calendar days, both included. Absent both: the clinic's current month;
 * one alone: the rest of that date's month (from) or its month up to it (to). At most 366 days.
 */
export async function therapistProductivity(db: Db, actor: Actor, id: number, range: { from?: string; to?: string } = {}): Promise<TherapistProductivity> {
  const therapist = await load(db, actor, id);
  const clock = await tenantClock(db, therapist.reflexo_id);
  const anchor = range.from ?? range.to ?? clock.today;
  const from = range.from ?? `${anchor.slice(0, 7)}-01`;
  const to = range.to ?? monthEnd(anchor);
  if (from > to) throw new ValidationError([{ loc: ['query', 'end_date'], msg: 'end_date debe ser igual o posterior a start_date', type: 'value_error', input: to }]);
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000 + 1;
  if (days > MAX_PRODUCTIVITY_DAYS) {
    throw new ValidationError([{ loc: ['query', 'end_date'], msg: `El periodo no puede pasar de ${MAX_PRODUCTIVITY_DAYS} días`, type: 'value_error', input: to }]);
  }
  const period = { reflexoId: therapist.reflexo_id, from, to, timeZone: clock.time_zone };
  const [byKind, income] = [await appointmentsByKind(db, period, id), await paidIncome(db, period, id)];
  return { therapist, from, to, timeZone: clock.time_zone, byKind, income };
}

import { isAdmin, type Actor } from '../auth/actor';
import type { Db } from '../db/tenant';
import { Conflict, Forbidden, ValidationError } from '../errors';
import {
  catalogAccepts,
  countCatalog,
  countTreatments,
  insertCatalogEntry,
  insertTreatment,
  selectCatalogPage,
  selectTreatment,
  selectTreatmentPage,
  specialtyOfClinic,
  type CatalogName,
} from '../queries/clinic-catalogs';
import { recordAudit } from './audit';
import { tenantForWrite } from './tenancy';

/*
 * A clinic's own catalogs (specialties, lead sources, insurers, business lines) and treatments (its
 * predetermined prices, with a duration and a specialty). Names are unique per clinic regardless of
 * case and accents; the unique indexes of migration 0025 decide (→ 409). Patient and doctor fields
 * that name a catalog accept only its entries once the catalog has any (checkCatalogValue).
 */
export type { CatalogName };

const page = async <T extends { total: number }>(rows: T[], recount: () => Promise<number>, offset: number) => ({
  rows: rows.map(({ total: _t, ...r }) => r),
  count: rows.length ? Number(rows[0].total) : offset > 0 ? await recount() : 0,
});

export async function listCatalog(db: Db, actor: Actor | null, catalog: CatalogName, pageNo: number, size: number) {
  const reflexoId = tenantForWrite(actor);
  const offset = (pageNo - 1) * size;
  return page(await selectCatalogPage(db, reflexoId, catalog, size, offset), () => countCatalog(db, reflexoId, catalog), offset);
}

const duplicate = (err: unknown, what: string) => ((err as { code?: string })?.code === '23505' ? new Conflict(`Ya existe ${what} con ese nombre en la clínica.`, { code: 'catalog_duplicate' }) : err);

export async function createCatalogEntry(db: Db, actor: Actor | null, catalog: CatalogName, input: { name: string; description?: string | null }) {
  if (!isAdmin(actor)) throw new Forbidden('Solo un administrador de la clínica puede modificar sus catálogos.');
  const reflexoId = tenantForWrite(actor);
  try {
    const row = await insertCatalogEntry(db, { reflexo_id: reflexoId, catalog, name: input.name.trim(), description: input.description ?? null });
    await recordAudit(db, { action: 'create', entity: `catalog:${catalog}`, entityId: row.id, reflexoId });
    return row;
  } catch (err) {
    throw duplicate(err, 'una entrada');
  }
}

export async function listTreatments(db: Db, actor: Actor | null, pageNo: number, size: number) {
  const reflexoId = tenantForWrite(actor);
  const offset = (pageNo - 1) * size;
  return page(await selectTreatmentPage(db, reflexoId, size, offset), () => countTreatments(db, reflexoId), offset);
}

export async function createTreatment(db: Db, actor: Actor | null, input: { name: string; price: string; durationMinutes?: number | null; specialtyId?: number | null }) {
  if (!isAdmin(actor)) throw new Forbidden('Solo un administrador de la clínica puede modificar sus catálogos.');
  const reflexoId = tenantForWrite(actor);
  if (input.specialtyId != null && !(await specialtyOfClinic(db, reflexoId, input.specialtyId))) {
    throw ValidationError.field('especialidad_id', 'La especialidad no existe en esta clínica', 'value_error', input.specialtyId);
  }
  try {
    const { id } = await insertTreatment(db, { reflexo_id: reflexoId, name: input.name.trim(), price: input.price, duration_minutes: input.durationMinutes ?? null, specialty_id: input.specialtyId ?? null });
    await recordAudit(db, { action: 'create', entity: 'predetermined_prices', entityId: id, reflexoId, changedFields: ['name', 'price', 'duration_minutes', 'specialty_id'] });
    return selectTreatment(db, reflexoId, id);
  } catch (err) {
    throw duplicate(err, 'un tratamiento');
  }
}

/**
 * A value for a field that names a catalog entry: the entry's own spelling when it matches (case and
 * accents aside), any value while the catalog is empty, a 422 naming the field otherwise.
 */
export async function checkCatalogValue(db: Db, reflexoId: number, catalog: CatalogName, value: string | null | undefined, field: string): Promise<string | null | undefined> {
  if (value === undefined || value === null || value.trim() === '') return value;
  const { empty, match } = await catalogAccepts(db, reflexoId, catalog, value);
  if (match) return match;
  if (empty) return value.trim();
  throw new ValidationError([{ loc: ['body', field], msg: `"${value}" no está en el catálogo de la clínica (/api/v1/${catalog.replace('_', '-')})`, type: 'catalog_value', input: value }]);
}

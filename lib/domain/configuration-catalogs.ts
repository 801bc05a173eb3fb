import type { NamedCatalog } from '../db/tables/clinical';
import type { Db } from '../db/tenant';
import type { Actor } from '../auth/actor';
import { NotFound, ValidationError } from '../errors';
import {
  deleteNamed,
  deletePaymentStatus,
  findCatalogRow,
  insertNamed,
  insertPaymentStatus,
  selectNamed,
  selectPaymentStatuses,
  updateNamed,
  updatePaymentStatus,
  type CatalogTable,
  type NamedRow,
  type PaymentStatusRow,
} from '../queries/configuration-catalogs';
import { hardDeleteOrConflict, requirePlatform } from './clinical-rules';

/*
 * Document types, payment types and payment statuses: rows every clinic shares, hard delete. Who may
 * write them (platform staff) is the route's access level. A row still referenced (a patient's
 * document type, a ticket's payment type) cannot be deleted: 409.
 */
const LABEL: Record<NamedCatalog, { missing: string; inUse: string }> = {
  document_types: { missing: 'Tipo de documento no encontrado.', inUse: 'El tipo de documento está en uso y no puede eliminarse.' },
  payment_types: { missing: 'Tipo de pago no encontrado.', inUse: 'El tipo de pago está en uso y no puede eliminarse.' },
};

/** How a write names a catalog row: its id, or its name or code. */
export type CatalogRef = number | string;

/** A document type or payment type (`code` is the stable machine name of seeded rows). */
export type NamedRecord = NamedRow;
/** A payment status (`code`: pending, paid, cancelled for the seeded rows). */
export type PaymentStatusRecord = PaymentStatusRow;

export const listNamed = (db: Db, table: NamedCatalog): Promise<NamedRecord[]> => selectNamed(db, table);

export async function getNamed(db: Db, table: NamedCatalog, id: number): Promise<NamedRecord> {
  const [row] = await selectNamed(db, table, id);
  if (!row) throw new NotFound(LABEL[table].missing);
  return row;
}

export async function createNamed(db: Db, actor: Actor | null, table: NamedCatalog, name: string): Promise<NamedRecord> {
  requirePlatform(actor);
  return insertNamed(db, table, name);
}

export async function editNamed(db: Db, actor: Actor | null, table: NamedCatalog, id: number, name: string | undefined): Promise<NamedRecord> {
  requirePlatform(actor);
  const row = await updateNamed(db, table, id, name);
  if (!row) throw new NotFound(LABEL[table].missing);
  return row;
}

export async function removeNamed(db: Db, actor: Actor | null, table: NamedCatalog, id: number): Promise<void> {
  requirePlatform(actor);
  await hardDeleteOrConflict(async () => {
    const r = await deleteNamed(db, table, id);
    if (!Number(r.numDeletedRows)) throw new NotFound(LABEL[table].missing);
  }, LABEL[table].inUse);
}

const STATUS_MISSING = 'Estado de pago no encontrado.';

export const listPaymentStatuses = (db: Db): Promise<PaymentStatusRecord[]> => selectPaymentStatuses(db);

export async function getPaymentStatus(db: Db, id: number): Promise<PaymentStatusRecord> {
  const [row] = await selectPaymentStatuses(db, id);
  if (!row) throw new NotFound(STATUS_MISSING);
  return row;
}

export async function createPaymentStatus(db: Db, actor: Actor | null, values: { name: string; description?: string | null }): Promise<PaymentStatusRecord> {
  requirePlatform(actor);
  return insertPaymentStatus(db, { name: values.name, description: values.description ?? null });
}

export async function editPaymentStatus(db: Db, actor: Actor | null, id: number, values: { name?: string; description?: string | null }): Promise<PaymentStatusRecord> {
  requirePlatform(actor);
  const clean = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
  const row = await updatePaymentStatus(db, id, clean);
  if (!row) throw new NotFound(STATUS_MISSING);
  return row;
}

export async function removePaymentStatus(db: Db, actor: Actor | null, id: number): Promise<void> {
  requirePlatform(actor);
  await hardDeleteOrConflict(async () => {
    const r = await deletePaymentStatus(db, id);
    if (!Number(r.numDeletedRows)) throw new NotFound(STATUS_MISSING);
  }, 'El estado de pago está en uso y no puede eliminarse.');
}

/**
 * A catalog row (document type, payment type, payment status) named by a write: its id, or its name
 * or code in any case and with or without accents (`"dni"`, `"Carne de extranjeria"`). Clients of
 * either surface send what their forms hold. Unknown → 400 on `field`, in DRF's words: a primary key
 * that names nothing, or a name no row has.
 */
export async function resolveCatalogRef(db: Db, table: CatalogTable, ref: number | string, field: string): Promise<{ id: number; name: string; code: string | null }> {
  const byId = typeof ref === 'number' || /^\s*\d{1,9}\s*$/.test(ref);
  const value = byId ? Number(ref) : ref;
  const row = await findCatalogRow(db, table, value);
  if (row) return row;
  throw ValidationError.field(field, byId ? `Clave primaria "${value}" inválida - objeto no existe.` : `Objeto con name=${String(ref).trim()} no existe.`, 'does_not_exist', ref);
}

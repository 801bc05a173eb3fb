import type { NamedCatalog } from '../db/tables/clinical';
import type { Db } from '../db/tenant';
import { NotFound } from '../errors';
import {
  deleteNamed,
  deletePaymentStatus,
  insertNamed,
  insertPaymentStatus,
  selectNamed,
  selectPaymentStatuses,
  updateNamed,
  updatePaymentStatus,
} from '../queries/configuration-catalogs';
import { hardDeleteOrConflict } from './clinical-rules';

/*
 * Document types, payment types and payment statuses: global catalogs, hard delete. A row still
 * referenced (a patient's document type, a ticket's payment type) cannot be deleted: 409.
 */
const LABEL: Record<NamedCatalog, { missing: string; inUse: string }> = {
  document_types: { missing: 'Tipo de documento no encontrado.', inUse: 'El tipo de documento está en uso y no puede eliminarse.' },
  payment_types: { missing: 'Tipo de pago no encontrado.', inUse: 'El tipo de pago está en uso y no puede eliminarse.' },
};

export interface NamedRow {
  id: number;
  name: string;
  created_at: Date;
  updated_at: Date;
}

export const listNamed = async (db: Db, table: NamedCatalog) => (await selectNamed(db, table)).map(({ id, name }) => ({ id, name }));

export async function getNamed(db: Db, table: NamedCatalog, id: number): Promise<NamedRow> {
  const [row] = await selectNamed(db, table, id);
  if (!row) throw new NotFound(LABEL[table].missing);
  return row;
}

export async function createNamed(db: Db, table: NamedCatalog, name: string) {
  const row = await insertNamed(db, table, name);
  return { id: row.id, name: row.name };
}

export async function editNamed(db: Db, table: NamedCatalog, id: number, name: string | undefined): Promise<NamedRow> {
  const row = await updateNamed(db, table, id, name);
  if (!row) throw new NotFound(LABEL[table].missing);
  return row;
}

export async function removeNamed(db: Db, table: NamedCatalog, id: number): Promise<void> {
  await hardDeleteOrConflict(async () => {
    const r = await deleteNamed(db, table, id);
    if (!Number(r.numDeletedRows)) throw new NotFound(LABEL[table].missing);
  }, LABEL[table].inUse);
}

const STATUS_MISSING = 'Estado de pago no encontrado.';

export const listPaymentStatuses = (db: Db) => selectPaymentStatuses(db);

export async function getPaymentStatus(db: Db, id: number) {
  const [row] = await selectPaymentStatuses(db, id);
  if (!row) throw new NotFound(STATUS_MISSING);
  return row;
}

export const createPaymentStatus = (db: Db, values: { name: string; description?: string | null }) =>
  insertPaymentStatus(db, { name: values.name, description: values.description ?? null });

export async function editPaymentStatus(db: Db, id: number, values: { name?: string; description?: string | null }) {
  const clean = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
  const row = await updatePaymentStatus(db, id, clean);
  if (!row) throw new NotFound(STATUS_MISSING);
  return row;
}

export async function removePaymentStatus(db: Db, id: number): Promise<void> {
  await hardDeleteOrConflict(async () => {
    const r = await deletePaymentStatus(db, id);
    if (!Number(r.numDeletedRows)) throw new NotFound(STATUS_MISSING);
  }, 'El estado de pago está en uso y no puede eliminarse.');
}

import { sql, type Insertable, type Updateable } from 'kysely';
import type { Db } from '../db/tenant';
import type { HistoriesTable } from '../db/tables/clinical';

/* Clinical histories (tenant-owned), at most one live history per patient, numbered per clinic. */

const summaryCols = ['h.id', 'h.local_id', 'h.patient_id', 'h.reflexo_id', 'pa.name as patient_first_name', 'pa.paternal_lastname as patient_paternal_lastname', 'pa.maternal_lastname as patient_maternal_lastname'] as const;
const detailCols = [
  ...summaryCols,
  'h.testimony',
  'h.private_observation',
  'h.observation',
  'h.height',
  'h.weight',
  'h.last_weight',
  'h.menstruation',
  'h.diu_type',
  'h.gestation',
  'h.created_at',
  'h.updated_at',
] as const;

const base = (db: Db, reflexoId: number | null) => {
  let q = db.selectFrom('histories as h').innerJoin('patients as pa', 'pa.id', 'h.patient_id').where('h.deleted_at', 'is', null);
  if (reflexoId !== null) q = q.where('h.reflexo_id', '=', reflexoId);
  return q;
};

export function selectHistories(db: Db, filter: { reflexoId: number | null; patientId?: number }) {
  let q = base(db, filter.reflexoId).select(summaryCols);
  if (filter.patientId !== undefined) q = q.where('h.patient_id', '=', filter.patientId);
  return q.orderBy('h.reflexo_id').orderBy('h.local_id').execute();
}

export const selectHistory = (db: Db, id: number, reflexoId: number | null) => base(db, reflexoId).select(detailCols).where('h.id', '=', id).executeTakeFirst();

export type HistoryRow = NonNullable<Awaited<ReturnType<typeof selectHistory>>>;
export type HistorySummaryRow = Awaited<ReturnType<typeof selectHistories>>[number];

/**
 * Takes the clinic's next local id. The upsert locks the clinic's counter row until the request
 * transaction ends, so concurrent creates queue here and a rolled-back create leaves no gap.
 */
export async function nextLocalId(db: Db, reflexoId: number): Promise<number> {
  const { rows } = await sql<{ last_local_id: number }>`
    INSERT INTO history_counters (reflexo_id, last_local_id) VALUES (${reflexoId}, 1)
    ON CONFLICT (reflexo_id) DO UPDATE SET last_local_id = history_counters.last_local_id + 1
    RETURNING last_local_id`.execute(db);
  return rows[0].last_local_id;
}

export const insertHistory = (db: Db, values: Insertable<HistoriesTable>) => db.insertInto('histories').values(values).returning(['id', 'reflexo_id']).executeTakeFirstOrThrow();

export const updateHistory = (db: Db, id: number, values: Updateable<HistoriesTable>) =>
  db.updateTable('histories').set({ ...values, updated_at: new Date() }).where('id', '=', id).where('deleted_at', 'is', null).execute();

export const softDeleteHistory = (db: Db, id: number) => db.updateTable('histories').set({ deleted_at: new Date() }).where('id', '=', id).where('deleted_at', 'is', null).execute();

export const hardDeleteHistory = (db: Db, id: number) => db.deleteFrom('histories').where('id', '=', id).execute();

export const selectLiveHistoryOfPatient = (db: Db, patientId: number) =>
  db.selectFrom('histories').select('id').where('patient_id', '=', patientId).where('deleted_at', 'is', null).executeTakeFirst();

/** The live history of one patient, with every field (a patient has at most one). */
export const selectHistoryOfPatient = (db: Db, patientId: number, reflexoId: number | null) =>
  base(db, reflexoId).select(detailCols).where('h.patient_id', '=', patientId).executeTakeFirst();

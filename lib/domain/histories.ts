import type { Db } from '../db/tenant';
import { Conflict, NotFound, ValidationError } from '../errors';
import type { Actor } from '../auth/actor';
import { selectLivePatientTenant } from '../queries/medical-records';
import {
  hardDeleteHistory,
  insertHistory,
  nextLocalId,
  selectHistories,
  selectHistory,
  selectLiveHistoryOfPatient,
  softDeleteHistory,
  updateHistory,
  type HistoryRow,
  type HistorySummaryRow,
} from '../queries/histories';
import { recordAudit } from './audit';
import { pgCode, pgConstraint, readScope, sentFields, underSavepoint } from './clinical-rules';

/*
 * Clinical histories: one live history per patient, numbered per clinic with a gap-free `local_id`.
 * The partial unique index on patient decides the "already exists" race; the counter row lock makes
 * numbering sequential.
 */
export interface HistoryFields {
  testimony?: boolean;
  private_observation?: string | null;
  observation?: string | null;
  /** Exact decimals (metres, kg), as strings. */
  height?: string | null;
  weight?: string | null;
  last_weight?: string | null;
  menstruation?: boolean;
  diu_type?: string | null;
  gestation?: boolean;
}

/** A history with its patient's names (numeric fields as the exact decimal strings stored). */
export type HistoryRecord = HistoryRow;
/** A history as lists show it: ids and the patient's names. */
export type HistorySummary = HistorySummaryRow;

const notFound = () => new NotFound('Historial no encontrado.');

export const listHistories = (db: Db, actor: Actor | null, patientId?: number): Promise<HistorySummary[]> => selectHistories(db, { reflexoId: readScope(actor), patientId });

async function findHistory(db: Db, actor: Actor | null, id: number): Promise<HistoryRow> {
  const row = await selectHistory(db, id, readScope(actor));
  if (!row) throw notFound();
  return row;
}

export const getHistory = (db: Db, actor: Actor | null, id: number): Promise<HistoryRecord> => findHistory(db, actor, id);

const CLINICAL = ['testimony', 'private_observation', 'observation', 'height', 'weight', 'last_weight', 'menstruation', 'diu_type', 'gestation'] as const;
const clinicalValues = (input: HistoryFields) => {
  const values: Record<string, unknown> = {};
  for (const f of CLINICAL) if (input[f] !== undefined) values[f] = input[f];
  return values;
};

/** Opens the patient's history in the patient's clinic; a second live one → 409 naming the first. */
export async function createHistory(db: Db, actor: Actor | null, input: HistoryFields & { patient_id: number; reflexo_id?: number | null }): Promise<HistoryRecord> {
  const patient = await selectLivePatientTenant(db, input.patient_id, readScope(actor));
  if (!patient) throw ValidationError.field('patient_id', 'El paciente no existe o está inactivo.', 'does_not_exist');
  const reflexoId = patient.reflexo_id;
  if (input.reflexo_id !== undefined && input.reflexo_id !== null && input.reflexo_id !== reflexoId) {
    throw ValidationError.field('patient_id', 'El paciente no pertenece a la empresa indicada.', 'invalid');
  }
  const values = { ...clinicalValues(input), patient_id: input.patient_id, reflexo_id: reflexoId };
  const res = await underSavepoint(db, 'history_create', async () => {
    const localId = await nextLocalId(db, reflexoId);
    return insertHistory(db, { ...values, local_id: localId } as Parameters<typeof insertHistory>[1]);
  });
  if (!res.ok) {
    if (pgCode(res.error) === '23505' && pgConstraint(res.error) === 'histories_patient_live_uq') {
      const existing = await selectLiveHistoryOfPatient(db, input.patient_id);
      throw new Conflict('Ya existe un historial activo para este paciente', { code: 'history_exists', data: { existing_history_id: existing?.id ?? null } });
    }
    throw res.error;
  }
  await recordAudit(db, { action: 'create', entity: 'histories', entityId: res.value.id, reflexoId, changedFields: sentFields(values) });
  return (await selectHistory(db, res.value.id, reflexoId))!;
}

export async function editHistory(db: Db, actor: Actor | null, id: number, input: HistoryFields): Promise<HistoryRecord> {
  const current = await findHistory(db, actor, id);
  const values = clinicalValues(input);
  await updateHistory(db, id, values);
  await recordAudit(db, { action: 'update', entity: 'histories', entityId: id, reflexoId: current.reflexo_id, changedFields: sentFields(values) });
  return (await selectHistory(db, id, current.reflexo_id))!;
}

export async function deleteHistory(db: Db, actor: Actor | null, id: number, hard: boolean): Promise<void> {
  const current = await findHistory(db, actor, id);
  if (hard) await hardDeleteHistory(db, id);
  else await softDeleteHistory(db, id);
  await recordAudit(db, { action: hard ? 'hard_delete' : 'delete', entity: 'histories', entityId: id, reflexoId: current.reflexo_id });
}

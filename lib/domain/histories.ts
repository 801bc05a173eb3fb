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
} from '../queries/histories';
import { recordAudit } from './audit';
import { pgCode, pgConstraint, readScope, sentFields, toNumber, underSavepoint } from './clinical-rules';

/*
 * Clinical histories (configurations/histories): one live history per patient, numbered per clinic
 * with a gap-free `local_id`. The partial unique index on patient decides the "already exists" race;
 * the counter row lock makes numbering sequential.
 */
export interface HistoryFields {
  testimony?: boolean;
  private_observation?: string | null;
  observation?: string | null;
  height?: string | null;
  weight?: string | null;
  last_weight?: string | null;
  menstruation?: boolean;
  diu_type?: string | null;
  gestation?: boolean;
}

const notFound = () => new NotFound('Historial no encontrado.');
const patientName = (h: Pick<HistoryRow, 'name' | 'paternal_lastname'>) => `${h.name} ${h.paternal_lastname}`.trim();

const toSummary = (h: Pick<HistoryRow, 'id' | 'local_id' | 'patient_id' | 'reflexo_id' | 'name' | 'paternal_lastname'>) => ({
  id: h.id,
  local_id: h.local_id,
  patient: h.patient_id,
  patient_name: patientName(h),
  reflexo_id: h.reflexo_id,
});

const toDetail = (h: HistoryRow) => ({
  ...toSummary(h),
  testimony: h.testimony,
  private_observation: h.private_observation,
  observation: h.observation,
  height: toNumber(h.height),
  weight: toNumber(h.weight),
  last_weight: toNumber(h.last_weight),
  menstruation: h.menstruation,
  diu_type: h.diu_type,
  gestation: h.gestation,
  created_at: h.created_at,
  updated_at: h.updated_at,
});

export async function listHistories(db: Db, actor: Actor | null, patientId?: number) {
  return { histories: (await selectHistories(db, { reflexoId: readScope(actor), patientId })).map(toSummary) };
}

async function findHistory(db: Db, actor: Actor | null, id: number) {
  const row = await selectHistory(db, id, readScope(actor));
  if (!row) throw notFound();
  return row;
}

export const getHistory = async (db: Db, actor: Actor | null, id: number) => toDetail(await findHistory(db, actor, id));

const CLINICAL = ['testimony', 'private_observation', 'observation', 'height', 'weight', 'last_weight', 'menstruation', 'diu_type', 'gestation'] as const;
const clinicalValues = (input: HistoryFields) => {
  const values: Record<string, unknown> = {};
  for (const f of CLINICAL) if (input[f] !== undefined) values[f] = input[f];
  return values;
};

export async function createHistory(db: Db, actor: Actor | null, input: HistoryFields & { patient: number; reflexo_id?: number }) {
  const patient = await selectLivePatientTenant(db, input.patient, readScope(actor));
  if (!patient) throw ValidationError.field('patient', 'El paciente no existe o está inactivo.', 'does_not_exist');
  const reflexoId = patient.reflexo_id;
  if (input.reflexo_id !== undefined && input.reflexo_id !== reflexoId) {
    throw ValidationError.field('patient', 'El paciente no pertenece a la empresa indicada.', 'invalid');
  }
  const values = { ...clinicalValues(input), patient_id: input.patient, reflexo_id: reflexoId };
  const res = await underSavepoint(db, 'history_create', async () => {
    const localId = await nextLocalId(db, reflexoId);
    return insertHistory(db, { ...values, local_id: localId } as Parameters<typeof insertHistory>[1]);
  });
  if (!res.ok) {
    if (pgCode(res.error) === '23505' && pgConstraint(res.error) === 'histories_patient_live_uq') {
      const existing = await selectLiveHistoryOfPatient(db, input.patient);
      throw new Conflict('Ya existe un historial activo para este paciente', { code: 'history_exists', data: { existing_history_id: existing?.id ?? null } });
    }
    throw res.error;
  }
  await recordAudit(db, { action: 'create', entity: 'histories', entityId: res.value.id, reflexoId, changedFields: sentFields(values) });
  return res.value;
}

export async function editHistory(db: Db, actor: Actor | null, id: number, input: HistoryFields) {
  const current = await findHistory(db, actor, id);
  const values = clinicalValues(input);
  await updateHistory(db, id, values);
  await recordAudit(db, { action: 'update', entity: 'histories', entityId: id, reflexoId: current.reflexo_id, changedFields: sentFields(values) });
  return toDetail((await selectHistory(db, id, current.reflexo_id))!);
}

export async function deleteHistory(db: Db, actor: Actor | null, id: number, hard: boolean): Promise<void> {
  const current = await findHistory(db, actor, id);
  if (hard) await hardDeleteHistory(db, id);
  else await softDeleteHistory(db, id);
  await recordAudit(db, { action: hard ? 'hard_delete' : 'delete', entity: 'histories', entityId: id, reflexoId: current.reflexo_id });
}

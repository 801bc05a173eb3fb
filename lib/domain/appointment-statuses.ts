import type { Db } from '../db/tenant';
import { isPlatform, type Actor } from '../auth/actor';
import { Conflict, NotFound } from '../errors';
import { paginate, type Page } from '../queries/paginate';
import {
  activeStatusesWithCounts,
  appointmentsWithStatus,
  countAppointmentsWithStatus,
  countAllAppointments,
  countLiveAppointments,
  deleteStatus,
  findStatus,
  insertStatus,
  statusListQuery,
  updateStatus,
  type StatusOrder,
} from '../queries/appointment-statuses';

/*
 * The global catalog of appointment statuses. Soft delete hides a status from the API (existing
 * appointments keep it); `activate` brings it back. The seeded statuses carry a `kind` the booking
 * rules rely on (cancel, completed/pending lists), so they can be renamed or hidden but never erased.
 */

/** A status as the domain hands it to a surface. */
export type StatusRecord = NonNullable<Awaited<ReturnType<typeof findStatus>>>;
export type StatusWithCount = StatusRecord & { appointments_count: number };

const notFound = () => new NotFound('No encontrado.');

const duplicateName = (err: unknown) => {
  if ((err as { code?: string }).code === '23505') return new Conflict('Ya existe un estado de cita con este nombre.', { code: 'status_name_exists', fields: { name: ['Ya existe un estado de cita con este nombre.'] } });
  return err;
};

export const listStatuses = (db: Db, f: { name?: string; search?: string; order: StatusOrder; page: number; size: number }): Promise<Page<StatusRecord>> =>
  paginate(statusListQuery(db, f), f.page, f.size);

export async function getStatus(db: Db, id: number): Promise<StatusRecord> {
  const s = await findStatus(db, id);
  if (!s) throw notFound();
  return s;
}

export async function createStatus(db: Db, v: { name: string; description?: string | null }) {
  try {
    const { id } = await insertStatus(db, { name: v.name.trim(), description: v.description ?? null });
    return getStatus(db, id);
  } catch (err) {
    throw duplicateName(err);
  }
}

export async function editStatus(db: Db, id: number, v: { name?: string; description?: string | null }) {
  if (!(await findStatus(db, id))) throw notFound();
  const set = { ...(v.name !== undefined ? { name: v.name.trim() } : {}), ...(v.description !== undefined ? { description: v.description } : {}) };
  if (!Object.keys(set).length) return getStatus(db, id);
  try {
    await updateStatus(db, id, set);
  } catch (err) {
    throw duplicateName(err);
  }
  return getStatus(db, id);
}

export async function removeStatus(db: Db, id: number, hard: boolean) {
  const s = await findStatus(db, id, hard);
  if (!s) throw notFound();
  if (!hard) {
    await updateStatus(db, id, { deleted_at: new Date() });
    return;
  }
  if (s.kind) throw new Conflict('Es un estado del sistema: puede desactivarse, pero no eliminarse definitivamente.');
  if ((await countAllAppointments(db, id)) > 0) throw new Conflict('El estado está asignado a citas; desactívelo en lugar de eliminarlo.');
  await deleteStatus(db, id);
}

/** Live statuses, each with the caller's clinic's live appointments in it (RLS scopes the count). */
export const activeStatuses = (db: Db): Promise<StatusWithCount[]> => activeStatusesWithCounts(db);

export async function setStatusActive(db: Db, id: number, active: boolean): Promise<StatusWithCount> {
  const s = await findStatus(db, id, true);
  if (!s) throw notFound();
  if (active !== (s.deleted_at === null)) await updateStatus(db, id, { deleted_at: active ? null : new Date() });
  const fresh = (await findStatus(db, id, true))!;
  return { ...fresh, appointments_count: await countLiveAppointments(db, id) };
}

/**
 * The contract shows every appointment at once; a clinic's history makes that unbounded, so the list
 * is paged (`page`, `page_size`, default 100) while `count` stays the total.
 */
export async function statusAppointments(db: Db, actor: Actor, id: number, page: number, size: number) {
  const s = await findStatus(db, id);
  if (!s) throw notFound();
  const scope = isPlatform(actor) ? null : actor.reflexoId;
  const count = await countAppointmentsWithStatus(db, id, scope);
  const appointments = count > (page - 1) * size ? await appointmentsWithStatus(db, id, scope, size, (page - 1) * size) : [];
  return { status: s, appointments, count };
}

import { sql } from 'kysely';
import type { Actor } from '../../lib/auth/actor';
import type { TestUser } from './fixtures';
import { ownerKysely } from './fixtures';
import { nextDocument } from './scheduling-fixtures';

/* Rows the CRM tests (segments, campaigns, automations) start from, through the owner connection. */

const statusIds = new Map<string, number>();
/** The global appointment status of a kind (pending, confirmed, completed, cancelled, no_show…). */
export async function statusId(kind: string): Promise<number> {
  if (!statusIds.has(kind)) {
    const r = await ownerKysely().selectFrom('appointment_statuses').select('id').where('kind', '=', kind).executeTakeFirstOrThrow();
    statusIds.set(kind, r.id as number);
  }
  return statusIds.get(kind)!;
}

/** An appointment on the clinic's wall clock (date + hour), of a status kind. */
export async function createAppointment(
  reflexoId: number,
  patientId: number,
  therapistId: number,
  date: string,
  hour: string,
  kind = 'pending',
  over: Record<string, unknown> = {},
): Promise<number> {
  const r = await ownerKysely()
    .insertInto('appointments')
    .values({ reflexo_id: reflexoId, patient_id: patientId, therapist_id: therapistId, appointment_date: date, hour, duration_minutes: 30, appointment_status_id: await statusId(kind), ...over })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id as number;
}

/**
 * `n` patients of one clinic in ONE statement (INSERT … SELECT generate_series), each with an
 * e-mail `<tag>-<i>@bulk.test`; returns their ids in order.
 */
export async function bulkPatients(reflexoId: number, n: number, tag: string, over: { estado_paciente?: string } = {}): Promise<number[]> {
  const first = Number(nextDocument());
  for (let i = 1; i < n; i++) nextDocument(); // reserve the document numbers used below
  const { rows } = await sql<{ id: number }>`
    INSERT INTO patients (reflexo_id, document_number, name, paternal_lastname, maternal_lastname, email, estado_paciente)
    SELECT ${reflexoId}, (${first}::bigint + g)::text, 'Paciente' || g, 'Masivo', ${tag}, ${tag} || '-' || g || '@bulk.test', ${over.estado_paciente ?? 'activo'}
    FROM generate_series(0, ${n - 1}) g
    RETURNING id`.execute(ownerKysely());
  return rows.map((r) => r.id);
}

/** The Actor the HTTP layer would build for a test user (domain functions called directly). */
export const actorOf = (u: TestUser, admin = true): Actor => ({
  userId: u.id,
  reflexoId: u.reflexoId,
  isSuperuser: false,
  isStaff: admin,
  role: admin ? 'Admin' : null,
  isClinicAdmin: admin,
  isPlatform: false,
  jti: 'test',
  tokenExp: 0,
});

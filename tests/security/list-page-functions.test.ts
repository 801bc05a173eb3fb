import { sql } from 'kysely';
import { ANONYMOUS, withTenant, type TenantScope } from '../../lib/db/tenant';
import { createTenant, ownerKysely } from '../helpers/fixtures';
import { createPatient, createTherapist, limaDate, STATUS } from '../helpers/scheduling-fixtures';

/*
 * patient_page_ids() and appointment_page_ids() (migration 0028) run as their owner, so that a deep
 * page skips index entries without evaluating the tenant policy on each; they must apply the wall
 * themselves. Called as the API role, with each tenant context.
 */
describe('the list page functions keep the tenant wall', () => {
  let a: number, b: number, patient: number, appointment: number;
  const day = limaDate(30);
  beforeAll(async () => {
    a = (await createTenant()).id;
    b = (await createTenant()).id;
    patient = (await createPatient(a)).id;
    const therapist = (await createTherapist(a)).id;
    appointment = (
      await ownerKysely()
        .insertInto('appointments')
        .values({ reflexo_id: a, patient_id: patient, therapist_id: therapist, appointment_date: day, hour: '10:00:00', appointment_status_id: STATUS.pending })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  });
  const clinic = (reflexoId: number): TenantScope => ({ reflexoId, global: false, userId: null });
  const patients = (scope: TenantScope, of: number) =>
    withTenant(scope, async (db) => (await sql<{ id: number }>`SELECT patient_page_ids(${of}::int, 10, 0) AS id`.execute(db)).rows.map((r) => r.id));
  const agenda = (scope: TenantScope, of: number, date: string | null) =>
    withTenant(scope, async (db) => (await sql<{ id: number; total: number | null }>`SELECT id, total FROM appointment_page_ids(${of}::int, ${date}::date, false, 10, 0)`.execute(db)).rows);

  it('answer the clinic itself and a global administrator', async () => {
    expect(await patients(clinic(a), a)).toEqual([patient]);
    expect(await patients({ reflexoId: null, global: true, userId: null }, a)).toEqual([patient]);
    expect(await agenda(clinic(a), a, null)).toEqual([{ id: appointment, total: null }]);
    expect(await agenda(clinic(a), a, day)).toEqual([{ id: appointment, total: 1 }]);
  });

  it('another clinic, or no tenant context, gets nothing when naming clinic A', async () => {
    for (const scope of [clinic(b), ANONYMOUS]) {
      expect(await patients(scope, a)).toEqual([]);
      expect(await agenda(scope, a, null)).toEqual([]);
      expect(await agenda(scope, a, day)).toEqual([]);
    }
  });
});

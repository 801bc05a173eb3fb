import { ownerKysely, uniq } from './fixtures';

/* Rows the scheduling tests start from, written through the owner connection (no RLS). */

let docSeq = 10_000_000 + Math.floor(Math.random() * 80_000_000);
export const nextDocument = () => String(docSeq++);

export async function createPatient(reflexoId: number, over: Record<string, unknown> = {}): Promise<{ id: number; name: string }> {
  return (await ownerKysely()
    .insertInto('patients')
    .values({ reflexo_id: reflexoId, document_number: nextDocument(), name: uniq('Juan'), paternal_lastname: 'Pérez', maternal_lastname: 'Ramos', ...over })
    .returning(['id', 'name'])
    .executeTakeFirstOrThrow()) as { id: number; name: string };
}

export async function createTherapist(reflexoId: number, over: Record<string, unknown> = {}): Promise<{ id: number }> {
  return (await ownerKysely()
    .insertInto('therapists')
    .values({
      reflexo_id: reflexoId,
      document_type_id: 1,
      document_number: nextDocument(),
      last_name_paternal: 'García',
      last_name_maternal: 'López',
      first_name: uniq('Ana'),
      email: `${uniq('t')}@gmail.com`,
      region_id: 15,
      province_id: 1501,
      district_id: 150122,
      ...over,
    })
    .returning('id')
    .executeTakeFirstOrThrow()) as { id: number };
}

/** A calendar day `days` from today in Lima (the default tenant time zone), 'YYYY-MM-DD'. */
export function limaDate(days: number): string {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Lima' }).format(new Date());
  const d = new Date(`${today}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export const STATUS = { pending: 1, completed: 2, cancelled: 3, rescheduled: 4 } as const;

/*
 * Seeded catalog rows by their stable code. Other suites (security fuzzing) rename global catalog
 * rows while these tests run, so tests never rely on a seeded row's display name.
 */
export async function catalogByCode() {
  const o = ownerKysely();
  const map = async (table: string) =>
    Object.fromEntries(((await o.selectFrom(table).select(['id', 'code']).where('code', 'is not', null).execute()) as { id: number; code: string }[]).map((r) => [r.code, r.id]));
  return { documentType: await map('document_types'), paymentType: await map('payment_types'), paymentStatus: await map('payment_statuses') };
}

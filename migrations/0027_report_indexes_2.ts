import { sql, type Kysely } from 'kysely';

/*
 * Two indexes the v1 reports lacked at clinic-chain scale (the bench, scale 10):
 *
 * - The dashboard shows the clinic's invoices still owed (lib/domain/invoices.ts OUTSTANDING_STATUSES:
 *   emitida, parcial) and what they owe, over the whole history. Without an index holding only those
 *   it read every invoice of every clinic (the EXPLAIN guard found a sequential scan over 61,705). The
 *   index stays small: an invoice leaves it when it is paid or annulled. Its predicate must match the
 *   query's status list (lib/queries/v1-reports.ts outstandingInvoices; a test checks the plan).
 * - reports/patients tells first-time from returning patients by probing, for each patient seen in the
 *   period, for an earlier visit. On (patient_id) alone each probe read all of the patient's
 *   appointments (≈ 100 each, 400 ms for a month of the largest clinic); with the date in the key
 *   it reads the first one. The new index serves everything the old one did (its leading column), so
 *   the old one goes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX invoices_outstanding_idx ON invoices (reflexo_id) INCLUDE (total, paid) WHERE status IN ('emitida', 'parcial')`.execute(db);
  await sql`CREATE INDEX appointments_patient_date_idx ON appointments (patient_id, appointment_date)`.execute(db);
  await sql`DROP INDEX appointments_patient_idx`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX appointments_patient_idx ON appointments (patient_id)`.execute(db);
  await sql`DROP INDEX appointments_patient_date_idx`.execute(db);
  await sql`DROP INDEX invoices_outstanding_idx`.execute(db);
}

import { sql, type Kysely } from 'kysely';

/*
 * Issue 12 on company reports. Money received is counted on the clinic's calendar day its ticket was
 * paid (lib/queries/company-reports.ts `ticketPaidOnDays`): petty cash, paid tickets and the exports
 * ask for one clinic's paid, active tickets whose payment instant falls in a range. Without this
 * index the only candidate was (reflexo_id, status, created_at), which reads every paid ticket the
 * clinic ever had to find one day's.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX tickets_paid_day_idx ON tickets (reflexo_id, payment_date) WHERE status = 'paid' AND is_active`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS tickets_paid_day_idx`.execute(db);
}

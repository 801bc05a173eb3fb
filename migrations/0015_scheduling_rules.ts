import { sql, type Kysely } from 'kysely';

/*
 * Issue 12 on therapists, appointments and tickets.
 *
 * - A therapist is a practitioner of either surface: the Reflexo contract requires a document, a
 *   maternal surname, an e-mail and an ubigeo location, the v1 contract (doctors: nombres, apellidos,
 *   especialidad…) none of them. Those rules now live at the Reflexo edge, so the columns allow NULL;
 *   (type, number) stays unique among a clinic's live therapists wherever both are present.
 * - `is_active` (deactivated, still listed with ?active=false) is separate from `deleted_at`
 *   (soft-deleted: gone from every list until restored).
 * - v1 doctors carry a specialty and an agenda colour (`#rrggbb`).
 * - An appointment's payment status is its ticket's status seen from the agenda: rows booked before
 *   this rule (payment_status_id NULL, or out of step with the ticket) are brought in line.
 */
const RELAXED = ['document_type_id', 'document_number', 'last_name_maternal', 'email', 'region_id', 'province_id', 'district_id'];

export async function up(db: Kysely<any>): Promise<void> {
  for (const c of RELAXED) await sql.raw(`ALTER TABLE therapists ALTER COLUMN ${c} DROP NOT NULL`).execute(db);
  await sql`DROP INDEX therapists_document_key`.execute(db);
  await sql`CREATE UNIQUE INDEX therapists_document_key ON therapists (reflexo_id, document_type_id, document_number)
    WHERE deleted_at IS NULL AND document_type_id IS NOT NULL AND document_number IS NOT NULL`.execute(db);
  await db.schema
    .alterTable('therapists')
    .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('specialty', 'text')
    // '#rrggbb', checked by the domain (lib/domain/therapists.ts) for every surface.
    .addColumn('color', 'varchar(7)')
    .execute();

  await sql`UPDATE appointments a SET payment_status_id = ps.id
    FROM tickets t JOIN payment_statuses ps ON ps.code = t.status
    WHERE t.appointment_id = a.id AND a.payment_status_id IS DISTINCT FROM ps.id`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('therapists').dropColumn('color').dropColumn('specialty').dropColumn('is_active').execute();
  await sql`DROP INDEX therapists_document_key`.execute(db);
  await sql`CREATE UNIQUE INDEX therapists_document_key ON therapists (reflexo_id, document_type_id, document_number) WHERE deleted_at IS NULL`.execute(db);
  // Fails while a therapist lacks one of them (a v1 doctor): complete or remove those rows first.
  for (const c of RELAXED) await sql.raw(`ALTER TABLE therapists ALTER COLUMN ${c} SET NOT NULL`).execute(db);
}

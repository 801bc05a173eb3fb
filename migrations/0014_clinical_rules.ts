import type { Kysely } from 'kysely';

/*
 * Issue 12, patients and clinical records: nothing to change in the schema. The fields only the
 * Reflexo contract requires of a patient (document type, ubigeo, occupation, health condition) have
 * been nullable since 0005, so a v1 patient without them is stored as is; what every surface needs
 * (name, paternal surname, document number) stays NOT NULL, as the other modules' patient views
 * read it. Kept (registered) so the numbering stays reserved.
 */
export async function up(_db: Kysely<any>): Promise<void> {}
export async function down(_db: Kysely<any>): Promise<void> {}

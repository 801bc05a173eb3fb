import { sql, type Kysely } from 'kysely';
import { FOLD_FROM, FOLD_TO } from './0005_clinical';

/*
 * Onboarding clinics (issue 12): a clinic's name is unique regardless of case, accents and
 * surrounding spaces, so an operator who types "Clinica Sur" for the existing "Clínica Sur" gets a
 * 409 instead of a second tenant. The index decides (no check-then-insert). Before this migration
 * clinics could only be made with SQL: if two already share a name, the migration stops and names
 * them rather than renaming a customer's clinic on its own.
 */
const folded = `translate(lower(btrim(name)), '${FOLD_FROM}', '${FOLD_TO}')`;

export async function up(db: Kysely<any>): Promise<void> {
  const { rows } = await sql<{ clinics: string }>`
    SELECT string_agg(id || ' "' || name || '"', ', ' ORDER BY id) AS clinics
      FROM tenants GROUP BY ${sql.raw(folded)} HAVING count(*) > 1`.execute(db);
  if (rows.length) {
    throw new Error(
      `0017_tenants: these clinics share a name (case and accents ignored): ${rows.map((r) => r.clinics).join('; ')}. ` +
        'Rename all but one of each (UPDATE tenants SET name = ... WHERE id = ...) and migrate again.',
    );
  }
  await sql.raw(`CREATE UNIQUE INDEX tenants_name_uq ON tenants ((${folded}))`).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS tenants_name_uq`.execute(db);
}

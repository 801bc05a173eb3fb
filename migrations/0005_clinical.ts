import type { Kysely } from 'kysely';

/* Owned by issue 4: see lib/db/tables/clinical.ts for the table types. */
export async function up(_db: Kysely<any>): Promise<void> {}

export async function down(_db: Kysely<any>): Promise<void> {}

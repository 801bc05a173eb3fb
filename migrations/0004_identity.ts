import type { Kysely } from 'kysely';

/* Owned by issue 3: see lib/db/tables/identity.ts for the table types. */
export async function up(_db: Kysely<any>): Promise<void> {}

export async function down(_db: Kysely<any>): Promise<void> {}

import type { Kysely } from 'kysely';

/* Reserved for issue 12 work on this module; filled in by its change (no-op until then). */
export async function up(_db: Kysely<any>): Promise<void> {}
export async function down(_db: Kysely<any>): Promise<void> {}

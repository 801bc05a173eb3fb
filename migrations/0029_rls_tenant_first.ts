import type { Kysely } from 'kysely';
import { rewriteTenantPolicies } from './rls';

/*
 * Every tenant policy rewritten with the clinic's own comparison before the global flag (rls.ts): the
 * same rows pass, and a clinic's rows cost one setting read each instead of two. Down leaves the
 * policies as they are: the order is not a behaviour, only a cost.
 */
export const up = (db: Kysely<any>) => rewriteTenantPolicies(db, 'plain');
export const down = async (_db: Kysely<any>) => {};

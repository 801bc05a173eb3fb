import type { Kysely } from 'kysely';
import { rewriteTenantPolicies } from './rls';

/*
 * Back to the plain tenant predicate (see rls.ts): the planner must see how many rows a clinic has.
 * The big totals 0009 was meant to speed up now come from the live counters of 0010.
 */
export const up = (db: Kysely<any>) => rewriteTenantPolicies(db, 'plain');
export const down = (db: Kysely<any>) => rewriteTenantPolicies(db, 'initplan');

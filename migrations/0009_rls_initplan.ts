import type { Kysely } from 'kysely';
import { rewriteTenantPolicies } from './rls';

/*
 * Tenant policies that read their settings through InitPlans (once per query). Superseded by 0011,
 * which restores the plain form: the InitPlans hid the clinic from the planner's estimates.
 */
export const up = (db: Kysely<any>) => rewriteTenantPolicies(db, 'initplan');
export const down = (db: Kysely<any>) => rewriteTenantPolicies(db, 'plain');

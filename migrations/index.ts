import type { Migration } from 'kysely';
import * as m0001 from './0001_core';
import * as m0002 from './0002_locations';

/**
 * Every migration, in order. Listed statically (not read from the folder) so the same list works in
 * jest, in tsx scripts and inside a bundle. Add new ones at the end with the next number.
 */
export const migrations: Record<string, Migration> = {
  '0001_core': m0001,
  '0002_locations': m0002,
};

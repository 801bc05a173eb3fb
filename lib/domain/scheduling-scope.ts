import type { Actor } from '../http/route';
import { requireTenantReader } from './tenancy';

/*
 * The clinic a read of scheduling data is limited to: the caller's own, or null for a global
 * administrator (every clinic). RLS enforces the same wall underneath.
 */
export function readerScope(actor: Actor | null): number | null {
  requireTenantReader(actor);
  return actor!.isSuperuser ? null : actor!.reflexoId;
}

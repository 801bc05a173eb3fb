import { isPlatform, type Actor } from '../auth/actor';
import { requireTenantReader } from './tenancy';

/*
 * The clinic a read of scheduling data is limited to: the caller's own, or null for a global
 * administrator (every clinic). RLS enforces the same wall underneath.
 */
export function readerScope(actor: Actor | null): number | null {
  requireTenantReader(actor);
  return isPlatform(actor) ? null : actor!.reflexoId;
}

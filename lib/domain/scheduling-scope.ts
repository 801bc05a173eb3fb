import { isPlatform, type Actor } from '../auth/actor';
import { requireTenantReader } from './tenancy';

/*
 * What the scheduling modules share: the clinic a read is limited to, and how a write names a row of
 * a shared catalog.
 */

/**
 * The clinic a read of scheduling data is limited to: the caller's own, or null for a global
 * administrator (every clinic). RLS enforces the same wall underneath.
 */
export function readerScope(actor: Actor | null): number | null {
  requireTenantReader(actor);
  return isPlatform(actor) ? null : actor!.reflexoId;
}

/**
 * A catalog row (document type, payment type, payment status, appointment status) named by its id or
 * by its name, compared case-insensitively (a code such as `cash` or `DNI` counts as a name). Clients
 * of either surface send what their forms hold; the domain resolves it.
 */
export type CatalogRef = number | string;

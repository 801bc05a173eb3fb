import { isPlatform, type Actor } from '../auth/actor';
import { Forbidden, ValidationError } from '../errors';

/*
 * Which tenant a write lands in. A tenant user always writes into their own clinic (a `reflexo_id`
 * naming another clinic is refused as if it did not exist); a global administrator has no clinic of
 * their own and must name one. A user without a tenant (self-registered, not yet assigned) cannot
 * touch tenant data at all.
 */
export function tenantForWrite(actor: Actor | null, requested?: number | null): number {
  if (!actor) throw new Forbidden();
  if (isPlatform(actor)) {
    if (requested === undefined || requested === null) throw ValidationError.field('reflexo_id', 'Un administrador global debe indicar reflexo_id.', 'missing');
    return requested;
  }
  if (actor.reflexoId === null) throw new Forbidden('Su usuario aún no está asignado a una clínica.');
  if (requested !== undefined && requested !== null && requested !== actor.reflexoId) {
    throw ValidationError.field('reflexo_id', 'La clínica indicada no existe.', 'invalid');
  }
  return actor.reflexoId;
}

/** Reads of tenant data need a tenant, or the global flag (superusers see every clinic). */
export function requireTenantReader(actor: Actor | null): void {
  if (!actor) throw new Forbidden();
  if (!isPlatform(actor) && actor.reflexoId === null) throw new Forbidden('Su usuario aún no está asignado a una clínica.');
}

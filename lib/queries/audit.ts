import { sql } from 'kysely';
import type { Db } from '../db/tenant';

/* The audit log, read side. Writes go through recordAudit (lib/domain/audit.ts). */

export interface AuditFilter {
  /** A tenant to restrict to; undefined for a global administrator looking across tenants. */
  reflexoId?: number;
  userId?: number;
  entity?: string;
  entityId?: string;
  action?: string;
  /** Inclusive calendar days, judged in `timeZone`. */
  dateFrom?: string;
  dateTo?: string;
  timeZone: string;
  id?: number;
}

export function auditLogQuery(db: Db, f: AuditFilter) {
  let q = db
    .selectFrom('audit_log as a')
    .leftJoin('users as u', 'u.id', 'a.user_id')
    .select([
      'a.id',
      'a.reflexo_id',
      'a.user_id',
      'u.email as user_email',
      'a.action',
      'a.entity',
      'a.entity_id',
      'a.changed_fields',
      'a.ip',
      'a.user_agent',
      'a.request_id',
      'a.created_at',
    ]);
  if (f.reflexoId !== undefined) q = q.where('a.reflexo_id', '=', f.reflexoId);
  if (f.id !== undefined) q = q.where('a.id', '=', f.id);
  if (f.userId !== undefined) q = q.where('a.user_id', '=', f.userId);
  if (f.entity !== undefined) q = q.where('a.entity', '=', f.entity);
  if (f.entityId !== undefined) q = q.where('a.entity_id', '=', f.entityId);
  if (f.action !== undefined) q = q.where('a.action', '=', f.action);
  // Day boundaries in the clinic's zone, expressed as timestamptz so the (reflexo_id, created_at) index applies.
  if (f.dateFrom !== undefined) q = q.where('a.created_at', '>=', sql<any>`(${f.dateFrom}::date)::timestamp AT TIME ZONE ${f.timeZone}`);
  if (f.dateTo !== undefined) q = q.where('a.created_at', '<', sql<any>`((${f.dateTo}::date + 1))::timestamp AT TIME ZONE ${f.timeZone}`);
  return q.orderBy('a.created_at', 'desc').orderBy('a.id', 'desc');
}

export async function tenantTimeZone(db: Db, reflexoId: number): Promise<string | undefined> {
  const row = await db.selectFrom('tenants').select('time_zone').where('id', '=', reflexoId).executeTakeFirst();
  return row?.time_zone;
}

import type { Db } from '../db/tenant';
import { requestContext } from '../http/context';

/*
 * One call per important operation, inside the transaction that makes the change, so the log and
 * the data can never disagree. Record ids and the names of changed fields, never their values.
 */
export type AuditAction =
  | 'create'
  | 'update'
  | 'delete'
  | 'restore'
  | 'login'
  | 'login_failed'
  | 'logout'
  | 'password_change'
  | 'password_reset'
  | 'email_change'
  | 'export'
  | (string & {});

export interface AuditEntry {
  action: AuditAction;
  entity: string;
  entityId?: number | string | null;
  changedFields?: string[];
  /** Defaults to the caller's tenant; pass it for events without an authenticated caller (login). */
  reflexoId?: number | null;
  userId?: number | null;
}

export async function recordAudit(db: Db, entry: AuditEntry): Promise<void> {
  const ctx = requestContext();
  await db
    .insertInto('audit_log')
    .values({
      reflexo_id: entry.reflexoId !== undefined ? entry.reflexoId : (ctx?.actor?.reflexoId ?? null),
      user_id: entry.userId !== undefined ? entry.userId : (ctx?.actor?.userId ?? null),
      action: entry.action,
      entity: entry.entity,
      entity_id: entry.entityId === undefined || entry.entityId === null ? null : String(entry.entityId),
      changed_fields: entry.changedFields ?? null,
      ip: ctx?.sourceIp ?? null,
      user_agent: ctx?.userAgent?.slice(0, 300) ?? null,
      request_id: ctx?.requestId ?? null,
    })
    .execute();
}

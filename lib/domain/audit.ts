import { config } from '../config';
import type { Db } from '../db/tenant';
import { requestContext } from '../context';
import { NotFound } from '../errors';
import { paginate, type Page } from '../queries/paginate';
import { isPlatform, type Actor } from '../auth/actor';
import { auditLogQuery, insertAuditRow, tenantTimeZone, type AuditFilter } from '../queries/audit';
import { requireTenantReader } from './tenancy';

/*
 * One call per important operation, inside the transaction that makes the change, so the log and
 * the data can never disagree. Record ids and the names of changed fields, never their values.
 * The row travels with the request's COMMIT (lib/queries/audit.ts): an audit costs no round trip.
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
  await insertAuditRow(db, {
    reflexo_id: entry.reflexoId !== undefined ? entry.reflexoId : (ctx?.actor?.reflexoId ?? null),
    user_id: entry.userId !== undefined ? entry.userId : (ctx?.actor?.userId ?? null),
    action: entry.action,
    entity: entry.entity,
    entity_id: entry.entityId === undefined || entry.entityId === null ? null : String(entry.entityId),
    changed_fields: entry.changedFields ?? null,
    ip: ctx?.sourceIp ?? null,
    user_agent: ctx?.userAgent?.slice(0, 300) ?? null,
    request_id: ctx?.requestId ?? null,
  });
}

export interface AuditSearch {
  userId?: number;
  entity?: string;
  entityId?: string;
  action?: string;
  dateFrom?: string;
  dateTo?: string;
  /** Only global administrators may look at another clinic (or at every clinic, when omitted). */
  reflexoId?: number;
}

/*
 * Who may read which entries: a clinic's admins see their clinic's log; global administrators see
 * every clinic's, plus the tenant-less entries (failed logins for unknown e-mails, their own acts).
 * RLS enforces the same wall underneath; the filter here keeps the query on the tenant index.
 */
async function scopeFor(db: Db, actor: Actor | null, requested?: number): Promise<Pick<AuditFilter, 'reflexoId' | 'timeZone'>> {
  requireTenantReader(actor);
  const reflexoId = isPlatform(actor) ? requested : actor!.reflexoId!;
  const timeZone = (reflexoId !== undefined ? await tenantTimeZone(db, reflexoId) : undefined) ?? config.defaultTimeZone;
  return { reflexoId, timeZone };
}

export async function listAuditLogs(db: Db, actor: Actor | null, search: AuditSearch, page: number, size: number): Promise<Page<AuditRecord>> {
  const scope = await scopeFor(db, actor, search.reflexoId);
  return paginate(auditLogQuery(db, { ...search, ...scope }), page, size);
}

export async function getAuditLog(db: Db, actor: Actor | null, id: number): Promise<AuditRecord> {
  const scope = await scopeFor(db, actor);
  const row = await auditLogQuery(db, { ...scope, id }).executeTakeFirst();
  if (!row) throw new NotFound('Registro de auditoría no encontrado.');
  return row;
}

/** One entry as the domain hands it to a surface. */
export type AuditRecord = Awaited<ReturnType<ReturnType<typeof auditLogQuery>['executeTakeFirstOrThrow']>>;

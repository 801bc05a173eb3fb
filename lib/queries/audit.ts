import { sql, type Selectable } from 'kysely';
import { sqlLiteral, writeWithCommit, type Db } from '../db/tenant';
import type { AuditLogTable } from '../db/tables/core';

/* The audit log. Writes go through recordAudit (lib/domain/audit.ts). */

/** One audit row as recordAudit writes it: every column but the generated id and timestamp. */
export type AuditRow = Omit<Selectable<AuditLogTable>, 'id' | 'created_at'>;

// What jsonb would refuse: NUL (PostgreSQL text cannot hold it) is dropped; a lone surrogate becomes
// U+FFFD, as pg's UTF-8 encoding of a parameter makes it.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const clean = (s: string | null) => (s === null ? null : s.replace(/\0/g, '').replace(LONE_SURROGATE, '\uFFFD'));

/*
 * The queued rows as one INSERT in the COMMIT's round trip. That round trip is a simple-protocol
 * query (parameters cannot travel with COMMIT), so the rows go as ONE jsonb literal escaped by pg's
 * escapeLiteral, unpacked by jsonb_to_recordset in their order.
 */
function insertQueuedRows(rows: AuditRow[]): string {
  const json = JSON.stringify(rows.map((r) => ({ ...r, entity_id: clean(r.entity_id), changed_fields: r.changed_fields?.map((f) => clean(f)!) ?? null, ip: clean(r.ip), user_agent: clean(r.user_agent), request_id: clean(r.request_id) })));
  return (
    'INSERT INTO audit_log (reflexo_id, user_id, action, entity, entity_id, changed_fields, ip, user_agent, request_id)' +
    ' SELECT reflexo_id, user_id, action, entity, entity_id, changed_fields, ip, user_agent, request_id' +
    ` FROM ROWS FROM (jsonb_to_recordset(${sqlLiteral(json)}::jsonb) AS (reflexo_id integer, user_id integer, action text, entity text, entity_id text, changed_fields text[], ip text, user_agent text, request_id text))` +
    ' WITH ORDINALITY AS r (reflexo_id, user_id, action, entity, entity_id, changed_fields, ip, user_agent, request_id, n) ORDER BY n'
  );
}

/**
 * One audit row, in the transaction that makes the change: queued for the COMMIT's round trip when
 * `db` is a request's transaction (if it fails, the change rolls back with it), inserted now otherwise.
 */
export async function insertAuditRow(db: Db, row: AuditRow): Promise<void> {
  if (writeWithCommit(db, { kind: 'audit_log', row, render: insertQueuedRows })) return;
  await db.insertInto('audit_log').values(row).execute();
}

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

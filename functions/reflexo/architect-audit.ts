import { z } from 'zod';
import { defineReflexoGroup } from './surface';
import { createHandler } from '../../lib/http/app';
import { drfPage, drfPageQuery, drfPageSchema } from '../../lib/http/pagination';
import { route } from '../../lib/http/route';
import { idParams, intString, isoDate, timestamp } from '../../lib/http/schemas';
import { getAuditLog, listAuditLogs, type AuditRecord } from '../../lib/domain/audit';

/*
 * The audit log, read-only: who did what to which record, when and from where. Clinic admins see
 * their clinic; global administrators see every clinic (and may narrow with ?reflexo_id=).
 * Entries carry ids and changed field NAMES only, never values.
 */

const AuditEntry = z.object({
  id: z.number().int(),
  reflexo_id: z.number().int().nullable(),
  user_id: z.number().int().nullable(),
  user_email: z.string().nullable(),
  action: z.string(),
  entity: z.string(),
  entity_id: z.string().nullable(),
  changed_fields: z.array(z.string()).nullable(),
  ip: z.string().nullable(),
  user_agent: z.string().nullable(),
  request_id: z.string().nullable(),
  created_at: timestamp,
});

const toEntry = (a: AuditRecord) => ({
  id: a.id,
  reflexo_id: a.reflexo_id,
  user_id: a.user_id,
  user_email: a.user_email,
  action: a.action,
  entity: a.entity,
  entity_id: a.entity_id,
  changed_fields: a.changed_fields,
  ip: a.ip,
  user_agent: a.user_agent,
  request_id: a.request_id,
  created_at: a.created_at,
});

const token = (max: number) => z.string().trim().min(1).max(max);

const AuditQuery = z
  .object({
    ...drfPageQuery,
    user: intString.optional(),
    entity: token(60).optional(),
    entity_id: token(64).optional(),
    action: token(40).optional(),
    date_from: isoDate.optional(),
    date_to: isoDate.optional(),
    reflexo_id: intString.optional(),
  })
  .refine((q) => !q.date_from || !q.date_to || q.date_from <= q.date_to, { path: ['date_to'], message: 'date_to debe ser igual o posterior a date_from.' });

export const group = defineReflexoGroup({
  name: 'architect-audit',
  prefixes: ['/api/architect/audit-logs'],
  tag: 'Audit',
  tenantScoped: true,
  routes: [
    route({
      method: 'GET',
      path: '/api/architect/audit-logs/',
      access: 'admin',
      summary: 'Listar el registro de auditoría (paginado; filtros user, entity, entity_id, action, date_from, date_to, reflexo_id)',
      description:
        'Más reciente primero. Fechas YYYY-MM-DD inclusivas, en la zona horaria de la clínica. `reflexo_id` solo lo usan administradores globales.',
      query: AuditQuery,
      response: drfPageSchema(AuditEntry),
      handler: async ({ db, actor, query, baseUrl, path }) => {
        const page = await listAuditLogs(
          db,
          actor,
          {
            userId: query.user,
            entity: query.entity,
            entityId: query.entity_id,
            action: query.action,
            dateFrom: query.date_from,
            dateTo: query.date_to,
            reflexoId: query.reflexo_id,
          },
          query.page,
          query.page_size,
        );
        return drfPage({ ...page, rows: page.rows.map(toEntry) }, baseUrl, path, query);
      },
    }),
    route({
      method: 'GET',
      path: '/api/architect/audit-logs/{id}/',
      access: 'admin',
      summary: 'Ver un registro de auditoría',
      params: idParams,
      entity: 'audit_log',
      response: AuditEntry,
      handler: async ({ db, actor, params }) => toEntry(await getAuditLog(db, actor, params.id)),
    }),
  ],
});

export const handler = createHandler(group);

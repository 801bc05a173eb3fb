import { z } from 'zod';
import { createAutomation, deleteAutomation, executeAutomation, getAutomation, listAutomations, listRuns, TRIGGERS, updateAutomation, type AutomationRecord, type RunRecord } from '../../lib/domain/automations';
import { createHandler } from '../../lib/http/app';
import { reply, route } from '../../lib/http/route';
import { isoUtc } from '../../lib/time';
import { defineV1Group, listRoute } from './surface';

/*
 * v1 automations: a trigger (appointment reminder N hours before, birthday, follow-up N days after a
 * completed appointment, no-show follow-up) with parameters and an e-mail template. The scheduler
 * runs the active ones every 15 minutes; `execute` runs one now; `logs` lists the runs. Each
 * (automation, patient, occurrence) is sent at most once.
 */
const P = '/api/v1/automations';
const id = z.string().regex(/^\d{1,9}$/, 'Input should be a valid integer').transform(Number);
const params = z.object({ automation_id: id });
const DISPARADORES = ['recordatorio_cita', 'cumpleanos', 'seguimiento_post_cita', 'inasistencia'] as const;
const triggerDoc = Object.entries(TRIGGERS)
  .map(([t, d]) => `${t} (${Object.entries(d.params).map(([k, s]) => `${k}: ${s.min}–${s.max}, por defecto ${s.default}`).join(', ') || 'sin parámetros'}; marcadores ${d.placeholders.map((p) => `{{${p}}}`).join(' ')})`)
  .join('; ');

const ts = (d: Date | null) => (d ? isoUtc(new Date(d)) : null);

const Automatizacion = z
  .object({
    id: z.number().int(),
    nombre: z.string(),
    disparador: z.enum(DISPARADORES),
    parametros: z.record(z.string(), z.number().int()),
    asunto: z.string(),
    contenido: z.string(),
    contenido_texto: z.string(),
    activo: z.boolean(),
    ultima_ejecucion: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Automatizacion', description: triggerDoc });
const toAutomatizacion = (a: AutomationRecord) => ({
  id: a.id,
  nombre: a.name,
  disparador: a.trigger,
  parametros: a.params,
  asunto: a.subject,
  contenido: a.content_html,
  contenido_texto: a.content_text,
  activo: a.is_active,
  ultima_ejecucion: ts(a.last_run_at),
  created_at: ts(a.created_at)!,
  updated_at: ts(a.updated_at)!,
});

const AutomatizacionBody = z.object({
  nombre: z.string().trim().min(1).max(200),
  disparador: z.enum(DISPARADORES),
  parametros: z.record(z.string(), z.unknown()).optional(),
  asunto: z.string().trim().min(1).max(300),
  contenido: z.string().min(1).max(100_000),
  activo: z.boolean().optional(),
});
const automationInput = (b: Partial<z.output<typeof AutomatizacionBody>>) => ({
  name: b.nombre,
  trigger: b.disparador,
  params: b.parametros,
  subject: b.asunto,
  html: b.contenido,
  active: b.activo,
});

const Ejecucion = z
  .object({
    id: z.number().int(),
    automatizacion_id: z.number().int(),
    origen: z.enum(['programada', 'manual']),
    ejecutada_para: z.string(),
    iniciada_en: z.string(),
    finalizada_en: z.string().nullable(),
    coincidencias: z.number().int(),
    encolados: z.number().int(),
    omitidos: z.number().int(),
    repetidos: z.number().int(),
    errores: z.number().int(),
    detalle_error: z.string().nullable(),
  })
  .meta({ id: 'EjecucionAutomatizacion', description: 'coincidencias = encolados + omitidos (sin e-mail o suprimidos) + repetidos (ya enviados antes)' });
const toEjecucion = (r: RunRecord) => ({
  id: r.id,
  automatizacion_id: r.automation_id,
  origen: r.origin,
  ejecutada_para: ts(r.run_at)!,
  iniciada_en: ts(r.started_at)!,
  finalizada_en: ts(r.finished_at),
  coincidencias: r.matched,
  encolados: r.queued,
  omitidos: r.skipped,
  repetidos: r.repeated,
  errores: r.errors,
  detalle_error: r.error_detail,
});

export const group = defineV1Group({
  name: 'v1-automations',
  prefixes: [P],
  tag: 'v1 · Automatizaciones',
  tenantScoped: true,
  routes: [
    listRoute({
      path: P,
      summary: 'Listar automatizaciones (?disparador=, ?activo=)',
      item: Automatizacion,
      query: { disparador: z.enum(DISPARADORES).optional(), activo: z.enum(['true', 'false']).transform((v) => v === 'true').optional() },
      load: ({ db, actor, query }) => listAutomations(db, actor, { trigger: query.disparador as (typeof DISPARADORES)[number] | undefined, active: query.activo as boolean | undefined }, query.page, query.size),
      present: toAutomatizacion,
    }),
    route({
      method: 'GET',
      path: `${P}/{automation_id}`,
      access: 'user',
      summary: 'Ver una automatización',
      params,
      entity: 'automations',
      response: Automatizacion,
      handler: async ({ db, actor, params }) => toAutomatizacion(await getAutomation(db, actor, params.automation_id)),
    }),
    route({
      method: 'POST',
      path: P,
      access: 'user',
      summary: 'Crear una automatización (disparador, parametros, asunto y contenido con marcadores)',
      description: triggerDoc,
      body: AutomatizacionBody,
      status: 201,
      response: Automatizacion,
      handler: async ({ db, actor, body }) => reply(201, toAutomatizacion(await createAutomation(db, actor, automationInput(body) as Parameters<typeof createAutomation>[2]))),
    }),
    route({
      method: 'PUT',
      path: `${P}/{automation_id}`,
      access: 'user',
      summary: 'Editar una automatización (los campos enviados)',
      params,
      entity: 'automations',
      body: AutomatizacionBody.partial(),
      response: Automatizacion,
      handler: async ({ db, actor, params, body }) => toAutomatizacion(await updateAutomation(db, actor, params.automation_id, automationInput(body))),
    }),
    route({
      method: 'DELETE',
      path: `${P}/{automation_id}`,
      access: 'user',
      summary: 'Eliminar una automatización con su historial',
      params,
      entity: 'automations',
      status: 204,
      handler: async ({ db, actor, params }) => {
        await deleteAutomation(db, actor, params.automation_id);
        return reply(204);
      },
    }),
    route({
      method: 'POST',
      path: `${P}/{automation_id}/execute`,
      access: 'user',
      summary: 'Ejecutar ahora para sus coincidencias actuales (también si está inactiva); responde lo que puso en la cola',
      params,
      entity: 'automations',
      response: Ejecucion,
      handler: async ({ db, actor, params, baseUrl }) => toEjecucion(await executeAutomation(db, actor, params.automation_id, baseUrl)),
    }),
    listRoute({
      path: `${P}/{automation_id}/logs`,
      summary: 'Ejecuciones de la automatización, la más reciente primero (cuándo, coincidencias, encolados, omitidos, errores)',
      params,
      entity: 'automations',
      item: Ejecucion,
      responses: { 404: { description: 'Automatización no encontrada' } },
      load: ({ db, actor, params: p, query }) => listRuns(db, actor, (p as { automation_id: number }).automation_id, query.page, query.size),
      present: toEjecucion,
    }),
  ],
});

export const handler = createHandler(group);

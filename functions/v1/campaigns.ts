import { z } from 'zod';
import {
  CAMPAIGN_PLACEHOLDERS,
  campaignResults,
  createCampaign,
  deleteCampaign,
  describeUnsubscribe,
  getCampaign,
  listCampaigns,
  sendCampaign,
  unsubscribe,
  updateCampaign,
  type CampaignRecord,
  type RecipientRecord,
} from '../../lib/domain/campaigns';
import { NotFound } from '../../lib/errors';
import { createHandler } from '../../lib/http/app';
import { v1ListHeaders, v1PageQuery } from '../../lib/http/pagination';
import { reply, route } from '../../lib/http/route';
import { isoUtc } from '../../lib/time';
import { apellidosOf } from './shapes';
import { defineV1Group, listRoute, refId, V1_LIST_HEADERS } from './surface';

/*
 * v1 campaigns: an e-mail (HTML with placeholders, sanitized; a text part generated) to a segment.
 * `send` freezes the recipients and queues their mail (202); the outbox sender delivers it. Every
 * message carries a signed one-click unsubscribe link: the public route at the end of this file.
 */
const P = '/api/v1/campaigns';
const id = z.string().regex(/^\d{1,9}$/, 'Input should be a valid integer').transform(Number);
const params = z.object({ campaign_id: id });
const ESTADOS = ['borrador', 'programada', 'enviando', 'enviada', 'cancelada'] as const;
const placeholders = CAMPAIGN_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ');

const Campana = z
  .object({
    id: z.number().int(),
    nombre: z.string(),
    asunto: z.string(),
    contenido: z.string(),
    contenido_texto: z.string(),
    segmento_id: z.number().int().nullable(),
    segmento: z.object({ id: z.number().int(), nombre: z.string() }).nullable(),
    estado: z.enum(ESTADOS),
    programada_para: z.string().nullable(),
    enviada_en: z.string().nullable(),
    destinatarios: z.number().int(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Campana' });

const ts = (d: Date | null) => (d ? isoUtc(new Date(d)) : null);
const toCampana = (c: CampaignRecord) => ({
  id: c.id,
  nombre: c.name,
  asunto: c.subject,
  contenido: c.content_html,
  contenido_texto: c.content_text,
  segmento_id: c.segment_id,
  segmento: c.segment_id !== null && c.segment_name !== null ? { id: c.segment_id, nombre: c.segment_name } : null,
  estado: c.status,
  programada_para: ts(c.scheduled_for),
  enviada_en: ts(c.sent_at),
  destinatarios: c.recipients,
  created_at: ts(c.created_at)!,
  updated_at: ts(c.updated_at)!,
});

const CampanaBody = z.object({
  nombre: z.string().trim().min(1).max(200),
  asunto: z.string().trim().min(1).max(300),
  contenido: z.string().min(1).max(200_000),
  segmento_id: refId.nullable().optional(),
  segmento: refId.nullable().optional(),
  estado: z.enum(['borrador', 'programada', 'cancelada']).optional(),
  programada_para: z.iso.datetime({ offset: true }).nullable().optional(),
});
const campaignInput = (b: Partial<z.output<typeof CampanaBody>>) => ({
  name: b.nombre,
  subject: b.asunto,
  html: b.contenido,
  segmentId: b.segmento_id !== undefined ? b.segmento_id : b.segmento,
  status: b.estado,
  scheduledFor: b.programada_para === undefined ? undefined : b.programada_para === null ? null : new Date(b.programada_para),
});

const Envio = z
  .object({
    campana_id: z.number().int(),
    estado: z.enum(ESTADOS),
    destinatarios: z.number().int(),
    suprimidos: z.number().int(),
    en_cola: z.number().int(),
    nuevos: z.number().int(),
    sin_email: z.number().int().nullable(),
    ya_enviada: z.boolean(),
  })
  .meta({ id: 'EnvioCampana' });

const ESTADOS_DESTINATARIO = ['pendiente', 'enviado', 'fallido', 'suprimido'] as const;
const Destinatario = z
  .object({
    paciente_id: z.number().int(),
    nombres: z.string(),
    apellidos: z.string(),
    email: z.string(),
    estado: z.enum(ESTADOS_DESTINATARIO),
    intentos: z.number().int(),
    encolado_en: z.string(),
    enviado_en: z.string().nullable(),
    error: z.string().nullable(),
  })
  .meta({ id: 'DestinatarioCampana' });
const toDestinatario = (r: RecipientRecord) => ({
  paciente_id: r.patient_id,
  nombres: r.name,
  apellidos: apellidosOf(r.paternal_lastname, r.maternal_lastname),
  email: r.email,
  estado: r.status,
  intentos: r.attempts,
  encolado_en: ts(r.queued_at)!,
  enviado_en: ts(r.sent_at),
  error: r.last_error,
});
const Resultados = z
  .object({
    campana_id: z.number().int(),
    estado: z.enum(ESTADOS),
    enviada_en: z.string().nullable(),
    totales: z.object({ destinatarios: z.number().int(), pendiente: z.number().int(), enviado: z.number().int(), fallido: z.number().int(), suprimido: z.number().int() }),
    destinatarios: z.array(Destinatario),
  })
  .meta({ id: 'ResultadosCampana' });

const html = (title: string, body: string) =>
  `<!doctype html><html lang="es"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>` +
  `<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}button{font-size:1rem;padding:.6rem 1.2rem}</style></head><body>${body}</body></html>`;
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (status: number, title: string, body: string) =>
  reply(status, html(title, body), { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'", 'X-Robots-Tag': 'noindex' });
const invalidPage = () => page(404, 'Enlace no válido', '<h1>Enlace no válido</h1><p>Este enlace para dejar de recibir correos no es válido.</p>');
const unsubscribeParams = z.object({ token: z.string().max(200) });
const htmlOnly = (description: string) => ({ description, contentTypes: ['text/html'] });

const notSendable = { 409: { description: 'La campaña está cancelada o no tiene segmento' } };

export const group = defineV1Group({
  name: 'v1-campaigns',
  prefixes: [P],
  tag: 'v1 · Marketing y Campañas',
  tenantScoped: true,
  routes: [
    listRoute({
      path: P,
      summary: 'Listar campañas (?estado= para filtrar)',
      item: Campana,
      query: { estado: z.enum(ESTADOS).optional() },
      load: ({ db, actor, query }) => listCampaigns(db, actor, query.estado as (typeof ESTADOS)[number] | undefined, query.page, query.size),
      present: toCampana,
    }),
    route({
      method: 'GET',
      path: `${P}/{campaign_id}`,
      access: 'user',
      summary: 'Ver una campaña',
      params,
      entity: 'campaigns',
      response: Campana,
      handler: async ({ db, actor, params }) => toCampana(await getCampaign(db, actor, params.campaign_id)),
    }),
    route({
      method: 'POST',
      path: P,
      access: 'user',
      summary: `Crear una campaña (contenido HTML, se limpia; marcadores ${placeholders}; con programada_para queda programada)`,
      body: CampanaBody,
      status: 201,
      response: Campana,
      handler: async ({ db, actor, body }) => reply(201, toCampana(await createCampaign(db, actor, campaignInput(body) as Parameters<typeof createCampaign>[2]))),
    }),
    route({
      method: 'PUT',
      path: `${P}/{campaign_id}`,
      access: 'user',
      summary: 'Editar una campaña (los campos enviados; 409 si ya se envió)',
      params,
      entity: 'campaigns',
      body: CampanaBody.partial(),
      response: Campana,
      responses: { 409: { description: 'La campaña ya se envió o se está enviando' } },
      handler: async ({ db, actor, params, body }) => toCampana(await updateCampaign(db, actor, params.campaign_id, campaignInput(body))),
    }),
    route({
      method: 'DELETE',
      path: `${P}/{campaign_id}`,
      access: 'user',
      summary: 'Eliminar una campaña con sus resultados (409 mientras se envía)',
      params,
      entity: 'campaigns',
      status: 204,
      responses: { 409: { description: 'La campaña se está enviando' } },
      handler: async ({ db, actor, params }) => {
        await deleteCampaign(db, actor, params.campaign_id);
        return reply(204);
      },
    }),
    route({
      method: 'GET',
      path: `${P}/{campaign_id}/results`,
      access: 'user',
      summary: 'Resultados: totales y estado por destinatario (pendiente, enviado, fallido, suprimido), paginado con ?page=&size= (?estado= filtra)',
      params,
      entity: 'campaigns',
      query: z.object({ ...v1PageQuery, estado: z.enum(ESTADOS_DESTINATARIO).optional() }),
      response: Resultados,
      responses: { 200: { description: 'Totales y una página de destinatarios (total de la página en las cabeceras)', schema: Resultados, headers: V1_LIST_HEADERS } },
      handler: async ({ db, actor, params, query, baseUrl, path }) => {
        const r = await campaignResults(db, actor, params.campaign_id, query.estado, query.page, query.size);
        const body = {
          campana_id: r.campaign.id,
          estado: r.campaign.status,
          enviada_en: ts(r.campaign.sent_at),
          totales: { destinatarios: r.totals.total, pendiente: r.totals.pendiente, enviado: r.totals.enviado, fallido: r.totals.fallido, suprimido: r.totals.suprimido },
          destinatarios: r.recipients.rows.map(toDestinatario),
        };
        return reply(200, body, v1ListHeaders(r.recipients.count, query.page, query.size, baseUrl, path, query));
      },
    }),
    route({
      method: 'POST',
      path: `${P}/{campaign_id}/send`,
      access: 'user',
      summary: 'Enviar: congela los destinatarios (pacientes del segmento con e-mail, una vez) y los pone en la cola de envío; 202 con el conteo. Repetirlo no envía nada nuevo',
      params,
      entity: 'campaigns',
      status: 202,
      response: Envio,
      responses: notSendable,
      handler: async ({ db, actor, params, baseUrl }) => {
        const r = await sendCampaign(db, actor, params.campaign_id, baseUrl);
        return reply(202, {
          campana_id: r.campaignId,
          estado: r.status,
          destinatarios: r.recipients,
          suprimidos: r.suppressed,
          en_cola: r.recipients - r.suppressed,
          nuevos: r.queued,
          sin_email: r.withoutEmail,
          ya_enviada: r.alreadySent,
        });
      },
    }),
    route({
      method: 'GET',
      path: `${P}/unsubscribe/{token}`,
      access: 'public',
      summary: 'Página del enlace para dejar de recibir correos (confirma con un botón; un GET nunca da de baja) — fuera de la lista del spec',
      params: unsubscribeParams,
      responses: { 200: htmlOnly('Página de confirmación'), 404: htmlOnly('Enlace no válido') },
      handler: async ({ db, params }) => {
        try {
          const t = await describeUnsubscribe(db, params.token);
          return page(
            200,
            'Dejar de recibir correos',
            `<h1>Dejar de recibir correos</h1><p>${esc(t.clinic)} no enviará más campañas a ${esc(t.maskedEmail)}.</p><form method="post"><button type="submit">Confirmar</button></form>`,
          );
        } catch (err) {
          if (err instanceof NotFound) return invalidPage();
          throw err;
        }
      },
    }),
    route({
      method: 'POST',
      path: `${P}/unsubscribe/{token}`,
      access: 'public',
      summary: 'Dar de baja en un clic (RFC 8058: List-Unsubscribe-Post): la dirección pasa a la lista de supresión de la clínica — fuera de la lista del spec',
      params: unsubscribeParams,
      forms: true,
      body: z.object({ 'List-Unsubscribe': z.string().max(50).optional() }).optional(),
      responses: { 200: htmlOnly('Baja registrada (también si ya estaba)'), 404: htmlOnly('Enlace no válido') },
      handler: async ({ db, params }) => {
        try {
          const t = await unsubscribe(db, params.token);
          return page(200, 'Baja registrada', `<h1>Listo</h1><p>${esc(t.clinic)} no enviará más campañas a ${esc(t.maskedEmail)}.</p>`);
        } catch (err) {
          if (err instanceof NotFound) return invalidPage();
          throw err;
        }
      },
    }),
  ],
});

export const handler = createHandler(group);

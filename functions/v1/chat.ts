import { z } from 'zod';
import { createConversation, getConversation, listConversations, listMessages, markMessageRead, MAX_MESSAGE_CHARS, MAX_PARTICIPANTS, messageLength, postMessage, type ConversationRecord, type MessageRecord } from '../../lib/domain/chat';
import { createHandler } from '../../lib/http/app';
import { reply, route } from '../../lib/http/route';
import { isoUtc } from '../../lib/time';
import { defineV1Group, listRoute } from './surface';

/*
 * v1 chat between users of one clinic: conversations (two people: the one direct conversation of
 * the pair; more: a group), messages (≤ 4,000 characters), read receipts, unread counts, `?since=`
 * polling. Only participants see a conversation; anyone else gets 404.
 */
const P = '/api/v1/chat';
const id = z.string().regex(/^\d{1,15}$/, 'Input should be a valid integer').transform(Number);
const conversationParams = z.object({ conversation_id: id });
const messageParams = z.object({ message_id: id });
const ts = (d: Date | string) => isoUtc(new Date(d));

const Participante = z.object({ id: z.number().int(), nombre: z.string(), email: z.string(), ultimo_leido_id: z.number().int() }).meta({ id: 'ParticipanteChat' });
const Mensaje = z
  .object({
    id: z.number().int(),
    conversacion_id: z.number().int(),
    autor: z.object({ id: z.number().int(), nombre: z.string() }).nullable(),
    contenido: z.string(),
    created_at: z.string(),
    leido_por: z.array(z.number().int()),
  })
  .meta({ id: 'MensajeChat' });
const Conversacion = z
  .object({
    id: z.number().int(),
    tipo: z.enum(['directa', 'grupo']),
    titulo: z.string().nullable(),
    participantes: z.array(Participante),
    ultimo_mensaje: z.object({ id: z.number().int(), autor_id: z.number().int().nullable(), contenido: z.string(), created_at: z.string() }).nullable(),
    no_leidos: z.number().int(),
    created_at: z.string(),
    actualizada_en: z.string(),
  })
  .meta({ id: 'ConversacionChat' });

const toConversacion = (c: ConversationRecord) => ({
  id: c.id,
  tipo: c.kind,
  titulo: c.title,
  participantes: c.participants.map((p) => ({ id: p.id, nombre: p.name, email: p.email, ultimo_leido_id: Number(p.last_read_message_id) })),
  ultimo_mensaje: c.last_message ? { id: Number(c.last_message.id), autor_id: c.last_message.sender_id, contenido: c.last_message.content, created_at: ts(c.last_message.created_at) } : null,
  no_leidos: c.unread,
  created_at: ts(c.created_at),
  actualizada_en: ts(c.last_message_at ?? c.created_at),
});
const toMensaje = (m: MessageRecord) => ({
  id: m.id,
  conversacion_id: m.conversation_id,
  autor: m.sender_id === null ? null : { id: m.sender_id, nombre: m.sender_name ?? '' },
  contenido: m.content,
  created_at: ts(m.created_at),
  leido_por: m.read_by,
});

/** `?since=`: a message id (digits) or an ISO-8601 instant. */
const since = z
  .string()
  .refine((v) => /^\d{1,15}$/.test(v) || (z.iso.datetime({ offset: true }).safeParse(v).success && !Number.isNaN(Date.parse(v))), 'Debe ser el id de un mensaje o una fecha-hora ISO 8601')
  .optional();

const Lectura = z
  .object({ mensaje_id: z.number().int(), conversacion_id: z.number().int(), leido_hasta_id: z.number().int(), leido_en: z.string(), no_leidos: z.number().int() })
  .meta({ id: 'LecturaChat' });

export const group = defineV1Group({
  name: 'v1-chat',
  prefixes: [P],
  tag: 'v1 · Chat',
  tenantScoped: true,
  routes: [
    listRoute({
      path: `${P}/conversations`,
      summary: 'Mis conversaciones, la de actividad más reciente primero, con su último mensaje y mis no leídos',
      item: Conversacion,
      load: ({ db, actor, query }) => listConversations(db, actor, query.page, query.size),
      present: toConversacion,
    }),
    route({
      method: 'GET',
      path: `${P}/conversations/{conversation_id}`,
      access: 'user',
      summary: 'Ver una conversación (404 si no participa en ella)',
      params: conversationParams,
      entity: 'chat_conversations',
      response: Conversacion,
      handler: async ({ db, actor, params }) => toConversacion(await getConversation(db, actor, params.conversation_id)),
    }),
    route({
      method: 'POST',
      path: `${P}/conversations`,
      access: 'user',
      summary: 'Crear una conversación con usuarios de la clínica (con uno solo: la conversación directa del par; si ya existe responde 200 con ella)',
      body: z.object({ participantes: z.array(z.number().int().positive()).min(1).max(MAX_PARTICIPANTS), titulo: z.string().trim().max(200).nullable().optional() }),
      status: 201,
      response: Conversacion,
      responses: { 200: { description: 'La conversación directa entre estos dos usuarios ya existía', schema: Conversacion } },
      handler: async ({ db, actor, body }) => {
        const r = await createConversation(db, actor, { participants: body.participantes, title: body.titulo });
        return reply(r.created ? 201 : 200, toConversacion(r.conversation));
      },
    }),
    listRoute({
      path: `${P}/conversations/{conversation_id}/messages`,
      summary: 'Mensajes, el más reciente primero; ?since= (id de mensaje o fecha-hora) trae solo los posteriores, para consultar periódicamente',
      params: conversationParams,
      entity: 'chat_conversations',
      item: Mensaje,
      query: { since },
      responses: { 404: { description: 'Conversación no encontrada (o no participa en ella)' } },
      load: ({ db, actor, params: p, query }) => {
        const s = query.since as string | undefined;
        const after = s === undefined ? {} : /^\d+$/.test(s) ? { id: Number(s) } : { at: new Date(s) };
        return listMessages(db, actor, (p as { conversation_id: number }).conversation_id, after, query.page, query.size);
      },
      present: toMensaje,
    }),
    route({
      method: 'POST',
      path: `${P}/conversations/{conversation_id}/messages`,
      access: 'user',
      summary: `Enviar un mensaje (máximo ${MAX_MESSAGE_CHARS} caracteres)`,
      params: conversationParams,
      entity: 'chat_conversations',
      body: z.object({
        contenido: z
          .string()
          .refine((v) => v.trim().length > 0, 'El mensaje no puede estar vacío')
          .refine((v) => messageLength(v) <= MAX_MESSAGE_CHARS, `Como máximo ${MAX_MESSAGE_CHARS} caracteres`),
      }),
      status: 201,
      response: Mensaje,
      handler: async ({ db, actor, params, body }) => reply(201, toMensaje(await postMessage(db, actor, params.conversation_id, body.contenido))),
    }),
    route({
      method: 'PUT',
      path: `${P}/messages/{message_id}/read`,
      access: 'user',
      summary: 'Marcar como leído este mensaje y los anteriores de su conversación (confirmación de lectura)',
      params: messageParams,
      entity: 'chat_messages',
      response: Lectura,
      handler: async ({ db, actor, params }) => {
        const r = await markMessageRead(db, actor, params.message_id);
        return { mensaje_id: r.messageId, conversacion_id: r.conversationId, leido_hasta_id: Number(r.readUpTo), leido_en: ts(r.readAt), no_leidos: r.unread };
      },
    }),
  ],
});

export const handler = createHandler(group);

import type { Actor } from '../auth/actor';
import type { Db } from '../db/tenant';
import { NotFound, ValidationError, type FieldIssue } from '../errors';
import {
  activeClinicUsers,
  directConversationId,
  insertConversation,
  insertMessage,
  insertParticipants,
  isParticipant,
  markReadUpTo,
  selectConversation,
  selectConversations,
  selectMessage,
  selectMessages,
  visibleMessage,
  type ConversationRow,
  type MessageRow,
} from '../queries/chat';
import { clinicOf } from './segments';

/*
 * Conversations between users of one clinic. Two people: the direct conversation, one per pair
 * (a unique constraint: creating it again answers the existing one); more: a group. Only
 * participants see a conversation or its messages; to anyone else of the clinic it does not exist.
 */
export type ConversationRecord = ConversationRow;
export type MessageRecord = MessageRow;

export const MAX_MESSAGE_CHARS = 4000;
export const MAX_PARTICIPANTS = 50;

/** Characters as PostgreSQL counts them (code points), not UTF-16 units: an emoji is one. */
export const messageLength = (s: string) => [...s].length;

function who(actor: Actor | null): { reflexoId: number; userId: number } {
  return { reflexoId: clinicOf(actor), userId: actor!.userId };
}

const notFound = () => new NotFound('Conversación no encontrada.');

export async function createConversation(db: Db, actor: Actor | null, input: { participants: number[]; title?: string | null }): Promise<{ conversation: ConversationRecord; created: boolean }> {
  const { reflexoId, userId } = who(actor);
  const others = [...new Set(input.participants)].filter((id) => id !== userId);
  const issues: FieldIssue[] = [];
  if (!others.length) issues.push({ loc: ['body', 'participantes'], msg: 'Indique al menos otro usuario de la clínica', type: 'too_short', input: input.participants });
  if (others.length + 1 > MAX_PARTICIPANTS) issues.push({ loc: ['body', 'participantes'], msg: `Como máximo ${MAX_PARTICIPANTS} participantes`, type: 'too_long', input: input.participants.length });
  const known = await activeClinicUsers(db, reflexoId, others);
  input.participants.forEach((id, i) => {
    if (id !== userId && !known.has(id)) issues.push({ loc: ['body', 'participantes', i], msg: 'Usuario no encontrado en la clínica', type: 'value_error', input: id });
  });
  if (issues.length) throw new ValidationError(issues);
  const direct = others.length === 1;
  const directKey = direct ? [userId, others[0]].sort((a, b) => a - b).join(':') : null;
  const title = input.title?.trim() || null;
  let id = await insertConversation(db, { reflexo_id: reflexoId, kind: direct ? 'directa' : 'grupo', title, direct_key: directKey, created_by: userId });
  const created = id !== null;
  if (id === null) id = (await directConversationId(db, reflexoId, directKey!))!;
  else await insertParticipants(db, reflexoId, id, [userId, ...others]);
  return { conversation: (await selectConversation(db, reflexoId, userId, id))!, created };
}

export async function listConversations(db: Db, actor: Actor | null, page: number, size: number) {
  const { reflexoId, userId } = who(actor);
  return selectConversations(db, reflexoId, userId, size, (page - 1) * size);
}

export async function getConversation(db: Db, actor: Actor | null, id: number): Promise<ConversationRecord> {
  const { reflexoId, userId } = who(actor);
  const c = await selectConversation(db, reflexoId, userId, id);
  if (!c) throw notFound();
  return c;
}

async function requireParticipant(db: Db, actor: Actor | null, conversationId: number) {
  const w = who(actor);
  if (!(await isParticipant(db, w.reflexoId, conversationId, w.userId))) throw notFound();
  return w;
}

/** `since`: a message id (digits) or an ISO instant; only newer messages come back. */
export async function listMessages(db: Db, actor: Actor | null, conversationId: number, since: { id?: number; at?: Date }, page: number, size: number) {
  await requireParticipant(db, actor, conversationId);
  return selectMessages(db, conversationId, since, size, (page - 1) * size);
}

export async function postMessage(db: Db, actor: Actor | null, conversationId: number, content: string): Promise<MessageRecord> {
  const { reflexoId, userId } = await requireParticipant(db, actor, conversationId);
  if (!content.trim()) throw ValidationError.field('contenido', 'El mensaje no puede estar vacío', 'string_too_short', content);
  if (messageLength(content) > MAX_MESSAGE_CHARS) throw ValidationError.field('contenido', `Como máximo ${MAX_MESSAGE_CHARS} caracteres`, 'string_too_long', messageLength(content));
  const id = await insertMessage(db, reflexoId, conversationId, userId, content);
  return selectMessage(db, id);
}

/** Read receipt: the caller has read this message and every earlier one of its conversation. */
export async function markMessageRead(db: Db, actor: Actor | null, messageId: number) {
  const { reflexoId, userId } = who(actor);
  const m = await visibleMessage(db, reflexoId, userId, messageId);
  if (!m) throw new NotFound('Mensaje no encontrado.');
  const read = await markReadUpTo(db, m.conversation_id, userId, m.id);
  return { messageId: m.id, conversationId: m.conversation_id, readUpTo: read.last_read_message_id, readAt: read.last_read_at, unread: read.unread };
}

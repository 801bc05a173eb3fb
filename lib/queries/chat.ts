import { sql } from 'kysely';
import type { Db } from '../db/tenant';

/*
 * The clinic's internal chat. Read receipts are a pointer per participant (every message up to
 * `last_read_message_id` is read), so unread counts and "read by" are index lookups, never a row
 * per message and reader.
 */
const displayName = (u: string) => sql`coalesce(nullif(btrim(concat_ws(' ', ${sql.ref(`${u}.name`)}, ${sql.ref(`${u}.paternal_lastname`)})), ''), ${sql.ref(`${u}.user_name`)}::text)`;

/** The ids among `ids` that are active users of the clinic. */
export async function activeClinicUsers(db: Db, reflexoId: number, ids: number[]): Promise<Set<number>> {
  if (!ids.length) return new Set();
  const rows = await db.selectFrom('users').select('id').where('reflexo_id', '=', reflexoId).where('is_active', '=', true).where('id', 'in', ids).execute();
  return new Set(rows.map((r) => r.id));
}

/** A new conversation, or null when the direct one between these two users already exists (the unique constraint decides). */
export async function insertConversation(db: Db, v: { reflexo_id: number; kind: 'directa' | 'grupo'; title: string | null; direct_key: string | null; created_by: number }): Promise<number | null> {
  const rows = await db
    .insertInto('chat_conversations')
    .values(v)
    .onConflict((oc) => oc.columns(['reflexo_id', 'direct_key']).doNothing())
    .returning('id')
    .execute();
  return rows[0]?.id ?? null;
}

export const directConversationId = async (db: Db, reflexoId: number, directKey: string) =>
  (await db.selectFrom('chat_conversations').select('id').where('reflexo_id', '=', reflexoId).where('direct_key', '=', directKey).executeTakeFirst())?.id;

export const insertParticipants = (db: Db, reflexoId: number, conversationId: number, userIds: number[]) =>
  db
    .insertInto('chat_participants')
    .values(userIds.map((user_id) => ({ reflexo_id: reflexoId, conversation_id: conversationId, user_id })))
    .onConflict((oc) => oc.columns(['conversation_id', 'user_id']).doNothing())
    .execute();

export interface ConversationRow {
  id: number;
  kind: 'directa' | 'grupo';
  title: string | null;
  created_by: number | null;
  created_at: Date;
  last_message_at: Date | null;
  unread: number;
  participants: { id: number; name: string; email: string; last_read_message_id: number }[];
  last_message: { id: number; sender_id: number | null; content: string; created_at: string } | null;
}

/** The caller's conversations (one, with `id`), each with its participants, last message and the caller's unread count. */
async function conversations(db: Db, reflexoId: number, userId: number, page: { id?: number; limit: number; offset: number }): Promise<{ rows: ConversationRow[]; count: number }> {
  const { rows } = await sql<ConversationRow & { full_count: number }>`
    SELECT c.id, c.kind, c.title, c.created_by, c.created_at, c.last_message_at,
      (SELECT count(*) FROM chat_messages m WHERE m.conversation_id = c.id AND m.id > me.last_read_message_id AND m.sender_id IS DISTINCT FROM me.user_id)::int AS unread,
      (SELECT json_agg(json_build_object('id', u.id, 'name', ${displayName('u')}, 'email', u.email, 'last_read_message_id', pp.last_read_message_id) ORDER BY u.id)
         FROM chat_participants pp JOIN users u ON u.id = pp.user_id WHERE pp.conversation_id = c.id) AS participants,
      (SELECT json_build_object('id', m.id, 'sender_id', m.sender_id, 'content', m.content, 'created_at', m.created_at)
         FROM chat_messages m WHERE m.conversation_id = c.id ORDER BY m.id DESC LIMIT 1) AS last_message,
      count(*) OVER ()::int AS full_count
    FROM chat_conversations c JOIN chat_participants me ON me.conversation_id = c.id AND me.user_id = ${userId}
    WHERE c.reflexo_id = ${reflexoId} AND (${page.id ?? null}::int IS NULL OR c.id = ${page.id ?? null}::int)
    ORDER BY coalesce(c.last_message_at, c.created_at) DESC, c.id DESC
    LIMIT ${page.limit} OFFSET ${page.offset}`.execute(db);
  const count = rows.length ? rows[0].full_count : page.offset > 0 ? (await conversations(db, reflexoId, userId, { limit: 1, offset: 0 })).count : 0;
  return { rows: rows.map(({ full_count: _c, ...r }) => ({ ...r, participants: r.participants ?? [] })), count };
}

export const selectConversations = (db: Db, reflexoId: number, userId: number, limit: number, offset: number) => conversations(db, reflexoId, userId, { limit, offset });

/** One conversation, only if `userId` takes part in it. */
export const selectConversation = async (db: Db, reflexoId: number, userId: number, id: number) => (await conversations(db, reflexoId, userId, { id, limit: 1, offset: 0 })).rows[0];

export const isParticipant = async (db: Db, reflexoId: number, conversationId: number, userId: number) =>
  !!(await db.selectFrom('chat_participants').select('id').where('reflexo_id', '=', reflexoId).where('conversation_id', '=', conversationId).where('user_id', '=', userId).executeTakeFirst());

export interface MessageRow {
  id: number;
  conversation_id: number;
  sender_id: number | null;
  sender_name: string | null;
  content: string;
  created_at: Date;
  /** Participants other than the sender whose read pointer has reached this message. */
  read_by: number[];
}

const messageColumns = sql`m.id, m.conversation_id, m.sender_id, ${displayName('u')} AS sender_name, m.content, m.created_at,
  coalesce((SELECT array_agg(pp.user_id ORDER BY pp.user_id) FROM chat_participants pp
            WHERE pp.conversation_id = m.conversation_id AND pp.last_read_message_id >= m.id AND pp.user_id IS DISTINCT FROM m.sender_id), '{}') AS read_by`;
const messageFrom = sql`FROM chat_messages m LEFT JOIN users u ON u.id = m.sender_id`;

/** A conversation's messages, newest first; `since` keeps only those after a message id or an instant (polling). */
export async function selectMessages(db: Db, conversationId: number, since: { id?: number; at?: Date }, limit: number, offset: number): Promise<{ rows: MessageRow[]; count: number }> {
  const page = (l: number, o: number) =>
    sql<MessageRow & { full_count: number }>`
      SELECT ${messageColumns}, count(*) OVER ()::int AS full_count ${messageFrom}
      WHERE m.conversation_id = ${conversationId}
        AND (${since.id ?? null}::bigint IS NULL OR m.id > ${since.id ?? null}::bigint)
        AND (${since.at ?? null}::timestamptz IS NULL OR m.created_at > ${since.at ?? null}::timestamptz)
      ORDER BY m.id DESC LIMIT ${l} OFFSET ${o}`.execute(db);
  const { rows } = await page(limit, offset);
  const count = rows.length ? rows[0].full_count : offset > 0 ? ((await page(1, 0)).rows[0]?.full_count ?? 0) : 0;
  return { rows: rows.map(({ full_count: _c, ...r }) => r), count };
}

export const selectMessage = async (db: Db, id: number) => (await sql<MessageRow>`SELECT ${messageColumns} ${messageFrom} WHERE m.id = ${id}`.execute(db)).rows[0];

/** Inserts a message; the conversation moves up and the sender has read everything up to it. */
export async function insertMessage(db: Db, reflexoId: number, conversationId: number, senderId: number, content: string): Promise<number> {
  const { id } = await db.insertInto('chat_messages').values({ reflexo_id: reflexoId, conversation_id: conversationId, sender_id: senderId, content }).returning('id').executeTakeFirstOrThrow();
  await db.updateTable('chat_conversations').set({ last_message_at: sql`now()` as unknown as Date }).where('id', '=', conversationId).execute();
  await markReadUpTo(db, conversationId, senderId, id);
  return id;
}

/** A message the user may see (a participant of its conversation). */
export const visibleMessage = (db: Db, reflexoId: number, userId: number, messageId: number) =>
  db
    .selectFrom('chat_messages as m')
    .innerJoin('chat_participants as me', (j) => j.onRef('me.conversation_id', '=', 'm.conversation_id').on('me.user_id', '=', userId))
    .select(['m.id', 'm.conversation_id'])
    .where('m.reflexo_id', '=', reflexoId)
    .where('m.id', '=', messageId)
    .executeTakeFirst();

/** Moves the user's read pointer up to `messageId` (never back); returns the pointer and the user's unread count left. */
export async function markReadUpTo(db: Db, conversationId: number, userId: number, messageId: number) {
  const { rows } = await sql<{ last_read_message_id: number; last_read_at: Date; unread: number }>`
    WITH moved AS (
      UPDATE chat_participants SET last_read_message_id = greatest(last_read_message_id, ${messageId}::bigint), last_read_at = now()
      WHERE conversation_id = ${conversationId} AND user_id = ${userId}
      RETURNING last_read_message_id, last_read_at)
    SELECT moved.last_read_message_id, moved.last_read_at,
      (SELECT count(*) FROM chat_messages m WHERE m.conversation_id = ${conversationId} AND m.id > moved.last_read_message_id AND m.sender_id IS DISTINCT FROM ${userId}::int)::int AS unread
    FROM moved`.execute(db);
  return rows[0];
}

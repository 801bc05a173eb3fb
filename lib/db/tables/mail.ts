import type { ColumnType, Generated } from 'kysely';
import type { CreatedAt, NullableTimestamp, Timestamp } from './columns';

/* The mail outbox (migration 0022). */
export type OutboxStatus = 'pendiente' | 'enviando' | 'enviado' | 'fallido';
export interface MailHeader {
  name: string;
  value: string;
}

export interface MailOutboxTable {
  id: Generated<number>;
  reflexo_id: number | null;
  idempotency_key: string;
  purpose: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  headers: ColumnType<MailHeader[], string | undefined, string>;
  status: Generated<OutboxStatus>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  lease_until: NullableTimestamp;
  last_error: string | null;
  provider_message_id: string | null;
  sent_at: NullableTimestamp;
  created_at: CreatedAt;
}

export interface MailTables {
  mail_outbox: MailOutboxTable;
}

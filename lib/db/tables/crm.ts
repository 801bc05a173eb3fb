import type { ColumnType, Generated } from 'kysely';
import type { CreatedAt, NullableTimestamp, Timestamp } from './columns';

/* Segments, campaigns, automations, the suppression list and the chat (migration 0024_crm, issue 15). */

export type SegmentKind = 'dinamico' | 'manual';
export type CampaignStatus = 'borrador' | 'programada' | 'enviando' | 'enviada' | 'cancelada';
export type AutomationTrigger = 'recordatorio_cita' | 'cumpleanos' | 'seguimiento_post_cita' | 'inasistencia';

/** jsonb written as a JSON string, read as the parsed value. */
type Json<T> = ColumnType<T, string | undefined, string>;

export interface SegmentsTable {
  id: Generated<number>;
  reflexo_id: number;
  name: string;
  description: string | null;
  kind: Generated<SegmentKind>;
  rules: Json<{ campo: string; operador: string; valor?: unknown }[]>;
  created_by: number | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface SegmentMembersTable {
  id: Generated<number>;
  reflexo_id: number;
  segment_id: number;
  patient_id: number;
  included: Generated<boolean>;
  created_at: CreatedAt;
}

export interface CampaignsTable {
  id: Generated<number>;
  reflexo_id: number;
  name: string;
  subject: string;
  content_html: string;
  content_text: string;
  segment_id: number | null;
  status: Generated<CampaignStatus>;
  scheduled_for: NullableTimestamp;
  sent_at: NullableTimestamp;
  finished_at: NullableTimestamp;
  created_by: number | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface CampaignRecipientsTable {
  id: Generated<number>;
  reflexo_id: number;
  campaign_id: number;
  patient_id: number;
  email: string;
  suppressed: Generated<boolean>;
  outbox_key: ColumnType<string, never, never>;
  created_at: CreatedAt;
}

export interface MailSuppressionsTable {
  id: Generated<number>;
  reflexo_id: number;
  email: string;
  reason: Generated<'baja' | 'manual' | 'rebote' | 'queja'>;
  campaign_id: number | null;
  created_at: CreatedAt;
}

export interface AutomationsTable {
  id: Generated<number>;
  reflexo_id: number;
  name: string;
  trigger: AutomationTrigger;
  params: Json<Record<string, number>>;
  subject: string;
  content_html: string;
  content_text: string;
  is_active: Generated<boolean>;
  created_by: number | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface AutomationRunsTable {
  id: Generated<number>;
  reflexo_id: number;
  automation_id: number;
  origin: Generated<'programada' | 'manual'>;
  run_at: Timestamp;
  started_at: Timestamp;
  finished_at: NullableTimestamp;
  matched: Generated<number>;
  queued: Generated<number>;
  skipped: Generated<number>;
  repeated: Generated<number>;
  errors: Generated<number>;
  error_detail: string | null;
}

export interface AutomationDeliveriesTable {
  id: Generated<number>;
  reflexo_id: number;
  automation_id: number;
  patient_id: number;
  occurrence: string;
  run_id: number | null;
  email: string | null;
  status: 'encolado' | 'omitido';
  reason: 'sin_email' | 'suprimido' | null;
  outbox_key: ColumnType<string, never, never>;
  created_at: CreatedAt;
}

export interface ChatConversationsTable {
  id: Generated<number>;
  reflexo_id: number;
  kind: 'directa' | 'grupo';
  title: string | null;
  direct_key: string | null;
  created_by: number | null;
  created_at: CreatedAt;
  last_message_at: NullableTimestamp;
}

export interface ChatParticipantsTable {
  id: Generated<number>;
  reflexo_id: number;
  conversation_id: number;
  user_id: number;
  last_read_message_id: Generated<number>;
  last_read_at: NullableTimestamp;
  joined_at: CreatedAt;
}

export interface ChatMessagesTable {
  id: Generated<number>;
  reflexo_id: number;
  conversation_id: number;
  sender_id: number | null;
  content: string;
  created_at: CreatedAt;
}

export interface CrmTables {
  segments: SegmentsTable;
  segment_members: SegmentMembersTable;
  campaigns: CampaignsTable;
  campaign_recipients: CampaignRecipientsTable;
  mail_suppressions: MailSuppressionsTable;
  automations: AutomationsTable;
  automation_runs: AutomationRunsTable;
  automation_deliveries: AutomationDeliveriesTable;
  chat_conversations: ChatConversationsTable;
  chat_participants: ChatParticipantsTable;
  chat_messages: ChatMessagesTable;
}

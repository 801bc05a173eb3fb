import type { ColumnType, Generated } from 'kysely';
import type { CreatedAt, NullableTimestamp, Timestamp } from './columns';

/* Therapists, appointment statuses, appointments and tickets (migrations 0006_scheduling, 0015, 0020). */

/** What the rules mean by a status (0006: the first four; 0020 added the ones v1 names). */
export type StatusKind = 'pending' | 'confirmed' | 'in_progress' | 'completed' | 'cancelled' | 'rescheduled' | 'no_show';
export type TicketStatus = 'pending' | 'paid' | 'cancelled';
/** numeric(12,2): read as a decimal string, written as string or number. */
export type Money = ColumnType<string, string | number, string | number>;
export type NullableMoney = ColumnType<string | null, string | number | null | undefined, string | number | null>;

export interface AppointmentStatusesTable {
  id: Generated<number>;
  name: string;
  description: string | null;
  kind: StatusKind | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
  deleted_at: NullableTimestamp;
}

export interface TherapistsTable {
  id: Generated<number>;
  reflexo_id: number;
  /* Nullable since 0015: the Reflexo contract requires them, a v1 doctor has none of them. */
  document_type_id: number | null;
  document_number: string | null;
  last_name_paternal: string;
  last_name_maternal: string | null;
  first_name: string;
  birth_date: string | null;
  gender: string | null;
  personal_reference: string | null;
  phone: string | null;
  email: string | null;
  region_id: number | null;
  province_id: number | null;
  district_id: number | null;
  address: string | null;
  photo_key: string | null;
  /** Deactivated (still listed with ?active=false), unlike `deleted_at` (gone until restored). */
  is_active: Generated<boolean>;
  /** v1 doctors' `especialidad` and agenda `color` ('#rrggbb'). */
  specialty: string | null;
  color: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
  deleted_at: NullableTimestamp;
}

export interface AppointmentsTable {
  id: Generated<number>;
  reflexo_id: number;
  patient_id: number;
  therapist_id: number;
  appointment_date: string;
  /** 'HH:MM:SS'. */
  hour: string;
  duration_minutes: Generated<number>;
  /** Generated from date, hour and duration; what the no-overlap constraints compare. */
  slot: ColumnType<string, never, never>;
  appointment_status_id: number;
  appointment_type: string | null;
  room: string | null;
  ailments: string | null;
  diagnosis: string | null;
  surgeries: string | null;
  reflexology_diagnostics: string | null;
  medications: string | null;
  observation: string | null;
  initial_date: string | null;
  final_date: string | null;
  social_benefit: Generated<boolean>;
  payment_detail: string | null;
  payment: NullableMoney;
  payment_type_id: number | null;
  payment_status_id: number | null;
  cancelled_at: NullableTimestamp;
  cancellation_reason: string | null;
  reschedule_reason: string | null;
  /** 0020: who to reach about this appointment, and when its reminder went out (v1). */
  contact_phone: string | null;
  contact_email: string | null;
  reminder_sent_at: NullableTimestamp;
  created_at: CreatedAt;
  updated_at: Timestamp;
  deleted_at: NullableTimestamp;
}

export interface TicketsTable {
  id: Generated<number>;
  reflexo_id: number;
  appointment_id: number;
  ticket_number: string;
  amount: Money;
  payment_method: Generated<string>;
  payment_date: NullableTimestamp;
  status: Generated<TicketStatus>;
  description: string | null;
  is_active: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface TicketCountersTable {
  reflexo_id: number;
  last_number: Generated<number>;
}

export interface SchedulingTables {
  appointment_statuses: AppointmentStatusesTable;
  therapists: TherapistsTable;
  appointments: AppointmentsTable;
  tickets: TicketsTable;
  ticket_counters: TicketCountersTable;
}

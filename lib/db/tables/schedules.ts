import type { ColumnType, Generated } from 'kysely';
import type { CreatedAt, Timestamp } from './columns';

/* Doctors' weekly schedules and date exceptions (migration 0020_v1_scheduling, issue 13). */

export interface ScheduleBreak {
  inicio: string;
  fin: string;
}

export interface DoctorSchedulesTable {
  id: Generated<number>;
  reflexo_id: number;
  therapist_id: number;
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  weekday: number;
  /** 'HH:MM:SS' */
  start_time: string;
  end_time: string;
  slot_minutes: Generated<number>;
  breaks: ColumnType<ScheduleBreak[], string | undefined, string>;
  minutes: ColumnType<string, never, never>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface DoctorScheduleExceptionsTable {
  id: Generated<number>;
  reflexo_id: number;
  therapist_id: number;
  date: string;
  start_time: string | null;
  end_time: string | null;
  reason: string | null;
  created_at: CreatedAt;
}

export interface ScheduleTables {
  doctor_schedules: DoctorSchedulesTable;
  doctor_schedule_exceptions: DoctorScheduleExceptionsTable;
}

import type { ColumnType, Generated } from 'kysely';
import type { CreatedAt, NullableTimestamp, Timestamp } from './columns';

/* Patients, diagnoses, medical records, histories and configuration catalogs (migration 0005_clinical, issue 4). */

/** numeric columns: read as decimal strings, written as strings or numbers. */
type Decimal = ColumnType<string, string | number, string | number>;
type NullableDecimal = ColumnType<string | null, string | number | null | undefined, string | number | null>;

export interface DocumentTypesTable {
  id: Generated<number>;
  name: string;
  code: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
  deleted_at: NullableTimestamp;
}

export interface PaymentTypesTable {
  id: Generated<number>;
  name: string;
  /** cash, card, transfer, yape, plin for the seeded rows; null for user-created ones. */
  code: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
  deleted_at: NullableTimestamp;
}

export interface PaymentStatusesTable {
  id: Generated<number>;
  name: string;
  description: string | null;
  /** pending, paid, cancelled for the seeded rows. */
  code: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface DiagnosesTable {
  id: Generated<number>;
  code: string;
  name: string;
  created_at: CreatedAt;
  updated_at: Timestamp;
  deleted_at: NullableTimestamp;
}

export interface PatientsTable {
  id: Generated<number>;
  reflexo_id: number;
  document_type_id: number | null;
  document_number: string;
  name: string;
  paternal_lastname: string;
  maternal_lastname: string | null;
  email: string | null;
  phone1: string | null;
  phone2: string | null;
  sex: string | null;
  /** 'YYYY-MM-DD'. */
  birth_date: string | null;
  address: string | null;
  ocupation: string | null;
  health_condition: string | null;
  personal_reference: string | null;
  /** INEI ubigeo codes. */
  region_id: number | null;
  province_id: number | null;
  district_id: number | null;
  estado_paciente: Generated<string>;
  fuente_captacion: string | null;
  aseguradora: string | null;
  linea_negocio: string | null;
  presupuesto: NullableDecimal;
  notes: string | null;
  /** Generated: folded names, document and email, trigram-indexed for search. */
  search_text: ColumnType<string, never, never>;
  created_at: CreatedAt;
  updated_at: Timestamp;
  deleted_at: NullableTimestamp;
}

export interface MedicalRecordsTable {
  id: Generated<number>;
  reflexo_id: number;
  patient_id: number;
  diagnose_id: number;
  diagnosis_date: string;
  notes: string | null;
  symptoms: string | null;
  treatment: string | null;
  status: Generated<string>;
  created_at: CreatedAt;
  updated_at: Timestamp;
  deleted_at: NullableTimestamp;
}

export interface HistoriesTable {
  id: Generated<number>;
  reflexo_id: number;
  local_id: number;
  patient_id: number;
  testimony: Generated<boolean>;
  private_observation: string | null;
  observation: string | null;
  height: NullableDecimal;
  weight: NullableDecimal;
  last_weight: NullableDecimal;
  menstruation: Generated<boolean>;
  diu_type: string | null;
  gestation: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: Timestamp;
  deleted_at: NullableTimestamp;
}

export interface HistoryCountersTable {
  reflexo_id: number;
  last_local_id: Generated<number>;
}

export interface PredeterminedPricesTable {
  id: Generated<number>;
  reflexo_id: number;
  name: string;
  price: Decimal;
  /** v1 treatments (migration 0025): how long a session takes, and its specialty. */
  duration_minutes: number | null;
  specialty_id: number | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
  deleted_at: NullableTimestamp;
}

export interface ClinicalTables {
  document_types: DocumentTypesTable;
  payment_types: PaymentTypesTable;
  payment_statuses: PaymentStatusesTable;
  diagnoses: DiagnosesTable;
  patients: PatientsTable;
  medical_records: MedicalRecordsTable;
  histories: HistoriesTable;
  history_counters: HistoryCountersTable;
  predetermined_prices: PredeterminedPricesTable;
}

/** The two catalogs that are just a name (and a code): document types, payment types. */
export type NamedCatalog = 'document_types' | 'payment_types';

import type { ColumnType, Generated } from 'kysely';

/*
 * Table types, declared by hand next to the migrations that create them. Timestamps read as Date;
 * `date` columns read as 'YYYY-MM-DD' strings (see pool.ts); numeric reads as a decimal string.
 */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type CreatedAt = ColumnType<Date, never, never>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface TenantsTable {
  id: Generated<number>;
  name: string;
  time_zone: Generated<string>;
  settings: Generated<Record<string, unknown>>;
  is_active: Generated<boolean>;
  created_at: Generated<CreatedAt>;
  updated_at: Generated<Timestamp>;
}

export interface RolesTable {
  id: Generated<number>;
  name: string;
  guard_name: Generated<string>;
  created_at: Generated<CreatedAt>;
  updated_at: Generated<Timestamp>;
}

export interface UsersTable {
  id: Generated<number>;
  reflexo_id: number | null;
  email: string;
  user_name: string;
  document_number: string | null;
  name: string | null;
  paternal_lastname: string | null;
  maternal_lastname: string | null;
  sex: string | null;
  phone: string | null;
  password_hash: string;
  account_statement: Generated<string>;
  is_active: Generated<boolean>;
  is_staff: Generated<boolean>;
  is_superuser: Generated<boolean>;
  role_id: number | null;
  photo_key: string | null;
  email_verified_at: NullableTimestamp;
  last_login: NullableTimestamp;
  created_at: Generated<CreatedAt>;
  updated_at: Generated<Timestamp>;
}

export interface RevokedTokensTable {
  jti: string;
  user_id: number | null;
  expires_at: Date | string;
  revoked_at: Generated<CreatedAt>;
}

export interface RegionsTable {
  id: number;
  name: string;
  ubigeo_code: number;
  created_at: Generated<CreatedAt>;
  updated_at: Generated<Timestamp>;
  deleted_at: NullableTimestamp;
}

export interface ProvincesTable {
  id: number;
  name: string;
  ubigeo_code: number;
  sequence: number;
  region_id: number;
  created_at: Generated<CreatedAt>;
  updated_at: Generated<Timestamp>;
  deleted_at: NullableTimestamp;
}

export interface DistrictsTable {
  id: number;
  name: string;
  ubigeo_code: number;
  sequence: number;
  province_id: number;
  created_at: Generated<CreatedAt>;
  updated_at: Generated<Timestamp>;
  deleted_at: NullableTimestamp;
}

export interface Database {
  tenants: TenantsTable;
  roles: RolesTable;
  users: UsersTable;
  revoked_tokens: RevokedTokensTable;
  regions: RegionsTable;
  provinces: ProvincesTable;
  districts: DistrictsTable;
}

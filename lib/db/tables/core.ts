import type { Generated } from 'kysely';
import type { CreatedAt, NullableTimestamp, Timestamp } from './columns';

/* Tenants, users, roles, token revocation, audit log (migrations 0001, 0003). */

export interface TenantsTable {
  id: Generated<number>;
  name: string;
  time_zone: Generated<string>;
  settings: Generated<Record<string, unknown>>;
  is_active: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface RolesTable {
  id: Generated<number>;
  name: string;
  guard_name: Generated<string>;
  /** Fixed key of what the role may do ('admin'); never editable by a clinic. */
  code: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
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
  /** Platform grants, e.g. 'architect.view_all_tenants'. */
  permissions: Generated<string[]>;
  photo_key: string | null;
  email_verified_at: NullableTimestamp;
  last_login: NullableTimestamp;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface RevokedTokensTable {
  jti: string;
  user_id: number | null;
  expires_at: Date | string;
  revoked_at: CreatedAt;
}

export interface AuditLogTable {
  id: Generated<number>;
  reflexo_id: number | null;
  user_id: number | null;
  action: string;
  entity: string;
  entity_id: string | null;
  changed_fields: string[] | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  created_at: CreatedAt;
}

/** Live (not soft-deleted) rows per clinic, kept by triggers (migration 0010): the unfiltered lists' totals. */
export interface TenantLiveCountsTable {
  reflexo_id: number;
  entity: string;
  live: number;
}

export interface CoreTables {
  tenant_live_counts: TenantLiveCountsTable;
  tenants: TenantsTable;
  roles: RolesTable;
  users: UsersTable;
  revoked_tokens: RevokedTokensTable;
  audit_log: AuditLogTable;
}

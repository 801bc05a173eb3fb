import type { Generated } from 'kysely';
import type { CreatedAt, NullableTimestamp, Timestamp } from './columns';

/* Identity and access additions (migration 0004_identity, issue 3): refresh-token families, login throttling, password history, reset and verification codes. */

export interface RefreshTokensTable {
  jti: string;
  family: string;
  user_id: number;
  expires_at: Timestamp;
  rotated_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
  created_at: CreatedAt;
}

export interface AuthFailuresTable {
  id: Generated<string>;
  kind: string;
  key: string;
  created_at: CreatedAt;
}

export interface PasswordHistoryTable {
  id: Generated<number>;
  user_id: number;
  password_hash: string;
  replaced_at: NullableTimestamp;
  created_at: CreatedAt;
}

export type CodePurpose = 'password_reset' | 'email_verification' | 'email_change';

export interface OneTimeCodesTable {
  id: Generated<number>;
  user_id: number;
  purpose: CodePurpose;
  code_hash: string;
  target_email: string | null;
  attempts: Generated<number>;
  expires_at: Timestamp;
  created_at: Timestamp;
}

export interface IdentityTables {
  refresh_tokens: RefreshTokensTable;
  auth_failures: AuthFailuresTable;
  password_history: PasswordHistoryTable;
  one_time_codes: OneTimeCodesTable;
}

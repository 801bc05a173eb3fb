import { sql, type Kysely } from 'kysely';

/*
 * Identity and access (issue 3). These tables hold per-user credentials state, not clinic data, so
 * they carry no reflexo_id and no tenant policy: they are read before the tenant is known (login,
 * refresh, reset by code) and only ever through user ids or hashed secrets. Rows die with their user.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // One row per issued refresh token; every rotation of one login shares `family` so reuse of a
  // rotated token can revoke the whole chain.
  await db.schema
    .createTable('refresh_tokens')
    .addColumn('jti', 'uuid', (c) => c.primaryKey())
    .addColumn('family', 'uuid', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('rotated_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('refresh_tokens_family_idx').on('refresh_tokens').column('family').execute();
  await db.schema.createIndex('refresh_tokens_user_idx').on('refresh_tokens').column('user_id').execute();

  // Failed logins (and failed code guesses) per account and per client IP, for throttling without an
  // extra service. `key` is the lower-cased e-mail or the IP, `kind` says which.
  await db.schema
    .createTable('auth_failures')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('kind', 'varchar(20)', (c) => c.notNull())
    .addColumn('key', 'varchar(320)', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('auth_failures_lookup_idx').on('auth_failures').columns(['kind', 'key', 'created_at']).execute();

  // Every password a user has had (hash + when it was set and replaced), pruned to the last five.
  await db.schema
    .createTable('password_history')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('replaced_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`clock_timestamp()`))
    .execute();
  await db.schema.createIndex('password_history_user_idx').on('password_history').columns(['user_id', 'created_at']).execute();

  // Reset and verification codes, stored as keyed hashes. One live code per user and purpose (the
  // unique key; a new request replaces the old code), and a code value is unique per purpose so the
  // reset/verify routes that receive only the code find exactly one owner.
  await db.schema
    .createTable('one_time_codes')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('purpose', 'varchar(30)', (c) => c.notNull())
    .addColumn('code_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('target_email', sql`citext`)
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('one_time_codes_user_purpose_key', ['user_id', 'purpose'])
    .addUniqueConstraint('one_time_codes_purpose_hash_key', ['purpose', 'code_hash'])
    .addCheckConstraint('one_time_codes_purpose_check', sql`purpose IN ('password_reset', 'email_verification', 'email_change')`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('one_time_codes').execute();
  await db.schema.dropTable('password_history').execute();
  await db.schema.dropTable('auth_failures').execute();
  await db.schema.dropTable('refresh_tokens').execute();
}

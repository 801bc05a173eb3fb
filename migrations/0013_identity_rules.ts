import { sql, type Kysely } from 'kysely';

/*
 * Login takes a user name or an e-mail, case-insensitively (issue 12; v1 logs in by user name). E-mail
 * is citext already (0001); user names become citext too, so "Ana" and "ana" are one account and a
 * login can never match two users. The 150-character limit the varchar carried stays as a check.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE users ALTER COLUMN user_name TYPE citext`.execute(db);
  await sql`ALTER TABLE users ADD CONSTRAINT users_user_name_length CHECK (char_length(user_name) <= 150)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE users DROP CONSTRAINT users_user_name_length`.execute(db);
  await sql`ALTER TABLE users ALTER COLUMN user_name TYPE varchar(150)`.execute(db);
}

import { sql, type Kysely } from 'kysely';

/*
 * birthday_in(year, birth_date): the day a birthday falls on in `year`. A 29 February birthday falls
 * on 28 February in a year without one (what clinics do when they greet). IMMUTABLE, so it can be
 * used in indexes and is folded by the planner.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE FUNCTION birthday_in(y int, d date) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN extract(month FROM d) = 2 AND extract(day FROM d) = 29 AND NOT (y % 4 = 0 AND (y % 100 <> 0 OR y % 400 = 0))
                THEN make_date(y, 2, 28)
                ELSE make_date(y, extract(month FROM d)::int, extract(day FROM d)::int) END
  $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP FUNCTION birthday_in(int, date)`.execute(db);
}

import { sql, type Kysely } from 'kysely';
import { APP_ROLE } from './rls';

/*
 * Patient search that can use the trigram index. Row-level security forbids using a non-leakproof
 * operator such as LIKE as an index condition on a table with policies (it could leak rows the policy
 * hides), so under RLS every search is a sequential scan. This function runs as its owner (the
 * migrating role, which bypasses RLS when it is a superuser or has BYPASSRLS) and applies the very
 * same tenant predicate itself, returning only ids and the total; the rows are then read through RLS
 * as usual. Where the owner does not bypass RLS, the function is still correct, just not faster.
 *
 * Terms arrive LIKE-escaped and are matched folded (lowercase, accents removed) against
 * patients.search_text; each is embedded as a literal so the planner sees it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      `CREATE FUNCTION patient_search(p_reflexo_id integer, p_terms text[], p_limit integer, p_offset integer)
       RETURNS TABLE (id integer, total bigint)
       LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
       DECLARE
         cond text := 'p.deleted_at IS NULL'
           || ' AND (current_setting(''app.global'', true) = ''on'''
           || ' OR p.reflexo_id = nullif(current_setting(''app.reflexo_id'', true), '''')::int)';
         t text;
       BEGIN
         IF p_reflexo_id IS NOT NULL THEN cond := cond || format(' AND p.reflexo_id = %s', p_reflexo_id); END IF;
         FOREACH t IN ARRAY coalesce(p_terms, '{}') LOOP
           cond := cond || format(' AND p.search_text LIKE %L',
             '%' || translate(lower(t), 'áéíóúäëïöüàèìòùâêîôûñç', 'aeiouaeiouaeiouaeiounc') || '%');
         END LOOP;
         -- The page and the total as two scans (a window count would sort every match to return ten);
         -- one row with a null id when the page is empty, so the total always comes back.
         RETURN QUERY EXECUTE format(
           'SELECT page.id, t.n FROM (SELECT count(*) AS n FROM patients p WHERE %s) t'
           || ' LEFT JOIN (SELECT p.id FROM patients p WHERE %s ORDER BY p.id DESC LIMIT %s OFFSET %s) page ON true'
           || ' ORDER BY page.id DESC',
           cond, cond, greatest(p_limit, 0), greatest(p_offset, 0));
       END
       $fn$`,
    )
    .execute(db);
  await sql.raw(`REVOKE ALL ON FUNCTION patient_search(integer, text[], integer, integer) FROM PUBLIC`).execute(db);
  await sql.raw(`GRANT EXECUTE ON FUNCTION patient_search(integer, text[], integer, integer) TO ${APP_ROLE}`).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP FUNCTION IF EXISTS patient_search(integer, text[], integer, integer)`.execute(db);
}

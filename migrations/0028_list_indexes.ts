import { sql, type Kysely } from 'kysely';
import { APP_ROLE, tenantPredicate } from './rls';
import { up as exactSearch0008 } from './0008_patient_search';

/*
 * Issue 17's lists at clinic-chain scale (bench scale 10: a clinic of 100,000 patients and 1,000,000
 * appointments).
 *
 * - patients_tenant_live_idx (reflexo_id, id DESC) carries search_text: a search walks the clinic's
 *   patients newest first and tests each term on the index entry (index-only), never on the row.
 * - appointments_patient_date_idx (patient_id, appointment_date, from 0027) carries what the v1
 *   visit figures read (hour, status, clinic, deleted/cancelled): a page's figures come from the
 *   index alone, and the probes of 0027 keep the same key.
 * - patient_search() counts exactly up to 1,000 matches and estimates beyond (see below and README);
 *   a term under four characters matches the start of a word. Same signature and result as 0008.
 * - patient_page_ids() and appointment_page_ids(): the ids of a page of the bare register, the bare
 *   agenda or a day's agenda. A deep page skips index entries; under RLS each skipped entry also
 *   evaluated the tenant policy (two current_setting() calls), 3–5× the cost of the skip itself, so
 *   these run as their owner (as patient_search, 0008) with the tenant wall checked once. Where the
 *   owner does not bypass RLS they are still correct, just not faster.
 */
const FOLD = `'áéíóúäëïöüàèìòùâêîôûñç', 'aeiouaeiouaeiouaeiounc'`;

/** Above this many matches a search total is an estimate (lib/queries/patients.ts EXACT_SEARCH_TOTAL). */
const EXACT_UP_TO = 1000;

const searchFunction = (exactUpTo: number) => `
CREATE OR REPLACE FUNCTION patient_search(p_reflexo_id integer, p_terms text[], p_limit integer, p_offset integer)
RETURNS TABLE (id integer, total bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
  -- The tenant wall, applied here because the function runs as its owner (see 0008).
  wall text := 'p.deleted_at IS NULL'
    || ' AND (current_setting(''app.global'', true) = ''on'''
    || ' OR p.reflexo_id = nullif(current_setting(''app.reflexo_id'', true), '''')::int)';
  counter_wall text := 'c.entity = ''patients'''
    || ' AND (current_setting(''app.global'', true) = ''on'''
    || ' OR c.reflexo_id = nullif(current_setting(''app.reflexo_id'', true), '''')::int)';
  cond text;
  t text;
  lim int := greatest(p_limit, 0);
  off int := greatest(p_offset, 0);
  newest int[];
  page int[];
  n int;
  r int;
  scanned bigint;
  live bigint;
  est bigint;
BEGIN
  IF p_reflexo_id IS NOT NULL THEN
    wall := wall || format(' AND p.reflexo_id = %s', p_reflexo_id);
    counter_wall := counter_wall || format(' AND c.reflexo_id = %s', p_reflexo_id);
  END IF;
  cond := wall;
  -- Terms arrive LIKE-escaped; each is folded and embedded as a literal so the planner sees it. A
  -- term under four characters (unescaped) matches the start of a word of search_text (names,
  -- surnames, document, e-mail, separated by spaces); a longer one anywhere.
  FOREACH t IN ARRAY coalesce(p_terms, '{}') LOOP
    t := translate(lower(t), ${FOLD});
    IF char_length(regexp_replace(t, '\\\\(.)', '\\1', 'g')) < 4 THEN
      cond := cond || format(' AND (p.search_text LIKE %L OR p.search_text LIKE %L)', t || '%', '% ' || t || '%');
    ELSE
      cond := cond || format(' AND p.search_text LIKE %L', '%' || t || '%');
    END IF;
  END LOOP;

  -- The newest ${exactUpTo + 1} matches, by the cheaper of the two plans: a common term walks the
  -- clinic's index newest first and stops there; a rare one comes from the trigram index.
  EXECUTE format('SELECT array_agg(m.id ORDER BY m.id DESC) FROM (SELECT p.id FROM patients p WHERE %s ORDER BY p.id DESC LIMIT %s) m', cond, ${exactUpTo + 1})
    INTO newest;
  n := coalesce(cardinality(newest), 0);

  IF n <= ${exactUpTo} THEN
    -- Every match is in hand: the total is exact and the page a slice.
    est := n;
    page := newest[off + 1 : off + lim];
  ELSE
    -- More than ${exactUpTo}: estimated as the share of matches among the newest patients the walk
    -- passed to find them, times the clinic's live patients (the trigger-kept counter, 0010).
    -- Deterministic (the same data gives the same total) and bounded by those few thousand entries.
    EXECUTE format('SELECT count(*) FROM patients p WHERE %s AND p.id >= %s', wall, newest[${exactUpTo + 1}]) INTO scanned;
    EXECUTE format('SELECT coalesce(sum(c.live), 0) FROM tenant_live_counts c WHERE %s', counter_wall) INTO live;
    est := greatest(${exactUpTo + 1}, round(${exactUpTo + 1}::numeric * live / greatest(scanned, 1)));
    IF off + lim <= n THEN
      page := newest[off + 1 : off + lim];
    ELSE
      -- A deep page: the same index walk, skipping index entries.
      EXECUTE format('SELECT array_agg(m.id ORDER BY m.id DESC) FROM (SELECT p.id FROM patients p WHERE %s ORDER BY p.id DESC LIMIT %s OFFSET %s) m', cond, lim, off)
        INTO page;
    END IF;
    r := coalesce(cardinality(page), 0);
    -- What a page shows beats the estimate: a short page ends the list (the total is exact), a full
    -- one means more may follow, an empty one that the list ended before it.
    IF r = lim THEN est := greatest(est, off + r + 1);
    ELSIF r > 0 THEN est := off + r;
    ELSE est := least(est, off);
    END IF;
  END IF;

  IF coalesce(cardinality(page), 0) = 0 THEN
    -- One row with a null id, so the total always comes back.
    RETURN QUERY SELECT NULL::int, est;
  ELSE
    RETURN QUERY SELECT x.id, est FROM unnest(page) AS x(id) ORDER BY x.id DESC;
  END IF;
END
$fn$`;

/** The caller may read clinic `c`: the tenant policy's predicate, on the argument instead of each row. */
const mayRead = (c: string) => `(${tenantPredicate(c)})`;

const pageFunctions = [
  `CREATE FUNCTION patient_page_ids(p_reflexo_id integer, p_limit integer, p_offset integer)
RETURNS SETOF integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp ROWS 50 AS $fn$
  SELECT p.id FROM patients p
  WHERE p.reflexo_id = p_reflexo_id AND p.deleted_at IS NULL AND ${mayRead('p_reflexo_id')}
  ORDER BY p.id DESC LIMIT greatest(p_limit, 0) OFFSET greatest(p_offset, 0)
$fn$`,
  `CREATE FUNCTION appointment_page_ids(p_reflexo_id integer, p_day date, p_ascending boolean, p_limit integer, p_offset integer)
RETURNS TABLE (id integer, total bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp ROWS 50 AS $fn$
DECLARE
  lim int := greatest(p_limit, 0);
  off int := greatest(p_offset, 0);
BEGIN
  -- IS NOT TRUE, not NOT: without a tenant setting the predicate is null, and that must refuse too.
  IF p_reflexo_id IS NULL OR ${mayRead('p_reflexo_id')} IS NOT TRUE THEN RETURN; END IF;
  IF p_day IS NULL THEN
    -- The bare agenda: its total is the live counter (0010), read by the caller.
    IF p_ascending THEN
      RETURN QUERY SELECT a.id, NULL::bigint FROM appointments a WHERE a.reflexo_id = p_reflexo_id AND a.deleted_at IS NULL
        ORDER BY a.appointment_date, a.hour, a.id LIMIT lim OFFSET off;
    ELSE
      RETURN QUERY SELECT a.id, NULL::bigint FROM appointments a WHERE a.reflexo_id = p_reflexo_id AND a.deleted_at IS NULL
        ORDER BY a.appointment_date DESC, a.hour DESC, a.id DESC LIMIT lim OFFSET off;
    END IF;
  ELSIF p_ascending THEN
    RETURN QUERY SELECT a.id, count(*) OVER () FROM appointments a WHERE a.reflexo_id = p_reflexo_id AND a.deleted_at IS NULL AND a.appointment_date = p_day
      ORDER BY a.hour, a.id LIMIT lim OFFSET off;
  ELSE
    RETURN QUERY SELECT a.id, count(*) OVER () FROM appointments a WHERE a.reflexo_id = p_reflexo_id AND a.deleted_at IS NULL AND a.appointment_date = p_day
      ORDER BY a.hour DESC, a.id DESC LIMIT lim OFFSET off;
  END IF;
END
$fn$`,
  `REVOKE ALL ON FUNCTION patient_page_ids(integer, integer, integer) FROM PUBLIC`,
  `REVOKE ALL ON FUNCTION appointment_page_ids(integer, date, boolean, integer, integer) FROM PUBLIC`,
  `GRANT EXECUTE ON FUNCTION patient_page_ids(integer, integer, integer) TO ${APP_ROLE}`,
  `GRANT EXECUTE ON FUNCTION appointment_page_ids(integer, date, boolean, integer, integer) TO ${APP_ROLE}`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of pageFunctions) await sql.raw(statement).execute(db);
  await sql`DROP INDEX patients_tenant_live_idx`.execute(db);
  await sql`CREATE INDEX patients_tenant_live_idx ON patients (reflexo_id, id DESC) INCLUDE (search_text) WHERE deleted_at IS NULL`.execute(db);
  await sql`DROP INDEX appointments_patient_date_idx`.execute(db);
  await sql`CREATE INDEX appointments_patient_date_idx ON appointments (patient_id, appointment_date) INCLUDE (hour, appointment_status_id, reflexo_id, deleted_at, cancelled_at)`.execute(db);
  await sql.raw(searchFunction(EXACT_UP_TO)).execute(db);
  await sql.raw(`REVOKE ALL ON FUNCTION patient_search(integer, text[], integer, integer) FROM PUBLIC`).execute(db);
  await sql.raw(`GRANT EXECUTE ON FUNCTION patient_search(integer, text[], integer, integer) TO ${APP_ROLE}`).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP FUNCTION IF EXISTS appointment_page_ids(integer, date, boolean, integer, integer)`.execute(db);
  await sql`DROP FUNCTION IF EXISTS patient_page_ids(integer, integer, integer)`.execute(db);
  // 0008's function: an exact count of every match.
  await sql`DROP FUNCTION IF EXISTS patient_search(integer, text[], integer, integer)`.execute(db);
  await exactSearch0008(db);
  await sql`DROP INDEX appointments_patient_date_idx`.execute(db);
  await sql`CREATE INDEX appointments_patient_date_idx ON appointments (patient_id, appointment_date)`.execute(db);
  await sql`DROP INDEX patients_tenant_live_idx`.execute(db);
  await sql`CREATE INDEX patients_tenant_live_idx ON patients (reflexo_id, id DESC) WHERE deleted_at IS NULL`.execute(db);
}

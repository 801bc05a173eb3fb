import { sql } from 'kysely';
import type { Db } from '../db/tenant';

/*
 * Birthdays on the clinic's calendar (tenants.time_zone). A 29 February birthday falls on 28
 * February in other years (birthday_in, migration 0021). One statement per page: the clinic's today, each live patient's next
 * birthday, the age they turn, and the total for the page headers.
 */
export type BirthdayWindow = { kind: 'today' } | { kind: 'month' } | { kind: 'upcoming'; days: number };

export interface BirthdayRow {
  id: number;
  name: string;
  paternal_lastname: string;
  maternal_lastname: string | null;
  email: string | null;
  phone1: string | null;
  birth_date: string;
  next_birthday: string;
  days_until: number;
  turns: number;
  total: number;
}

export async function selectBirthdays(db: Db, reflexoId: number, window: BirthdayWindow, limit: number, offset: number): Promise<{ rows: Omit<BirthdayRow, 'total'>[]; count: number }> {
  const upcomingDays = window.kind === 'upcoming' ? window.days : 0;
  const { rows } = await sql<BirthdayRow>`
    WITH clock AS (SELECT (now() AT TIME ZONE time_zone)::date AS today FROM tenants WHERE id = ${reflexoId}),
    n AS (
      SELECT p.id, p.name, p.paternal_lastname, p.maternal_lastname, p.email, p.phone1, p.birth_date, clock.today,
             birthday_in(extract(year FROM clock.today)::int, p.birth_date) AS this_year,
             CASE WHEN birthday_in(extract(year FROM clock.today)::int, p.birth_date) >= clock.today
                  THEN birthday_in(extract(year FROM clock.today)::int, p.birth_date)
                  ELSE birthday_in(extract(year FROM clock.today)::int + 1, p.birth_date) END AS next_birthday
      FROM patients p CROSS JOIN clock
      WHERE p.reflexo_id = ${reflexoId} AND p.deleted_at IS NULL AND p.birth_date IS NOT NULL AND p.birth_date <= clock.today
    )
    SELECT id, name, paternal_lastname, maternal_lastname, email, phone1, to_char(birth_date, 'YYYY-MM-DD') AS birth_date,
           to_char(next_birthday, 'YYYY-MM-DD') AS next_birthday, (next_birthday - today) AS days_until,
           (extract(year FROM next_birthday) - extract(year FROM birth_date))::int AS turns,
           count(*) OVER () AS total
    FROM n
    WHERE CASE ${window.kind}
            WHEN 'today' THEN next_birthday = today
            WHEN 'month' THEN extract(month FROM this_year) = extract(month FROM today)
            ELSE next_birthday <= today + ${upcomingDays}::int
          END
    ORDER BY CASE WHEN ${window.kind} = 'month' THEN this_year ELSE next_birthday END, paternal_lastname, name, id
    LIMIT ${limit} OFFSET ${offset}`.execute(db);
  // A page past the end has no row to carry the total: ask for the first row instead.
  if (!rows.length && offset > 0) return { rows: [], count: (await selectBirthdays(db, reflexoId, window, 1, 0)).count };
  const count = rows.length ? Number(rows[0].total) : 0;
  return { rows: rows.map(({ total: _t, ...r }) => r), count };
}

/** The clinic's name and one live patient, for a greeting. */
export async function greetingTarget(db: Db, reflexoId: number | null, patientId: number) {
  const { rows } = await sql<{ id: number; reflexo_id: number; name: string; paternal_lastname: string; maternal_lastname: string | null; email: string | null; birth_date: string | null; clinic: string }>`
    SELECT p.id, p.reflexo_id, p.name, p.paternal_lastname, p.maternal_lastname, p.email, to_char(p.birth_date, 'YYYY-MM-DD') AS birth_date,
           coalesce((SELECT c.company_name FROM company_data c WHERE c.reflexo_id = p.reflexo_id ORDER BY c.id LIMIT 1), t.name) AS clinic
    FROM patients p JOIN tenants t ON t.id = p.reflexo_id
    WHERE p.id = ${patientId} AND p.deleted_at IS NULL AND (${reflexoId}::int IS NULL OR p.reflexo_id = ${reflexoId}::int)`.execute(db);
  return rows[0];
}

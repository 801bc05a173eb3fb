import { sql, type RawBuilder } from 'kysely';
import type { AutomationTrigger } from '../db/tables/crm';
import type { Db } from '../db/tenant';
import { apellidosSql, clinicNameSql, fillTemplate, htmlEscapeSql, spreadSql, unsubscribeHeadersSql, unsubscribeTokenSql, type TemplateValues } from './campaigns';
import { clockCte } from './segments';

/*
 * Automations and their runs. A run is one statement per automation: the trigger's matches at the
 * run's clock (`now` given by the caller, the database's now() otherwise), a delivery row per
 * (automation, patient, occurrence) — unique, so an occurrence already handled, by this run, an
 * earlier one or an overlapping one, inserts nothing — and an outbox row for each new delivery.
 */
const automationCols = ['id', 'reflexo_id', 'name', 'trigger', 'params', 'subject', 'content_html', 'content_text', 'is_active', 'created_at', 'updated_at'] as const;
const lastRun = sql<Date | null>`(SELECT max(r.started_at) FROM automation_runs r WHERE r.automation_id = automations.id)`.as('last_run_at');

export const selectAutomation = (db: Db, reflexoId: number, id: number, lock = false) => {
  const q = db.selectFrom('automations').select([...automationCols, lastRun]).where('reflexo_id', '=', reflexoId).where('id', '=', id);
  return (lock ? q.forUpdate() : q).executeTakeFirst();
};

export type AutomationRow = NonNullable<Awaited<ReturnType<typeof selectAutomation>>>;

export async function selectAutomationPage(db: Db, reflexoId: number, filter: { trigger?: AutomationTrigger; active?: boolean }, limit: number, offset: number) {
  let q = db.selectFrom('automations').where('reflexo_id', '=', reflexoId);
  if (filter.trigger) q = q.where('trigger', '=', filter.trigger);
  if (filter.active !== undefined) q = q.where('is_active', '=', filter.active);
  const rows = await q.select([...automationCols, lastRun, sql<number>`count(*) OVER ()`.as('full_count')]).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute();
  const count = rows.length ? Number(rows[0].full_count) : offset > 0 ? Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n) : 0;
  return { rows: rows.map(({ full_count: _c, ...r }) => r), count };
}

export const activeAutomations = (db: Db, reflexoId: number) =>
  db.selectFrom('automations').select([...automationCols, lastRun]).where('reflexo_id', '=', reflexoId).where('is_active', '=', true).orderBy('id').execute();

export const insertAutomation = async (
  db: Db,
  v: { reflexo_id: number; name: string; trigger: AutomationTrigger; params: Record<string, number>; subject: string; content_html: string; content_text: string; is_active: boolean; created_by: number | null },
) => (await db.insertInto('automations').values({ ...v, params: JSON.stringify(v.params) }).returning('id').executeTakeFirstOrThrow()).id;

export const updateAutomationRow = (
  db: Db,
  reflexoId: number,
  id: number,
  v: Partial<{ name: string; trigger: AutomationTrigger; params: Record<string, number>; subject: string; content_html: string; content_text: string; is_active: boolean }>,
) =>
  db
    .updateTable('automations')
    .set({ ...v, params: v.params === undefined ? undefined : JSON.stringify(v.params), updated_at: sql`now()` })
    .where('reflexo_id', '=', reflexoId)
    .where('id', '=', id)
    .execute();

export const deleteAutomationRow = (db: Db, reflexoId: number, id: number) => db.deleteFrom('automations').where('reflexo_id', '=', reflexoId).where('id', '=', id).execute();

// ---- runs ----------------------------------------------------------------------------------------------

export const insertRun = async (db: Db, v: { reflexo_id: number; automation_id: number; origin: 'programada' | 'manual'; now?: Date | null }) =>
  (
    await sql<{ id: number; run_at: Date }>`INSERT INTO automation_runs (reflexo_id, automation_id, origin, run_at)
      VALUES (${v.reflexo_id}, ${v.automation_id}, ${v.origin}, coalesce(${v.now ?? null}::timestamptz, now())) RETURNING id, run_at`.execute(db)
  ).rows[0];

export const finishRun = (db: Db, id: number, v: { matched: number; queued: number; skipped: number; repeated: number; errors: number; error_detail: string | null }) =>
  db.updateTable('automation_runs').set({ ...v, finished_at: sql`clock_timestamp()` as unknown as Date }).where('id', '=', id).execute();

const runCols = ['id', 'automation_id', 'origin', 'run_at', 'started_at', 'finished_at', 'matched', 'queued', 'skipped', 'repeated', 'errors', 'error_detail'] as const;

export const selectRun = (db: Db, id: number) => db.selectFrom('automation_runs').select(runCols).where('id', '=', id).executeTakeFirstOrThrow();
export type RunRow = Awaited<ReturnType<typeof selectRun>>;

export async function selectRunPage(db: Db, reflexoId: number, automationId: number, limit: number, offset: number) {
  const q = db.selectFrom('automation_runs').where('reflexo_id', '=', reflexoId).where('automation_id', '=', automationId);
  const rows = await q.select([...runCols, sql<number>`count(*) OVER ()`.as('full_count')]).orderBy('id', 'desc').limit(limit).offset(offset).execute();
  const count = rows.length ? Number(rows[0].full_count) : offset > 0 ? Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n) : 0;
  return { rows: rows.map(({ full_count: _c, ...r }) => r), count };
}


// ---- what each trigger matches ---------------------------------------------------------------------------

/*
 * Columns of every trigger's matches: patient_id, occurrence, appointment_id, email (null when the
 * patient has none), fecha_cita, hora_cita, doctor, edad.
 */
const contactEmail = sql`nullif(btrim(coalesce(nullif(btrim(a.contact_email), ''), p.email::text)), '')`;
const apptCols = sql`a.patient_id, 'cita:' || a.id AS occurrence, a.id AS appointment_id, ${contactEmail} AS email,
  to_char(a.appointment_date, 'DD/MM/YYYY') AS fecha_cita, to_char(a.hour, 'HH24:MI') AS hora_cita,
  concat_ws(' ', th.first_name, th.last_name_paternal) AS doctor, NULL::int AS edad`;
const apptFrom = (reflexoId: number) => sql`appointments a
  JOIN patients p ON p.id = a.patient_id AND p.reflexo_id = a.reflexo_id AND p.deleted_at IS NULL
  JOIN appointment_statuses s ON s.id = a.appointment_status_id
  LEFT JOIN therapists th ON th.id = a.therapist_id AND th.reflexo_id = a.reflexo_id
  CROSS JOIN clock
  WHERE a.reflexo_id = ${reflexoId} AND a.deleted_at IS NULL`;
const startsAt = sql`((a.appointment_date + a.hour) AT TIME ZONE clock.tz)`;

/** Days of grace: an occurrence the runner missed (down, deployed late) is still handled this long after its moment. */
export const GRACE_DAYS = 7;

function matchesSql(reflexoId: number, trigger: AutomationTrigger, params: Record<string, number>): RawBuilder<unknown> {
  switch (trigger) {
    case 'recordatorio_cita': {
      // Appointments starting in (now, now + N hours], still pending or confirmed.
      const h = params.horas_antes;
      return sql`SELECT ${apptCols} FROM ${apptFrom(reflexoId)} AND a.cancelled_at IS NULL AND (s.kind IS NULL OR s.kind IN ('pending', 'confirmed'))
        AND a.appointment_date BETWEEN clock.today - 1 AND clock.today + ${Math.ceil(h / 24) + 1}::int
        AND ${startsAt} > clock.now AND ${startsAt} <= clock.now + make_interval(hours => ${h}::int)`;
    }
    case 'inasistencia': {
      // No-shows whose start was at least N hours ago (and at most N hours + the grace days).
      const h = params.horas_despues;
      return sql`SELECT ${apptCols} FROM ${apptFrom(reflexoId)} AND s.kind = 'no_show'
        AND a.appointment_date BETWEEN clock.today - ${Math.ceil(h / 24) + GRACE_DAYS + 1}::int AND clock.today
        AND ${startsAt} <= clock.now - make_interval(hours => ${h}::int) AND ${startsAt} > clock.now - make_interval(hours => ${h}::int, days => ${GRACE_DAYS}::int)`;
    }
    case 'seguimiento_post_cita': {
      // One follow-up per patient and day of completed appointments, N days after that day.
      const d = params.dias_despues;
      return sql`SELECT DISTINCT ON (a.patient_id, a.appointment_date) a.patient_id, 'dia:' || to_char(a.appointment_date, 'YYYY-MM-DD') AS occurrence, a.id AS appointment_id,
          ${contactEmail} AS email, to_char(a.appointment_date, 'DD/MM/YYYY') AS fecha_cita, to_char(a.hour, 'HH24:MI') AS hora_cita,
          concat_ws(' ', th.first_name, th.last_name_paternal) AS doctor, NULL::int AS edad
        FROM ${apptFrom(reflexoId)} AND a.cancelled_at IS NULL AND s.kind = 'completed'
        AND a.appointment_date <= clock.today - ${d}::int AND a.appointment_date > clock.today - ${d + GRACE_DAYS}::int
        ORDER BY a.patient_id, a.appointment_date, a.hour DESC, a.id DESC`;
    }
    case 'cumpleanos':
      // On the clinic's calendar; 29 February falls on 28 February in other years (birthday_in).
      return sql`SELECT p.id AS patient_id, 'anio:' || extract(year FROM clock.today)::int AS occurrence, NULL::int AS appointment_id,
          nullif(btrim(p.email::text), '') AS email, NULL::text AS fecha_cita, NULL::text AS hora_cita, NULL::text AS doctor,
          (extract(year FROM clock.today) - extract(year FROM p.birth_date))::int AS edad
        FROM patients p CROSS JOIN clock
        WHERE p.reflexo_id = ${reflexoId} AND p.deleted_at IS NULL AND p.birth_date IS NOT NULL AND p.birth_date < clock.today
          AND birthday_in(extract(year FROM clock.today)::int, p.birth_date) = clock.today`;
  }
}

export interface RunCounts {
  matched: number;
  queued: number;
  skipped: number;
  reminded: number;
}

export interface RunInput {
  reflexoId: number;
  automation: Pick<AutomationRow, 'id' | 'trigger' | 'params'>;
  runId: number;
  now?: Date | null;
  /** Reminders are service mail: they go to suppressed addresses too and carry no unsubscribe link. */
  marketing: boolean;
  unsubscribeBase: string;
  key: Buffer;
  ratePerSecond: number;
}

/** One automation's run: deliveries for the new occurrences, their mail queued, reminders stamped on the appointment. */
export async function runAutomationSql(db: Db, r: RunInput): Promise<RunCounts> {
  const url = sql`${r.unsubscribeBase}::text || ${unsubscribeTokenSql('a', sql`ins.id`, r.key)}`;
  const values: TemplateValues = {
    nombres: sql`p.name`,
    apellidos: apellidosSql('p'),
    nombre_completo: sql`concat_ws(' ', btrim(p.name), nullif(${apellidosSql('p')}, ''))`,
    email: sql`ins.email`,
    clinica: sql`clinic.name`,
    fecha_cita: sql`m.fecha_cita`,
    hora_cita: sql`m.hora_cita`,
    doctor: sql`m.doctor`,
    edad: sql`m.edad::text`,
    ...(r.marketing ? { enlace_baja: url } : {}),
  };
  const footerHtml = r.marketing ? sql`'<hr><p style="font-size:12px;color:#666666"><a href="' || ${htmlEscapeSql(url)} || '">Dejar de recibir estos correos</a>.</p>'` : sql`''`;
  const footerText = r.marketing ? sql`E'\\n\\n--\\nPara dejar de recibir estos correos: ' || ${url}` : sql`''`;
  const headers = r.marketing ? unsubscribeHeadersSql(url) : sql`'[]'::jsonb`;
  const suppressed = r.marketing ? sql`EXISTS (SELECT 1 FROM mail_suppressions su WHERE su.reflexo_id = ${r.reflexoId} AND su.email = m.email::citext)` : sql`false`;
  const { rows } = await sql<RunCounts>`
    WITH ${clockCte(r.reflexoId, r.now)},
    a0 AS (SELECT subject, content_html, content_text FROM automations WHERE id = ${r.automation.id} AND reflexo_id = ${r.reflexoId}),
    clinic AS (SELECT ${clinicNameSql(r.reflexoId)} AS name),
    m AS (${matchesSql(r.reflexoId, r.automation.trigger, r.automation.params)}),
    ins AS (
      INSERT INTO automation_deliveries (reflexo_id, automation_id, patient_id, occurrence, run_id, email, status, reason)
      SELECT ${r.reflexoId}, ${r.automation.id}, m.patient_id, m.occurrence, ${r.runId}, m.email,
             CASE WHEN m.email IS NULL OR ${suppressed} THEN 'omitido' ELSE 'encolado' END,
             CASE WHEN m.email IS NULL THEN 'sin_email' WHEN ${suppressed} THEN 'suprimido' END
      FROM m ORDER BY m.patient_id, m.occurrence
      ON CONFLICT (automation_id, patient_id, occurrence) DO NOTHING
      RETURNING id, patient_id, occurrence, email, status, outbox_key),
    queued AS (
      INSERT INTO mail_outbox (reflexo_id, idempotency_key, purpose, to_address, subject, text_body, html_body, headers, next_attempt_at)
      SELECT ${r.reflexoId}, ins.outbox_key, ${r.marketing ? 'automation' : 'reminder'}, ins.email,
             left(${fillTemplate(sql`a0.subject`, values, 'subject')}, 500),
             ${fillTemplate(sql`a0.content_text`, values, 'text')} || ${footerText},
             ${fillTemplate(sql`a0.content_html`, values, 'html')} || ${footerHtml},
             ${headers},
             ${spreadSql(sql`row_number() OVER (ORDER BY ins.id)`, r.ratePerSecond)}
      FROM ins JOIN m ON m.patient_id = ins.patient_id AND m.occurrence = ins.occurrence
      JOIN patients p ON p.id = ins.patient_id CROSS JOIN a0 CROSS JOIN clinic
      WHERE ins.status = 'encolado'
      ON CONFLICT (idempotency_key) DO NOTHING
      RETURNING 1),
    reminded AS (
      UPDATE appointments ap SET reminder_sent_at = clock.now FROM clock
      WHERE ${r.automation.trigger === 'recordatorio_cita'}::boolean AND ap.reflexo_id = ${r.reflexoId}
        AND ap.id IN (SELECT m.appointment_id FROM m JOIN ins ON ins.patient_id = m.patient_id AND ins.occurrence = m.occurrence WHERE ins.status = 'encolado')
      RETURNING 1)
    SELECT (SELECT count(*) FROM m)::int AS matched, (SELECT count(*) FROM queued)::int AS queued,
           (SELECT count(*) FROM ins WHERE status = 'omitido')::int AS skipped, (SELECT count(*) FROM reminded)::int AS reminded`.execute(db);
  return rows[0];
}

/** Active clinics with something for the scheduler: an active automation, a scheduled or sending campaign. */
export async function clinicsWithWork(db: Db, only?: number[]): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`
    SELECT t.id FROM tenants t
    WHERE t.is_active AND (${only ?? null}::int[] IS NULL OR t.id = ANY (${only ?? null}::int[]))
      AND (EXISTS (SELECT 1 FROM automations a WHERE a.reflexo_id = t.id AND a.is_active)
           OR EXISTS (SELECT 1 FROM campaigns c WHERE c.reflexo_id = t.id AND c.status IN ('programada', 'enviando')))
    ORDER BY t.id`.execute(db);
  return rows.map((r) => r.id);
}

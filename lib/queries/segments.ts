import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/tenant';
import type { SegmentKind } from '../db/tables/crm';

/*
 * Segments evaluated in PostgreSQL: a segment's rules compile to one boolean expression over the
 * patient row `p` and the clinic's clock `clock` (its time zone, "now" and "today"), so counting,
 * listing and freezing a campaign's recipients are each one statement, never a loop over patients.
 * The rules arrive validated (lib/domain/segments.ts); an unknown one here is a programming error.
 */
export interface SegmentRule {
  campo: string;
  operador: string;
  valor?: unknown;
}

export interface SegmentSpec {
  /** null: rules not saved yet (no manual members). */
  id: number | null;
  kind: SegmentKind;
  rules: SegmentRule[];
}

/** The clinic's clock at `now` (the database's now() when null): `clock.now`, `clock.now_local`, `clock.today`, `clock.tz`. */
export const clockCte = (reflexoId: number, now?: Date | null) => {
  const at = sql`coalesce(${now ?? null}::timestamptz, now())`;
  return sql`clock AS (SELECT t.time_zone AS tz, ${at} AS now, (${at} AT TIME ZONE t.time_zone) AS now_local, (${at} AT TIME ZONE t.time_zone)::date AS today FROM tenants t WHERE t.id = ${reflexoId})`;
};

const TEXT_COLUMNS: Record<string, string> = { estado_paciente: 'estado_paciente', fuente_captacion: 'fuente_captacion', aseguradora: 'aseguradora', linea_negocio: 'linea_negocio', genero: 'sex' };

function textRule(column: string, op: string, v: unknown): RawBuilder<unknown> {
  const c = sql.ref(`p.${column}`);
  const inList = sql`lower(btrim(${c})) = ANY (SELECT lower(btrim(x)) FROM unnest(${v}::text[]) x)`;
  switch (op) {
    case 'igual':
      return sql`lower(btrim(${c})) = lower(btrim(${v}::text))`;
    case 'distinto':
      return sql`lower(btrim(${c})) IS DISTINCT FROM lower(btrim(${v}::text))`;
    case 'en':
      return sql`coalesce(${inList}, false)`;
    case 'no_en':
      return sql`NOT coalesce(${inList}, false)`;
    case 'vacio':
      return sql`(${c} IS NULL OR btrim(${c}) = '')`;
    case 'no_vacio':
      return sql`(${c} IS NOT NULL AND btrim(${c}) <> '')`;
  }
  throw new Error(`segment rule operator ${op} on ${column}`);
}

function numberRule(expr: RawBuilder<unknown>, op: string, v: unknown): RawBuilder<unknown> {
  switch (op) {
    case 'igual':
      return sql`${expr} = ${v}::int`;
    case 'mayor_o_igual':
      return sql`${expr} >= ${v}::int`;
    case 'menor_o_igual':
      return sql`${expr} <= ${v}::int`;
    case 'entre':
      return sql`${expr} BETWEEN ${(v as number[])[0]}::int AND ${(v as number[])[1]}::int`;
    case 'en':
      return sql`${expr} = ANY (${v}::int[])`;
  }
  throw new Error(`segment rule operator ${op}`);
}

/* A visit is what the v1 patient's `ultima_cita` counts: an appointment not deleted, not cancelled, already begun on the clinic's clock. */
const visitOf = sql`a.patient_id = p.id AND a.reflexo_id = p.reflexo_id AND a.deleted_at IS NULL AND a.cancelled_at IS NULL`;
const past = sql`a.appointment_date + a.hour < clock.now_local`;

function ruleSql(r: SegmentRule): RawBuilder<unknown> {
  const v = r.valor;
  if (r.campo in TEXT_COLUMNS) return textRule(TEXT_COLUMNS[r.campo], r.operador, v);
  switch (r.campo) {
    case 'edad':
      return numberRule(sql`date_part('year', age(clock.today, p.birth_date))::int`, r.operador, v);
    case 'mes_cumpleanos':
      return numberRule(sql`extract(month FROM p.birth_date)::int`, r.operador, v);
    case 'ultima_visita': {
      const last = sql`(SELECT max(a.appointment_date) FROM appointments a WHERE ${visitOf} AND ${past})`;
      if (r.operador === 'antes_de') return sql`${last} < ${v}::date`;
      if (r.operador === 'despues_de') return sql`${last} > ${v}::date`;
      if (r.operador === 'entre') return sql`${last} BETWEEN ${(v as string[])[0]}::date AND ${(v as string[])[1]}::date`;
      break;
    }
    case 'dias_sin_visita':
      // No visit in the last N days, today included; a patient who never came has none either.
      if (r.operador === 'mayor_o_igual') return sql`NOT EXISTS (SELECT 1 FROM appointments a WHERE ${visitOf} AND ${past} AND a.appointment_date > clock.today - ${v}::int)`;
      break;
    case 'cita_proxima': {
      const upcoming = sql`EXISTS (SELECT 1 FROM appointments a WHERE ${visitOf} AND a.appointment_date + a.hour >= clock.now_local)`;
      if (r.operador === 'igual') return v ? upcoming : sql`NOT ${upcoming}`;
      break;
    }
    case 'doctor_id': {
      const ids = Array.isArray(v) ? v : [v];
      if (r.operador === 'igual' || r.operador === 'en') return sql`EXISTS (SELECT 1 FROM appointments a WHERE ${visitOf} AND ${past} AND a.therapist_id = ANY (${ids}::int[]))`;
      break;
    }
  }
  throw new Error(`segment rule ${r.campo} ${r.operador}`);
}

/**
 * The segment as one boolean over `p` (needs `clock` in scope): the rules combined with AND (none:
 * every patient; a 'manual' segment: none), plus the patients added by hand, minus those taken out.
 */
export function segmentPredicate(s: SegmentSpec): RawBuilder<unknown> {
  const rules = s.kind === 'manual' ? sql`false` : s.rules.length ? sql.join(s.rules.map(ruleSql), sql` AND `) : sql`true`;
  if (s.id === null) return sql`(${rules})`;
  return sql`((${rules}) OR EXISTS (SELECT 1 FROM segment_members m WHERE m.segment_id = ${s.id} AND m.patient_id = p.id AND m.included))
    AND NOT EXISTS (SELECT 1 FROM segment_members m WHERE m.segment_id = ${s.id} AND m.patient_id = p.id AND NOT m.included)`;
}

/** `FROM patients p CROSS JOIN clock WHERE <the clinic's live patients in the segment>` (needs the clock CTE). */
export const segmentPatients = (reflexoId: number, s: SegmentSpec) =>
  sql`patients p CROSS JOIN clock WHERE p.reflexo_id = ${reflexoId} AND p.deleted_at IS NULL AND ${segmentPredicate(s)}`;

// ---- rows ------------------------------------------------------------------------------------------

const segmentCols = ['id', 'reflexo_id', 'name', 'description', 'kind', 'rules', 'created_by', 'created_at', 'updated_at'] as const;

export const selectSegment = (db: Db, reflexoId: number, id: number, lock = false) => {
  const q = db.selectFrom('segments').select(segmentCols).where('reflexo_id', '=', reflexoId).where('id', '=', id);
  return (lock ? q.forUpdate() : q).executeTakeFirst();
};

export type SegmentRow = NonNullable<Awaited<ReturnType<typeof selectSegment>>>;

export async function selectSegmentPage(db: Db, reflexoId: number, limit: number, offset: number) {
  const rows = await db
    .selectFrom('segments')
    .select([...segmentCols, sql<number>`count(*) OVER ()`.as('full_count')])
    .where('reflexo_id', '=', reflexoId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
  return rows;
}

export const countSegments = async (db: Db, reflexoId: number) =>
  Number((await db.selectFrom('segments').select((eb) => eb.fn.countAll<number>().as('n')).where('reflexo_id', '=', reflexoId).executeTakeFirstOrThrow()).n);

export const insertSegment = (db: Db, values: { reflexo_id: number; name: string; description: string | null; kind: SegmentKind; rules: SegmentRule[]; created_by: number | null }) =>
  db
    .insertInto('segments')
    .values({ ...values, rules: JSON.stringify(values.rules) })
    .returning(segmentCols)
    .executeTakeFirstOrThrow();

export const updateSegment = (db: Db, reflexoId: number, id: number, values: { name?: string; description?: string | null; kind?: SegmentKind; rules?: SegmentRule[] }) =>
  db
    .updateTable('segments')
    .set({ ...values, rules: values.rules === undefined ? undefined : JSON.stringify(values.rules), updated_at: sql`now()` })
    .where('reflexo_id', '=', reflexoId)
    .where('id', '=', id)
    .returning(segmentCols)
    .executeTakeFirst();

export const deleteSegment = async (db: Db, reflexoId: number, id: number) =>
  Number((await db.deleteFrom('segments').where('reflexo_id', '=', reflexoId).where('id', '=', id).executeTakeFirst()).numDeletedRows) > 0;

/** Campaigns that still need the segment's rules (not sent yet, or sending). */
export const campaignsNeedingSegment = (db: Db, reflexoId: number, segmentId: number) =>
  db.selectFrom('campaigns').select(['id', 'name']).where('reflexo_id', '=', reflexoId).where('segment_id', '=', segmentId).where('status', 'in', ['borrador', 'programada']).execute();

/** Live patients in each segment (and how many were added by hand), for a page of segments, in one statement. */
export async function segmentTotals(db: Db, reflexoId: number, segments: SegmentSpec[], now?: Date | null): Promise<Map<number, { total: number; manual: number }>> {
  const saved = segments.filter((s): s is SegmentSpec & { id: number } => s.id !== null);
  if (!saved.length) return new Map();
  const parts = saved.map(
    (s) => sql`SELECT ${s.id}::int AS id,
      (SELECT count(*) FROM ${segmentPatients(reflexoId, s)})::int AS total,
      (SELECT count(*) FROM segment_members m JOIN patients p ON p.id = m.patient_id AND p.deleted_at IS NULL WHERE m.segment_id = ${s.id} AND m.included)::int AS manual`,
  );
  const { rows } = await sql<{ id: number; total: number; manual: number }>`WITH ${clockCte(reflexoId, now)} ${sql.join(parts, sql` UNION ALL `)}`.execute(db);
  return new Map(rows.map((r) => [r.id, { total: r.total, manual: r.manual }]));
}

export const countSegmentPatients = async (db: Db, reflexoId: number, s: SegmentSpec, now?: Date | null) =>
  (await sql<{ n: number }>`WITH ${clockCte(reflexoId, now)} SELECT count(*)::int AS n FROM ${segmentPatients(reflexoId, s)}`.execute(db)).rows[0].n;

export interface SegmentPatientRow {
  id: number;
  name: string;
  paternal_lastname: string;
  maternal_lastname: string | null;
  document_number: string;
  email: string | null;
  phone1: string | null;
  sex: string | null;
  birth_date: string | null;
  estado_paciente: string;
  fuente_captacion: string | null;
  aseguradora: string | null;
  linea_negocio: string | null;
  manual: boolean;
}

export async function selectSegmentPatients(db: Db, reflexoId: number, s: SegmentSpec, limit: number, offset: number): Promise<{ rows: SegmentPatientRow[]; count: number }> {
  const manual = s.id === null ? sql`false` : sql`EXISTS (SELECT 1 FROM segment_members m WHERE m.segment_id = ${s.id} AND m.patient_id = p.id AND m.included)`;
  const { rows } = await sql<SegmentPatientRow & { full_count: number }>`
    WITH ${clockCte(reflexoId)}
    SELECT p.id, p.name, p.paternal_lastname, p.maternal_lastname, p.document_number, p.email::text AS email, p.phone1, p.sex,
           to_char(p.birth_date, 'YYYY-MM-DD') AS birth_date, p.estado_paciente, p.fuente_captacion, p.aseguradora, p.linea_negocio,
           ${manual} AS manual, count(*) OVER ()::int AS full_count
    FROM ${segmentPatients(reflexoId, s)}
    ORDER BY p.paternal_lastname, p.maternal_lastname, p.name, p.id
    LIMIT ${limit} OFFSET ${offset}`.execute(db);
  const count = rows.length ? rows[0].full_count : offset > 0 ? await countSegmentPatients(db, reflexoId, s) : 0;
  return { rows: rows.map(({ full_count: _c, ...r }) => r), count };
}

/** The ids among `ids` that are live patients of the clinic. */
export async function livePatientIds(db: Db, reflexoId: number, ids: number[]): Promise<Set<number>> {
  if (!ids.length) return new Set();
  const rows = await db.selectFrom('patients').select('id').where('reflexo_id', '=', reflexoId).where('deleted_at', 'is', null).where('id', 'in', ids).execute();
  return new Set(rows.map((r) => r.id));
}

/** The ids among `ids` that are doctors (therapists, deleted or not: "seen by" is history) of the clinic. */
export async function clinicDoctorIds(db: Db, reflexoId: number, ids: number[]): Promise<Set<number>> {
  if (!ids.length) return new Set();
  const rows = await db.selectFrom('therapists').select('id').where('reflexo_id', '=', reflexoId).where('id', 'in', ids).execute();
  return new Set(rows.map((r) => r.id));
}

/** Adds (included = true) or takes out (false) patients by hand; returns how many rows changed. */
export async function setMembers(db: Db, reflexoId: number, segmentId: number, patientIds: number[], included: boolean): Promise<number> {
  if (!patientIds.length) return 0;
  const { rows } = await sql<{ n: number }>`
    WITH changed AS (
      INSERT INTO segment_members (reflexo_id, segment_id, patient_id, included)
      SELECT ${reflexoId}, ${segmentId}, x, ${included} FROM unnest(${patientIds}::int[]) x
      ON CONFLICT (segment_id, patient_id) DO UPDATE SET included = EXCLUDED.included WHERE segment_members.included IS DISTINCT FROM EXCLUDED.included
      RETURNING 1)
    SELECT count(*)::int AS n FROM changed`.execute(db);
  return rows[0].n;
}

export interface FieldCount {
  campo: 'estado_paciente' | 'fuente_captacion' | 'aseguradora' | 'linea_negocio' | 'total';
  valor: string | null;
  total: number;
}

/** Live patients of the clinic by each v1 field, and in all: one GROUPING SETS statement. */
export async function patientFieldCounts(db: Db, reflexoId: number): Promise<FieldCount[]> {
  const { rows } = await sql<FieldCount>`
    SELECT CASE WHEN grouping(estado_paciente) = 0 THEN 'estado_paciente'
                WHEN grouping(fuente_captacion) = 0 THEN 'fuente_captacion'
                WHEN grouping(aseguradora) = 0 THEN 'aseguradora'
                WHEN grouping(linea_negocio) = 0 THEN 'linea_negocio'
                ELSE 'total' END AS campo,
           coalesce(estado_paciente, fuente_captacion, aseguradora, linea_negocio) AS valor,
           count(*)::int AS total
    FROM (SELECT nullif(btrim(estado_paciente), '') AS estado_paciente, nullif(btrim(fuente_captacion), '') AS fuente_captacion,
                 nullif(btrim(aseguradora), '') AS aseguradora, nullif(btrim(linea_negocio), '') AS linea_negocio
          FROM patients WHERE reflexo_id = ${reflexoId} AND deleted_at IS NULL) p
    GROUP BY GROUPING SETS ((estado_paciente), (fuente_captacion), (aseguradora), (linea_negocio), ())
    ORDER BY 1, 3 DESC, 2 NULLS LAST`.execute(db);
  return rows;
}

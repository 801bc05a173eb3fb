import { sql } from 'kysely';
import type { Db } from '../db/tenant';
import { foldedContains } from './clinical-search';
import type { Page } from './paginate';
import { visitsOfRow, type VisitFigures } from './patient-visits';
import { patientsQuery, type PatientRow } from './patients';

/*
 * Patients filtered by their v1 fields and searched by name, document, e-mail and phone: one page and
 * its exact total in one statement. The common paths stay on the faster queries of
 * lib/queries/patients.ts (no filter: the live counter; names/document/e-mail only: the trigram
 * function); this one serves what those cannot (a filter, a phone number).
 */
export interface PatientFilter {
  reflexoId: number | null;
  estadoPaciente?: string;
  fuenteCaptacion?: string;
  aseguradora?: string;
  lineaNegocio?: string;
  /** Patients with a live, not cancelled appointment (any date) with this therapist. */
  therapistId?: number;
  /** Each term must occur in names, document or e-mail (folded), or — a phone-shaped term — in a phone's digits. */
  terms?: string[];
}

/** A term that looks like (part of) a phone number: digits with + ( ) - . and at least 3 digits. */
export const isPhoneTerm = (t: string) => /^\+?[\d().-]+$/.test(t) && (t.match(/\d/g) ?? []).length >= 3;

const digits = (col: string) => sql`regexp_replace(coalesce(${sql.ref(col)}, ''), '\\D', '', 'g')`;

/** The live patients `f` selects (on `patients as pa`), unordered: for the page's ids and its total. */
function matching(db: Db, f: PatientFilter) {
  let q = db.selectFrom('patients as pa').where('pa.deleted_at', 'is', null);
  if (f.reflexoId !== null) q = q.where('pa.reflexo_id', '=', f.reflexoId);
  const same = (col: string, v: string) => sql<boolean>`lower(btrim(${sql.ref(col)})) = lower(btrim(${v}::text))`;
  if (f.estadoPaciente) q = q.where(same('pa.estado_paciente', f.estadoPaciente));
  if (f.fuenteCaptacion) q = q.where(same('pa.fuente_captacion', f.fuenteCaptacion));
  if (f.aseguradora) q = q.where(same('pa.aseguradora', f.aseguradora));
  if (f.lineaNegocio) q = q.where(same('pa.linea_negocio', f.lineaNegocio));
  if (f.therapistId !== undefined) {
    q = q.where(
      sql<boolean>`EXISTS (SELECT 1 FROM appointments a WHERE a.patient_id = pa.id AND a.reflexo_id = pa.reflexo_id AND a.therapist_id = ${f.therapistId}
                   AND a.deleted_at IS NULL AND a.cancelled_at IS NULL)`,
    );
  }
  for (const t of f.terms ?? []) {
    const text = sql<boolean>`pa.search_text LIKE ${foldedContains(t)}`;
    if (isPhoneTerm(t)) {
      const d = `%${t.replace(/\D/g, '')}%`;
      q = q.where(sql<boolean>`(${text} OR ${digits('pa.phone1')} LIKE ${d} OR ${digits('pa.phone2')} LIKE ${d})`);
    } else q = q.where(text);
  }
  return q;
}

/**
 * The page's ids and the exact total come from the patients table alone (count(*) OVER () over ids,
 * newest first); only the page's rows are then read with their catalog names. A page past the end
 * returns no row, so the total is counted apart then.
 */
export async function selectFilteredPatientPage(db: Db, f: PatientFilter, page: number, size: number, opts: { visits?: boolean } = {}): Promise<Page<PatientRow & { visits?: VisitFigures }>> {
  const ids = matching(db, f)
    .select(['pa.id', sql<string>`count(*) OVER ()`.as('total')])
    .orderBy('pa.id', 'desc')
    .limit(size)
    .offset((page - 1) * size);
  const found = await patientsQuery(db, { reflexoId: f.reflexoId })
    .innerJoin(ids.as('pg'), 'pg.id', 'pa.id')
    .select('pg.total')
    .select(opts.visits ? [visitsOfRow(f.reflexoId).as('visits')] : [])
    .execute();
  const count = found.length ? Number(found[0].total) : Number((await matching(db, f).select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow()).n);
  return { rows: found.map(({ total: _t, ...row }) => row), count, page, size };
}

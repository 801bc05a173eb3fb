import { z } from 'zod';
import { intString } from '../../lib/http/schemas';
import type { Db } from '../../lib/db/tenant';
import type { Actor } from '../../lib/auth/actor';
import { parseDay, reportScope, type ReportScope } from '../../lib/domain/company-reports';

/* Query schemas and helpers shared by the statistics, reports and exports route tables (module 8). */

/*
 * Date formats are checked by the domain (parseDay / parseRange) so every route words them alike;
 * the schemas only say which parameters exist and which the contract requires.
 */
const clinic = { reflexo_id: intString.optional() };
/** A day report whose `date` the contract lists as required ("Parámetros por Endpoint"). */
export const requiredDayQuery = z.object({ date: z.string().describe('YYYY-MM-DD'), ...clinic });
/** A day report or export whose `date` defaults to today on the clinic's calendar. */
export const dayQuery = z.object({ date: z.string().optional().describe('YYYY-MM-DD; por defecto, hoy en la zona horaria de la clínica'), ...clinic });
export const rangeQuery = z.object({ start_date: z.string().optional(), end_date: z.string().optional(), ...clinic });
export const statsQuery = z.object({ start: z.string().optional(), end: z.string().optional(), ...clinic });

/** The clinic and the day a one-day report is about; an empty `date` counts as absent. */
export async function reportDay(db: Db, actor: Actor | null, query: { date?: string; reflexo_id?: number }, required: boolean): Promise<{ scope: ReportScope; day: string }> {
  const scope = await reportScope(db, actor, query.reflexo_id);
  return { scope, day: parseDay(query.date, 'date', required ? undefined : scope.today) };
}

/** DRF decimals: money the contract shows as a string ("150.00"). */
export const moneyText = z.string().regex(/^-?\d+\.\d{2}$/);

/** A global administrator naming a clinic that does not exist (`reflexo_id`): `reportScope` answers 404. */
export const unknownClinic = { 404: { description: 'La clínica indicada en reflexo_id no existe' } };

import { z } from 'zod';
import { createHandler } from '../../lib/http/app';
import { defineReflexoGroup } from './surface';
import { route } from '../../lib/http/route';
import { moneyNumber } from '../../lib/money';
import { clinicStatistics, parseRange, reportScope, type ClinicStatistics } from '../../lib/domain/company-reports';
import { statsQuery, unknownClinic } from './company-report-schemas';

/*
 * Module 8 of reflexo-api.md: the dashboard's statistics (the same data as reports/statistics/).
 * Money here is a JSON number, as the contract's example shows (`"ingresos": 150`).
 */

const Statistics = z.object({
  terapeutas: z.array(z.object({ id: z.number().int(), terapeuta: z.string(), sesiones: z.number().int(), ingresos: z.number(), raiting: z.number() })),
  tipos_pago: z.record(z.string(), z.number().int()),
  metricas: z.object({ ttlpacientes: z.number().int(), ttlsesiones: z.number().int(), ttlganancias: z.number() }),
  ingresos: z.record(z.string(), z.number()),
  sesiones: z.record(z.string(), z.number().int()),
  tipos_pacientes: z.object({ c: z.number().int(), cc: z.number().int() }),
});

const WEEKDAYS = ['Lunes', 'Martes', 'Miércoles', 'Jueves', 'Viernes', 'Sábado', 'Domingo'];
const NO_PAYMENT_TYPE = 'Sin tipo';

const money = (v: string) => moneyNumber(v) ?? 0;

/** "Rodríguez Martínez, Carlos". */
const listName = (n: ClinicStatistics['therapists'][number]['name']) => `${[n.paternal, n.maternal].filter((s) => s && s.trim()).join(' ')}, ${n.given}`;

/** Keys by name; two catalog rows sharing a name add up under it. */
function countByName(rows: { name: string; count: number }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) out[r.name] = (out[r.name] ?? 0) + r.count;
  return out;
}

function statisticsView(s: ClinicStatistics) {
  const ofType = (type: string) => s.appointmentTypes.find((t) => t.type === type)?.sessions ?? 0;
  return {
    terapeutas: s.therapists.map((t) => ({ id: t.id, terapeuta: listName(t.name), sesiones: t.sessions, ingresos: money(t.income), raiting: t.rating })),
    tipos_pago: countByName(s.paymentTypes.map((p) => ({ name: p.name ?? NO_PAYMENT_TYPE, count: p.sessions }))),
    metricas: { ttlpacientes: s.totals.patients, ttlsesiones: s.totals.sessions, ttlganancias: money(s.totals.income) },
    ingresos: Object.fromEntries(s.weekdays.map((w) => [WEEKDAYS[w.isoWeekday - 1], money(w.income)])),
    sesiones: Object.fromEntries(s.weekdays.map((w) => [WEEKDAYS[w.isoWeekday - 1], w.sessions])),
    // The contract's patient types: C and CC, by the appointment's type.
    tipos_pacientes: { c: ofType('C'), cc: ofType('CC') },
  };
}

export const statisticsRoute = route({
  method: 'GET',
  path: '/api/company/statistics/metricas/',
  access: 'user',
  summary: 'Obtener métricas generales (?start=YYYY-MM-DD&end=YYYY-MM-DD)',
  description: 'Citas no anuladas del rango: sesiones e ingresos por terapeuta, usos por tipo de pago, totales, ingresos y sesiones por día de la semana, tipos de paciente (C / CC).',
  query: statsQuery,
  response: Statistics,
  responses: unknownClinic,
  handler: async ({ db, actor, query }) => {
    const period = parseRange(query.start, query.end, ['start', 'end']);
    return statisticsView(await clinicStatistics(db, await reportScope(db, actor, query.reflexo_id), period));
  },
});

export const group = defineReflexoGroup({
  name: 'company-statistics',
  prefixes: ['/api/company/statistics'],
  tag: 'Company reports',
  tenantScoped: true,
  routes: [statisticsRoute],
});

export const handler = createHandler(group);

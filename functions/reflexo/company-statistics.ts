import { createHandler } from '../../lib/http/app';
import { defineReflexoGroup } from './surface';
import { route } from '../../lib/http/route';
import { parseRange, reportScope, statistics } from '../../lib/domain/company-reports';
import { Statistics, statsQuery, unknownClinic } from './company-report-schemas';

/* Module 8 of reflexo-api.md: the dashboard's statistics (the same data as reports/statistics/). */

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
    const { start, end } = parseRange(query.start, query.end, ['start', 'end']);
    return statistics(db, await reportScope(db, actor, query.reflexo_id), start, end);
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

import { createHandler } from '../../lib/http/app';
import { defineReflexoGroup } from './surface';
import { route } from '../../lib/http/route';
import {
  appointmentsBetweenReport,
  appointmentsPerTherapistReport,
  dailyCashReport,
  improvedDailyCash,
  parseRange,
  patientsByTherapistReport,
  reportScope,
  runDayReport,
} from '../../lib/domain/company-reports';
import { AppointmentsBetween, AppointmentsPerTherapist, DailyCash, ImprovedDailyCash, PatientsByTherapist, dayQuery, rangeQuery, unknownClinic } from './company-report-schemas';
import { statisticsRoute } from './company-statistics';

/* Module 8 of reflexo-api.md: JSON reports of one clinic day or date range. `date` defaults to today (clinic time). */

export const group = defineReflexoGroup({
  name: 'company-reports',
  prefixes: ['/api/company/reports'],
  tag: 'Company reports',
  tenantScoped: true,
  routes: [
    { ...statisticsRoute, path: '/api/company/reports/statistics/', summary: 'Obtener estadísticas (alternativo)' },
    route({
      method: 'GET',
      path: '/api/company/reports/appointments-per-therapist/',
      access: 'user',
      summary: 'Citas por terapeuta en un día (?date=YYYY-MM-DD)',
      query: dayQuery,
      response: AppointmentsPerTherapist,
      responses: unknownClinic,
      handler: ({ db, actor, query }) => runDayReport(db, actor, query, appointmentsPerTherapistReport),
    }),
    route({
      method: 'GET',
      path: '/api/company/reports/daily-cash/',
      access: 'user',
      summary: 'Caja diaria: pagos registrados en las citas del día (?date=YYYY-MM-DD)',
      query: dayQuery,
      response: DailyCash,
      responses: unknownClinic,
      handler: ({ db, actor, query }) => runDayReport(db, actor, query, dailyCashReport),
    }),
    route({
      method: 'GET',
      path: '/api/company/reports/improved-daily-cash/',
      access: 'user',
      summary: 'Caja chica mejorada: pagos del día en detalle, resumen por método y total (?date=YYYY-MM-DD)',
      description:
        'Cada pago cuenta una sola vez: un ticket pagado cuenta el día (hora local de la clínica) en que se pagó; el pago de una cita sin ticket pagado cuenta en la fecha de la cita.',
      query: dayQuery,
      response: ImprovedDailyCash,
      responses: unknownClinic,
      handler: ({ db, actor, query }) => runDayReport(db, actor, query, improvedDailyCash),
    }),
    route({
      method: 'GET',
      path: '/api/company/reports/patients-by-therapist/',
      access: 'user',
      summary: 'Pacientes por terapeuta en un día (?date=YYYY-MM-DD)',
      query: dayQuery,
      response: PatientsByTherapist,
      responses: unknownClinic,
      handler: ({ db, actor, query }) => runDayReport(db, actor, query, patientsByTherapistReport),
    }),
    route({
      method: 'GET',
      path: '/api/company/reports/appointments-between-dates/',
      access: 'user',
      summary: 'Citas entre fechas (?start_date=YYYY-MM-DD&end_date=YYYY-MM-DD)',
      query: rangeQuery,
      response: AppointmentsBetween,
      responses: unknownClinic,
      handler: async ({ db, actor, query }) => {
        const { start, end } = parseRange(query.start_date, query.end_date, ['start_date', 'end_date']);
        return appointmentsBetweenReport(db, await reportScope(db, actor, query.reflexo_id), start, end);
      },
    }),
  ],
});

export const handler = createHandler(group);

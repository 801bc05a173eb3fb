import { z } from 'zod';
import { createHandler } from '../../lib/http/app';
import { defineReflexoGroup } from './surface';
import { route } from '../../lib/http/route';
import { moneyString } from '../../lib/money';
import {
  appointmentPaymentList,
  appointmentsInPeriod,
  cashReceipts,
  oneDay,
  parseRange,
  patientsByTherapist,
  reportScope,
  surnameFirst,
  therapistSessions,
  type AppointmentLine,
  type AppointmentPayment,
  type CashLine,
  type Summary,
  type TherapistPatients,
  type TherapistSessions,
} from '../../lib/domain/company-reports';
import { dayQuery, moneyText, rangeQuery, reportDay, requiredDayQuery, unknownClinic } from './company-report-schemas';
import { statisticsRoute } from './company-statistics';

/*
 * Module 8 of reflexo-api.md: JSON reports of one clinic day or date range. The three day reports of
 * the contract require `date` (its "Parámetros por Endpoint" table); improved-daily-cash, which the
 * contract does not list, defaults to today on the clinic's calendar. Money is a "150.00" string, as
 * daily-cash's example shows (DRF decimals).
 */

const AppointmentsPerTherapist = z.object({
  therapists_appointments: z.array(
    z.object({
      id: z.number().int(),
      first_name: z.string(),
      last_name_paternal: z.string(),
      last_name_maternal: z.string().nullable(),
      appointments_count: z.number().int(),
      percentage: z.number(),
    }),
  ),
  total_appointments_count: z.number().int(),
});

const DailyCash = z.array(z.object({ id_cita: z.number().int(), payment: moneyText, payment_type: z.number().int(), payment_type_name: z.string() }));

const PatientsByTherapist = z.array(
  z.object({
    therapist_id: z.string(),
    therapist: z.string(),
    patients: z.array(z.object({ patient_id: z.number().int(), patient: z.string(), appointments: z.number().int() })),
  }),
);

const AppointmentsBetween = z.array(
  z.object({
    appointment_id: z.number().int(),
    patient_id: z.number().int(),
    document_number_patient: z.string(),
    patient: z.string(),
    primary_phone_patient: z.string().nullable(),
    appointment_date: z.iso.date(),
    appointment_hour: z.string().regex(/^\d{2}:\d{2}$/),
  }),
);

const ImprovedDailyCash = z.object({
  fecha: z.iso.date(),
  pagos_detallados: z.array(
    z.object({
      tipo: z.enum(['Ticket', 'Cita']),
      id: z.number().int(),
      ticket_number: z.string(),
      monto: moneyText,
      metodo_pago: z.string(),
      paciente: z.string(),
      terapeuta: z.string(),
      fecha_pago: z.string(),
    }),
  ),
  resumen_por_metodo: z.array(z.object({ metodo: z.string(), cantidad_pagos: z.number().int(), total: moneyText })),
  total_general: moneyText,
  cantidad_total_pagos: z.number().int(),
});

const money = (v: string) => moneyString(v) ?? '0.00';

const therapistsAppointmentsView = (rows: TherapistSessions[]) => ({
  therapists_appointments: rows.map((t) => ({
    id: t.id,
    first_name: t.name.given,
    last_name_paternal: t.name.paternal,
    last_name_maternal: t.name.maternal,
    appointments_count: t.sessions,
    // A share, not money: a JSON number as the example shows (`"percentage": 100`).
    percentage: Number(t.share),
  })),
  total_appointments_count: rows.reduce((n, t) => n + t.sessions, 0),
});

const dailyCashView = (rows: AppointmentPayment[]) =>
  rows.map((p) => ({ id_cita: p.appointmentId, payment: money(p.amount), payment_type: p.paymentType.id, payment_type_name: p.paymentType.name }));

// The example's therapist_id is a string ("1"), its patient_id a number.
const patientsByTherapistView = (groups: TherapistPatients[]) =>
  groups.map((g) => ({
    therapist_id: String(g.therapist.id),
    therapist: surnameFirst(g.therapist.name),
    patients: g.patients.map((p) => ({ patient_id: p.id, patient: surnameFirst(p.name), appointments: p.sessions })),
  }));

const appointmentsBetweenView = (rows: AppointmentLine[]) =>
  rows.map((a) => ({
    appointment_id: a.id,
    patient_id: a.patient.id,
    document_number_patient: a.patient.documentNumber,
    patient: surnameFirst(a.patient.name),
    primary_phone_patient: a.patient.phone,
    appointment_date: a.date,
    appointment_hour: a.hour.slice(0, 5),
  }));

const improvedDailyCashView = (day: string, cash: { lines: CashLine[] } & Summary) => ({
  fecha: day,
  pagos_detallados: cash.lines.map((l) => ({
    tipo: l.source === 'ticket' ? ('Ticket' as const) : ('Cita' as const),
    id: l.id,
    ticket_number: l.reference,
    monto: money(l.amount),
    metodo_pago: l.method,
    paciente: surnameFirst(l.patient),
    terapeuta: surnameFirst(l.therapist),
    fecha_pago: l.paidAt,
  })),
  resumen_por_metodo: cash.byMethod.map((m) => ({ metodo: m.method, cantidad_pagos: m.count, total: money(m.total) })),
  total_general: money(cash.total),
  cantidad_total_pagos: cash.count,
});

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
      summary: 'Citas por terapeuta en un día (?date=YYYY-MM-DD, requerido)',
      query: requiredDayQuery,
      response: AppointmentsPerTherapist,
      responses: unknownClinic,
      handler: async ({ db, actor, query }) => {
        const { scope, day } = await reportDay(db, actor, query, true);
        return therapistsAppointmentsView(await therapistSessions(db, scope, oneDay(day)));
      },
    }),
    route({
      method: 'GET',
      path: '/api/company/reports/daily-cash/',
      access: 'user',
      summary: 'Caja diaria: pagos registrados en las citas del día (?date=YYYY-MM-DD, requerido)',
      query: requiredDayQuery,
      response: DailyCash,
      responses: unknownClinic,
      handler: async ({ db, actor, query }) => {
        const { scope, day } = await reportDay(db, actor, query, true);
        return dailyCashView(await appointmentPaymentList(db, scope, oneDay(day)));
      },
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
      handler: async ({ db, actor, query }) => {
        const { scope, day } = await reportDay(db, actor, query, false);
        return improvedDailyCashView(day, await cashReceipts(db, scope, oneDay(day)));
      },
    }),
    route({
      method: 'GET',
      path: '/api/company/reports/patients-by-therapist/',
      access: 'user',
      summary: 'Pacientes por terapeuta en un día (?date=YYYY-MM-DD, requerido)',
      query: requiredDayQuery,
      response: PatientsByTherapist,
      responses: unknownClinic,
      handler: async ({ db, actor, query }) => {
        const { scope, day } = await reportDay(db, actor, query, true);
        return patientsByTherapistView(await patientsByTherapist(db, scope, oneDay(day)));
      },
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
        const period = parseRange(query.start_date, query.end_date, ['start_date', 'end_date']);
        return appointmentsBetweenView(await appointmentsInPeriod(db, await reportScope(db, actor, query.reflexo_id), period));
      },
    }),
  ],
});

export const handler = createHandler(group);

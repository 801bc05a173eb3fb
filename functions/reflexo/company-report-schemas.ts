import { z } from 'zod';
import { intString } from '../../lib/http/schemas';

/* Query and response schemas shared by the statistics, reports and exports route tables. */

/** Dates are checked in the domain (lib/domain/company-reports.ts) so every route words errors alike. */
export const dayQuery = z.object({ date: z.string().optional(), reflexo_id: intString.optional() });
export const rangeQuery = z.object({ start_date: z.string().optional(), end_date: z.string().optional(), reflexo_id: intString.optional() });
export const statsQuery = z.object({ start: z.string().optional(), end: z.string().optional(), reflexo_id: intString.optional() });

export const Statistics = z.object({
  terapeutas: z.array(z.object({ id: z.number().int(), terapeuta: z.string(), sesiones: z.number().int(), ingresos: z.number(), raiting: z.number() })),
  tipos_pago: z.record(z.string(), z.number().int()),
  metricas: z.object({ ttlpacientes: z.number().int(), ttlsesiones: z.number().int(), ttlganancias: z.number() }),
  ingresos: z.record(z.string(), z.number()),
  sesiones: z.record(z.string(), z.number().int()),
  tipos_pacientes: z.object({ c: z.number().int(), cc: z.number().int() }),
});

const money = z.string().regex(/^\d+\.\d{2}$/);

export const AppointmentsPerTherapist = z.object({
  therapists_appointments: z.array(
    z.object({
      id: z.number().int(),
      first_name: z.string(),
      last_name_paternal: z.string(),
      last_name_maternal: z.string(),
      appointments_count: z.number().int(),
      percentage: z.number(),
    }),
  ),
  total_appointments_count: z.number().int(),
});

export const DailyCash = z.array(z.object({ id_cita: z.number().int(), payment: money, payment_type: z.number().int(), payment_type_name: z.string() }));

export const PatientsByTherapist = z.array(
  z.object({
    therapist_id: z.string(),
    therapist: z.string(),
    patients: z.array(z.object({ patient_id: z.number().int(), patient: z.string(), appointments: z.number().int() })),
  }),
);

export const AppointmentsBetween = z.array(
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

export const ImprovedDailyCash = z.object({
  fecha: z.iso.date(),
  pagos_detallados: z.array(
    z.object({
      tipo: z.enum(['Ticket', 'Cita']),
      id: z.number().int(),
      ticket_number: z.string(),
      monto: money,
      metodo_pago: z.string(),
      paciente: z.string(),
      terapeuta: z.string(),
      fecha_pago: z.string(),
    }),
  ),
  resumen_por_metodo: z.array(z.object({ metodo: z.string(), cantidad_pagos: z.number().int(), total: money })),
  total_general: money,
  cantidad_total_pagos: z.number().int(),
});

/** A global administrator naming a clinic that does not exist (`reflexo_id`): `reportScope` answers 404. */
export const unknownClinic = { 404: { description: 'La clínica indicada en reflexo_id no existe' } };

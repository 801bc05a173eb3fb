import { z } from 'zod';
import { defineReflexoGroup } from './surface';
import { createHandler } from '../../lib/http/app';
import { reply, route, type AnyRoute } from '../../lib/http/route';
import { drfPage, drfPageQuery, drfPageSchema } from '../../lib/http/pagination';
import { idParams, intString, isoDate, nullableTimestamp, timestamp } from '../../lib/http/schemas';
import {
  bookAppointment,
  cancelAppointment,
  checkAvailability,
  editAppointment,
  getAppointment,
  listAppointments,
  removeAppointment,
  rescheduleAppointment,
} from '../../lib/domain/appointments';
import { hourString, money, orderingQuery, truthyFlag } from './scheduling-params';

/*
 * Module 5 of reflexo-api.md: appointments (tenant data). Booking creates the appointment's ticket in
 * the same transaction; overlapping bookings of a therapist or a room are refused by PostgreSQL (409).
 */

const P = '/api/appointments/appointments';

const ref = (extra: Record<string, z.ZodType>) => z.object({ id: z.number().int(), ...extra });
const Appointment = z.object({
  id: z.number().int(),
  patient: ref({ name: z.string(), paternal_lastname: z.string(), document_number: z.string() }),
  therapist: ref({ first_name: z.string(), last_name_paternal: z.string(), document_number: z.string() }),
  appointment_date: isoDate,
  hour: z.string().regex(/^\d{2}:\d{2}:\d{2}$/),
  duration_minutes: z.number().int(),
  appointment_status: ref({ name: z.string() }),
  appointment_type: z.string().nullable(),
  room: z.string().nullable(),
  ailments: z.string().nullable(),
  diagnosis: z.string().nullable(),
  surgeries: z.string().nullable(),
  reflexology_diagnostics: z.string().nullable(),
  medications: z.string().nullable(),
  observation: z.string().nullable(),
  initial_date: isoDate.nullable(),
  final_date: isoDate.nullable(),
  social_benefit: z.boolean(),
  payment_detail: z.string().nullable(),
  payment: z.string().nullable(),
  payment_type: ref({ name: z.string() }).nullable(),
  payment_status: ref({ name: z.string() }).nullable(),
  ticket_number: z.string().nullable(),
  is_cancelled: z.boolean(),
  cancelled_at: nullableTimestamp,
  cancellation_reason: z.string().nullable(),
  reschedule_reason: z.string().nullable(),
  reflexo_id: z.number().int(),
  created_at: timestamp,
  updated_at: timestamp,
});

const id = z.number({ error: 'Debe ser un número entero válido.' }).int().positive();
const optText = (max = 5000) => z.string().trim().max(max).nullable().optional();
const duration = z.number({ error: 'Debe ser un número entero de minutos.' }).int().min(5, 'La duración mínima es de 5 minutos.').max(720, 'La duración máxima es de 720 minutos.');
const appointmentBody = z.object({
  reflexo_id: id.nullable().optional(),
  patient: id,
  therapist: id,
  appointment_date: isoDate,
  hour: hourString,
  duration_minutes: duration.optional(),
  appointment_status: id.optional(),
  appointment_type: optText(50),
  room: optText(50),
  ailments: optText(),
  diagnosis: optText(),
  surgeries: optText(),
  reflexology_diagnostics: optText(),
  medications: optText(),
  observation: optText(),
  initial_date: isoDate.nullable().optional(),
  final_date: isoDate.nullable().optional(),
  social_benefit: z.boolean().optional(),
  payment_detail: optText(255),
  payment: money.nullable().optional(),
  payment_type: id.nullable().optional(),
  payment_status: id.nullable().optional(),
});

const listQuery = {
  ...drfPageQuery,
  appointment_date: isoDate.optional(),
  appointment_status: intString.optional(),
  patient: intString.optional(),
  therapist: intString.optional(),
  room: z.string().max(50).optional(),
  search: z.string().trim().max(100).optional(),
  ordering: orderingQuery(['appointment_date', 'hour', 'created_at', 'updated_at', 'id'] as const, '-appointment_date'),
};

const filterOf = (q: { appointment_date?: string; appointment_status?: number; patient?: number; therapist?: number; room?: string; search?: string }) => ({
  appointmentDate: q.appointment_date,
  statusId: q.appointment_status,
  patientId: q.patient,
  therapistId: q.therapist,
  room: q.room,
  search: q.search,
});

const Unavailable = z.object({ detail: z.string(), code: z.enum(['therapist_unavailable', 'room_unavailable']) });
const unavailable = { 409: { description: 'El terapeuta o la sala ya están ocupados en ese horario', schema: Unavailable } };

const create = route({
  method: 'POST',
  path: `${P}/create/`,
  access: 'user',
  summary: 'Crear cita (y su ticket, en la misma transacción)',
  body: appointmentBody,
  status: 201,
  response: Appointment,
  responses: unavailable,
  handler: async ({ db, actor, body }) => reply(201, await bookAppointment(db, actor!, body)),
});
const put = route({
  method: 'PUT',
  path: `${P}/{id}/edit/`,
  access: 'user',
  summary: 'Editar cita (completo)',
  params: idParams,
  body: appointmentBody,
  response: Appointment,
  responses: unavailable,
  entity: 'appointments',
  handler: ({ db, actor, params, body }) => editAppointment(db, actor!, params.id, body, true),
});
const patch = route({
  method: 'PATCH',
  path: `${P}/{id}/edit/`,
  access: 'user',
  summary: 'Editar cita (parcial)',
  params: idParams,
  body: appointmentBody.partial(),
  response: Appointment,
  responses: unavailable,
  entity: 'appointments',
  handler: ({ db, actor, params, body }) => editAppointment(db, actor!, params.id, body, false),
});
const remove = route({
  method: 'DELETE',
  path: `${P}/{id}/delete/`,
  access: 'user',
  summary: 'Eliminar cita (soft delete; ?hard=true definitivo, solo administradores)',
  params: idParams,
  query: z.object({ hard: truthyFlag }),
  status: 204,
  responses: { 403: { description: 'Solo un administrador puede eliminar citas definitivamente (?hard=true)' } },
  entity: 'appointments',
  handler: async ({ db, actor, params, query }) => {
    await removeAppointment(db, actor!, params.id, query.hard);
    return reply(204);
  },
});

const listRoute = (path: string, summary: string, extra: { kinds?: ('pending' | 'completed' | 'rescheduled')[] } = {}) =>
  route({
    method: 'GET',
    path,
    access: 'user',
    summary,
    query: z.object(listQuery),
    response: drfPageSchema(Appointment),
    handler: async ({ db, actor, query, baseUrl, path: p }) =>
      drfPage(
        await listAppointments(db, actor!, { ...filterOf(query), ...extra, order: query.ordering, page: query.page, size: query.page_size }),
        baseUrl,
        p,
        { ...query, ordering: undefined },
      ),
  });

const routes: AnyRoute[] = [
  listRoute(`${P}/`, 'Listar citas (filtros, búsqueda, ordenamiento, paginación)'),
  create,
  { ...create, path: `${P}/`, summary: 'Crear cita (dialecto DRF)' },
  put,
  { ...put, path: `${P}/{id}/` },
  patch,
  { ...patch, path: `${P}/{id}/` },
  remove,
  { ...remove, path: `${P}/{id}/` },
  route({
    method: 'GET',
    path: `${P}/{id}/`,
    access: 'user',
    summary: 'Ver cita',
    params: idParams,
    response: Appointment,
    entity: 'appointments',
    handler: ({ db, actor, params }) => getAppointment(db, actor!, params.id),
  }),
  listRoute(`${P}/completed/`, 'Listar citas completadas', { kinds: ['completed'] }),
  listRoute(`${P}/pending/`, 'Listar citas pendientes (pendientes y reprogramadas)', { kinds: ['pending', 'rescheduled'] }),
  route({
    method: 'GET',
    path: `${P}/by_date_range/`,
    access: 'user',
    summary: 'Citas por rango de fechas (start_date, end_date)',
    query: z
      .object({ ...listQuery, start_date: isoDate, end_date: isoDate })
      .refine((q) => q.start_date <= q.end_date, { path: ['end_date'], message: 'end_date debe ser igual o posterior a start_date.' }),
    response: drfPageSchema(Appointment),
    handler: async ({ db, actor, query, baseUrl, path }) =>
      drfPage(
        await listAppointments(db, actor!, { ...filterOf(query), from: query.start_date, to: query.end_date, order: query.ordering, page: query.page, size: query.page_size }),
        baseUrl,
        path,
        { ...query, ordering: undefined },
      ),
  }),
  route({
    method: 'GET',
    path: `${P}/check_availability/`,
    access: 'user',
    summary: 'Verificar disponibilidad (date, hour; therapist, room, duration_minutes, exclude opcionales)',
    description:
      'Con therapist y/o room: available indica si ese terapeuta/sala está libre (conflicts lista las citas que lo impiden). ' +
      'Sin ellos: available_therapists lista los terapeutas libres en ese horario.',
    query: z.object({
      date: isoDate,
      hour: hourString,
      duration_minutes: z
        .string()
        .regex(/^\d{1,3}$/, 'Debe ser un número entero de minutos.')
        .transform(Number)
        .pipe(z.number().int().min(5).max(720))
        .prefault('60'),
      therapist: intString.optional(),
      room: z.string().max(50).optional(),
      exclude: intString.optional(),
      reflexo_id: intString.optional(),
    }),
    response: z.object({
      available: z.boolean(),
      date: isoDate,
      hour: z.string(),
      duration_minutes: z.number().int(),
      therapist: z.number().int().nullable(),
      room: z.string().nullable(),
      conflicts: z.array(
        z.object({ id: z.number().int(), therapist: z.number().int(), room: z.string().nullable(), appointment_date: isoDate, hour: z.string(), duration_minutes: z.number().int() }),
      ),
      available_therapists: z.array(z.object({ id: z.number().int(), full_name: z.string() })).nullable(),
    }),
    handler: ({ db, actor, query }) => checkAvailability(db, actor!, query),
  }),
  route({
    method: 'POST',
    path: `${P}/{id}/cancel/`,
    access: 'user',
    summary: 'Cancelar cita (libera el horario; el ticket pendiente se cancela)',
    params: idParams,
    body: z.object({ reason: optText(500) }),
    response: Appointment,
    responses: { 400: { description: 'La cita ya está cancelada' } },
    entity: 'appointments',
    handler: ({ db, actor, params, body }) => cancelAppointment(db, actor!, params.id, body.reason ?? null),
  }),
  route({
    method: 'POST',
    path: `${P}/{id}/reschedule/`,
    access: 'user',
    summary: 'Reprogramar cita',
    params: idParams,
    body: z.object({
      appointment_date: isoDate,
      hour: hourString,
      reason: optText(500),
      duration_minutes: duration.optional(),
      therapist: id.optional(),
      room: optText(50),
    }),
    response: Appointment,
    responses: { 400: { description: 'Datos inválidos, fecha pasada, o la cita está cancelada' }, ...unavailable },
    entity: 'appointments',
    handler: ({ db, actor, params, body }) => rescheduleAppointment(db, actor!, params.id, body),
  }),
];

export const group = defineReflexoGroup({ name: 'appointments-appointments', prefixes: [P], tag: 'Appointments', tenantScoped: true, routes });

export const handler = createHandler(group);

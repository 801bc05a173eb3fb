import { z } from 'zod';
import { defineReflexoGroup } from './surface';
import { createHandler } from '../../lib/http/app';
import { route, type AnyRoute, type Req } from '../../lib/http/route';
import { resourceRoutes } from '../../lib/http/resource';
import { drfPage, drfPageQuery, drfPageSchema } from '../../lib/http/pagination';
import { idParams, intString, isoDate, nullableTimestamp, timestamp } from '../../lib/http/schemas';
import { ValidationError } from '../../lib/errors';
import {
  bookAppointment,
  cancelAppointment,
  checkAvailability,
  editAppointment,
  getAppointment,
  listAppointments,
  removeAppointment,
  rescheduleAppointment,
  type AppointmentInput,
  type AppointmentRecord,
  type Availability,
} from '../../lib/domain/appointments';
import { catalogRef, hourString, money, orderingQuery, roomInput, truthyFlag } from './scheduling-params';

/*
 * Module 5 of reflexo-api.md: appointments (tenant data). Booking creates the appointment's ticket in
 * the same transaction; overlapping bookings of a therapist or a room are refused by PostgreSQL (409).
 * Money on an appointment (`payment`) stays a decimal string: the contract shows none, and DRF renders
 * decimals so.
 */

const P = '/api/appointments/appointments';

const ref = (extra: Record<string, z.ZodType>) => z.object({ id: z.number().int(), ...extra });
const Appointment = z.object({
  id: z.number().int(),
  patient: ref({ name: z.string(), paternal_lastname: z.string(), document_number: z.string() }),
  // A therapist created through v1 (a doctor) may have no document.
  therapist: ref({ first_name: z.string(), last_name_paternal: z.string(), document_number: z.string().nullable() }),
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
  // The ticket's status (Pendiente, Pagado, Cancelado); null only if that catalog row was erased.
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

const toAppointment = (a: AppointmentRecord) => ({
  id: a.id,
  patient: { id: a.patient_id, name: a.patient_name, paternal_lastname: a.patient_paternal_lastname, document_number: a.patient_document_number },
  therapist: { id: a.therapist_id, first_name: a.therapist_first_name, last_name_paternal: a.therapist_last_name_paternal, document_number: a.therapist_document_number },
  appointment_date: a.appointment_date,
  hour: a.hour,
  duration_minutes: a.duration_minutes,
  appointment_status: { id: a.appointment_status_id, name: a.status_name },
  appointment_type: a.appointment_type,
  room: a.room,
  ailments: a.ailments,
  diagnosis: a.diagnosis,
  surgeries: a.surgeries,
  reflexology_diagnostics: a.reflexology_diagnostics,
  medications: a.medications,
  observation: a.observation,
  initial_date: a.initial_date,
  final_date: a.final_date,
  social_benefit: a.social_benefit,
  payment_detail: a.payment_detail,
  payment: a.payment,
  payment_type: a.payment_type_id === null ? null : { id: a.payment_type_id, name: a.payment_type_name ?? '' },
  payment_status: a.payment_status_id === null ? null : { id: a.payment_status_id, name: a.payment_status_name ?? '' },
  ticket_number: a.ticket_number,
  is_cancelled: a.cancelled_at !== null,
  cancelled_at: a.cancelled_at,
  cancellation_reason: a.cancellation_reason,
  reschedule_reason: a.reschedule_reason,
  reflexo_id: a.reflexo_id,
  created_at: a.created_at,
  updated_at: a.updated_at,
});

const toAvailability = (a: Availability) => ({
  available: a.available,
  date: a.date,
  hour: a.hour,
  duration_minutes: a.duration_minutes,
  therapist: a.therapist_id,
  room: a.room,
  conflicts: a.conflicts.map((c) => ({ id: c.id, therapist: c.therapist_id, room: c.room, appointment_date: c.appointment_date, hour: c.hour, duration_minutes: c.duration_minutes })),
  available_therapists: a.free_therapists,
});

/* ---- input: the contract's names → the domain's ------------------------------------------------ */

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
  // Id or name ("PENDIENTE"); payment type by id, name or code ("cash"), payment status by id, name or code ("paid").
  appointment_status: catalogRef.optional(),
  appointment_type: optText(50),
  room: roomInput.nullable().optional(),
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
  payment_type: catalogRef.nullable().optional(),
  payment_status: catalogRef.optional(),
});
type Body = Partial<z.output<typeof appointmentBody>>;

function inputOf(b: Body): AppointmentInput {
  const { patient, therapist, appointment_date, appointment_status, ailments, ...rest } = b;
  const out: AppointmentInput = { ...rest };
  if (patient !== undefined) out.patient_id = patient;
  if (therapist !== undefined) out.therapist_id = therapist;
  if (appointment_date !== undefined) out.date = appointment_date;
  if (appointment_status !== undefined) out.status = appointment_status;
  if (ailments !== undefined) out.reason = ailments;
  return out;
}

/** A PUT replaces the appointment: the optional fields it leaves out are cleared (the payment status is the ticket's). */
const PUT_CLEARS: Body = {
  appointment_type: null,
  room: null,
  ailments: null,
  diagnosis: null,
  surgeries: null,
  reflexology_diagnostics: null,
  medications: null,
  observation: null,
  initial_date: null,
  final_date: null,
  payment_detail: null,
  payment: null,
  payment_type: null,
};

/** The domain names fields in its own terms; the contract's field errors use these. */
const REFLEXO_FIELDS: Record<string, string> = { patient_id: 'patient', therapist_id: 'therapist', date: 'appointment_date', status: 'appointment_status', reason: 'ailments' };
async function inReflexoTerms<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    throw new ValidationError(err.issues.map((i) => ({ ...i, loc: i.loc.map((p, k) => (k === 1 && typeof p === 'string' ? (REFLEXO_FIELDS[p] ?? p) : p)) })));
  }
}

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

const listRoute = (path: string, summary: string, extra: { kinds?: ('pending' | 'completed' | 'rescheduled')[] } = {}) =>
  route({
    method: 'GET',
    path,
    access: 'user',
    summary,
    query: z.object(listQuery),
    response: drfPageSchema(Appointment),
    handler: async ({ db, actor, query, baseUrl, path: p }) => {
      const page = await listAppointments(db, actor!, { ...filterOf(query), ...extra, order: query.ordering, page: query.page, size: query.page_size });
      return drfPage({ ...page, rows: page.rows.map(toAppointment) }, baseUrl, p, { ...query, ordering: undefined });
    },
  });

const routes: AnyRoute[] = [
  listRoute(`${P}/`, 'Listar citas (filtros, búsqueda, ordenamiento, paginación)'),
  ...resourceRoutes({
    prefix: P,
    dialect: 'reflexo',
    noun: 'cita',
    entity: 'appointments',
    access: 'user',
    item: Appointment,
    create: {
      summary: 'Crear cita (y su ticket, en la misma transacción)',
      body: appointmentBody,
      responses: unavailable,
      handler: ({ db, actor, body }: Req<unknown, unknown, z.output<typeof appointmentBody>>) =>
        inReflexoTerms(async () => toAppointment(await bookAppointment(db, actor!, { ...inputOf(body), patient_id: body.patient, therapist_id: body.therapist, date: body.appointment_date, hour: body.hour }))),
    },
    get: { handler: async ({ db, actor, params }) => toAppointment(await getAppointment(db, actor!, params.id)) },
    update: {
      body: appointmentBody,
      patchBody: appointmentBody.partial(),
      responses: unavailable,
      handler: ({ db, actor, params, body }: Req<{ id: number }, unknown, Body>, full) =>
        inReflexoTerms(async () => toAppointment(await editAppointment(db, actor!, params.id, inputOf(full ? { ...PUT_CLEARS, ...body } : body)))),
    },
    remove: {
      summary: 'Eliminar cita (soft delete; ?hard=true definitivo, solo administradores)',
      query: z.object({ hard: truthyFlag }),
      responses: { 403: { description: 'Solo un administrador puede eliminar citas definitivamente (?hard=true)' } },
      handler: ({ db, actor, params, query }) => removeAppointment(db, actor!, params.id, query.hard),
    },
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
    handler: async ({ db, actor, query, baseUrl, path }) => {
      const page = await listAppointments(db, actor!, { ...filterOf(query), from: query.start_date, to: query.end_date, order: query.ordering, page: query.page, size: query.page_size });
      return drfPage({ ...page, rows: page.rows.map(toAppointment) }, baseUrl, path, { ...query, ordering: undefined });
    },
  }),
  route({
    method: 'GET',
    path: `${P}/check_availability/`,
    access: 'user',
    summary: 'Verificar disponibilidad (date, hour; therapist, room, duration_minutes, exclude opcionales)',
    description:
      'Con therapist y/o room: available indica si ese terapeuta/sala está libre (conflicts lista las citas que lo impiden). ' +
      'Sin ellos: available_therapists lista los terapeutas activos libres en ese horario.',
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
    handler: async ({ db, actor, query: { therapist, ...q } }) => toAvailability(await checkAvailability(db, actor!, { ...q, therapist_id: therapist })),
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
    handler: async ({ db, actor, params, body }) => toAppointment(await cancelAppointment(db, actor!, params.id, body.reason ?? null)),
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
      room: roomInput.nullable().optional(),
    }),
    response: Appointment,
    responses: { 400: { description: 'Datos inválidos, fecha pasada, o la cita está cancelada' }, ...unavailable },
    entity: 'appointments',
    handler: ({ db, actor, params, body: { appointment_date, therapist, ...rest } }) =>
      inReflexoTerms(async () => toAppointment(await rescheduleAppointment(db, actor!, params.id, { ...rest, date: appointment_date, therapist_id: therapist }))),
  }),
];

export const group = defineReflexoGroup({ name: 'appointments-appointments', prefixes: [P], tag: 'Appointments', tenantScoped: true, routes });

export const handler = createHandler(group);

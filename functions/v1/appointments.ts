import { z } from 'zod';
import { takesInput } from '../../lib/http/coerce';
import {
  bookAt,
  editAt,
  getZonedAppointment,
  listDoctorAppointments,
  listPatientAppointments,
  listZonedAppointments,
  removeAppointment,
  type AppointmentInput,
  type StartsAt,
  type ZonedAppointment,
  type ZonedListFilter,
} from '../../lib/domain/appointments';
import { sendAppointmentReminder } from '../../lib/domain/reminders';
import { availableSlots } from '../../lib/domain/schedules';
import type { StatusKind } from '../../lib/db/tables/scheduling';
import { ValidationError } from '../../lib/errors';
import { createHandler } from '../../lib/http/app';
import { reply, route, type AnyRoute } from '../../lib/http/route';
import { isoUtc } from '../../lib/time';
import { slotRange, SlotsAnswer, toSlots } from './doctors-schedule';
import { apellidosOf, DoctorRef, optEmail, optText, PacienteRef } from './shapes';
import { defineV1Group, inV1Words, listRoute, refId } from './surface';

/*
 * v1 appointments (issue 13): the Reflexo appointments in the spec's "Cita Médica" shape. One agenda:
 * a booking here goes through the same domain function as Reflexo's (exclusion constraints → 409, the
 * ticket opened in the same transaction), and also only inside the doctor's weekly schedule when the
 * doctor has one. `fecha_hora` is an instant (UTC with Z on the way out); the row stores the clinic's
 * wall-clock date + hour (tenants.time_zone), which is what the Reflexo agenda shows.
 */
const P = '/api/v1/appointments';
const id = z.string().regex(/^\d{1,9}$/, 'Input should be a valid integer').transform(Number);
const appointmentParams = z.object({ appointment_id: id });

/* ---- estado ↔ the status catalog's kinds ---------------------------------------------------------- */

export const ESTADOS = ['Programada', 'Confirmada', 'En curso', 'Completada', 'Cancelada', 'No asistió'] as const;
export type Estado = (typeof ESTADOS)[number];
const KINDS_OF: Record<Estado, StatusKind[]> = {
  Programada: ['pending', 'rescheduled'],
  Confirmada: ['confirmed'],
  'En curso': ['in_progress'],
  Completada: ['completed'],
  Cancelada: ['cancelled'],
  'No asistió': ['no_show'],
};
/** A catalog status without a kind (a clinic's own) is a live booking: Programada. */
export const estadoOf = (kind: StatusKind | null, cancelled: boolean): Estado =>
  cancelled ? 'Cancelada' : ((Object.keys(KINDS_OF) as Estado[]).find((e) => kind && KINDS_OF[e].includes(kind)) ?? 'Programada');

const fold = (s: string) => s.normalize('NFD').replace(/\p{Diacritic}/gu, '').trim().toLowerCase();
/** One of the six, compared without case or accents ("no asistio" is No asistió); anything else is 422 listing them. */
const estadoInput = takesInput(
  z.preprocess(
    (v) => (typeof v === 'string' ? (ESTADOS.find((e) => fold(e) === fold(v)) ?? v) : v),
    z.enum(ESTADOS, { error: `Estado desconocido. Valores válidos: ${ESTADOS.join(', ')}` }),
  ),
  (own) => ({ anyOf: [own, { type: 'string', pattern: anyCaseOrAccent(ESTADOS) }] }),
);

/** A JSON Schema pattern for `words` in any case, with or without accents, as `fold` compares them. */
function anyCaseOrAccent(words: readonly string[]): string {
  const VARIANTS: Record<string, string> = { a: 'aáàâäã', e: 'eéèêë', i: 'iíìîï', o: 'oóòôöõ', u: 'uúùûü', n: 'nñ', c: 'cç' };
  const letter = (c: string) => (/[a-z]/.test(c) ? `[${VARIANTS[c] ?? c}${(VARIANTS[c] ?? c).toUpperCase()}]` : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return `^\\s*(${words.map((w) => [...fold(w)].map(letter).join('')).join('|')})\\s*$`;
}

/* ---- fecha_hora ---------------------------------------------------------------------------------- */

const FECHA_HORA = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const realDate = (d: string) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) === d;

/** With `Z` or an offset: that instant. Without: the clinic's wall clock (its time zone). */
function parseFechaHora(s: string): StartsAt | null {
  const m = FECHA_HORA.exec(s.trim());
  if (!m || !realDate(m[1]) || Number(m[2]) > 23 || Number(m[3]) > 59 || Number(m[4] ?? 0) > 59) return null;
  if (!m[5]) return { wall: { date: m[1], hour: `${m[2]}:${m[3]}:${m[4] ?? '00'}` } };
  const t = Date.parse(s.trim().replace(' ', 'T'));
  return Number.isNaN(t) ? null : { instant: new Date(t) };
}
const fechaHora = z
  .string()
  .transform((s, ctx) => {
    const at = parseFechaHora(s);
    if (!at) ctx.addIssue({ code: 'custom', message: 'Input should be a valid datetime (ISO 8601: 2024-01-15T10:00:00Z, con desfase, o sin él = hora de la clínica)' });
    return at as StartsAt;
  })
  .meta({ description: 'ISO 8601. Con Z o desfase: ese instante. Sin desfase: fecha y hora locales de la clínica (su zona horaria).', example: '2024-01-15T15:00:00Z' });

/* ---- the Cita shape ------------------------------------------------------------------------------- */

export const Cita = z
  .object({
    id: z.number().int(),
    paciente: PacienteRef,
    doctor: DoctorRef,
    fecha_hora: z.string().meta({ description: 'Inicio, ISO 8601 UTC con Z' }),
    duracion_minutos: z.number().int(),
    motivo_consulta: z.string().nullable(),
    estado: z.enum(ESTADOS),
    telefono_contacto: z.string().nullable(),
    email_contacto: z.string().nullable(),
    recordatorio_enviado: z.boolean(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Cita' });

/** A zoned appointment record (lib/domain/appointments: getZonedAppointment, listZonedAppointments, listPatientAppointments…) as a Cita. */
export const toCita = (a: ZonedAppointment) => ({
  id: a.id,
  paciente: { id: a.patient_id, nombres: a.patient_name, apellidos: apellidosOf(a.patient_paternal_lastname, a.patient_maternal_lastname), telefono: a.patient_phone },
  doctor: { id: a.therapist_id, nombres: a.therapist_first_name, apellidos: apellidosOf(a.therapist_last_name_paternal, a.therapist_last_name_maternal) },
  fecha_hora: isoUtc(a.starts_at),
  duracion_minutos: a.duration_minutes,
  motivo_consulta: a.ailments,
  estado: estadoOf(a.status_kind, a.cancelled_at !== null),
  telefono_contacto: a.contact_phone,
  email_contacto: a.contact_email,
  recordatorio_enviado: a.reminder_sent_at !== null,
  created_at: isoUtc(new Date(a.created_at)),
  updated_at: isoUtc(new Date(a.updated_at)),
});

/* ---- input ---------------------------------------------------------------------------------------- */

const CitaFields = {
  paciente_id: refId.optional(),
  paciente: refId.optional(),
  doctor_id: refId.optional(),
  doctor: refId.optional(),
  fecha_hora: fechaHora,
  duracion_minutos: z.number().int().min(5).max(720).optional().meta({ description: 'Por defecto: la duración de cita del bloque del horario del doctor que cubre esa hora; sin horario, 60' }),
  motivo_consulta: optText(5000),
  telefono_contacto: optText(30),
  email_contacto: optEmail(),
  estado: estadoInput.optional(),
};
const required = (b: { paciente_id?: number; paciente?: number; doctor_id?: number; doctor?: number }, ctx: z.RefinementCtx) => {
  if (b.paciente_id === undefined && b.paciente === undefined) ctx.addIssue({ code: 'custom', path: ['paciente_id'], message: 'Field required (paciente_id o paciente: {id})' });
  if (b.doctor_id === undefined && b.doctor === undefined) ctx.addIssue({ code: 'custom', path: ['doctor_id'], message: 'Field required (doctor_id o doctor: {id})' });
};
const CitaCreate = z.object(CitaFields).superRefine(required).meta({ id: 'CitaCrear' });
const CitaUpdate = z.object({ ...CitaFields, fecha_hora: fechaHora.optional() }).meta({ id: 'CitaActualizar' });
type Body = Partial<z.output<typeof CitaUpdate>>;

function inputOf(b: Body): Omit<AppointmentInput, 'date' | 'hour'> & { at?: StartsAt } {
  const out: Omit<AppointmentInput, 'date' | 'hour'> & { at?: StartsAt } = {};
  const patient = b.paciente_id ?? b.paciente;
  const doctor = b.doctor_id ?? b.doctor;
  if (patient !== undefined) out.patient_id = patient;
  if (doctor !== undefined) out.therapist_id = doctor;
  if (b.fecha_hora !== undefined) out.at = b.fecha_hora;
  if (b.duracion_minutos !== undefined) out.duration_minutes = b.duracion_minutos;
  if (b.motivo_consulta !== undefined) out.reason = b.motivo_consulta;
  if (b.telefono_contacto !== undefined) out.contact_phone = b.telefono_contacto;
  if (b.email_contacto !== undefined) out.contact_email = b.email_contacto;
  if (b.estado !== undefined) out.status = { kind: KINDS_OF[b.estado][0] };
  return out;
}

/** The domain names fields and people in its own terms; v1 errors name the v1 fields and say doctor. */
const V1_FIELDS: Record<string, string> = {
  patient_id: 'paciente_id',
  therapist_id: 'doctor_id',
  date: 'fecha_hora',
  hour: 'fecha_hora',
  duration_minutes: 'duracion_minutos',
  status: 'estado',
  reason: 'motivo_consulta',
  contact_phone: 'telefono_contacto',
  contact_email: 'email_contacto',
};
async function inV1Terms<T>(run: () => Promise<T>, fields: Record<string, string> = V1_FIELDS): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    throw new ValidationError(err.issues.map((i) => ({ ...i, msg: inV1Words(i.msg), loc: i.loc.map((p, k) => (k === 1 && typeof p === 'string' ? (fields[p] ?? p) : p)) })));
  }
}

/* ---- lists ---------------------------------------------------------------------------------------- */

const day = z.iso.date();
const intQuery = z.string().regex(/^\d{1,9}$/, 'Input should be a valid integer').transform(Number);
const filterQuery = {
  fecha_desde: day.optional().meta({ description: 'Desde este día de la clínica (YYYY-MM-DD, inclusive)' }),
  fecha_hasta: day.optional().meta({ description: 'Hasta este día de la clínica (YYYY-MM-DD, inclusive)' }),
  doctor_id: intQuery.optional(),
  paciente_id: intQuery.optional(),
  estado: estadoInput.optional(),
};
const { doctor_id: _doctor, ...doctorListQuery } = filterQuery;
const { paciente_id: _patient, ...patientListQuery } = filterQuery;
type ListQuery = { page: number; size: number; fecha_desde?: string; fecha_hasta?: string; doctor_id?: number; paciente_id?: number; estado?: Estado };

/** Agenda order: by start, earliest first. */
function filterOf(q: ListQuery): ZonedListFilter {
  if (q.fecha_desde && q.fecha_hasta && q.fecha_hasta < q.fecha_desde) {
    throw new ValidationError([{ loc: ['query', 'fecha_hasta'], msg: 'fecha_hasta debe ser igual o posterior a fecha_desde', type: 'value_error', input: q.fecha_hasta }]);
  }
  return {
    from: q.fecha_desde,
    to: q.fecha_hasta,
    therapistId: q.doctor_id,
    patientId: q.paciente_id,
    kinds: q.estado ? KINDS_OF[q.estado] : undefined,
    order: { column: 'appointment_date', desc: false },
    page: q.page,
    size: q.size,
  };
}

const Unavailable = { 409: { description: 'El doctor ya tiene una cita que se superpone en ese horario' } };
const ReminderAnswer = z
  .object({
    enviado: z.boolean().meta({ description: 'false: ese mismo recordatorio (cita, hora, e-mail) ya se encoló hoy y no se envía dos veces' }),
    appointment_id: z.number().int(),
    email: z.string(),
    asunto: z.string(),
    cita: Cita,
  })
  .meta({ id: 'RecordatorioCita' });

const routes: AnyRoute[] = [
  listRoute({
    path: P,
    summary: 'Listar citas (filtros fecha_desde, fecha_hasta, doctor_id, paciente_id, estado), en orden cronológico',
    item: Cita,
    query: filterQuery,
    load: ({ db, actor, query }) => listZonedAppointments(db, actor!, filterOf(query as ListQuery)),
    present: toCita,
  }),
  route({
    method: 'GET',
    path: `${P}/available-slots`,
    access: 'user',
    summary: 'Horarios libres de un doctor (?doctor_id=&date=, o &from=&to= hasta 31 días): lo mismo que /doctors/{doctor_id}/available-slots',
    query: z
      .object({ doctor_id: intQuery, date: day.optional(), from: day.optional(), to: day.optional() })
      .refine((q) => !!q.date || (!!q.from && !!q.to), { message: 'Indique date, o from y to', path: ['date'] }),
    response: SlotsAnswer,
    responses: { 404: { description: 'El doctor no existe en esta clínica' } },
    handler: async ({ db, actor, query }) => toSlots(await availableSlots(db, actor, query.doctor_id, slotRange(query))),
  }),
  listRoute({
    path: `${P}/date/{date}`,
    summary: 'Citas de un día de la clínica (YYYY-MM-DD, en su zona horaria)',
    params: z.object({ date: day }),
    item: Cita,
    load: ({ db, actor, params, query }) => listZonedAppointments(db, actor!, { appointmentDate: params.date, order: { column: 'appointment_date', desc: false }, page: query.page, size: query.size }),
    present: toCita,
  }),
  listRoute({
    path: `${P}/doctor/{doctor_id}`,
    summary: 'Citas de un doctor (mismos filtros que la lista)',
    params: z.object({ doctor_id: id }),
    entity: 'therapists',
    item: Cita,
    query: doctorListQuery,
    load: ({ db, actor, params, query }) => listDoctorAppointments(db, actor!, params.doctor_id, filterOf(query as ListQuery)),
    present: toCita,
  }),
  listRoute({
    path: `${P}/patient/{patient_id}`,
    summary: 'Citas de un paciente (mismos filtros que la lista)',
    params: z.object({ patient_id: id }),
    entity: 'patients',
    item: Cita,
    query: patientListQuery,
    load: ({ db, actor, params, query }) => listPatientAppointments(db, actor!, params.patient_id, filterOf(query as ListQuery)),
    present: toCita,
  }),
  route({
    method: 'GET',
    path: `${P}/{appointment_id}`,
    access: 'user',
    summary: 'Obtener una cita',
    params: appointmentParams,
    entity: 'appointments',
    response: Cita,
    handler: async ({ db, actor, params }) => toCita(await getZonedAppointment(db, actor!, params.appointment_id)),
  }),
  route({
    method: 'POST',
    path: P,
    access: 'user',
    summary: 'Agendar una cita (y su ticket, en la misma transacción); dentro del horario del doctor si tiene uno',
    description:
      'fecha_hora con Z o desfase es ese instante; sin desfase, la hora local de la clínica. duracion_minutos por defecto: la del bloque del horario que cubre esa hora, o 60. ' +
      '409 si el doctor ya tiene una cita que se superpone; 422 (loc fecha_hora, type outside_schedule) fuera de su horario, en un descanso o una excepción.',
    body: CitaCreate,
    status: 201,
    response: Cita,
    responses: Unavailable,
    handler: ({ db, actor, body }) =>
      inV1Terms(async () => {
        const { at, ...input } = inputOf(body);
        return reply(201, toCita(await bookAt(db, actor!, { ...input, patient_id: input.patient_id!, therapist_id: input.therapist_id!, at: at! })));
      }),
  }),
  route({
    method: 'PUT',
    path: `${P}/{appointment_id}`,
    access: 'user',
    summary: 'Actualizar una cita (los campos enviados; null borra un campo opcional)',
    description: 'Mover la cita (fecha_hora, duracion_minutos o doctor) exige que el nuevo horario esté libre (409) y dentro del horario del doctor (422). Sin duracion_minutos se conserva la actual.',
    params: appointmentParams,
    entity: 'appointments',
    body: CitaUpdate,
    response: Cita,
    responses: Unavailable,
    handler: ({ db, actor, params, body }) => inV1Terms(async () => toCita(await editAt(db, actor!, params.appointment_id, inputOf(body)))),
  }),
  route({
    method: 'DELETE',
    path: `${P}/{appointment_id}`,
    access: 'user',
    summary: 'Eliminar una cita (borrado lógico: deja de listarse en ambas superficies; su ticket pendiente se cancela)',
    params: appointmentParams,
    entity: 'appointments',
    status: 204,
    handler: async ({ db, actor, params }) => {
      await removeAppointment(db, actor!, params.appointment_id, false);
      return reply(204);
    },
  }),
  route({
    method: 'PATCH',
    path: `${P}/{appointment_id}/status`,
    access: 'user',
    summary: `Cambiar el estado: {"estado": "..."} o {"status": "..."} (${ESTADOS.join(', ')})`,
    description: 'Cancelada libera el horario y cancela el ticket pendiente; volver de Cancelada a otro estado exige que el horario siga libre (409).',
    params: appointmentParams,
    entity: 'appointments',
    body: z
      .object({ estado: estadoInput.optional(), status: estadoInput.optional() })
      .refine((b) => b.estado !== undefined || b.status !== undefined, { message: 'Field required (estado o status)', path: ['estado'] })
      .meta({ id: 'CitaEstado' }),
    response: Cita,
    responses: Unavailable,
    handler: ({ db, actor, params, body }) =>
      inV1Terms(async () => toCita(await editAt(db, actor!, params.appointment_id, inputOf({ estado: body.estado ?? body.status })))),
  }),
  route({
    method: 'POST',
    path: `${P}/{appointment_id}/reminder`,
    access: 'user',
    summary: 'Enviar el recordatorio de la cita por e-mail (al e-mail de contacto, o al del paciente)',
    description:
      'HTML y texto con el nombre de la clínica, la fecha y hora en su zona horaria y el doctor; marca recordatorio_enviado. ' +
      '422 si no hay e-mail de contacto ni del paciente; 409 si la cita está cancelada, completada o el paciente no asistió.',
    params: appointmentParams,
    entity: 'appointments',
    response: ReminderAnswer,
    responses: { 409: { description: 'La cita está cancelada, completada o marcada como no asistió' } },
    handler: async ({ db, actor, params }) => {
      const sent = await sendAppointmentReminder(db, actor!, params.appointment_id);
      return { enviado: sent.queued, appointment_id: sent.appointment.id, email: sent.email, asunto: sent.subject, cita: toCita(sent.appointment) };
    },
  }),
];

export const group = defineV1Group({ name: 'v1-appointments', prefixes: [P], tag: 'v1 · Citas', tenantScoped: true, routes });

export const handler = createHandler(group);

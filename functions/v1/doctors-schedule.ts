import { z } from 'zod';
import { addScheduleBlock, addException, availableSlots, editScheduleBlock, listExceptions, listSchedule, removeException, removeScheduleBlock, type ExceptionRecord, type ScheduleRecord, type SlotAnswer } from '../../lib/domain/schedules';
import { reply, route, type AnyRoute } from '../../lib/http/route';
import { isoUtc } from '../../lib/time';

/*
 * v1 doctors' schedules and free slots (part of the doctors group, functions/v1/doctors.ts): weekly
 * blocks with ISO weekdays (1 = lunes … 7 = domingo), date exceptions (beyond the spec's route list:
 * /schedule/exceptions), and available slots for a day or a range of up to 31 days.
 */
const P = '/api/v1/doctors/{doctor_id}';
const id = z.string().regex(/^\d{1,9}$/, 'Input should be a valid integer').transform(Number);
export const doctorParams = z.object({ doctor_id: id });
const scheduleParams = z.object({ doctor_id: id, schedule_id: id });
const exceptionParams = z.object({ doctor_id: id, exception_id: id });

const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/, 'Input should be a time HH:MM');
const date = z.iso.date();

const Break = z.object({ inicio: time, fin: time });
const ScheduleBlock = z
  .object({
    id: z.number().int(),
    doctor_id: z.number().int(),
    dia_semana: z.number().int().min(1).max(7),
    hora_inicio: z.string(),
    hora_fin: z.string(),
    duracion_cita: z.number().int(),
    descansos: z.array(z.object({ inicio: z.string(), fin: z.string() })),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'HorarioDoctor' });
const ScheduleBody = z.object({
  dia_semana: z.number().int().min(1, 'dia_semana: 1 = lunes … 7 = domingo').max(7, 'dia_semana: 1 = lunes … 7 = domingo'),
  hora_inicio: time,
  hora_fin: time,
  duracion_cita: z.number().int().min(5).max(720).optional(),
  descansos: z.array(Break).max(10).optional(),
});
const ScheduleException = z
  .object({ id: z.number().int(), doctor_id: z.number().int(), fecha: z.string(), hora_inicio: z.string().nullable(), hora_fin: z.string().nullable(), motivo: z.string().nullable(), dia_completo: z.boolean() })
  .meta({ id: 'ExcepcionHorario' });
const ExceptionBody = z.object({ fecha: date, hora_inicio: time.nullable().optional(), hora_fin: time.nullable().optional(), motivo: z.string().max(255).nullable().optional() });

const Slot = z.object({ fecha: z.string(), hora_inicio: z.string(), hora_fin: z.string(), inicio: z.string(), fin: z.string() }).meta({ id: 'SlotDisponible' });
export const SlotsAnswer = z
  .object({ doctor_id: z.number().int(), fecha_desde: z.string(), fecha_hasta: z.string(), zona_horaria: z.string(), tiene_horario: z.boolean(), slots: z.array(Slot) })
  .meta({ id: 'SlotsDisponibles' });
/** `?date=` for one day, or `?from=&to=` for up to 31 days. */
export const slotsQuery = z
  .object({ date: date.optional(), from: date.optional(), to: date.optional() })
  .refine((q) => !!q.date || (!!q.from && !!q.to), { message: 'Indique date, o from y to', path: ['date'] });
export const slotRange = (q: { date?: string; from?: string; to?: string }) => (q.date ? { from: q.date, to: q.date } : { from: q.from!, to: q.to! });

const hhmm = (t: string) => t.slice(0, 5);
const toBlock = (b: ScheduleRecord) => ({
  id: b.id,
  doctor_id: b.therapist_id,
  dia_semana: b.weekday,
  hora_inicio: hhmm(b.start_time),
  hora_fin: hhmm(b.end_time),
  duracion_cita: b.slot_minutes,
  descansos: b.breaks,
  created_at: isoUtc(new Date(b.created_at)),
  updated_at: isoUtc(new Date(b.updated_at)),
});
const toException = (e: ExceptionRecord) => ({
  id: e.id,
  doctor_id: e.therapist_id,
  fecha: e.date,
  hora_inicio: e.start_time && hhmm(e.start_time),
  hora_fin: e.end_time && hhmm(e.end_time),
  motivo: e.reason,
  dia_completo: e.start_time === null,
});
export const toSlots = (a: SlotAnswer) => ({
  doctor_id: a.therapistId,
  fecha_desde: a.from,
  fecha_hasta: a.to,
  zona_horaria: a.timeZone,
  tiene_horario: a.hasSchedule,
  slots: a.slots.map((s) => ({ fecha: s.date, hora_inicio: hhmm(s.start), hora_fin: hhmm(s.end), inicio: isoUtc(s.startsAt), fin: isoUtc(s.endsAt) })),
});

const blockInput = (b: Partial<z.output<typeof ScheduleBody>>) => ({
  weekday: b.dia_semana,
  start: b.hora_inicio,
  end: b.hora_fin,
  slotMinutes: b.duracion_cita,
  breaks: b.descansos?.map((x) => ({ start: x.inicio, end: x.fin })),
});
const overlap = { 409: { description: 'El bloque se superpone con otro del mismo doctor ese día' } };

export const scheduleRoutes: AnyRoute[] = [
  route({
    method: 'GET',
    path: `${P}/schedule`,
    access: 'user',
    summary: 'Horario semanal del doctor',
    params: doctorParams,
    entity: 'therapists',
    response: z.array(ScheduleBlock),
    handler: async ({ db, actor, params }) => (await listSchedule(db, actor, params.doctor_id)).map(toBlock),
  }),
  route({
    method: 'POST',
    path: `${P}/schedule`,
    access: 'user',
    summary: 'Agregar un bloque al horario semanal',
    params: doctorParams,
    entity: 'therapists',
    body: ScheduleBody,
    status: 201,
    response: ScheduleBlock,
    responses: overlap,
    handler: async ({ db, actor, params, body }) =>
      reply(201, toBlock(await addScheduleBlock(db, actor, params.doctor_id, blockInput(body) as Parameters<typeof addScheduleBlock>[3]))),
  }),
  route({
    method: 'PUT',
    path: `${P}/schedule/{schedule_id}`,
    access: 'user',
    summary: 'Editar un bloque del horario (los campos enviados)',
    params: scheduleParams,
    entity: 'doctor_schedules',
    body: ScheduleBody.partial(),
    response: ScheduleBlock,
    responses: overlap,
    handler: async ({ db, actor, params, body }) => toBlock(await editScheduleBlock(db, actor, params.doctor_id, params.schedule_id, blockInput(body))),
  }),
  route({
    method: 'DELETE',
    path: `${P}/schedule/{schedule_id}`,
    access: 'user',
    summary: 'Eliminar un bloque del horario',
    params: scheduleParams,
    entity: 'doctor_schedules',
    status: 204,
    handler: async ({ db, actor, params }) => {
      await removeScheduleBlock(db, actor, params.doctor_id, params.schedule_id);
      return reply(204);
    },
  }),
  route({
    method: 'GET',
    path: `${P}/schedule/exceptions`,
    access: 'user',
    summary: 'Excepciones por fecha (días libres u horas libres) — fuera de la lista del spec',
    params: doctorParams,
    entity: 'therapists',
    response: z.array(ScheduleException),
    handler: async ({ db, actor, params }) => (await listExceptions(db, actor, params.doctor_id)).map(toException),
  }),
  route({
    method: 'POST',
    path: `${P}/schedule/exceptions`,
    access: 'user',
    summary: 'Agregar una excepción: sin horas = día libre; con hora_inicio y hora_fin = horas libres',
    params: doctorParams,
    entity: 'therapists',
    body: ExceptionBody,
    status: 201,
    response: ScheduleException,
    handler: async ({ db, actor, params, body }) =>
      reply(201, toException(await addException(db, actor, params.doctor_id, { date: body.fecha, start: body.hora_inicio, end: body.hora_fin, reason: body.motivo }))),
  }),
  route({
    method: 'DELETE',
    path: `${P}/schedule/exceptions/{exception_id}`,
    access: 'user',
    summary: 'Eliminar una excepción',
    params: exceptionParams,
    entity: 'doctor_schedule_exceptions',
    status: 204,
    handler: async ({ db, actor, params }) => {
      await removeException(db, actor, params.doctor_id, params.exception_id);
      return reply(204);
    },
  }),
  route({
    method: 'GET',
    path: `${P}/available-slots`,
    access: 'user',
    summary: 'Horarios libres (?date= un día, o ?from=&to= hasta 31 días), en la zona horaria de la clínica',
    params: doctorParams,
    entity: 'therapists',
    query: slotsQuery,
    response: SlotsAnswer,
    handler: async ({ db, actor, params, query }) => toSlots(await availableSlots(db, actor, params.doctor_id, slotRange(query))),
  }),
];

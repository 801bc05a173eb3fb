import { z } from 'zod';
import { blankAsNull } from '../../lib/http/coerce';
import { checkCatalogValue } from '../../lib/domain/clinic-catalogs';
import { tenantForWrite } from '../../lib/domain/tenancy';
import {
  createTherapist,
  editTherapist,
  getTherapist,
  listTherapists,
  MAX_PRODUCTIVITY_DAYS,
  softDeleteTherapist,
  therapistProductivity,
  type TherapistInput,
  type TherapistProductivity,
  type TherapistRecord,
} from '../../lib/domain/therapists';
import type { Actor } from '../../lib/auth/actor';
import type { Db } from '../../lib/db/tenant';
import { createHandler } from '../../lib/http/app';
import { resourceRoutes } from '../../lib/http/resource';
import { route } from '../../lib/http/route';
import { moneyNumber } from '../../lib/money';
import { isoUtc } from '../../lib/time';
import { ESTADOS, estadoOf, type Estado } from './appointments';
import { doctorParams, scheduleRoutes } from './doctors-schedule';
import { apellidosOf, optEmail, optText, splitApellidos } from './shapes';
import { defineV1Group, listRoute } from './surface';

/*
 * v1 doctors (the therapists table in v1 vocabulary): CRUD, weekly schedules and date exceptions,
 * free slots, productivity. Writes go through the same domain functions as Reflexo's therapists,
 * without Reflexo's own rules (document, ubigeo, e-mail domain, age): a doctor needs `nombres` and
 * `apellidos`. Clinic administrators write doctors; every user of the clinic reads them.
 */
const P = '/api/v1/doctors';

export const Doctor = z
  .object({
    id: z.number().int(),
    nombres: z.string(),
    apellidos: z.string(),
    nombre: z.string().meta({ description: 'Nombre completo (nombres + apellidos)' }),
    especialidad: z.string().nullable(),
    telefono: z.string().nullable(),
    email: z.string().nullable(),
    color: z.string().nullable(),
    activo: z.boolean(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Doctor' });

export const toDoctor = (t: TherapistRecord) => {
  const apellidos = apellidosOf(t.last_name_paternal, t.last_name_maternal);
  return {
    id: t.id,
    nombres: t.first_name,
    apellidos,
    nombre: [t.first_name, apellidos].filter(Boolean).join(' '),
    especialidad: t.specialty,
    telefono: t.phone,
    email: t.email,
    color: t.color,
    activo: t.is_active,
    created_at: isoUtc(new Date(t.created_at)),
    updated_at: isoUtc(new Date(t.updated_at)),
  };
};

const DoctorBody = z.object({
  nombres: z.string().trim().min(1, 'Field required').max(150),
  apellidos: z.string().trim().min(1, 'Field required').max(300),
  especialidad: optText(100),
  telefono: optText(20),
  email: optEmail(),
  color: blankAsNull(z.string().regex(/^#[0-9a-fA-F]{6}$/, 'Use un color hexadecimal #rrggbb').nullable().optional()),
  activo: z.boolean().optional(),
});
type Body = Partial<z.output<typeof DoctorBody>>;

/** v1 names → the domain's; `apellidos` splits into paternal (first word) and maternal (the rest). */
function doctorInput(b: Body): TherapistInput {
  const last = b.apellidos !== undefined ? splitApellidos(b.apellidos) : undefined;
  return {
    ...(b.nombres !== undefined ? { first_name: b.nombres } : {}),
    ...(last ? { last_name_paternal: last.paternal, last_name_maternal: last.maternal } : {}),
    ...(b.especialidad !== undefined ? { specialty: b.especialidad } : {}),
    ...(b.telefono !== undefined ? { phone: b.telefono } : {}),
    ...(b.email !== undefined ? { email: b.email } : {}),
    ...(b.color !== undefined ? { color: b.color } : {}),
    ...(b.activo !== undefined ? { is_active: b.activo } : {}),
  };
}

/** `especialidad` must be one of the clinic's specialties once it has any (its own spelling is stored); 422 otherwise. */
async function withSpecialty(db: Db, reflexoId: number, b: Body): Promise<Body> {
  if (b.especialidad === undefined || b.especialidad === null) return b;
  return { ...b, especialidad: (await checkCatalogValue(db, reflexoId, 'specialties', b.especialidad, 'especialidad')) ?? null };
}

const boolQuery = z
  .string()
  .regex(/^(true|false|1|0)$/i, 'Input should be a valid boolean')
  .transform((v) => /^(true|1)$/i.test(v));

const date = z.iso.date('Input should be a valid date (YYYY-MM-DD)');

const Productividad = z
  .object({
    doctor: z.object({ id: z.number().int(), nombres: z.string(), apellidos: z.string(), nombre: z.string() }),
    fecha_desde: z.string(),
    fecha_hasta: z.string(),
    zona_horaria: z.string(),
    total_citas: z.number().int().meta({ description: 'Citas en el periodo (fecha de la cita), canceladas incluidas' }),
    citas_por_estado: z.object(Object.fromEntries(ESTADOS.map((e) => [e, z.number().int()])) as Record<Estado, z.ZodNumber>),
    sesiones_completadas: z.number().int(),
    pacientes_atendidos: z.number().int().meta({ description: 'Pacientes distintos con una cita completada' }),
    horas_agendadas: z.number().meta({ description: 'Horas de las citas no canceladas' }),
    horas_completadas: z.number(),
    ingresos: z.number().meta({ description: 'Tickets pagados en el periodo (día del pago en la zona de la clínica) de citas del doctor' }),
    tickets_pagados: z.number().int(),
  })
  .meta({ id: 'ProductividadDoctor' });

const hours = (minutes: number) => Math.round((minutes / 60) * 100) / 100;

function toProductividad(p: TherapistProductivity) {
  const porEstado = Object.fromEntries(ESTADOS.map((e) => [e, 0])) as Record<Estado, number>;
  let total = 0;
  let booked = 0;
  let done = 0;
  let sessions = 0;
  let patients = 0;
  for (const r of p.byKind) {
    porEstado[estadoOf(r.kind, false)] += r.citas;
    total += r.citas;
    if (r.kind !== 'cancelled') booked += r.minutos;
    if (r.kind === 'completed') {
      done += r.minutos;
      sessions += r.citas;
      patients += r.pacientes;
    }
  }
  const d = toDoctor(p.therapist);
  return {
    doctor: { id: d.id, nombres: d.nombres, apellidos: d.apellidos, nombre: d.nombre },
    fecha_desde: p.from,
    fecha_hasta: p.to,
    zona_horaria: p.timeZone,
    total_citas: total,
    citas_por_estado: porEstado,
    sesiones_completadas: sessions,
    pacientes_atendidos: patients,
    horas_agendadas: hours(booked),
    horas_completadas: hours(done),
    ingresos: moneyNumber(p.income.amount) ?? 0,
    tickets_pagados: p.income.tickets,
  };
}

const clinicOf = (actor: Actor | null) => tenantForWrite(actor);

const doctorRoutes = [
  listRoute({
    path: P,
    summary: 'Listar doctores (filtros activo, especialidad, search)',
    description: 'Nunca lista los eliminados. `search` busca en nombres, apellidos, documento, e-mail, dirección y especialidad.',
    query: { activo: boolQuery.optional(), especialidad: z.string().trim().max(100).optional(), search: z.string().trim().max(100).optional() },
    item: Doctor,
    load: ({ db, actor, query }) =>
      listTherapists(db, actor!, { active: query.activo as boolean | undefined, specialty: (query.especialidad as string) || undefined, search: (query.search as string) || undefined, page: query.page, size: query.size }),
    present: toDoctor,
  }),
  ...resourceRoutes({
    prefix: P,
    dialect: 'v1',
    idName: 'doctor_id',
    params: doctorParams,
    noun: 'doctor',
    entity: 'therapists',
    access: 'admin',
    item: Doctor,
    create: {
      summary: 'Crear doctor (administradores de la clínica)',
      body: DoctorBody,
      responses: { 422: { description: 'Datos inválidos o especialidad fuera del catálogo de la clínica' } },
      handler: async ({ db, actor, body }) => toDoctor(await createTherapist(db, actor!, doctorInput(await withSpecialty(db, clinicOf(actor), body)))),
    },
    get: { access: 'user', summary: 'Ver doctor', handler: async ({ db, actor, params }) => toDoctor(await getTherapist(db, actor!, params.doctor_id)) },
    update: {
      summary: 'Editar doctor: los campos enviados (administradores de la clínica)',
      body: DoctorBody.partial(),
      handler: async ({ db, actor, params, body }) => {
        const current = await getTherapist(db, actor!, params.doctor_id);
        return toDoctor(await editTherapist(db, actor!, params.doctor_id, doctorInput(await withSpecialty(db, current.reflexo_id, body))));
      },
    },
    remove: {
      summary: 'Eliminar doctor (lógico: deja de listarse; sus citas se conservan)',
      handler: ({ db, actor, params }) => softDeleteTherapist(db, actor!, params.doctor_id),
    },
  }).filter((r) => r.method !== 'PATCH'),
  route({
    method: 'GET',
    path: `${P}/{doctor_id}/productivity`,
    access: 'user',
    summary: 'Productividad del doctor: citas por estado, sesiones completadas, horas e ingresos (por defecto, el mes en curso)',
    description: `?start_date=&end_date= (YYYY-MM-DD, días de la clínica, ambos incluidos; como máximo ${MAX_PRODUCTIVITY_DAYS} días). Sin ninguno: el mes en curso en la zona horaria de la clínica; con uno solo: el resto de ese mes.`,
    params: doctorParams,
    entity: 'therapists',
    query: z.object({ start_date: date.optional(), end_date: date.optional() }),
    response: Productividad,
    handler: async ({ db, actor, params, query }) => toProductividad(await therapistProductivity(db, actor!, params.doctor_id, { from: query.start_date, to: query.end_date })),
  }),
];

export const group = defineV1Group({
  name: 'v1-doctors',
  prefixes: [P],
  tag: 'v1 · Doctores',
  tenantScoped: true,
  routes: [...doctorRoutes, ...scheduleRoutes],
});

export const handler = createHandler(group);

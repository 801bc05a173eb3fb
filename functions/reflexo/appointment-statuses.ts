import { z } from 'zod';
import { defineReflexoGroup } from './surface';
import { createHandler } from '../../lib/http/app';
import { reply, route, type AnyRoute } from '../../lib/http/route';
import { drfPage, drfPageQuery, drfPageSchema } from '../../lib/http/pagination';
import { fieldErrors, idParams, isoDate, nullableTimestamp, timestamp } from '../../lib/http/schemas';
import {
  activeStatuses,
  createStatus,
  editStatus,
  getStatus,
  listStatuses,
  removeStatus,
  setStatusActive,
  statusAppointments,
} from '../../lib/domain/appointment-statuses';
import { orderingQuery, truthyFlag } from './scheduling-params';

/*
 * Module 5 of reflexo-api.md: appointment statuses, a GLOBAL catalog. Every authenticated user reads
 * it; only global administrators change it, because a rename would change every clinic's agenda.
 */

const P = '/api/appointments/appointment-statuses';

const Status = z.object({ id: z.number().int(), name: z.string(), description: z.string().nullable(), created_at: timestamp, updated_at: timestamp });
const StatusWithCount = Status.extend({ appointments_count: z.number().int(), deleted_at: nullableTimestamp });

const writeBody = z.object({
  name: z.string().trim().min(1, 'Este campo no puede estar en blanco.').max(100),
  description: z.string().max(2000).nullable().optional(),
});

const duplicateName = { 409: { description: 'Ya existe un estado con ese nombre: `{"name": [...]}`', schema: fieldErrors } };

const create = route({
  method: 'POST',
  path: `${P}/create/`,
  access: 'superuser',
  summary: 'Crear estado de cita',
  body: writeBody,
  status: 201,
  response: Status,
  responses: duplicateName,
  handler: async ({ db, body }) => reply(201, await createStatus(db, body)),
});
const put = route({
  method: 'PUT',
  path: `${P}/{id}/edit/`,
  access: 'superuser',
  summary: 'Editar estado de cita (completo)',
  params: idParams,
  body: writeBody,
  response: Status,
  responses: duplicateName,
  handler: ({ db, params, body }) => editStatus(db, params.id, { description: null, ...body }),
});
const patch = route({
  method: 'PATCH',
  path: `${P}/{id}/edit/`,
  access: 'superuser',
  summary: 'Editar estado de cita (parcial)',
  params: idParams,
  body: writeBody.partial(),
  response: Status,
  responses: duplicateName,
  handler: ({ db, params, body }) => editStatus(db, params.id, body),
});
const remove = route({
  method: 'DELETE',
  path: `${P}/{id}/delete/`,
  access: 'superuser',
  summary: 'Eliminar estado (soft delete; ?hard=true definitivo)',
  params: idParams,
  query: z.object({ hard: truthyFlag }),
  status: 204,
  responses: { 409: { description: 'Estado del sistema, o asignado a citas: no puede eliminarse definitivamente' } },
  handler: async ({ db, params, query }) => {
    await removeStatus(db, params.id, query.hard);
    return reply(204);
  },
});
const detail = route({
  method: 'GET',
  path: `${P}/{id}/`,
  access: 'user',
  summary: 'Ver estado de cita',
  params: idParams,
  response: Status,
  handler: ({ db, params }) => getStatus(db, params.id),
});

const routes: AnyRoute[] = [
  route({
    method: 'GET',
    path: `${P}/`,
    access: 'user',
    summary: 'Listar estados de citas (filtro name, búsqueda search, ordering)',
    query: z.object({
      ...drfPageQuery,
      name: z.string().max(100).optional(),
      search: z.string().max(100).optional(),
      ordering: orderingQuery(['id', 'name', 'created_at', 'updated_at'] as const, 'id'),
    }),
    response: drfPageSchema(Status),
    handler: async ({ db, query, baseUrl, path }) =>
      drfPage(await listStatuses(db, { ...query, order: query.ordering, size: query.page_size }), baseUrl, path, { ...query, ordering: undefined }),
  }),
  create,
  { ...create, path: `${P}/`, summary: 'Crear estado de cita (dialecto DRF)' },
  put,
  { ...put, path: `${P}/{id}/` },
  patch,
  { ...patch, path: `${P}/{id}/` },
  remove,
  { ...remove, path: `${P}/{id}/` },
  detail,
  route({
    method: 'GET',
    path: `${P}/active/`,
    access: 'user',
    summary: 'Listar estados activos con appointments_count',
    response: z.array(StatusWithCount),
    handler: ({ db }) => activeStatuses(db),
  }),
  route({
    method: 'POST',
    path: `${P}/{id}/activate/`,
    access: 'superuser',
    summary: 'Activar (restaurar) estado',
    params: idParams,
    response: StatusWithCount,
    handler: ({ db, params }) => setStatusActive(db, params.id, true),
  }),
  route({
    method: 'POST',
    path: `${P}/{id}/deactivate/`,
    access: 'superuser',
    summary: 'Desactivar estado (soft delete)',
    params: idParams,
    response: StatusWithCount,
    handler: ({ db, params }) => setStatusActive(db, params.id, false),
  }),
  route({
    method: 'GET',
    path: `${P}/{id}/appointments/`,
    access: 'user',
    summary: 'Citas con este estado (paginado: page, page_size ≤ 1000, por defecto 100; count es el total)',
    params: idParams,
    query: z.object({
      page: drfPageQuery.page,
      page_size: z
        .string()
        .regex(/^\d{1,4}$/, 'Debe ser un número entero positivo.')
        .transform(Number)
        .pipe(z.number().int().min(1).max(1000))
        .prefault('100'),
    }),
    response: z.object({
      status: z.object({ id: z.number().int(), name: z.string(), description: z.string().nullable() }),
      appointments: z.array(
        z.object({
          id: z.number().int(),
          patient_name: z.string(),
          therapist_name: z.string(),
          appointment_date: isoDate,
          hour: z.string(),
          appointment_type: z.string().nullable(),
          room: z.string().nullable(),
          created_at: timestamp,
          updated_at: timestamp,
        }),
      ),
      count: z.number().int(),
    }),
    handler: ({ db, params, actor, query }) => statusAppointments(db, actor!, params.id, query.page, query.page_size),
  }),
];

export const group = defineReflexoGroup({ name: 'appointments-statuses', prefixes: [P], tag: 'Appointment statuses', routes });

export const handler = createHandler(group);

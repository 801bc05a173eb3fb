import { z } from 'zod';
import { defineReflexoGroup } from './surface';
import { createHandler } from '../../lib/http/app';
import { route, type AnyRoute } from '../../lib/http/route';
import { resourceRoutes } from '../../lib/http/resource';
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
  type StatusRecord,
  type StatusWithCount,
} from '../../lib/domain/appointment-statuses';
import { orderingQuery, truthyFlag } from './scheduling-params';

/*
 * Module 5 of reflexo-api.md: appointment statuses, rows every clinic shares. Every authenticated user
 * reads them; writing them is for platform staff only (`access: 'platform'`), the one rule for every
 * shared catalog: a rename would change every clinic's agenda.
 */

const P = '/api/appointments/appointment-statuses';

const Status = z.object({ id: z.number().int(), name: z.string(), description: z.string().nullable(), created_at: timestamp, updated_at: timestamp });
const StatusWithCountSchema = Status.extend({ appointments_count: z.number().int(), deleted_at: nullableTimestamp });

const toStatus = (s: StatusRecord) => ({ id: s.id, name: s.name, description: s.description, created_at: s.created_at, updated_at: s.updated_at });
const toStatusWithCount = (s: StatusWithCount) => ({ ...toStatus(s), appointments_count: s.appointments_count, deleted_at: s.deleted_at });

const writeBody = z.object({
  name: z.string().trim().min(1, 'Este campo no puede estar en blanco.').max(100),
  description: z.string().max(2000).nullable().optional(),
});

const duplicateName = { 409: { description: 'Ya existe un estado con ese nombre: `{"name": [...]}`', schema: fieldErrors } };

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
    handler: async ({ db, query, baseUrl, path }) => {
      const page = await listStatuses(db, { ...query, order: query.ordering, size: query.page_size });
      return drfPage({ ...page, rows: page.rows.map(toStatus) }, baseUrl, path, { ...query, ordering: undefined });
    },
  }),
  ...resourceRoutes({
    prefix: P,
    dialect: 'reflexo',
    noun: 'estado de cita',
    access: 'platform',
    item: Status,
    create: { body: writeBody, responses: duplicateName, handler: async ({ db, body }) => toStatus(await createStatus(db, body)) },
    get: { access: 'user', handler: async ({ db, params }) => toStatus(await getStatus(db, params.id)) },
    update: {
      body: writeBody,
      patchBody: writeBody.partial(),
      responses: duplicateName,
      handler: async ({ db, params, body }, full) => toStatus(await editStatus(db, params.id, full ? { description: null, ...body } : body)),
    },
    remove: {
      summary: 'Eliminar estado (soft delete; ?hard=true definitivo)',
      query: z.object({ hard: truthyFlag }),
      responses: { 409: { description: 'Estado del sistema, o asignado a citas: no puede eliminarse definitivamente' } },
      handler: ({ db, params, query }) => removeStatus(db, params.id, query.hard),
    },
  }),
  route({
    method: 'GET',
    path: `${P}/active/`,
    access: 'user',
    summary: 'Listar estados activos con appointments_count',
    response: z.array(StatusWithCountSchema),
    handler: async ({ db }) => (await activeStatuses(db)).map(toStatusWithCount),
  }),
  route({
    method: 'POST',
    path: `${P}/{id}/activate/`,
    access: 'platform',
    summary: 'Activar (restaurar) estado',
    params: idParams,
    response: StatusWithCountSchema,
    handler: async ({ db, params }) => toStatusWithCount(await setStatusActive(db, params.id, true)),
  }),
  route({
    method: 'POST',
    path: `${P}/{id}/deactivate/`,
    access: 'platform',
    summary: 'Desactivar estado (soft delete)',
    params: idParams,
    response: StatusWithCountSchema,
    handler: async ({ db, params }) => toStatusWithCount(await setStatusActive(db, params.id, false)),
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
    handler: async ({ db, params, actor, query }) => {
      const r = await statusAppointments(db, actor!, params.id, query.page, query.page_size);
      return { status: { id: r.status.id, name: r.status.name, description: r.status.description }, appointments: r.appointments, count: r.count };
    },
  }),
];

export const group = defineReflexoGroup({ name: 'appointments-statuses', prefixes: [P], tag: 'Appointment statuses', routes });

export const handler = createHandler(group);

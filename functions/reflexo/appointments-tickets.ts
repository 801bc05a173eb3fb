import { z } from 'zod';
import { defineReflexoGroup } from './surface';
import { createHandler } from '../../lib/http/app';
import { reply, route, type AnyRoute } from '../../lib/http/route';
import { drfPage, drfPageQuery, drfPageSchema } from '../../lib/http/pagination';
import { detailBody, errorBody, fieldErrors, idParams, isoDate, nullableTimestamp, timestamp } from '../../lib/http/schemas';
import {
  createTicketForAppointment,
  editTicket,
  getTicket,
  listTickets,
  markTicketCancelled,
  markTicketPaid,
  removeTicket,
  ticketByNumber,
  ticketsByPaymentMethod,
  ticketStats,
} from '../../lib/domain/tickets';
import { money, orderingQuery } from './scheduling-params';

/*
 * Module 5 of reflexo-api.md: appointment tickets (tenant data). Amounts are numeric(12,2) and travel
 * as decimal strings ("150.00"), as Django REST Framework renders decimals.
 */

const P = '/api/appointments/tickets';

const statusEnum = z.enum(['pending', 'paid', 'cancelled'], { error: 'Estado inválido. Use pending, paid o cancelled.' });
const Ticket = z.object({
  id: z.number().int(),
  ticket_number: z.string(),
  appointment: z.object({
    id: z.number().int(),
    patient: z.object({ id: z.number().int(), name: z.string(), paternal_lastname: z.string() }),
    therapist: z.object({ id: z.number().int(), first_name: z.string(), last_name_paternal: z.string() }),
    appointment_date: isoDate,
    hour: z.string(),
  }),
  amount: z.string(),
  payment_method: z.string(),
  payment_date: nullableTimestamp,
  status: statusEnum,
  description: z.string().nullable(),
  is_active: z.boolean(),
  reflexo_id: z.number().int(),
  created_at: timestamp,
  updated_at: timestamp,
});
const TicketSummary = z.object({ id: z.number().int(), ticket_number: z.string(), amount: z.string(), payment_method: z.string(), status: statusEnum, payment_date: nullableTimestamp });

const positiveMoney = money.refine((v) => Number(v) > 0, 'El monto debe ser mayor a 0.');
const ticketBody = z.object({
  amount: positiveMoney,
  payment_method: z.string().trim().min(1, 'Este campo no puede estar en blanco.').max(50),
  status: statusEnum,
  description: z.string().trim().max(2000).nullable().optional(),
  is_active: z.boolean().optional(),
});

const listQuery = {
  ...drfPageQuery,
  ticket_number: z.string().max(20).optional(),
  payment_method: z.string().max(50).optional(),
  status: statusEnum.optional(),
  is_active: z.enum(['true', 'false'], { error: 'Debe ser true o false.' }).optional().transform((v) => (v === undefined ? undefined : v === 'true')),
  search: z.string().trim().max(100).optional(),
  ordering: orderingQuery(['payment_date', 'amount', 'created_at', 'updated_at', 'id'] as const, '-created_at'),
};

const create = route({
  method: 'POST',
  path: `${P}/create/`,
  access: 'user',
  summary: 'Crear ticket (EN DESUSO: los tickets se crean con la cita)',
  deprecated: true,
  body: z.object({
    appointment: z.number({ error: 'Debe ser un número entero válido.' }).int().positive(),
    amount: positiveMoney,
    payment_method: z.string().trim().min(1).max(50),
    status: statusEnum.optional(),
    description: z.string().trim().max(2000).nullable().optional(),
  }),
  status: 201,
  response: Ticket,
  // A booking racing this request trips the one-ticket-per-appointment index instead: `{"detail"}`.
  responses: { 409: { description: 'La cita ya tiene un ticket: `{"appointment": [...]}`', schema: z.union([fieldErrors, detailBody]) } },
  handler: async ({ db, actor, body }) => reply(201, await createTicketForAppointment(db, actor!, body), { Deprecation: 'true' }),
});
const put = route({
  method: 'PUT',
  path: `${P}/{id}/edit/`,
  access: 'user',
  summary: 'Editar ticket (completo)',
  params: idParams,
  body: ticketBody,
  response: Ticket,
  entity: 'tickets',
  handler: ({ db, actor, params, body }) => editTicket(db, actor!, params.id, body, true),
});
const patch = route({
  method: 'PATCH',
  path: `${P}/{id}/edit/`,
  access: 'user',
  summary: 'Editar ticket (parcial)',
  params: idParams,
  body: ticketBody.partial(),
  response: Ticket,
  entity: 'tickets',
  handler: ({ db, actor, params, body }) => editTicket(db, actor!, params.id, body, false),
});
const remove = route({
  method: 'DELETE',
  path: `${P}/{id}/delete/`,
  access: 'admin',
  summary: 'Eliminar ticket definitivamente (administradores)',
  params: idParams,
  status: 204,
  entity: 'tickets',
  handler: async ({ db, actor, params }) => {
    await removeTicket(db, actor!, params.id);
    return reply(204);
  },
});
const PaidResult = z.object({
  message: z.string(),
  ticket: z.object({ id: z.number().int(), ticket_number: z.string(), status: statusEnum, payment_date: nullableTimestamp }),
});
const markPaid = route({
  method: 'POST',
  path: `${P}/{id}/mark_as_paid/`,
  access: 'user',
  summary: 'Marcar ticket como pagado (fija payment_date)',
  params: idParams,
  response: PaidResult,
  responses: { 400: { description: 'El ticket está cancelado o no tiene monto' } },
  entity: 'tickets',
  handler: ({ db, actor, params }) => markTicketPaid(db, actor!, params.id),
});
const markCancelled = route({
  method: 'POST',
  path: `${P}/{id}/mark_as_cancelled/`,
  access: 'user',
  summary: 'Marcar ticket como cancelado',
  params: idParams,
  response: z.object({ message: z.string(), ticket: z.object({ id: z.number().int(), ticket_number: z.string(), status: statusEnum }) }),
  responses: { 400: { description: 'El ticket ya está pagado' } },
  entity: 'tickets',
  handler: ({ db, actor, params }) => markTicketCancelled(db, actor!, params.id),
});

const statusList = (name: 'paid' | 'pending' | 'cancelled', summary: string) =>
  route({
    method: 'GET',
    path: `${P}/${name}/`,
    access: 'user',
    summary,
    query: z.object({ ...drfPageQuery, ordering: listQuery.ordering }),
    response: drfPageSchema(TicketSummary),
    handler: async ({ db, actor, query, baseUrl, path }) =>
      drfPage(await listTickets(db, actor!, { status: name, order: query.ordering, page: query.page, size: query.page_size }, true), baseUrl, path, { ...query, ordering: undefined }),
  });

const routes: AnyRoute[] = [
  route({
    method: 'GET',
    path: `${P}/`,
    access: 'user',
    summary: 'Listar tickets (filtros ticket_number, payment_method, status, is_active; search; ordering)',
    query: z.object(listQuery),
    response: drfPageSchema(Ticket),
    handler: async ({ db, actor, query, baseUrl, path }) =>
      drfPage(
        await listTickets(db, actor!, {
          ticketNumber: query.ticket_number,
          paymentMethod: query.payment_method,
          status: query.status,
          isActive: query.is_active,
          search: query.search,
          order: query.ordering,
          page: query.page,
          size: query.page_size,
        }),
        baseUrl,
        path,
        { ...query, ordering: undefined, is_active: query.is_active === undefined ? undefined : String(query.is_active) },
      ),
  }),
  create,
  { ...create, path: `${P}/` },
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
    summary: 'Ver ticket',
    params: idParams,
    response: Ticket,
    entity: 'tickets',
    handler: ({ db, actor, params }) => getTicket(db, actor!, params.id),
  }),
  statusList('paid', 'Listar tickets pagados'),
  statusList('pending', 'Listar tickets pendientes'),
  statusList('cancelled', 'Listar tickets cancelados'),
  markPaid,
  { ...markPaid, path: `${P}/{id}/mark_paid/`, summary: 'Alias de mark_as_paid' },
  markCancelled,
  { ...markCancelled, path: `${P}/{id}/cancel/`, summary: 'Alias de mark_as_cancelled' },
  route({
    method: 'GET',
    path: `${P}/by_payment_method/`,
    access: 'user',
    summary: 'Tickets por método de pago (payment_method o alias method)',
    query: z.object({ ...drfPageQuery, payment_method: z.string().max(50).optional(), method: z.string().max(50).optional() }),
    response: drfPageSchema(Ticket),
    responses: { 400: { description: 'Falta payment_method, o no es un método de pago conocido: `{"error": "..."}`', schema: errorBody } },
    handler: async ({ db, actor, query, baseUrl, path }) => drfPage(await ticketsByPaymentMethod(db, actor!, { ...query, size: query.page_size }), baseUrl, path, query),
  }),
  route({
    method: 'GET',
    path: `${P}/by_ticket_number/`,
    access: 'user',
    summary: 'Buscar ticket por número (ticket_number)',
    query: z.object({ ticket_number: z.string().max(20).optional() }),
    response: Ticket,
    responses: { 400: { description: '`{"error": "Se requiere ticket_number"}`', schema: errorBody }, 404: { description: 'Ticket no encontrado' } },
    handler: ({ db, actor, query }) => ticketByNumber(db, actor!, query.ticket_number, 'Se requiere ticket_number'),
  }),
  route({
    method: 'GET',
    path: `${P}/by_number/`,
    access: 'user',
    summary: 'Buscar ticket por número (number o alias ticket_number)',
    query: z.object({ number: z.string().max(20).optional(), ticket_number: z.string().max(20).optional() }),
    response: Ticket,
    responses: { 400: { description: '`{"error": "Se requiere number (o alias: ticket_number)"}`', schema: errorBody }, 404: { description: 'Ticket no encontrado' } },
    handler: ({ db, actor, query }) => ticketByNumber(db, actor!, query.number ?? query.ticket_number, 'Se requiere number (o alias: ticket_number)'),
  }),
  route({
    method: 'GET',
    path: `${P}/statistics/`,
    access: 'user',
    summary: 'Estadísticas de tickets',
    response: z.object({
      total_tickets: z.number().int(),
      paid_tickets: z.number().int(),
      pending_tickets: z.number().int(),
      cancelled_tickets: z.number().int(),
      paid_percentage: z.number(),
      total_amount_paid: z.string(),
    }),
    handler: ({ db, actor }) => ticketStats(db, actor!),
  }),
];

export const group = defineReflexoGroup({ name: 'appointments-tickets', prefixes: [P], tag: 'Tickets', tenantScoped: true, routes });

export const handler = createHandler(group);

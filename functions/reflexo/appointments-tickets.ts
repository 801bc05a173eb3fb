import { z } from 'zod';
import { defineReflexoGroup } from './surface';
import { createHandler } from '../../lib/http/app';
import { reply, route, type AnyRoute } from '../../lib/http/route';
import { resourceRoutes } from '../../lib/http/resource';
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
  type TicketRecord,
} from '../../lib/domain/tickets';
import { moneyNumber } from '../../lib/money';
import { money, orderingQuery } from './scheduling-params';

/*
 * Module 5 of reflexo-api.md: appointment tickets (tenant data). Amounts are numeric(12,2), summed
 * and compared as exact decimals, and travel as JSON numbers (150.0) as the contract's examples show.
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
  amount: z.number(),
  payment_method: z.string(),
  payment_date: nullableTimestamp,
  status: statusEnum,
  description: z.string().nullable(),
  is_active: z.boolean(),
  reflexo_id: z.number().int(),
  created_at: timestamp,
  updated_at: timestamp,
});
const TicketSummary = z.object({ id: z.number().int(), ticket_number: z.string(), amount: z.number(), payment_method: z.string(), status: statusEnum, payment_date: nullableTimestamp });

const toTicket = (t: TicketRecord) => ({
  id: t.id,
  ticket_number: t.ticket_number,
  appointment: {
    id: t.appointment_id,
    patient: { id: t.patient_id, name: t.patient_name, paternal_lastname: t.patient_paternal_lastname },
    therapist: { id: t.therapist_id, first_name: t.therapist_first_name, last_name_paternal: t.therapist_last_name_paternal },
    appointment_date: t.appointment_date,
    hour: t.hour,
  },
  amount: moneyNumber(t.amount)!,
  payment_method: t.payment_method,
  payment_date: t.payment_date,
  status: t.status,
  description: t.description,
  is_active: t.is_active,
  reflexo_id: t.reflexo_id,
  created_at: t.created_at,
  updated_at: t.updated_at,
});

const toSummary = (t: TicketRecord) => ({
  id: t.id,
  ticket_number: t.ticket_number,
  amount: moneyNumber(t.amount)!,
  payment_method: t.payment_method,
  status: t.status,
  payment_date: t.payment_date,
});

const page = <T>(p: { rows: TicketRecord[]; count: number; page: number; size: number }, shape: (t: TicketRecord) => T) => ({ ...p, rows: p.rows.map(shape) });

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

// The deprecated create answers with a Deprecation header, so it is declared by hand (both paths).
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
  handler: async ({ db, actor, body: { appointment, ...rest } }) =>
    reply(201, toTicket(await createTicketForAppointment(db, actor!, { appointment_id: appointment, ...rest })), { Deprecation: 'true' }),
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
  description:
    'Sin parámetros, como el contrato: un ticket sin monto se cobra con el precio de su cita o, si no tiene, con el precio predeterminado ' +
    'de la clínica en ese momento (el que se llama como el tipo de cita, si no el primero). `amount` opcional fija el monto.',
  params: idParams,
  body: z.object({ amount: positiveMoney.optional() }),
  response: PaidResult,
  responses: { 400: { description: 'El ticket está cancelado, o no hay monto que cobrar (`{"amount": [...]}`)' } },
  entity: 'tickets',
  handler: async ({ db, actor, params, body }) => {
    const t = await markTicketPaid(db, actor!, params.id, body);
    return { message: 'Ticket marcado como pagado', ticket: { id: t.id, ticket_number: t.ticket_number, status: t.status, payment_date: t.payment_date } };
  },
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
  handler: async ({ db, actor, params }) => {
    const t = await markTicketCancelled(db, actor!, params.id);
    return { message: 'Ticket marcado como cancelado', ticket: { id: t.id, ticket_number: t.ticket_number, status: t.status } };
  },
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
      drfPage(page(await listTickets(db, actor!, { status: name, order: query.ordering, page: query.page, size: query.page_size }), toSummary), baseUrl, path, { ...query, ordering: undefined }),
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
        page(
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
          toTicket,
        ),
        baseUrl,
        path,
        { ...query, ordering: undefined, is_active: query.is_active === undefined ? undefined : String(query.is_active) },
      ),
  }),
  create,
  { ...create, path: `${P}/`, summary: `${create.summary} (alias)` },
  ...resourceRoutes({
    prefix: P,
    dialect: 'reflexo',
    noun: 'ticket',
    entity: 'tickets',
    access: 'user',
    item: Ticket,
    get: { handler: async ({ db, actor, params }) => toTicket(await getTicket(db, actor!, params.id)) },
    update: {
      body: ticketBody,
      patchBody: ticketBody.partial(),
      responses: { 400: { description: 'Datos inválidos, o pasa a pagado sin monto que cobrar (`{"amount": [...]}`)' } },
      // A PUT replaces the ticket: a description it leaves out is cleared.
      handler: async ({ db, actor, params, body }, full) => toTicket(await editTicket(db, actor!, params.id, full ? { description: null, ...body } : body)),
    },
    remove: {
      access: 'admin',
      summary: 'Eliminar ticket definitivamente (administradores)',
      handler: ({ db, actor, params }) => removeTicket(db, actor!, params.id),
    },
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
    handler: async ({ db, actor, query, baseUrl, path }) => drfPage(page(await ticketsByPaymentMethod(db, actor!, { ...query, size: query.page_size }), toTicket), baseUrl, path, query),
  }),
  route({
    method: 'GET',
    path: `${P}/by_ticket_number/`,
    access: 'user',
    summary: 'Buscar ticket por número (ticket_number)',
    query: z.object({ ticket_number: z.string().max(20).optional() }),
    response: Ticket,
    responses: { 400: { description: '`{"error": "Se requiere ticket_number"}`', schema: errorBody }, 404: { description: 'Ticket no encontrado' } },
    handler: async ({ db, actor, query }) => toTicket(await ticketByNumber(db, actor!, query.ticket_number, 'Se requiere ticket_number')),
  }),
  route({
    method: 'GET',
    path: `${P}/by_number/`,
    access: 'user',
    summary: 'Buscar ticket por número (number o alias ticket_number)',
    query: z.object({ number: z.string().max(20).optional(), ticket_number: z.string().max(20).optional() }),
    response: Ticket,
    responses: { 400: { description: '`{"error": "Se requiere number (o alias: ticket_number)"}`', schema: errorBody }, 404: { description: 'Ticket no encontrado' } },
    handler: async ({ db, actor, query }) => toTicket(await ticketByNumber(db, actor!, query.number ?? query.ticket_number, 'Se requiere number (o alias: ticket_number)')),
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
      total_amount_paid: z.number(),
    }),
    handler: async ({ db, actor }) => {
      const s = await ticketStats(db, actor!);
      return { ...s, total_amount_paid: moneyNumber(s.total_amount_paid)! };
    },
  }),
];

export const group = defineReflexoGroup({ name: 'appointments-tickets', prefixes: [P], tag: 'Tickets', tenantScoped: true, routes });

export const handler = createHandler(group);

import { z } from 'zod';
import { createSupplier, listSuppliers, type SupplierRecord } from '../../lib/domain/inventory';
import { reply, route, type AnyRoute } from '../../lib/http/route';
import { isoUtc } from '../../lib/time';
import { listRoute } from './surface';

/* v1 suppliers (part of the inventory function, functions/v1/products.ts): list and create. */
const P = '/api/v1/suppliers';

export const Proveedor = z
  .object({
    id: z.number().int(),
    nombre: z.string(),
    ruc: z.string().nullable(),
    contacto: z.string().nullable(),
    telefono: z.string().nullable(),
    email: z.string().nullable(),
    activo: z.boolean(),
    created_at: z.string(),
  })
  .meta({ id: 'Proveedor' });

const toProveedor = (s: SupplierRecord) => ({
  id: s.id,
  nombre: s.name,
  ruc: s.ruc,
  contacto: s.contact,
  telefono: s.phone,
  email: s.email,
  activo: s.is_active,
  created_at: isoUtc(new Date(s.created_at)),
});

const Body = z.object({
  nombre: z.string().trim().min(1).max(150),
  ruc: z.string().trim().regex(/^\d{11}$/, 'El RUC tiene 11 dígitos').nullable().optional().meta({ description: 'RUC peruano (11 dígitos, prefijo y dígito verificador comprobados)' }),
  contacto: z.string().trim().max(150).nullable().optional(),
  telefono: z.string().trim().max(30).nullable().optional(),
  email: z.email().max(254).nullable().optional(),
});

export const supplierRoutes: AnyRoute[] = [
  listRoute({
    path: P,
    summary: 'Listar proveedores (?search= en nombre o RUC)',
    query: { search: z.string().trim().max(100).optional() },
    item: Proveedor,
    load: ({ db, actor, query }) => listSuppliers(db, actor, query.search as string | undefined, query.page, query.size),
    present: toProveedor,
  }),
  route({
    method: 'POST',
    path: P,
    access: 'user',
    summary: 'Crear un proveedor (un RUC ya registrado en la clínica: 409)',
    body: Body,
    status: 201,
    response: Proveedor,
    responses: { 409: { description: 'RUC ya registrado en la clínica' } },
    handler: async ({ db, actor, body }) =>
      reply(201, toProveedor(await createSupplier(db, actor, { name: body.nombre, ruc: body.ruc, contact: body.contacto, phone: body.telefono, email: body.email }))),
  }),
];

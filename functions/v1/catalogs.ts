import { z } from 'zod';
import { createCatalogEntry, createTreatment, listCatalog, listTreatments, type CatalogName } from '../../lib/domain/clinic-catalogs';
import { createHandler } from '../../lib/http/app';
import { reply, route, type AnyRoute } from '../../lib/http/route';
import { moneyNumber } from '../../lib/money';
import { isoUtc } from '../../lib/time';
import { defineV1Group, listRoute } from './surface';

/*
 * v1 catalogs of a clinic: specialties, treatments (its predetermined prices, with a duration and a
 * specialty), lead sources, insurers, business lines. GET lists (paginated like every v1 list), POST
 * creates (clinic admins; a name already there, whatever its case and accents → 409).
 */
const Entrada = z.object({ id: z.number().int(), nombre: z.string(), descripcion: z.string().nullable(), activo: z.boolean(), created_at: z.string() }).meta({ id: 'EntradaCatalogo' });
const EntradaBody = z.object({ nombre: z.string().trim().min(1).max(100), descripcion: z.string().trim().max(255).nullable().optional() });
const toEntrada = (r: { id: number; name: string; description: string | null; is_active: boolean; created_at: Date }) => ({
  id: r.id,
  nombre: r.name,
  descripcion: r.description,
  activo: r.is_active,
  created_at: isoUtc(new Date(r.created_at)),
});
const duplicate = { 409: { description: 'Ya existe con ese nombre (sin distinguir mayúsculas ni tildes)' } };

function catalogRoutes(path: string, catalog: CatalogName, what: string): AnyRoute[] {
  return [
    listRoute({ path, summary: `Listar ${what}`, item: Entrada, load: ({ db, actor, query }) => listCatalog(db, actor, catalog, query.page, query.size), present: toEntrada }),
    route({
      method: 'POST',
      path,
      access: 'admin',
      summary: `Crear en ${what}`,
      body: EntradaBody,
      status: 201,
      response: Entrada,
      responses: duplicate,
      handler: async ({ db, actor, body }) => reply(201, toEntrada(await createCatalogEntry(db, actor, catalog, { name: body.nombre, description: body.descripcion }))),
    }),
  ];
}

const Tratamiento = z
  .object({ id: z.number().int(), nombre: z.string(), precio: z.number(), duracion_minutos: z.number().int().nullable(), especialidad_id: z.number().int().nullable(), especialidad: z.string().nullable() })
  .meta({ id: 'Tratamiento' });
const money = z
  .union([z.number(), z.string()])
  .transform((v) => String(v).trim())
  .pipe(z.string().regex(/^\d{1,10}(\.\d{1,2})?$/, 'Monto positivo con hasta 2 decimales'))
  .refine((v) => Number(v) > 0, 'El precio debe ser mayor que 0');
const TratamientoBody = z.object({
  nombre: z.string().trim().min(1).max(255),
  precio: money,
  duracion_minutos: z.number().int().min(5).max(720).nullable().optional(),
  especialidad_id: z.number().int().positive().nullable().optional(),
});
const toTratamiento = (t: { id: number; name: string; price: string; duration_minutes: number | null; specialty_id: number | null; specialty_name: string | null }) => ({
  id: t.id,
  nombre: t.name,
  precio: moneyNumber(t.price)!,
  duracion_minutos: t.duration_minutes,
  especialidad_id: t.specialty_id,
  especialidad: t.specialty_name,
});

export const group = defineV1Group({
  name: 'v1-catalogs',
  prefixes: ['/api/v1/specialties', '/api/v1/treatments', '/api/v1/sources', '/api/v1/insurers', '/api/v1/business-lines'],
  tag: 'v1 · Catálogos',
  tenantScoped: true,
  routes: [
    ...catalogRoutes('/api/v1/specialties', 'specialties', 'especialidades'),
    listRoute({ path: '/api/v1/treatments', summary: 'Listar tratamientos (los precios predeterminados de la clínica)', item: Tratamiento, load: ({ db, actor, query }) => listTreatments(db, actor, query.page, query.size), present: toTratamiento }),
    route({
      method: 'POST',
      path: '/api/v1/treatments',
      access: 'admin',
      summary: 'Crear un tratamiento (también es un precio predeterminado en Reflexo)',
      body: TratamientoBody,
      status: 201,
      response: Tratamiento,
      responses: duplicate,
      handler: async ({ db, actor, body }) =>
        reply(201, toTratamiento(await createTreatment(db, actor, { name: body.nombre, price: body.precio, durationMinutes: body.duracion_minutos, specialtyId: body.especialidad_id }))),
    }),
    ...catalogRoutes('/api/v1/sources', 'sources', 'fuentes de captación'),
    ...catalogRoutes('/api/v1/insurers', 'insurers', 'aseguradoras'),
    ...catalogRoutes('/api/v1/business-lines', 'business_lines', 'líneas de negocio'),
  ],
});

export const handler = createHandler(group);

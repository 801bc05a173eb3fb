import { z } from 'zod';
import {
  changeSegmentMembers,
  createSegment,
  deleteSegment,
  getSegment,
  listSegmentPatients,
  listSegments,
  MAX_MEMBERS_PER_CALL,
  MAX_RULES,
  RULE_FIELDS,
  updateSegment,
  type SegmentPatientRecord,
  type SegmentRecord,
} from '../../lib/domain/segments';
import { createHandler } from '../../lib/http/app';
import { reply, route } from '../../lib/http/route';
import { isoUtc } from '../../lib/time';
import { apellidosOf } from './shapes';
import { defineV1Group, listRoute } from './surface';

/*
 * v1 segments: saved rules over the clinic's patients (combined with AND, evaluated by PostgreSQL),
 * manual members, the live total, and the paginated list of its patients. README "v1 CRM" lists the
 * rule fields and operators.
 */
const P = '/api/v1/segments';
const id = z.string().regex(/^\d{1,9}$/, 'Input should be a valid integer').transform(Number);
const params = z.object({ segment_id: id });

const Regla = z
  .object({ campo: z.string(), operador: z.string(), valor: z.unknown().optional() })
  .meta({ id: 'ReglaSegmento', description: `campo: ${Object.entries(RULE_FIELDS).map(([f, ops]) => `${f} (${Object.keys(ops).join(', ')})`).join('; ')}` });

export const Segmento = z
  .object({
    id: z.number().int(),
    nombre: z.string(),
    descripcion: z.string().nullable(),
    tipo: z.enum(['dinamico', 'manual']),
    reglas: z.array(Regla),
    total: z.number().int(),
    miembros_manuales: z.number().int(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Segmento' });

export const toSegmento = (s: SegmentRecord) => ({
  id: s.id,
  nombre: s.name,
  descripcion: s.description,
  tipo: s.kind,
  reglas: s.rules,
  total: s.total,
  miembros_manuales: s.manualMembers,
  created_at: isoUtc(new Date(s.createdAt)),
  updated_at: isoUtc(new Date(s.updatedAt)),
});

const PacienteSegmento = z
  .object({
    id: z.number().int(),
    nombres: z.string(),
    apellidos: z.string(),
    dni: z.string(),
    email: z.string().nullable(),
    telefono: z.string().nullable(),
    genero: z.string().nullable(),
    fecha_nacimiento: z.string().nullable(),
    estado_paciente: z.string(),
    fuente_captacion: z.string().nullable(),
    aseguradora: z.string().nullable(),
    linea_negocio: z.string().nullable(),
    origen: z.enum(['reglas', 'manual']),
  })
  .meta({ id: 'PacienteSegmento' });

const toPaciente = (p: SegmentPatientRecord) => ({
  id: p.id,
  nombres: p.name,
  apellidos: apellidosOf(p.paternal_lastname, p.maternal_lastname),
  dni: p.document_number,
  email: p.email,
  telefono: p.phone1,
  genero: p.sex,
  fecha_nacimiento: p.birth_date,
  estado_paciente: p.estado_paciente,
  fuente_captacion: p.fuente_captacion,
  aseguradora: p.aseguradora,
  linea_negocio: p.linea_negocio,
  origen: p.manual ? ('manual' as const) : ('reglas' as const),
});

/** Body of a segment; also what the v1 patients group's `POST /patients/segments` may take. */
export const SegmentoBody = z.object({
  nombre: z.string().trim().min(1).max(150),
  descripcion: z.string().trim().max(2000).nullable().optional(),
  tipo: z.enum(['dinamico', 'manual']).optional(),
  reglas: z.array(z.unknown()).max(MAX_RULES).optional(),
});

export const segmentInput = (b: Partial<z.output<typeof SegmentoBody>>) => ({
  name: b.nombre,
  description: b.descripcion,
  kind: b.tipo,
  rules: b.reglas,
});

const ids = z.array(z.number().int().positive()).max(MAX_MEMBERS_PER_CALL);
const MiembrosBody = z.object({ agregar: ids.optional(), quitar: ids.optional() }).refine((b) => (b.agregar?.length ?? 0) + (b.quitar?.length ?? 0) > 0, { message: 'Indique agregar o quitar', path: ['agregar'] });
const Miembros = z.object({ segmento_id: z.number().int(), agregados: z.number().int(), quitados: z.number().int(), total: z.number().int() }).meta({ id: 'CambioMiembrosSegmento' });

const duplicate = { 409: { description: 'Ya existe un segmento con ese nombre' } };

export const group = defineV1Group({
  name: 'v1-segments',
  prefixes: [P],
  tag: 'v1 · Segmentaciones',
  tenantScoped: true,
  routes: [
    listRoute({ path: P, summary: 'Listar segmentos (cada uno con su total actual de pacientes)', item: Segmento, load: ({ db, actor, query }) => listSegments(db, actor, query.page, query.size), present: toSegmento }),
    route({
      method: 'GET',
      path: `${P}/{segment_id}`,
      access: 'user',
      summary: 'Ver un segmento con su total actual',
      params,
      entity: 'segments',
      response: Segmento,
      handler: async ({ db, actor, params }) => toSegmento(await getSegment(db, actor, params.segment_id)),
    }),
    route({
      method: 'POST',
      path: P,
      access: 'user',
      summary: 'Crear un segmento: reglas [{campo, operador, valor}] combinadas con AND (422 si un campo u operador no existe)',
      body: SegmentoBody,
      status: 201,
      response: Segmento,
      responses: duplicate,
      handler: async ({ db, actor, body }) => reply(201, toSegmento(await createSegment(db, actor, segmentInput(body) as Parameters<typeof createSegment>[2]))),
    }),
    route({
      method: 'PUT',
      path: `${P}/{segment_id}`,
      access: 'user',
      summary: 'Editar un segmento (los campos enviados)',
      params,
      entity: 'segments',
      body: SegmentoBody.partial(),
      response: Segmento,
      responses: duplicate,
      handler: async ({ db, actor, params, body }) => toSegmento(await updateSegment(db, actor, params.segment_id, segmentInput(body))),
    }),
    route({
      method: 'DELETE',
      path: `${P}/{segment_id}`,
      access: 'user',
      summary: 'Eliminar un segmento (409 si lo usa una campaña aún no enviada)',
      params,
      entity: 'segments',
      status: 204,
      responses: { 409: { description: 'Una campaña en borrador o programada usa el segmento' } },
      handler: async ({ db, actor, params }) => {
        await deleteSegment(db, actor, params.segment_id);
        return reply(204);
      },
    }),
    listRoute({
      path: `${P}/{segment_id}/patients`,
      summary: 'Pacientes del segmento ahora (reglas + agregados a mano − quitados a mano), paginado',
      params,
      entity: 'segments',
      item: PacienteSegmento,
      responses: { 404: { description: 'Segmento no encontrado' } },
      load: ({ db, actor, params: p, query }) => listSegmentPatients(db, actor, (p as { segment_id: number }).segment_id, query.page, query.size),
      present: toPaciente,
    }),
    route({
      method: 'POST',
      path: `${P}/{segment_id}/patients`,
      access: 'user',
      summary: 'Agregar pacientes a mano (agregar) o quitarlos (quitar, también si las reglas los incluyen)',
      params,
      entity: 'segments',
      body: MiembrosBody,
      response: Miembros,
      handler: async ({ db, actor, params, body }) => {
        const r = await changeSegmentMembers(db, actor, params.segment_id, { add: body.agregar, remove: body.quitar });
        return { segmento_id: params.segment_id, agregados: r.added, quitados: r.removed, total: r.segment.total };
      },
    }),
  ],
});

export const handler = createHandler(group);

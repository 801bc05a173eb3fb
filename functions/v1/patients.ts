import { z } from 'zod';
import { blankAsNull, takesInput } from '../../lib/http/coerce';
import { listPatientAppointments } from '../../lib/domain/appointments';
import { checkCatalogValue, type CatalogName } from '../../lib/domain/clinic-catalogs';
import type { HistoryRecord } from '../../lib/domain/histories';
import type { MedicalRecordRecord } from '../../lib/domain/medical-records';
import {
  createPatient,
  deletePatient,
  editPatient,
  findPatients,
  getPatient,
  getPatientHistory,
  listPatientMedicalRecords,
  withVisits,
  type PatientInput,
  type PatientWithVisits,
} from '../../lib/domain/patients';
import { createSegment, patientSegmentCounts, type PatientSegmentCounts } from '../../lib/domain/segments';
import { tenantForWrite } from '../../lib/domain/tenancy';
import type { Db } from '../../lib/db/tenant';
import { ValidationError, type FieldIssue } from '../../lib/errors';
import { createHandler } from '../../lib/http/app';
import { resourceRoutes } from '../../lib/http/resource';
import { reply, route } from '../../lib/http/route';
import { moneyNumber } from '../../lib/money';
import { isoUtc } from '../../lib/time';
import { Cita, toCita } from './appointments';
import { Segmento, SegmentoBody, segmentInput, toSegmento } from './segments';
import { apellidosOf, optEmail, optText, splitApellidos } from './shapes';
import { defineV1Group, listRoute } from './surface';

/*
 * v1 patients (issue 13): the Reflexo patients in the spec's "Paciente" shape, plus the visit figures
 * (last and next appointment date on the clinic's calendar, appointments booked and completed)
 * computed for a whole page in one query. `nombres` is the Reflexo `name`, `apellidos` the paternal
 * and maternal surnames (split at the first space), `dni` the document number, `genero` the sex.
 * Writes go through the same domain functions as Reflexo's; the catalog fields (fuente_captacion,
 * aseguradora, linea_negocio) take the clinic's catalog values once it has any.
 */
const P = '/api/v1/patients';
const id = z.string().regex(/^\d{1,9}$/, 'Input should be a valid integer').transform(Number);
const params = z.object({ patient_id: id });

export const Paciente = z
  .object({
    id: z.number().int(),
    nombres: z.string(),
    apellidos: z.string(),
    dni: z.string(),
    telefono: z.string().nullable(),
    email: z.string().nullable(),
    fecha_nacimiento: z.string().nullable(),
    genero: z.enum(['M', 'F']).nullable(),
    direccion: z.string().nullable(),
    estado_paciente: z.string(),
    fuente_captacion: z.string().nullable(),
    aseguradora: z.string().nullable(),
    linea_negocio: z.string().nullable(),
    presupuesto: z.number().nullable(),
    ultima_cita: z.string().nullable().meta({ description: 'Fecha (YYYY-MM-DD, zona de la clínica) de la última cita ya comenzada, no cancelada' }),
    proxima_cita: z.string().nullable().meta({ description: 'Fecha de la próxima cita no cancelada' }),
    total_citas: z.number().int().meta({ description: 'Citas no canceladas ni eliminadas' }),
    citas_realizadas: z.number().int().meta({ description: 'De ellas, completadas' }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Paciente' });

const ymd = (d: string | Date | null) => (d === null ? null : typeof d === 'string' ? d.slice(0, 10) : d.toISOString().slice(0, 10));

export const toPaciente = (p: PatientWithVisits) => ({
  id: p.id,
  nombres: p.name,
  apellidos: apellidosOf(p.paternal_lastname, p.maternal_lastname),
  dni: p.document_number,
  telefono: p.phone1,
  email: p.email,
  fecha_nacimiento: ymd(p.birth_date as string | Date | null),
  genero: (p.sex as 'M' | 'F' | null) ?? null,
  direccion: p.address,
  estado_paciente: p.estado_paciente,
  fuente_captacion: p.fuente_captacion,
  aseguradora: p.aseguradora,
  linea_negocio: p.linea_negocio,
  presupuesto: moneyNumber(p.presupuesto),
  ultima_cita: p.visits.ultima_cita,
  proxima_cita: p.visits.proxima_cita,
  total_citas: p.visits.total_citas,
  citas_realizadas: p.visits.citas_realizadas,
  created_at: isoUtc(new Date(p.created_at)),
  updated_at: isoUtc(new Date(p.updated_at)),
});

const upper = (v: unknown) => (typeof v === 'string' ? v.trim().toUpperCase() : v);
const presupuesto = z
  .union([z.number(), z.string()])
  .transform((v) => String(v).trim())
  .pipe(z.string().regex(/^\d{1,10}(\.\d{1,2})?$/, 'Monto no negativo con hasta 2 decimales'));

const PacienteBody = z.object({
  nombres: z.string().trim().min(1, 'Field required').max(150),
  apellidos: z.string().trim().min(1, 'Field required').max(300),
  dni: z.string().trim().min(1, 'Field required').max(20),
  telefono: optText(20),
  email: optEmail(),
  fecha_nacimiento: blankAsNull(z.iso.date('Input should be a valid date (YYYY-MM-DD)').nullable().optional()),
  genero: takesInput(z.preprocess(upper, z.enum(['M', 'F'], { error: "Input should be 'M' or 'F'" }).nullable().optional()), { anyOf: [{ type: 'string', pattern: '^\\s*[MmFf]\\s*$' }, { type: 'null' }] }),
  direccion: optText(255),
  estado_paciente: z.string().trim().min(1).max(30).optional(),
  fuente_captacion: optText(100),
  aseguradora: optText(100),
  linea_negocio: optText(100),
  presupuesto: blankAsNull(presupuesto.nullable().optional()),
});
type Body = Partial<z.output<typeof PacienteBody>>;

/** v1 names → the domain's; `apellidos` → paternal (first word) + maternal (the rest). */
function patientInput(b: Body): PatientInput {
  const last = b.apellidos !== undefined ? splitApellidos(b.apellidos) : undefined;
  const map: [keyof Body, keyof PatientInput][] = [
    ['nombres', 'name'],
    ['dni', 'document_number'],
    ['telefono', 'phone1'],
    ['email', 'email'],
    ['fecha_nacimiento', 'birth_date'],
    ['genero', 'sex'],
    ['direccion', 'address'],
    ['estado_paciente', 'estado_paciente'],
    ['fuente_captacion', 'fuente_captacion'],
    ['aseguradora', 'aseguradora'],
    ['linea_negocio', 'linea_negocio'],
    ['presupuesto', 'presupuesto'],
  ];
  const input: Record<string, unknown> = {};
  for (const [from, to] of map) if (b[from] !== undefined) input[to] = b[from];
  if (last) Object.assign(input, { paternal_lastname: last.paternal, maternal_lastname: last.maternal });
  return input as PatientInput;
}

const CATALOG_FIELDS: [keyof Body & string, CatalogName][] = [
  ['fuente_captacion', 'sources'],
  ['aseguradora', 'insurers'],
  ['linea_negocio', 'business_lines'],
];

/** Each catalog field sent must name an entry of the clinic's catalog (once it has entries): all refusals in one 422. */
async function withCatalogValues(db: Db, clinic: () => Promise<number>, b: Body): Promise<Body> {
  const sent = CATALOG_FIELDS.filter(([f]) => b[f] !== undefined && b[f] !== null);
  if (!sent.length) return b;
  const reflexoId = await clinic();
  const out: Body = { ...b };
  const issues: FieldIssue[] = [];
  for (const [field, catalog] of sent) {
    try {
      (out as Record<string, unknown>)[field] = await checkCatalogValue(db, reflexoId, catalog, b[field] as string, field);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      issues.push(...err.issues);
    }
  }
  if (issues.length) throw new ValidationError(issues);
  return out;
}

const one = async (db: Db, p: Parameters<typeof withVisits>[1][number]) => toPaciente((await withVisits(db, [p]))[0]);

/* ---- history ---- */

const decimal = (v: string | number | null) => (v === null ? null : Number(v));
const Historia = z
  .object({
    id: z.number().int(),
    numero: z.number().int().meta({ description: 'Número de historia en la clínica' }),
    testimonio: z.boolean(),
    observacion: z.string().nullable(),
    observacion_privada: z.string().nullable(),
    talla: z.number().nullable(),
    peso: z.number().nullable(),
    ultimo_peso: z.number().nullable(),
    menstruacion: z.boolean(),
    tipo_diu: z.string().nullable(),
    gestacion: z.boolean(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'HistoriaClinica' });
const RegistroMedico = z
  .object({
    id: z.number().int(),
    diagnostico_id: z.number().int(),
    fecha_diagnostico: z.string(),
    sintomas: z.string().nullable(),
    tratamiento: z.string().nullable(),
    notas: z.string().nullable(),
    estado: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'RegistroMedico' });
const HISTORY_RECORDS = 200;
const HistorialPaciente = z
  .object({
    paciente_id: z.number().int(),
    historia: Historia.nullable(),
    registros_medicos: z.array(RegistroMedico).meta({ description: `Los ${HISTORY_RECORDS} más recientes (último diagnóstico primero)` }),
    total_registros_medicos: z.number().int(),
  })
  .meta({ id: 'HistorialPaciente' });

const toHistoria = (h: HistoryRecord) => ({
  id: h.id,
  numero: h.local_id,
  testimonio: h.testimony,
  observacion: h.observation,
  observacion_privada: h.private_observation,
  talla: decimal(h.height),
  peso: decimal(h.weight),
  ultimo_peso: decimal(h.last_weight),
  menstruacion: h.menstruation,
  tipo_diu: h.diu_type,
  gestacion: h.gestation,
  created_at: isoUtc(new Date(h.created_at)),
  updated_at: isoUtc(new Date(h.updated_at)),
});
const toRegistro = (r: MedicalRecordRecord) => ({
  id: r.id,
  diagnostico_id: r.diagnose_id,
  fecha_diagnostico: ymd(r.diagnosis_date as string | Date)!,
  sintomas: r.symptoms,
  tratamiento: r.treatment,
  notas: r.notes,
  estado: r.status,
  created_at: isoUtc(new Date(r.created_at)),
  updated_at: isoUtc(new Date(r.updated_at)),
});

/* ---- segments ---- */

const Conteo = z.array(z.object({ valor: z.string().nullable(), total: z.number().int() }));
const ConteoSegmentos = z
  .object({ total: z.number().int(), estado_paciente: Conteo, fuente_captacion: Conteo, aseguradora: Conteo, linea_negocio: Conteo })
  .meta({ id: 'ConteoSegmentosPacientes', description: 'Pacientes vivos de la clínica por campo; valor null: sin dato' });
const toConteo = (c: PatientSegmentCounts) => {
  const rows = (xs: { value: string | null; total: number }[]) => xs.map((x) => ({ valor: x.value, total: x.total }));
  return { total: c.total, estado_paciente: rows(c.estado_paciente), fuente_captacion: rows(c.fuente_captacion), aseguradora: rows(c.aseguradora), linea_negocio: rows(c.linea_negocio) };
};

const textOrList = z.union([z.string().trim().min(1).max(100), z.array(z.string().trim().min(1).max(100)).min(1).max(50)]);
const idOrList = z.union([z.number().int().positive(), z.array(z.number().int().positive()).min(1).max(100)]);
const Filtros = z
  .object({
    estado_paciente: textOrList.optional(),
    fuente_captacion: textOrList.optional(),
    aseguradora: textOrList.optional(),
    linea_negocio: textOrList.optional(),
    genero: textOrList.optional(),
    doctor_id: idOrList.optional(),
  })
  .meta({ description: 'El filtro de la lista como reglas: un valor → igual; una lista → en. doctor_id: pacientes ya atendidos por ese doctor' });
const SegmentoAdHocBody = SegmentoBody.extend({ filtros: Filtros.optional() });

/** The list's filter as rules of the segments' language (after any `reglas` sent), each field as `igual` or `en`. */
const rulesOf = (b: z.output<typeof SegmentoAdHocBody>) => [
  ...(b.reglas ?? []),
  ...Object.entries(b.filtros ?? {})
    .filter(([, v]) => v !== undefined)
    .map(([campo, valor]) => ({ campo, operador: Array.isArray(valor) ? 'en' : 'igual', valor })),
];

/* ---- the routes ---- */

const listFilters = {
  estado_paciente: z.string().trim().max(30).optional(),
  fuente_captacion: z.string().trim().max(100).optional(),
  aseguradora: z.string().trim().max(100).optional(),
  linea_negocio: z.string().trim().max(100).optional(),
  doctor_id: id.optional().meta({ description: 'Pacientes con una cita (no cancelada, cualquier fecha) con ese doctor' }),
  search: z.string().trim().max(100).optional(),
};
const duplicate = { 409: { description: 'Ya existe un paciente con ese DNI o e-mail en la clínica' } };
const orUndefined = (v: unknown) => (v === '' ? undefined : (v as string | undefined));

export const group = defineV1Group({
  name: 'v1-patients',
  prefixes: [P],
  tag: 'v1 · Pacientes',
  tenantScoped: true,
  routes: [
    listRoute({
      path: P,
      summary: 'Listar pacientes (filtros estado_paciente, fuente_captacion, aseguradora, linea_negocio, doctor_id, search)',
      description: 'Los más recientes primero. Filtros de texto sin distinguir mayúsculas. `search`: cada palabra en nombres, apellidos, DNI, e-mail o teléfono (sin tildes ni mayúsculas).',
      query: listFilters,
      item: Paciente,
      load: async ({ db, actor, query }) => {
        const page = await findPatients(db, actor, {
          estadoPaciente: orUndefined(query.estado_paciente),
          fuenteCaptacion: orUndefined(query.fuente_captacion),
          aseguradora: orUndefined(query.aseguradora),
          lineaNegocio: orUndefined(query.linea_negocio),
          doctorId: query.doctor_id as number | undefined,
          search: orUndefined(query.search),
          page: query.page,
          size: query.size,
        });
        return { rows: page.rows, count: page.count };
      },
      present: toPaciente,
    }),
    listRoute({
      path: `${P}/search`,
      summary: 'Buscar pacientes por nombre, DNI, teléfono o e-mail (?q=; sin distinguir tildes ni mayúsculas)',
      query: { q: z.string().trim().min(1, 'Field required').max(100) },
      item: Paciente,
      load: async ({ db, actor, query }) => {
        const page = await findPatients(db, actor, { search: query.q as string, page: query.page, size: query.size });
        return { rows: page.rows, count: page.count };
      },
      present: toPaciente,
    }),
    route({
      method: 'GET',
      path: `${P}/segments`,
      access: 'user',
      summary: 'Pacientes por estado_paciente, fuente_captacion, aseguradora y linea_negocio',
      response: ConteoSegmentos,
      handler: async ({ db, actor }) => toConteo(await patientSegmentCounts(db, actor)),
    }),
    route({
      method: 'POST',
      path: `${P}/segments`,
      access: 'user',
      summary: 'Guardar un filtro de pacientes como segmento (filtros de la lista y/o reglas; ver /api/v1/segments)',
      body: SegmentoAdHocBody,
      status: 201,
      response: Segmento,
      responses: { 409: { description: 'Ya existe un segmento con ese nombre' } },
      handler: async ({ db, actor, body }) => reply(201, toSegmento(await createSegment(db, actor, { ...segmentInput(body), name: body.nombre, rules: rulesOf(body) }))),
    }),
    ...resourceRoutes({
      prefix: P,
      dialect: 'v1',
      idName: 'patient_id',
      params,
      noun: 'paciente',
      entity: 'patients',
      access: 'user',
      item: Paciente,
      create: {
        body: PacienteBody,
        responses: duplicate,
        handler: async ({ db, actor, body }) => one(db, await createPatient(db, actor, patientInput(await withCatalogValues(db, async () => tenantForWrite(actor), body)))),
      },
      get: { handler: async ({ db, actor, params }) => one(db, await getPatient(db, actor, params.patient_id)) },
      update: {
        summary: 'Editar paciente: los campos enviados',
        body: PacienteBody.partial(),
        responses: duplicate,
        handler: async ({ db, actor, params, body }) => {
          const checked = await withCatalogValues(db, async () => (await getPatient(db, actor, params.patient_id)).reflexo_id, body);
          return one(db, await editPatient(db, actor, params.patient_id, patientInput(checked)));
        },
      },
      remove: {
        summary: 'Eliminar paciente (lógico: deja de listarse; su DNI y e-mail quedan libres)',
        handler: ({ db, actor, params }) => deletePatient(db, actor, params.patient_id, false),
      },
    }).filter((r) => r.method !== 'PATCH'),
    route({
      method: 'GET',
      path: `${P}/{patient_id}/history`,
      access: 'user',
      summary: 'Historia clínica del paciente y sus registros médicos (los del módulo Reflexo)',
      params,
      entity: 'patients',
      response: HistorialPaciente,
      handler: async ({ db, actor, params }) => {
        const history = await getPatientHistory(db, actor, params.patient_id);
        const records = await listPatientMedicalRecords(db, actor, params.patient_id, { page: 1, size: HISTORY_RECORDS });
        return { paciente_id: params.patient_id, historia: history && toHistoria(history), registros_medicos: records.rows.map(toRegistro), total_registros_medicos: records.count };
      },
    }),
    listRoute({
      path: `${P}/{patient_id}/appointments`,
      summary: 'Citas del paciente (las más recientes primero)',
      params,
      entity: 'patients',
      item: Cita,
      load: ({ db, actor, params, query }) => listPatientAppointments(db, actor!, params.patient_id, { page: query.page, size: query.size }),
      present: toCita,
    }),
  ],
});

export const handler = createHandler(group);

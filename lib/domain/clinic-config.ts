import { sql } from 'kysely';
import { z } from 'zod';
import { isAdmin, type Actor } from '../auth/actor';
import { withGlobalScope, type Db } from '../db/tenant';
import { Forbidden, NotFound, ValidationError, type FieldIssue } from '../errors';
import { isTimeZone } from '../time';
import { recordAudit } from './audit';
import { tenantForWrite } from './tenancy';

/*
 * A clinic's settings as typed keys (v1 `/config`, Spanish snake case). Each key has its own schema
 * and says where it lives: the time zone is `tenants.time_zone` (what the Reflexo surface judges
 * "today" by), everything else a key of `tenants.settings` — including the therapists' e-mail domain
 * rule the Reflexo therapist routes read (`therapist_email_domain`) and the invoice settings the
 * ledger reads. One source for both surfaces.
 */
const WEEKDAYS = ['lunes', 'martes', 'miercoles', 'jueves', 'viernes', 'sabado', 'domingo'] as const;
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Hora HH:MM');
const openingHours = z
  .object(Object.fromEntries(WEEKDAYS.map((d) => [d, z.object({ inicio: hhmm, fin: hhmm }).refine((v) => v.fin > v.inicio, 'fin debe ser posterior a inicio').nullable()])) as unknown as Record<(typeof WEEKDAYS)[number], z.ZodType>)
  .partial()
  .strict();

interface KeySpec {
  schema: z.ZodType;
  /** `tenants.settings` key, or the tenants column for the time zone. */
  store: string;
  default: unknown;
  description: string;
}

export const CONFIG_KEYS: Record<string, KeySpec> = {
  zona_horaria: {
    schema: z.string().refine(isTimeZone, 'Zona horaria IANA desconocida (p. ej. America/Lima)'),
    store: 'time_zone',
    default: 'America/Lima',
    description: 'Zona horaria IANA de la clínica: define "hoy", el calendario de citas y los reportes',
  },
  moneda: { schema: z.enum(['PEN', 'USD']), store: 'currency', default: 'PEN', description: 'Moneda (ISO 4217)' },
  igv: { schema: z.number().min(0).max(100), store: 'igv_rate', default: 18, description: 'Tasa de IGV en % aplicada a las facturas' },
  precios_incluyen_igv: { schema: z.boolean(), store: 'prices_include_igv', default: true, description: 'Si los precios de los ítems ya incluyen el IGV' },
  serie_factura: { schema: z.string().regex(/^[A-Z][A-Z0-9]{3}$/, 'Serie SUNAT de 4 caracteres (p. ej. F001)'), store: 'invoice_series', default: 'F001', description: 'Serie de numeración de facturas' },
  horario_atencion: {
    schema: openingHours,
    store: 'opening_hours',
    default: { lunes: { inicio: '08:00', fin: '20:00' }, martes: { inicio: '08:00', fin: '20:00' }, miercoles: { inicio: '08:00', fin: '20:00' }, jueves: { inicio: '08:00', fin: '20:00' }, viernes: { inicio: '08:00', fin: '20:00' }, sabado: { inicio: '08:00', fin: '13:00' }, domingo: null },
    description: 'Horario de atención por día (null = cerrado)',
  },
  recordatorio_horas_antes: { schema: z.number().int().min(1).max(168), store: 'reminder_lead_hours', default: 24, description: 'Horas antes de la cita en que se envía el recordatorio' },
  remitente_nombre: { schema: z.string().trim().min(1).max(100), store: 'mail_sender_name', default: null, description: 'Nombre del remitente de los correos (por defecto, el de la clínica)' },
  dominio_email_terapeutas: {
    schema: z.string().trim().regex(/^(\*|[a-z0-9-]+(\.[a-z0-9-]+)+)?$/i, 'Un dominio (gmail.com), "*" o vacío para cualquiera'),
    store: 'therapist_email_domain',
    default: 'gmail.com',
    description: 'Dominio obligatorio del e-mail de los terapeutas en la superficie Reflexo ("*" o vacío: cualquiera)',
  },
};

export type ConfigValues = Record<string, unknown>;

async function readRow(db: Db, reflexoId: number) {
  const row = await db.selectFrom('tenants').select(['time_zone', 'settings']).where('id', '=', reflexoId).executeTakeFirst();
  if (!row) throw new NotFound('Clínica no encontrada.');
  return row;
}

const valueOf = (row: { time_zone: string; settings: Record<string, unknown> }, spec: KeySpec) =>
  spec.store === 'time_zone' ? row.time_zone : spec.store in (row.settings ?? {}) ? row.settings[spec.store] : spec.default;

export async function readConfig(db: Db, actor: Actor | null): Promise<ConfigValues> {
  const row = await readRow(db, tenantForWrite(actor));
  return Object.fromEntries(Object.entries(CONFIG_KEYS).map(([k, spec]) => [k, valueOf(row, spec)]));
}

export async function readConfigKey(db: Db, actor: Actor | null, key: string): Promise<unknown> {
  const spec = CONFIG_KEYS[key];
  if (!spec) throw new NotFound(`Clave de configuración desconocida: ${key}`);
  return valueOf(await readRow(db, tenantForWrite(actor)), spec);
}

/** Validates and stores several keys at once: all or none (one UPDATE), audited with the key names. */
export async function writeConfig(db: Db, actor: Actor | null, values: ConfigValues, where: (key: string) => (string | number)[] = (k) => ['body', k]): Promise<ConfigValues> {
  if (!isAdmin(actor)) throw new Forbidden('Solo un administrador de la clínica puede cambiar la configuración.');
  const reflexoId = tenantForWrite(actor);
  const issues: FieldIssue[] = [];
  const settings: Record<string, unknown> = {};
  let timeZone: string | undefined;
  for (const [key, value] of Object.entries(values)) {
    const spec = CONFIG_KEYS[key];
    if (!spec) {
      issues.push({ loc: where(key), msg: `Clave desconocida; claves válidas: ${Object.keys(CONFIG_KEYS).join(', ')}`, type: 'unknown_key', input: value });
      continue;
    }
    const parsed = spec.schema.safeParse(value);
    if (!parsed.success) {
      for (const i of parsed.error.issues) issues.push({ loc: [...where(key), ...i.path.map(String)], msg: i.message, type: i.code, input: value });
      continue;
    }
    if (spec.store === 'time_zone') timeZone = parsed.data as string;
    else settings[spec.store] = parsed.data;
  }
  if (issues.length) throw new ValidationError(issues);
  if (!Object.keys(values).length) return readConfig(db, actor);
  await db
    .updateTable('tenants')
    .set({ settings: sql`settings || ${JSON.stringify(settings)}::jsonb`, ...(timeZone ? { time_zone: timeZone } : {}) })
    .where('id', '=', reflexoId)
    .execute();
  await recordAudit(db, { action: 'update', entity: 'config', entityId: reflexoId, reflexoId, changedFields: Object.keys(values) });
  return readConfig(db, actor);
}

/**
 * The clinic's display name (v1 shows it as the user's `consultorio`); null for users without a clinic.
 * Read in the global scope: right after a login the request has no clinic yet.
 */
export async function clinicName(db: Db, reflexoId: number | null): Promise<string | null> {
  if (reflexoId === null) return null;
  return withGlobalScope(db, async () => (await db.selectFrom('tenants').select('name').where('id', '=', reflexoId).executeTakeFirst())?.name ?? null);
}

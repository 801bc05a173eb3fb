import { z } from 'zod';
import { defineReflexoGroup } from './surface';
import { createHandler } from '../../lib/http/app';
import { drfPage, drfPageQuery, drfPageSchema } from '../../lib/http/pagination';
import { resourceRoutes } from '../../lib/http/resource';
import { route, type ResponseSpec } from '../../lib/http/route';
import { fieldErrors, timestamp } from '../../lib/http/schemas';
import { editTenant, getTenant, listTenants, onboardTenant, type OnboardedTenant, type TenantRecord } from '../../lib/domain/tenants';
import { boolInput, MSG, optionalText, text } from './clinical-schemas';

/*
 * Onboarding clinics: NOT in reflexo-api.md (nor in the v1 contract). Without these routes a second
 * clinic needed SQL. Superusers only; platform staff (architect.view_all_tenants) manage shared
 * catalogs, not customers. DRF router dialect only (collection and `{id}/`), no delete: a clinic is
 * deactivated (`is_active: false`), its data kept, and reactivated the same way. The same domain
 * functions serve the operators' CLI (`npm run tenant:create`, lib/ops/tenant-cli.ts).
 */
const PREFIX = '/api/architect/tenants';
const BEYOND_SPEC = 'Fuera del contrato reflexo-api.md: alta y baja de clínicas por un superusuario.';

const Tenant = z.object({
  id: z.number().int(),
  name: z.string(),
  time_zone: z.string(),
  is_active: z.boolean(),
  created_at: timestamp,
  updated_at: timestamp,
});

const FirstAdmin = z.object({
  id: z.number().int(),
  email: z.string(),
  user_name: z.string(),
  role_id: z.number().int(),
  /** Only with DEV_EXPOSE_CODES; in a deployed stage the code is only e-mailed. */
  code: z.string().optional(),
  code_expires_at: timestamp,
});

const Created = Tenant.extend({ company_id: z.number().int(), admin: FirstAdmin.nullable() });

const timeZone = z.string().trim().min(1, MSG.blank).max(64, MSG.maxLength(64));
/** Forms send an untouched field as "": no first administrator then. */
const adminEmail = z.preprocess(
  (v) => (v === '' || v === null ? undefined : v),
  z.string({ error: MSG.email }).trim().max(254, MSG.maxLength(254)).pipe(z.email(MSG.email)).optional(),
);

const CreateBody = z.object({
  name: text(255),
  time_zone: timeZone.optional(),
  is_active: boolInput.optional(),
  admin_email: adminEmail,
  admin_user_name: optionalText(150),
  admin_name: optionalText(150),
  admin_paternal_lastname: optionalText(150),
  admin_maternal_lastname: optionalText(150),
});
/** PUT as DRF's: the required field must be sent, the others keep their value when absent. */
const PutBody = z.object({ name: text(255), time_zone: timeZone.optional(), is_active: boolInput.optional() });
const PatchBody = PutBody.partial();

const ListQuery = z.object({
  ...drfPageQuery,
  is_active: z.enum(['true', 'false'], { error: 'Debe ser true o false.' }).optional().transform((v) => (v === undefined ? undefined : v === 'true')),
  search: z.string().trim().min(1, MSG.blank).max(100, MSG.maxLength(100)).optional(),
});

const toTenant = (t: TenantRecord) => ({
  id: t.id,
  name: t.name,
  time_zone: t.time_zone,
  is_active: t.is_active,
  created_at: t.created_at,
  updated_at: t.updated_at,
});

const toCreated = (o: OnboardedTenant) => ({
  ...toTenant(o.tenant),
  company_id: o.companyId,
  admin:
    o.admin === null
      ? null
      : {
          id: o.admin.id,
          email: o.admin.email,
          user_name: o.admin.user_name,
          role_id: o.admin.role_id,
          ...(o.admin.code.code !== undefined ? { code: o.admin.code.code } : {}),
          code_expires_at: o.admin.code.expiresAt.toISOString(),
        },
});

const duplicate: Record<number, ResponseSpec> = {
  409: { description: 'Ya existe una clínica con ese nombre (sin distinguir mayúsculas ni tildes): `{"name": ["..."]}`', schema: fieldErrors },
};

export const group = defineReflexoGroup({
  name: 'architect-tenants',
  prefixes: [PREFIX],
  tag: 'Architect: tenants',
  routes: [
    route({
      method: 'GET',
      path: `${PREFIX}/`,
      access: 'superuser',
      summary: 'Listar clínicas (superusuario; ?page=, ?page_size=, ?is_active=, ?search=)',
      description: BEYOND_SPEC,
      query: ListQuery,
      response: drfPageSchema(Tenant),
      handler: async ({ db, actor, query, baseUrl, path }) => {
        const page = await listTenants(db, actor!, { isActive: query.is_active, search: query.search }, query.page, query.page_size);
        return drfPage({ ...page, rows: page.rows.map(toTenant) }, baseUrl, path, query);
      },
    }),
    ...resourceRoutes({
      prefix: PREFIX,
      dialect: 'reflexo',
      noun: 'clínica',
      entity: 'tenants',
      access: 'superuser',
      item: Tenant,
      create: {
        paths: [`${PREFIX}/`],
        summary: 'Crear clínica con su empresa, contadores y (opcional) su primer administrador',
        description:
          `${BEYOND_SPEC} Con \`admin_email\` crea el usuario con el rol Admin y le envía por correo un código de un solo uso para ` +
          'elegir su contraseña en `POST /api/profiles/password/reset/confirm/` (el mismo código que "olvidé mi contraseña").',
        body: CreateBody,
        response: Created,
        responses: duplicate,
        handler: async ({ db, actor, body }) => toCreated(await onboardTenant(db, actor!, body)),
      },
      get: { description: BEYOND_SPEC, handler: async ({ db, actor, params }) => toTenant(await getTenant(db, actor!, params.id)) },
      update: {
        paths: [`${PREFIX}/{id}/`],
        description: `${BEYOND_SPEC} \`is_active: false\` desactiva la clínica (sus usuarios reciben 403 en toda ruta; los datos se conservan); \`true\` la reactiva.`,
        body: PutBody,
        patchBody: PatchBody,
        responses: duplicate,
        handler: async ({ db, actor, params, body }) => toTenant(await editTenant(db, actor!, params.id, body)),
      },
    }),
  ],
});

export const handler = createHandler(group);

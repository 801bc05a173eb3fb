import { z } from 'zod';
import { defineReflexoGroup } from './surface';
import { createHandler } from '../../lib/http/app';
import { resourceRoutes } from '../../lib/http/resource';
import { route } from '../../lib/http/route';
import { errorBody, fieldErrors, idParams, intString, timestamp } from '../../lib/http/schemas';
import type { UploadedFile } from '../../lib/files/upload';
import { mediaUrl } from '../../lib/storage/s3';
import {
  createCompany,
  editCompany,
  getCompany,
  listCompanies,
  removeCompany,
  removeCompanyLogo,
  setCompanyLogo,
  type CompanyLogo,
  type CompanyRecord,
  type LogoRefusal,
} from '../../lib/domain/company';

/*
 * Module 8 of reflexo-api.md: company data (name and logo) of the caller's clinic. Reads: any clinic
 * user; writes: clinic admins and global administrators (who name `reflexo_id` on create). Create
 * answers 200, as the contract shows.
 */
const PREFIX = '/api/company/company';

const companyFields = {
  id: z.number().int(),
  company_name: z.string(),
  company_logo: z.string().nullable(),
  logo_url: z.string().nullable(),
  has_logo: z.boolean(),
  created_at: timestamp,
  updated_at: timestamp,
};
const Company = z.object({ reflexo: z.number().int(), ...companyFields });
// The create and edit examples show no `reflexo`.
const CompanyCreated = z.object(companyFields);
const CompanyEdited = z.object({ warning: z.string().optional(), ...companyFields });

const name = z.string().max(255);
const CreateBody = z.object({ company_name: name, reflexo_id: z.union([z.number().int().positive(), intString]).nullable().optional() });
// PUT replaces the name (required, as the contract's "company_name es obligatorio"); PATCH may omit it.
const PutBody = z.object({ company_name: name });
const PatchBody = PutBody.partial();
// A JSON URL or a multipart file: which one is decided by what arrives.
const LogoBody = z.object({ company_logo: z.unknown().optional() }).passthrough();

/** Multipart field names a logo file may come under: the contract shows all three. */
const LOGO_FILE_FIELDS = ['logo', 'logo_file', 'company_logo'];
const logoFile = (files: UploadedFile[]) => files.find((f) => LOGO_FILE_FIELDS.includes(f.field));

/** `/media/<key>` for a stored logo, the URL itself for a given one. */
const logoPath = (logo: CompanyLogo | null) => (logo === null ? null : logo.kind === 'stored' ? `/media/${logo.key}` : logo.url);
const logoAbsolute = (logo: CompanyLogo | null, baseUrl: string) => (logo === null ? null : logo.kind === 'stored' ? mediaUrl(baseUrl, logo.key) : logo.url);

const companyView = (c: CompanyRecord, baseUrl: string) => ({
  id: c.id,
  reflexo: c.reflexo_id,
  company_name: c.company_name,
  company_logo: logoPath(c.logo),
  logo_url: logoAbsolute(c.logo, baseUrl),
  has_logo: c.logo !== null,
  created_at: c.created_at,
  updated_at: c.updated_at,
});

const writtenView = (c: CompanyRecord, baseUrl: string) => {
  const { reflexo: _tenant, ...view } = companyView(c, baseUrl);
  return view;
};

const WARNINGS: Record<LogoRefusal, string> = {
  too_large: 'El logo no se actualizó: El logo excede el tamaño máximo de 2MB',
  invalid_format: 'El logo no se actualizó: Formato no permitido. Solo se aceptan: jpg, jpeg, png',
};

const uploadLogo = route({
  method: 'POST',
  path: `${PREFIX}/{id}/upload_logo/`,
  access: 'admin',
  summary: 'Subir logo (solo si la empresa no tiene uno)',
  description: 'JSON `{"company_logo": "https://…/logo.png"}` o multipart con el archivo en `logo`, `logo_file` o `company_logo` (JPG/PNG, ≤ 2 MB).',
  params: idParams,
  multipart: true,
  body: LogoBody,
  entity: 'company_data',
  response: z.object({ message: z.string(), logo_url: z.string().optional() }),
  responses: {
    400: {
      description: 'La empresa ya tiene un logo (`{"error": "..."}`), o falta el logo o no es válido (`{"company_logo": [...]}`, `{"logo": [...]}`)',
      schema: z.union([errorBody, fieldErrors]),
    },
  },
  handler: async ({ db, actor, params, body, files }) => {
    const file = logoFile(files);
    const c = await setCompanyLogo(db, actor, params.id, { file, url: body.company_logo }, 'add');
    // The contract echoes the URL it was given, and only that.
    return file || c.logo?.kind !== 'url' ? { message: 'Logo subido correctamente' } : { message: 'Logo subido correctamente', logo_url: c.logo.url };
  },
});

export const group = defineReflexoGroup({
  name: 'company-company',
  prefixes: [PREFIX],
  tag: 'Company',
  tenantScoped: true,
  routes: [
    route({
      method: 'GET',
      path: `${PREFIX}/`,
      access: 'user',
      summary: 'Listar empresas',
      query: z.object({ reflexo_id: intString.optional() }),
      response: z.object({ status: z.literal('success'), data: z.array(Company) }),
      handler: async ({ db, actor, baseUrl, query }) => ({ status: 'success', data: (await listCompanies(db, actor, query.reflexo_id)).map((c) => companyView(c, baseUrl)) }),
    }),
    ...resourceRoutes({
      prefix: PREFIX,
      dialect: 'reflexo',
      noun: 'empresa',
      entity: 'company_data',
      access: 'admin',
      item: Company,
      create: {
        summary: 'Crear empresa (JSON, o multipart con logo opcional); store/ asigna el tenant del usuario',
        status: 200,
        multipart: true,
        // `store/` is the contract's "creación con asignación automática de tenant": the same rule as create/.
        paths: [`${PREFIX}/create/`, `${PREFIX}/store/`, `${PREFIX}/`],
        body: CreateBody,
        response: CompanyCreated,
        handler: async ({ db, actor, body, files, baseUrl }) => writtenView(await createCompany(db, actor, body, logoFile(files)), baseUrl),
      },
      get: {
        summary: 'Ver empresa específica',
        access: 'user',
        paths: [`${PREFIX}/{id}/show/`, `${PREFIX}/{id}/`],
        handler: async ({ db, actor, params, baseUrl }) => companyView(await getCompany(db, actor, params.id), baseUrl),
      },
      update: {
        summary: 'Actualizar empresa (JSON: nombre; multipart: nombre y logo)',
        description: 'Un logo inválido no impide la edición: se conserva el anterior y la respuesta incluye `warning`.',
        multipart: true,
        body: PutBody,
        patchBody: PatchBody,
        response: CompanyEdited,
        handler: async ({ db, actor, params, body, files, baseUrl }) => {
          const { company, logoRefused } = await editCompany(db, actor, params.id, body, logoFile(files));
          return logoRefused ? { warning: WARNINGS[logoRefused], ...writtenView(company, baseUrl) } : writtenView(company, baseUrl);
        },
      },
      remove: {
        summary: 'Eliminar empresa (definitivo)',
        status: 200,
        response: z.object({ status: z.literal('success'), message: z.string() }),
        handler: async ({ db, actor, params }) => {
          const c = await removeCompany(db, actor, params.id);
          return { status: 'success', message: `Empresa "${c.company_name}" eliminada correctamente` };
        },
      },
    }),
    uploadLogo,
    {
      ...uploadLogo,
      method: 'PUT',
      summary: 'Reemplazar logo',
      responses: { 400: { description: 'Falta el logo o no es válido: `{"company_logo": [...]}`, `{"logo": [...]}`' } },
      response: z.object({ message: z.string(), company_logo: z.string(), company_logo_absolute: z.string() }),
      handler: async ({ db, actor, params, body, files, baseUrl }) => {
        const c = await setCompanyLogo(db, actor, params.id, { file: logoFile(files), url: (body as { company_logo?: unknown }).company_logo }, 'replace');
        return { message: 'Logo actualizado correctamente', company_logo: logoPath(c.logo)!, company_logo_absolute: logoAbsolute(c.logo, baseUrl)! };
      },
    },
    route({
      method: 'GET',
      path: `${PREFIX}/{id}/show_logo/`,
      access: 'user',
      summary: 'Mostrar logo',
      params: idParams,
      entity: 'company_data',
      response: z.union([
        z.object({ has_logo: z.literal(true), logo_url: z.string(), logo_url_absolute: z.string(), company_name: z.string(), company_id: z.number().int() }),
        z.object({ has_logo: z.literal(false), message: z.string() }),
      ]),
      handler: async ({ db, actor, params, baseUrl }) => {
        const c = await getCompany(db, actor, params.id);
        if (c.logo === null) return { has_logo: false as const, message: 'La empresa no tiene logo' };
        return { has_logo: true as const, logo_url: logoPath(c.logo)!, logo_url_absolute: logoAbsolute(c.logo, baseUrl)!, company_name: c.company_name, company_id: c.id };
      },
    }),
    route({
      method: 'DELETE',
      path: `${PREFIX}/{id}/delete_logo/`,
      access: 'admin',
      summary: 'Eliminar logo',
      params: idParams,
      entity: 'company_data',
      response: z.object({ message: z.string() }),
      responses: { 400: { description: 'La empresa no tiene logo: `{"error": "..."}`', schema: errorBody } },
      handler: async ({ db, actor, params }) => {
        await removeCompanyLogo(db, actor, params.id);
        return { message: 'Logo eliminado correctamente' };
      },
    }),
  ],
});

export const handler = createHandler(group);

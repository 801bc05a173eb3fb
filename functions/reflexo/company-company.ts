import { z } from 'zod';
import { defineReflexoGroup } from './surface';
import { createHandler } from '../../lib/http/app';
import { route } from '../../lib/http/route';
import { errorBody, fieldErrors, idParams, intString, timestamp } from '../../lib/http/schemas';
import { createCompany, editCompany, listCompanies, removeCompany, removeLogo, showCompany, showLogo, uploadLogo } from '../../lib/domain/company';

/* Module 8 of reflexo-api.md: company data (name and logo) of the caller's clinic. */

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
const CompanyWritten = z.object({ warning: z.string().optional(), ...companyFields });

const createBody = z.object({
  company_name: z.string().max(255).optional(),
  reflexo_id: z.union([z.number().int().positive(), intString]).nullable().optional(),
});
const editBody = z.object({ company_name: z.string().max(255).optional() });
// A JSON URL or a multipart file: the file's presence is checked in the domain.
const logoBody = z.object({ company_logo: z.unknown().optional() }).passthrough();

const list = route({
  method: 'GET',
  path: '/api/company/company/',
  access: 'user',
  summary: 'Listar empresas',
  query: z.object({ reflexo_id: intString.optional() }),
  response: z.object({ status: z.literal('success'), data: z.array(Company) }),
  handler: async ({ db, actor, baseUrl, query }) => ({ status: 'success', data: await listCompanies(db, actor, baseUrl, query.reflexo_id) }),
});

const create = route({
  method: 'POST',
  path: '/api/company/company/create/',
  access: 'admin',
  summary: 'Crear empresa (JSON, o multipart con logo opcional)',
  multipart: true,
  body: createBody,
  response: CompanyWritten,
  handler: ({ db, actor, body, files, baseUrl }) => createCompany(db, actor, body, files, baseUrl),
});

const show = route({
  method: 'GET',
  path: '/api/company/company/{id}/show/',
  access: 'user',
  summary: 'Ver empresa específica',
  params: idParams,
  entity: 'company_data',
  response: Company,
  handler: ({ db, actor, params, baseUrl }) => showCompany(db, actor, params.id, baseUrl),
});

const edit = route({
  method: 'PUT',
  path: '/api/company/company/{id}/edit/',
  access: 'admin',
  summary: 'Actualizar empresa (JSON: nombre; multipart: nombre y logo)',
  description: 'Un logo inválido no impide la edición: se conserva el anterior y la respuesta incluye `warning`.',
  params: idParams,
  multipart: true,
  body: editBody,
  entity: 'company_data',
  response: CompanyWritten,
  handler: ({ db, actor, params, body, files, method, baseUrl }) => editCompany(db, actor, params.id, body, files, method === 'PATCH', baseUrl),
});

const remove = route({
  method: 'DELETE',
  path: '/api/company/company/{id}/delete/',
  access: 'admin',
  summary: 'Eliminar empresa (definitivo)',
  params: idParams,
  entity: 'company_data',
  response: z.object({ status: z.literal('success'), message: z.string() }),
  handler: ({ db, actor, params }) => removeCompany(db, actor, params.id),
});

const uploadLogoRoute = route({
  method: 'POST',
  path: '/api/company/company/{id}/upload_logo/',
  access: 'admin',
  summary: 'Subir logo (solo si la empresa no tiene uno)',
  description: 'JSON `{"company_logo": "https://…/logo.png"}` o multipart con el archivo en `logo`, `logo_file` o `company_logo` (JPG/PNG, ≤ 2 MB).',
  params: idParams,
  multipart: true,
  body: logoBody,
  entity: 'company_data',
  response: z.object({ message: z.string(), logo_url: z.string().optional() }),
  responses: {
    400: {
      description: 'La empresa ya tiene un logo (`{"error": "..."}`), o falta el logo o no es válido (`{"company_logo": [...]}`, `{"logo": [...]}`)',
      schema: z.union([errorBody, fieldErrors]),
    },
  },
  handler: ({ db, actor, params, body, files, baseUrl }) => uploadLogo(db, actor, params.id, body, files, false, baseUrl),
});

export const group = defineReflexoGroup({
  name: 'company-company',
  prefixes: ['/api/company/company'],
  tag: 'Company',
  tenantScoped: true,
  routes: [
    list,
    create,
    { ...create, path: '/api/company/company/store/', summary: 'Crear empresa en el tenant del usuario (alias de create/)' },
    { ...create, path: '/api/company/company/', summary: 'Crear empresa (dialecto DRF)' },
    show,
    { ...show, path: '/api/company/company/{id}/', summary: 'Ver empresa (dialecto DRF)' },
    edit,
    { ...edit, method: 'PATCH' },
    { ...edit, path: '/api/company/company/{id}/', summary: 'Actualizar empresa (dialecto DRF)' },
    { ...edit, method: 'PATCH', path: '/api/company/company/{id}/', summary: 'Actualizar empresa parcialmente (dialecto DRF)' },
    remove,
    { ...remove, path: '/api/company/company/{id}/', summary: 'Eliminar empresa (dialecto DRF)' },
    uploadLogoRoute,
    {
      ...uploadLogoRoute,
      method: 'PUT',
      summary: 'Reemplazar logo',
      responses: { 400: { description: 'Falta el logo o no es válido: `{"company_logo": [...]}`, `{"logo": [...]}`' } },
      response: z.object({ message: z.string(), company_logo: z.string(), company_logo_absolute: z.string() }),
      handler: ({ db, actor, params, body, files, baseUrl }) => uploadLogo(db, actor, params.id, body, files, true, baseUrl),
    },
    route({
      method: 'GET',
      path: '/api/company/company/{id}/show_logo/',
      access: 'user',
      summary: 'Mostrar logo',
      params: idParams,
      entity: 'company_data',
      response: z.union([
        z.object({ has_logo: z.literal(true), logo_url: z.string(), logo_url_absolute: z.string(), company_name: z.string(), company_id: z.number().int() }),
        z.object({ has_logo: z.literal(false), message: z.string() }),
      ]),
      handler: ({ db, actor, params, baseUrl }) => showLogo(db, actor, params.id, baseUrl),
    }),
    route({
      method: 'DELETE',
      path: '/api/company/company/{id}/delete_logo/',
      access: 'admin',
      summary: 'Eliminar logo',
      params: idParams,
      entity: 'company_data',
      response: z.object({ message: z.string() }),
      responses: { 400: { description: 'La empresa no tiene logo: `{"error": "..."}`', schema: errorBody } },
      handler: ({ db, actor, params }) => removeLogo(db, actor, params.id),
    }),
  ],
});

export const handler = createHandler(group);

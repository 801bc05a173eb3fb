import { createHandler } from '../../lib/http/app';
import { defineReflexoGroup } from './surface';
import { namedCatalogRoutes } from './_named-catalog-routes';

/* Module 6 of reflexo-api.md: document types, a global catalog (DNI, CE, Pasaporte, RUC seeded). */
export const group = defineReflexoGroup({
  name: 'configurations-document-types',
  prefixes: ['/api/configurations/document_types'],
  tag: 'Configurations',
  routes: namedCatalogRoutes('document_types', '/api/configurations/document_types', 'tipo de documento'),
});

export const handler = createHandler(group);

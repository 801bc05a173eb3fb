import { createHandler } from '../../lib/http/app';
import { defineSharedCatalogGroup, namedCatalogRoutes } from './_named-catalog-routes';

/* Module 6 of reflexo-api.md: document types, a catalog every clinic shares (DNI, CE, Pasaporte, RUC seeded). Public reads, platform-staff writes. */
export const group = defineSharedCatalogGroup({
  name: 'configurations-document-types',
  prefixes: ['/api/configurations/document_types'],
  tag: 'Configurations',
  routes: namedCatalogRoutes('document_types', '/api/configurations/document_types', 'tipo de documento'),
});

export const handler = createHandler(group);

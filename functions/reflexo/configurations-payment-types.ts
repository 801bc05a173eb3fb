import { createHandler } from '../../lib/http/app';
import { defineSharedCatalogGroup, namedCatalogRoutes } from './_named-catalog-routes';

/* Module 6 of reflexo-api.md: payment types, a catalog every clinic shares (Efectivo, Tarjeta, Transferencia… seeded). Public reads, platform-staff writes. */
export const group = defineSharedCatalogGroup({
  name: 'configurations-payment-types',
  prefixes: ['/api/configurations/payment_types'],
  tag: 'Configurations',
  routes: namedCatalogRoutes('payment_types', '/api/configurations/payment_types', 'tipo de pago'),
});

export const handler = createHandler(group);

import { createHandler } from '../../lib/http/app';
import { defineReflexoGroup } from './surface';
import { namedCatalogRoutes } from './_named-catalog-routes';

/* Module 6 of reflexo-api.md: payment types, a global catalog (Efectivo, Tarjeta, Transferencia… seeded). */
export const group = defineReflexoGroup({
  name: 'configurations-payment-types',
  prefixes: ['/api/configurations/payment_types'],
  tag: 'Configurations',
  routes: namedCatalogRoutes('payment_types', '/api/configurations/payment_types', 'tipo de pago'),
});

export const handler = createHandler(group);

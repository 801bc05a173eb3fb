import { createHandler } from '../../lib/http/app';
import { scheduleRoutes } from './doctors-schedule';
import { defineV1Group } from './surface';

/*
 * v1 doctors (the therapists table in v1 vocabulary): CRUD, weekly schedules and date exceptions,
 * free slots, productivity.
 */
export const group = defineV1Group({
  name: 'v1-doctors',
  prefixes: ['/api/v1/doctors'],
  tag: 'v1 · Doctores',
  tenantScoped: true,
  routes: [...scheduleRoutes],
});

export const handler = createHandler(group);

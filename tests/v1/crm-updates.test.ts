import { handler as automations } from '../../functions/v1/automations';
import { handler as campaigns } from '../../functions/v1/campaigns';
import { handler as segments } from '../../functions/v1/segments';
import { tenantWithAdmin, type TestUser } from '../helpers/fixtures';
import { call } from '../helpers/http';

/*
 * A PUT carries only the fields it changes: an empty one (what a generated client or the Postman
 * collection sends) changes nothing but the write time, and answers the row (it was a 500: an UPDATE
 * with nothing to set). Every PUT moves updated_at.
 */
let admin: TestUser;
beforeAll(async () => {
  admin = (await tenantWithAdmin()).admin;
});

const cases: [string, typeof segments, string, Record<string, unknown>, Record<string, unknown>][] = [
  ['segments', segments, '/api/v1/segments', { nombre: 'Pacientes activos', reglas: [{ campo: 'estado_paciente', operador: 'igual', valor: 'activo' }] }, { nombre: 'Activos' }],
  ['campaigns', campaigns, '/api/v1/campaigns', { nombre: 'Campaña de prueba', asunto: 'Hola {{nombres}}', contenido: '<p>Hola {{nombres}}</p>' }, { nombre: 'Campaña renombrada' }],
  ['automations', automations, '/api/v1/automations', { nombre: 'Recordatorio', disparador: 'recordatorio_cita', asunto: 'Su cita', contenido: '<p>Le esperamos</p>' }, { nombre: 'Recordatorio 24 h' }],
];

it.each(cases)('%s: an empty PUT answers the unchanged row; a PUT with a field changes it and moves updated_at', async (_name, handler, base, create, change) => {
  const made = await call(handler, { method: 'POST', path: base, token: admin.token, json: create });
  expect(made.status).toBe(201);
  await new Promise((r) => setTimeout(r, 1100)); // updated_at is shown to the second
  const empty = await call(handler, { method: 'PUT', path: `${base}/${made.body.id}`, token: admin.token, json: {} });
  expect(empty.status).toBe(200);
  const { updated_at: madeAt, ...before } = made.body;
  const { updated_at: emptyAt, ...after } = empty.body;
  expect(after).toEqual(before);
  expect(emptyAt > madeAt).toBe(true);
  const changed = await call(handler, { method: 'PUT', path: `${base}/${made.body.id}`, token: admin.token, json: change });
  expect(changed.status).toBe(200);
  expect(changed.body).toMatchObject(change);
  const read = await call(handler, { path: `${base}/${made.body.id}`, token: admin.token });
  expect(read.body).toMatchObject(change);
});

import { handler } from '../../functions/v1/chat';
import { createUser, tenantWithAdmin, type TestUser } from '../helpers/fixtures';
import { call } from '../helpers/http';

/*
 * v1 chat between users of one clinic, through the real handler: the direct conversation of a pair is
 * one (created again, it answers the existing one with 200), groups, messages newest first with
 * ?since= polling, read receipts and unread counts, and only participants see a conversation: a
 * colleague of the same clinic and another clinic's user get 404.
 */
const P = '/api/v1/chat';
let ana: TestUser;
let beto: TestUser;
let carla: TestUser;
let outsider: TestUser;

beforeAll(async () => {
  const t = await tenantWithAdmin();
  ana = t.admin;
  beto = await createUser({ reflexoId: t.tenant.id });
  carla = await createUser({ reflexoId: t.tenant.id });
  outsider = (await tenantWithAdmin()).admin;
});

const start = (who: TestUser, participantes: number[], titulo?: string) => call(handler, { method: 'POST', path: `${P}/conversations`, token: who.token, json: { participantes, ...(titulo ? { titulo } : {}) } });
const say = (who: TestUser, id: number, contenido: string) => call(handler, { method: 'POST', path: `${P}/conversations/${id}/messages`, token: who.token, json: { contenido } });

it('one direct conversation per pair: created once (201), asked for again by either side (200, the same id)', async () => {
  const first = await start(ana, [beto.id]);
  expect(first.status).toBe(201);
  expect(first.body).toMatchObject({ tipo: 'directa', no_leidos: 0, ultimo_mensaje: null });
  expect(first.body.participantes.map((p: { id: number }) => p.id).sort()).toEqual([ana.id, beto.id].sort());
  const again = await start(beto, [ana.id]);
  expect(again.status).toBe(200);
  expect(again.body.id).toBe(first.body.id);
});

it('messages: newest first, ?since= brings only the newer ones, unread counts and read receipts', async () => {
  const c = (await start(ana, [beto.id, carla.id], 'Turno mañana')).body;
  expect(c).toMatchObject({ tipo: 'grupo', titulo: 'Turno mañana' });
  const m1 = await say(ana, c.id, 'Buenos días');
  expect(m1.status).toBe(201);
  expect(m1.body).toMatchObject({ conversacion_id: c.id, autor: { id: ana.id }, contenido: 'Buenos días' });
  expect(m1.body.created_at).toMatch(/Z$/);
  const m2 = (await say(ana, c.id, '¿Quién abre hoy? 🙂')).body;
  const list = await call(handler, { path: `${P}/conversations/${c.id}/messages`, token: beto.token });
  expect(list.status).toBe(200);
  expect(list.body.map((m: { id: number }) => m.id)).toEqual([m2.id, m1.body.id]);
  expect(list.headers['x-total-count']).toBe('2');
  const newer = await call(handler, { path: `${P}/conversations/${c.id}/messages`, token: beto.token, query: { since: String(m1.body.id) } });
  expect(newer.body.map((m: { id: number }) => m.id)).toEqual([m2.id]);

  const mine = (who: TestUser) => call(handler, { path: `${P}/conversations`, token: who.token });
  const unread = async (who: TestUser) => (await mine(who)).body.find((x: { id: number }) => x.id === c.id).no_leidos;
  expect(await unread(beto)).toBe(2);
  const read = await call(handler, { method: 'PUT', path: `${P}/messages/${m1.body.id}/read`, token: beto.token });
  expect(read.status).toBe(200);
  expect(read.body).toMatchObject({ mensaje_id: m1.body.id, conversacion_id: c.id, no_leidos: 1 });
  expect(await unread(beto)).toBe(1);
  expect(await unread(carla)).toBe(2);
  expect((await mine(beto)).body.find((x: { id: number }) => x.id === c.id).ultimo_mensaje).toMatchObject({ id: m2.id, autor_id: ana.id });
});

it('422 in FastAPI shape for an empty message, a message over the limit and a bad ?since=', async () => {
  const c = (await start(ana, [carla.id])).body;
  const empty = await say(ana, c.id, '   ');
  expect(empty.status).toBe(422);
  expect(empty.body.detail[0].loc).toEqual(['body', 'contenido']);
  expect((await say(ana, c.id, 'x'.repeat(4001))).status).toBe(422);
  const bad = await call(handler, { path: `${P}/conversations/${c.id}/messages`, token: ana.token, query: { since: 'ayer' } });
  expect(bad.status).toBe(422);
  expect((await call(handler, { path: `${P}/conversations/abc`, token: ana.token })).status).toBe(422);
});

it('only participants see a conversation: a colleague of the same clinic and another clinic get 404, and cannot post or mark read', async () => {
  const c = (await start(ana, [beto.id])).body;
  const m = (await say(beto, c.id, 'Privado')).body;
  for (const who of [carla, outsider]) {
    expect((await call(handler, { path: `${P}/conversations/${c.id}`, token: who.token })).status).toBe(404);
    expect((await call(handler, { path: `${P}/conversations/${c.id}/messages`, token: who.token })).status).toBe(404);
    expect((await say(who, c.id, 'hola')).status).toBe(404);
    expect((await call(handler, { method: 'PUT', path: `${P}/messages/${m.id}/read`, token: who.token })).status).toBe(404);
    const theirs = await call(handler, { path: `${P}/conversations`, token: who.token });
    expect(theirs.body.map((x: { id: number }) => x.id)).not.toContain(c.id);
  }
  // Another clinic's user cannot be added to a conversation either.
  const foreign = await start(ana, [outsider.id]);
  expect(foreign.status).toBeGreaterThanOrEqual(404);
  expect(foreign.status).toBeLessThan(500);
});

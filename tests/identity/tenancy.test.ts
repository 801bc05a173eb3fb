import { handler as auth } from '../../functions/reflexo/architect-auth';
import { handler as users } from '../../functions/reflexo/architect-users';
import { handler as patients } from '../../functions/reflexo/patients-patients';
import { handler as profiles } from '../../functions/reflexo/profiles-users';
import { createTenant, createUser, ownerKysely, uniq } from '../helpers/fixtures';
import { call } from '../helpers/http';
import { callFrom, freshIp } from '../helpers/identity';

/*
 * A self-registered user has no clinic: own-account routes work, clinic data answers 403 until assigned.
 * A deactivated clinic's users are refused everywhere, even with tokens issued before.
 */

it('register → login → profile works, patients 403 → a superuser assigns a clinic → patients 200', async () => {
  const name = uniq('solo');
  const email = `${name}@test.reflexo.pe`;
  const password = 'Ventana-Azul-77';
  expect((await call(auth, { method: 'POST', path: '/api/architect/auth/register/', json: { email, user_name: name, password, password_confirm: password } })).status).toBe(201);
  const session = (await callFrom(auth, freshIp(), { method: 'POST', path: '/api/architect/auth/login/', json: { email, password } })).body;
  expect((await call(profiles, { path: '/api/profiles/users/me/', token: session.access })).status).toBe(200);
  const denied = await call(patients, { path: '/api/patients/patients/', token: session.access });
  expect(denied.status).toBe(403);

  const su = await createUser({ superuser: true });
  const tenant = await createTenant();
  expect((await call(users, { method: 'PATCH', path: `/api/architect/users/${session.user_id}/edit/`, token: su.token, json: { reflexo_id: tenant.id } })).status).toBe(200);
  // The database wins over the token's tenant claim: the same token now reads the clinic.
  expect((await call(patients, { path: '/api/patients/patients/', token: session.access })).status).toBe(200);
});

it("a deactivated clinic's users get 403 with tokens issued before: on their profile and on clinic data; reactivated, the same token works", async () => {
  const tenant = await createTenant();
  const u = await createUser({ reflexoId: tenant.id, role: 'Admin' });
  const session = (await callFrom(auth, freshIp(), { method: 'POST', path: '/api/architect/auth/login/', json: { email: u.email, password: u.password } })).body;
  expect((await call(patients, { path: '/api/patients/patients/', token: session.access })).status).toBe(200);
  await ownerKysely().updateTable('tenants').set({ is_active: false }).where('id', '=', tenant.id).execute();
  const inactive = { detail: 'La clínica de este usuario está desactivada.' };
  for (const c of [
    { handler: profiles, path: '/api/profiles/users/me/' },
    { handler: profiles, method: 'PATCH', path: '/api/profiles/users/me/update/', json: { name: 'Cambio' } },
    { handler: patients, path: '/api/patients/patients/' },
    { handler: users, path: '/api/architect/users/' },
    { handler: auth, method: 'POST', path: '/api/architect/auth/logout/', json: {} },
  ]) {
    const { handler, ...opts } = c;
    const res = await call(handler, { ...opts, token: session.access });
    expect(res.status).toBe(403);
    expect(res.body).toEqual(inactive);
  }
  expect((await ownerKysely().selectFrom('users').select('name').where('id', '=', u.id).executeTakeFirstOrThrow()).name).toBe('Test');
  await ownerKysely().updateTable('tenants').set({ is_active: true }).where('id', '=', tenant.id).execute();
  expect((await call(profiles, { path: '/api/profiles/users/me/', token: session.access })).status).toBe(200);
});

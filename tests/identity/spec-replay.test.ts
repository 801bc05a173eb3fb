import { handler as auth } from '../../functions/reflexo/architect-auth';
import { handler as roles } from '../../functions/reflexo/architect-roles';
import { handler as users } from '../../functions/reflexo/architect-users';
import { handler as password } from '../../functions/reflexo/profiles-password';
import { handler as profiles } from '../../functions/reflexo/profiles-users';
import { handler as verification } from '../../functions/reflexo/profiles-verification';
import { createTenant, createUser, uniq } from '../helpers/fixtures';
import { call } from '../helpers/http';
import { expectKeys, TINY_JPEG } from '../helpers/identity';
import { lastMailTo } from '../helpers/mail';

/*
 * Modules 1 and 2 of reflexo-api.md, replayed in the order the contract shows them, with its own
 * request bodies: every example must get the contract's status code and carry its response keys.
 * With DEV_EXPOSE_CODES on (as under `npm start`), so the code responses have the documented `code`.
 */
beforeAll(() => {
  process.env.DEV_EXPOSE_CODES = '1';
});
afterAll(() => {
  delete process.env.DEV_EXPOSE_CODES;
});

const userListExample = {
  id: 1,
  email: 'admin@acme.com',
  user_name: 'admin',
  name: 'Admin',
  paternal_lastname: 'User',
  maternal_lastname: 'Root',
  is_active: true,
  is_staff: false,
  is_superuser: true,
};
const userCreatedExample = {
  id: 23,
  user_name: 'userexample',
  email: 'u@example.com',
  name: 'User',
  document_number: '87654321',
  paternal_lastname: 'Example',
  maternal_lastname: 'Demo',
  phone: '999888777',
  sex: 'M',
  account_statement: 'A',
  is_active: true,
  is_staff: true,
  is_superuser: false,
  created_at: '',
  updated_at: '',
};
const roleExample = { id: 3, name: 'Manager', guard_name: 'api', created_at: '', updated_at: '' };
const profileExample = {
  id: 23,
  user_name: 'userexample',
  email: 'u@example.com',
  name: 'User',
  paternal_lastname: 'Example',
  maternal_lastname: 'Demo',
  full_name: 'User Example Demo',
  phone: '999888777',
  account_statement: 'A',
  is_active: true,
  date_joined: '',
  last_login: null,
  profile_photo_url: null,
  document_number: '87654321',
  document_type: null,
  sex: 'M',
  country: null,
  photo_url: null,
};
const codeSentExample = { message: '', code: '123456', expires_at: '' };

describe('Module 1 — /api/architect/', () => {
  let superuser: Awaited<ReturnType<typeof createUser>>;
  beforeAll(async () => {
    superuser = await createUser({ superuser: true, staff: true });
  });

  it('auth: register → 201, login → 200 {email, refresh, access, user_id}, logout → 200 and the token is dead', async () => {
    const reg = await call(auth, {
      method: 'POST',
      path: '/api/architect/auth/register/',
      json: {
        email: 'nuevo@acme.com',
        user_name: 'nuevo_usuario',
        document_number: '12345678',
        name: 'Nombre',
        paternal_lastname: 'ApellidoPaterno',
        maternal_lastname: 'ApellidoMaterno',
        password: 'TuPasswordSegura',
        password_confirm: 'TuPasswordSegura',
      },
    });
    expect(reg.status).toBe(201);
    expect(reg.body).toEqual({ message: 'Usuario registrado con éxito' });

    const login = await call(auth, { method: 'POST', path: '/api/architect/auth/login/', json: { email: 'nuevo@acme.com', password: 'TuPasswordSegura' } });
    expect(login.status).toBe(200);
    expectKeys(login.body, { email: '', refresh: '', access: '', user_id: 20 });
    expect(login.body.email).toBe('nuevo@acme.com');

    const logout = await call(auth, { method: 'POST', path: '/api/architect/auth/logout/', token: login.body.access, json: {} });
    expect(logout.status).toBe(200);
    expect(logout.body).toEqual({ detail: 'Sesión cerrada. Token revocado.' });
    expect((await call(profiles, { path: '/api/profiles/users/me/', token: login.body.access })).status).toBe(401);
  });

  it('users: list (superuser / staff / normal), create, PUT, PATCH, delete', async () => {
    const list = await call(users, { path: '/api/architect/users/', token: superuser.token });
    expect(list.status).toBe(200);
    expect(Array.isArray(list.body)).toBe(true);
    expectKeys(list.body[0], userListExample);

    const staff = await createUser({ staff: true });
    const own = await call(users, { path: '/api/architect/users/', token: staff.token });
    expect(own.status).toBe(200);
    expect(own.body).toHaveLength(1);
    expect(own.body[0].id).toBe(staff.id);
    expectKeys(own.body[0], userListExample);

    const normal = await createUser();
    const denied = await call(users, { path: '/api/architect/users/', token: normal.token });
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({ error: 'No tienes permisos para acceder a esta información' });

    const createdUser = await call(users, {
      method: 'POST',
      path: '/api/architect/users/create/',
      token: superuser.token,
      json: {
        email: 'u@example.com',
        user_name: 'userexample',
        name: 'User',
        document_number: '87654321',
        paternal_lastname: 'Example',
        maternal_lastname: 'Demo',
        sex: 'M',
        phone: '999888777',
        password: 'Passw0rd#123',
        is_active: true,
        is_staff: true,
        is_superuser: false,
      },
    });
    expect(createdUser.status).toBe(201);
    expectKeys(createdUser.body, userCreatedExample);
    expect(createdUser.body).not.toHaveProperty('password');
    const id = createdUser.body.id;

    const put = await call(users, {
      method: 'PUT',
      path: `/api/architect/users/${id}/edit/`,
      token: superuser.token,
      json: { name: 'Usuario', paternal_lastname: 'Actualizado', maternal_lastname: 'Total', user_name: 'userexample', document_number: '87654321', email: 'u@example.com' },
    });
    expect(put.status).toBe(200);
    expectKeys(put.body, userCreatedExample);

    const patch = await call(users, { method: 'PATCH', path: `/api/architect/users/${id}/edit/`, token: superuser.token, json: { user_name: 'SoloNombre' } });
    expect(patch.status).toBe(200);
    expect(patch.body.user_name).toBe('SoloNombre');
    expectKeys(patch.body, userCreatedExample);

    const del = await call(users, { method: 'DELETE', path: `/api/architect/users/${id}/delete/`, token: superuser.token });
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ message: 'Usuario eliminado definitivamente' });
  });

  it('users: the notes — an admin who is not a superuser cannot delete a superuser; flags only from a superuser', async () => {
    const tenant = await createTenant();
    const admin = await createUser({ reflexoId: tenant.id, role: 'Admin', staff: true });
    const boss = await createUser({ reflexoId: tenant.id, superuser: true });
    const refused = await call(users, { method: 'DELETE', path: `/api/architect/users/${boss.id}/delete/`, token: admin.token });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ error: 'No tienes permisos para acceder a esta información' });
    // Issue 12: the spec's "ignored and saved as false" became a refusal naming the field.
    const n = uniq('flags');
    const flags = await call(users, { method: 'POST', path: '/api/architect/users/create/', token: admin.token, json: { email: `${n}@example.com`, user_name: n, password: 'Passw0rd#123', is_staff: true } });
    expect(flags.status).toBe(400);
    expect(Object.keys(flags.body)).toEqual(['is_staff']);
    const plain = await call(users, { method: 'POST', path: '/api/architect/users/create/', token: admin.token, json: { email: `${n}@example.com`, user_name: n, password: 'Passw0rd#123', is_staff: false, is_superuser: false } });
    expect(plain.status).toBe(201);
    expect(plain.body).toMatchObject({ is_staff: false, is_superuser: false });
  });

  it('roles: list, 403 for non-admins, create (400 without name), PUT, PATCH, delete, 404', async () => {
    const list = await call(roles, { path: '/api/architect/roles/', token: superuser.token });
    expect(list.status).toBe(200);
    expect(Array.isArray(list.body)).toBe(true);
    for (const r of list.body) expectKeys(r, roleExample);
    expect(list.body.every((r: { guard_name: string }) => r.guard_name === 'api')).toBe(true);
    expect((await call(roles, { path: '/api/architect/roles/' })).status).toBe(401);

    const member = await createUser();
    const denied = await call(roles, { path: '/api/architect/roles/', token: member.token });
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({ detail: 'You do not have permission to perform this action.' });

    const created = await call(roles, { method: 'POST', path: '/api/architect/roles/create/', token: superuser.token, json: { name: 'Manager', guard_name: 'api' } });
    expect(created.status).toBe(201);
    expectKeys(created.body, roleExample);
    expect(created.body).toMatchObject({ name: 'Manager', guard_name: 'api' });

    const invalid = await call(roles, { method: 'POST', path: '/api/architect/roles/create/', token: superuser.token, json: {} });
    expect(invalid.status).toBe(400);
    expect(Object.keys(invalid.body)).toEqual(['name']);

    const id = created.body.id;
    const put = await call(roles, { method: 'PUT', path: `/api/architect/roles/${id}/edit/`, token: superuser.token, json: { name: 'Senior Manager', guard_name: 'api' } });
    expect(put.status).toBe(200);
    expect(put.body.name).toBe('Senior Manager');
    const patch = await call(roles, { method: 'PATCH', path: `/api/architect/roles/${id}/edit/`, token: superuser.token, json: { name: 'Lead Manager' } });
    expect(patch.status).toBe(200);
    expectKeys(patch.body, roleExample);
    expect(patch.body.name).toBe('Lead Manager');

    const del = await call(roles, { method: 'DELETE', path: `/api/architect/roles/${id}/delete/`, token: superuser.token });
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ message: 'Rol eliminado' });
    const gone = await call(roles, { method: 'DELETE', path: `/api/architect/roles/${id}/delete/`, token: superuser.token });
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ error: 'Rol no encontrado' });
  });

  it("roles: a clinic's Admin reads them, and gets the spec's 403 on every write (issue 12: roles are shared by every clinic)", async () => {
    const tenant = await createTenant();
    const admin = await createUser({ reflexoId: tenant.id, role: 'Admin', staff: true });
    expect((await call(roles, { path: '/api/architect/roles/', token: admin.token })).status).toBe(200);
    const role = await call(roles, { method: 'POST', path: '/api/architect/roles/create/', token: superuser.token, json: { name: uniq('Manager ') } });
    for (const c of [
      { method: 'POST', path: '/api/architect/roles/create/', json: { name: 'Manager', guard_name: 'api' } },
      { method: 'PUT', path: `/api/architect/roles/${role.body.id}/edit/`, json: { name: 'Senior Manager', guard_name: 'api' } },
      { method: 'PATCH', path: `/api/architect/roles/${role.body.id}/edit/`, json: { name: 'Lead Manager' } },
      { method: 'DELETE', path: `/api/architect/roles/${role.body.id}/delete/` },
    ]) {
      const res = await call(roles, { ...c, token: admin.token });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ detail: 'You do not have permission to perform this action.' });
    }
  });
});

describe('Module 2 — /api/profiles/', () => {
  it('users: me, PUT, PATCH, photo upload and delete, search, full profile, delete me', async () => {
    const me = await createUser({ email: `${uniq('perfil')}@example.com` });
    const get = await call(profiles, { path: '/api/profiles/users/me/', token: me.token });
    expect(get.status).toBe(200);
    expectKeys(get.body, profileExample);

    const put = await call(profiles, {
      method: 'PUT',
      path: '/api/profiles/users/me/update/',
      token: me.token,
      json: { user_name: `eduardo${me.id}`, name: 'Eduardo', paternal_lastname: 'Pérez', maternal_lastname: 'Gómez', phone: '+51 988 777 666' },
    });
    expect(put.status).toBe(200);
    expect(put.body.full_name).toBe('Eduardo Pérez Gómez');
    expectKeys(put.body, profileExample);

    const patch = await call(profiles, { method: 'PATCH', path: '/api/profiles/users/me/update/', token: me.token, json: { phone: '+51 955 444 333' } });
    expect(patch.status).toBe(200);
    expect(patch.body.phone).toBe('+51 955 444 333');
    expectKeys(patch.body, profileExample);

    const photo = await call(profiles, {
      method: 'POST',
      path: '/api/profiles/users/me/create/photo/',
      token: me.token,
      multipart: { files: [{ field: 'photo_file', filename: 'mesa_redonda.JPG', contentType: 'image/jpeg', data: TINY_JPEG }] },
    });
    expect(photo.status).toBe(201);
    expectKeys(photo.body, { message: '', photo_url: '' });
    expect(photo.body.message).toBe('Foto de perfil actualizada exitosamente');
    expect(photo.body.photo_url).toMatch(/^\/media\//);

    const delPhoto = await call(profiles, { method: 'DELETE', path: '/api/profiles/users/me/delete/photo/', token: me.token });
    expect(delPhoto.status).toBe(200);
    expect(delPhoto.body).toEqual({ message: 'Foto de perfil eliminada definitivamente' });

    const search = await call(profiles, { path: '/api/profiles/users/search/', query: { q: 'eduard' }, token: me.token });
    expect(search.status).toBe(200);
    expectKeys(search.body, { count: 1, next: null, previous: null, results: [] });
    expectKeys(search.body.results[0], profileExample);
    expect(search.body.results[0].user_name).toContain('eduard');

    const full = await call(profiles, { path: '/api/profiles/users/profile/', token: me.token });
    expect(full.status).toBe(200);
    expectKeys(full.body, profileExample);

    const del = await call(profiles, { method: 'DELETE', path: '/api/profiles/users/me/delete/', token: me.token });
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ message: 'Usuario eliminado definitivamente' });
    expect((await call(profiles, { path: '/api/profiles/users/me/' })).status).toBe(401);
  });

  it('password: change (200, and 400 with a wrong current password), reset, confirm, strength, history, policy', async () => {
    const u = await createUser({ email: 'usuario@example.com', password: 'mi_contraseña_actual#1' });
    const wrong = await call(password, {
      method: 'POST',
      path: '/api/profiles/password/change/',
      token: u.token,
      json: { current_password: 'mi_contraseña_actual', new_password: 'NuevaContraseña#123', new_password_confirm: 'NuevaContraseña#123' },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toEqual({ current_password: ['La contraseña actual es incorrecta'] });

    const change = await call(password, {
      method: 'POST',
      path: '/api/profiles/password/change/',
      token: u.token,
      json: { current_password: 'mi_contraseña_actual#1', new_password: 'NuevaContraseña#123', new_password_confirm: 'NuevaContraseña#123' },
    });
    expect(change.status).toBe(200);
    expect(change.body).toEqual({ message: 'Contraseña cambiada exitosamente' });

    const reset = await call(password, { method: 'POST', path: '/api/profiles/password/reset/', json: { email: 'usuario@example.com' } });
    expect(reset.status).toBe(200);
    expectKeys(reset.body, codeSentExample);
    const mail = await lastMailTo('usuario@example.com');
    expect(mail?.body.text).toContain(reset.body.code);

    const confirm = await call(password, {
      method: 'POST',
      path: '/api/profiles/password/reset/confirm/',
      json: { code: reset.body.code, new_password: 'OtraContraseña#456', new_password_confirm: 'OtraContraseña#456' },
    });
    expect(confirm.status).toBe(200);
    expect(confirm.body).toEqual({ message: 'Contraseña restablecida exitosamente' });

    const strength = await call(password, { method: 'POST', path: '/api/profiles/password/strength/', json: { password: 'MiNuevaContraseña#123' } });
    expect(strength.status).toBe(200);
    expectKeys(strength.body, { is_strong: true, score: 8, suggestions: [] });
    expect(strength.body.is_strong).toBe(true);

    const history = await call(password, { path: '/api/profiles/password/history/', token: u.token });
    expect(history.status).toBe(200);
    expectKeys(history.body.password_history[0], { date: '', last_updated: '' });

    const policy = await call(password, { path: '/api/profiles/password/policy/', headers: { 'content-type': 'application/json' } });
    expect(policy.status).toBe(200);
    expect(policy.body).toEqual({
      rules: { min_length: 8, max_length: 128, require_letters: true, require_numbers: true, require_symbols: true, common_passwords_check: true },
      message: 'Su contraseña debe tener al menos 8 caracteres, contener letras, números y símbolos',
    });
  });

  it('verification: code, resend, e-mail change + confirm, e-mail verification + confirm, status', async () => {
    const mover = await createUser();
    const code = await call(verification, {
      method: 'POST',
      path: '/api/profiles/verification/code/',
      token: mover.token,
      json: { verification_type: 'email_change', target_email: 'nuevo@example.com' },
    });
    expect(code.status).toBe(200);
    expectKeys(code.body, { ...codeSentExample, verification_type: 'email_change' });

    const resend = await call(verification, {
      method: 'POST',
      path: '/api/profiles/verification/code/resend/',
      token: mover.token,
      json: { verification_type: 'email_change', target_email: 'nuevo@example.com' },
    });
    expect(resend.status).toBe(200);
    expectKeys(resend.body, codeSentExample);

    const change = await call(verification, { method: 'POST', path: '/api/profiles/verification/email/change/', token: mover.token, json: { new_email: 'nuevo@example.com' } });
    expect(change.status).toBe(200);
    expectKeys(change.body, codeSentExample);

    const changed = await call(verification, { method: 'POST', path: '/api/profiles/verification/email/change/confirm/', token: mover.token, json: { code: change.body.code } });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({ message: 'Email cambiado exitosamente' });

    const owner = await createUser({ email: `${uniq('verif')}@example.com` });
    const request = await call(verification, { method: 'POST', path: '/api/profiles/verification/email/', json: { email: owner.email } });
    expect(request.status).toBe(200);
    expectKeys(request.body, codeSentExample);

    const verified = await call(verification, { method: 'POST', path: '/api/profiles/verification/email/confirm/', json: { code: request.body.code } });
    expect(verified.status).toBe(200);
    expect(verified.body).toEqual({ message: 'Email verificado exitosamente' });

    await call(verification, { method: 'POST', path: '/api/profiles/verification/code/', token: owner.token, json: { verification_type: 'email_change', target_email: `${uniq('otro')}@example.com` } });
    const status = await call(verification, { path: '/api/profiles/verification/status/', token: owner.token });
    expect(status.status).toBe(200);
    expectKeys(status.body, { user_email: '', email_verified: true, active_verifications: [] });
    expect(status.body.email_verified).toBe(true);
    expectKeys(status.body.active_verifications[0], { verification_type: 'email_change', expires_at: '', attempts_remaining: 5, is_valid: true });
  });
});

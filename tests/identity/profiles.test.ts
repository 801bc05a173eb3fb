import { handler as profiles } from '../../functions/reflexo/profiles-users';
import { objectExists } from '../../lib/storage/s3';
import { createTenant, createUser, ownerKysely, tenantWithAdmin, uniq } from '../helpers/fixtures';
import { call } from '../helpers/http';
import { TINY_JPEG, TINY_PNG } from '../helpers/identity';
import { encode, ENCODINGS } from '../helpers/encodings';

/* /api/profiles/users: own profile, photo in S3 (no trace on delete), account deletion, search. */

const photoKey = async (id: number) => (await ownerKysely().selectFrom('users').select('photo_key').where('id', '=', id).executeTakeFirstOrThrow()).photo_key as string | null;
const upload = (token: string, data: Buffer, filename = 'foto.png', contentType = 'image/png') =>
  call(profiles, { method: 'POST', path: '/api/profiles/users/me/create/photo/', token, multipart: { files: [{ field: 'photo_file', filename, contentType, data }] } });

describe('me and profile', () => {
  it('return the caller with full_name, date_joined and null photo URLs; 401 without a token', async () => {
    const tenant = await createTenant();
    const u = await createUser({ reflexoId: tenant.id });
    for (const path of ['/api/profiles/users/me/', '/api/profiles/users/profile', '/api/profiles/users/me']) {
      const res = await call(profiles, { path, token: u.token });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: u.id, email: u.email, full_name: 'Test Usuario Prueba', profile_photo_url: null, photo_url: null, document_type: null, country: null, last_login: null });
      expect(res.body).not.toHaveProperty('password_hash');
    }
    expect((await call(profiles, { path: '/api/profiles/users/me/' })).status).toBe(401);
  });

  it('works for a self-registered user without a clinic', async () => {
    const loner = await createUser();
    expect((await call(profiles, { path: '/api/profiles/users/me/', token: loner.token })).status).toBe(200);
    const patch = await call(profiles, { method: 'PATCH', path: '/api/profiles/users/me/update/', token: loner.token, json: { name: 'Solo' } });
    expect(patch.status).toBe(200);
  });
});

describe('update', () => {
  it('PUT requires user_name and name; PATCH changes one field', async () => {
    const u = await createUser();
    const bad = await call(profiles, { method: 'PUT', path: '/api/profiles/users/me/update/', token: u.token, json: { phone: '1' } });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body).sort()).toEqual(['name', 'user_name']);
    const name = uniq('eduardo');
    const put = await call(profiles, { method: 'PUT', path: '/api/profiles/users/me/update/', token: u.token, json: { user_name: name, name: 'Eduardo', phone: '+51 988 777 666' } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ user_name: name, name: 'Eduardo', email: u.email, phone: '+51 988 777 666' });
    const tooLong = await call(profiles, { method: 'PATCH', path: '/api/profiles/users/me/update/', token: u.token, json: { phone: '1'.repeat(21) } });
    expect(tooLong.status).toBe(400);
    const other = await createUser();
    const dup = await call(profiles, { method: 'PATCH', path: '/api/profiles/users/me/update/', token: other.token, json: { user_name: name.toUpperCase() } });
    expect(dup.status).toBe(400);
    expect(Object.keys(dup.body)).toEqual(['user_name']);
  });

  it('e-mail, flags, clinic and role are refused when they would change, naming each; sent back unchanged they pass', async () => {
    const tenant = await createTenant();
    const u = await createUser({ reflexoId: tenant.id });
    const before = await ownerKysely().selectFrom('users').selectAll().where('id', '=', u.id).executeTakeFirstOrThrow();
    const res = await call(profiles, {
      method: 'PUT',
      path: '/api/profiles/users/me/update/',
      token: u.token,
      json: { user_name: uniq('x'), name: 'Otro', email: 'x@evil.pe', is_superuser: true, is_staff: true, reflexo_id: null, role_id: 1, is_active: false },
    });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body)).toEqual(['email', 'is_active', 'is_staff', 'is_superuser', 'reflexo_id', 'role_id']);
    expect(res.body.email).toEqual(['El email se cambia con un código de verificación (/api/profiles/verification/email/change/).']);
    const flags = await call(profiles, { method: 'PATCH', path: '/api/profiles/users/me/update/', token: u.token, json: { name: 'Otro', is_superuser: true, is_staff: true, reflexo_id: null, is_active: false } });
    expect(flags.status).toBe(400);
    expect(flags.body).toEqual(Object.fromEntries(['is_active', 'is_staff', 'is_superuser', 'reflexo_id'].map((f) => [f, ['Este campo no se puede cambiar desde el perfil.']])));
    expect(await ownerKysely().selectFrom('users').selectAll().where('id', '=', u.id).executeTakeFirstOrThrow()).toEqual(before);

    // A form that posts the whole profile back, e-mail in another case included.
    const echo = await call(profiles, {
      method: 'PATCH',
      path: '/api/profiles/users/me/update/',
      token: u.token,
      json: { name: 'Mismo', email: u.email.toUpperCase(), is_active: true, is_staff: false, is_superuser: false, reflexo_id: tenant.id, role_id: null },
    });
    expect(echo.status).toBe(200);
    expect(echo.body).toMatchObject({ name: 'Mismo', email: u.email });
  });

  it('JSON, JSON strings, urlencoded and multipart updates store the same profile (PUT and PATCH)', async () => {
    const people = await Promise.all(ENCODINGS.map(() => createUser()));
    const stored = () =>
      Promise.all(people.map(async (p) => ownerKysely().selectFrom('users').select(['name', 'paternal_lastname', 'maternal_lastname', 'phone', 'document_number', 'sex', 'is_active']).where('id', '=', p.id).executeTakeFirstOrThrow()));
    for (const [n, e] of ENCODINGS.entries()) {
      const put = await call(profiles, {
        method: 'PUT',
        path: '/api/profiles/users/me/update/',
        token: people[n].token,
        ...encode({ user_name: uniq(`perfil${n}`), name: 'Eduardo', paternal_lastname: 'Pérez', maternal_lastname: 'Gómez', phone: '+51 988 777 666', document_number: '40999888', sex: 'M', is_active: true }, e),
      });
      expect(put.status).toBe(200);
    }
    const afterPut = await stored();
    expect(afterPut[0]).toEqual({ name: 'Eduardo', paternal_lastname: 'Pérez', maternal_lastname: 'Gómez', phone: '+51 988 777 666', document_number: '40999888', sex: 'M', is_active: true });
    for (const r of afterPut) expect(r).toEqual(afterPut[0]);
    for (const [n, e] of ENCODINGS.entries()) {
      const patch = await call(profiles, { method: 'PATCH', path: '/api/profiles/users/me/update/', token: people[n].token, ...encode({ phone: '+51 955 444 333', is_superuser: false }, e) });
      expect(patch.status).toBe(200);
    }
    const afterPatch = await stored();
    expect(afterPatch[0].phone).toBe('+51 955 444 333');
    for (const r of afterPatch) expect(r).toEqual(afterPatch[0]);
  });

  it('accepts multipart with fields and a photo_file', async () => {
    const tenant = await createTenant();
    const u = await createUser({ reflexoId: tenant.id });
    const res = await call(profiles, {
      method: 'PATCH',
      path: '/api/profiles/users/me/update/',
      token: u.token,
      multipart: { fields: { phone: '955444333' }, files: [{ field: 'photo_file', filename: 'x.png', contentType: 'image/png', data: TINY_PNG }] },
    });
    expect(res.status).toBe(200);
    expect(res.body.phone).toBe('955444333');
    expect(res.body.profile_photo_url).toMatch(new RegExp(`^/media/tenants/${tenant.id}/users/[0-9a-f-]{36}\\.png$`));
    expect(res.body.photo_url).toBe(`http://localhost:8000${res.body.profile_photo_url}`);
  });
});

describe('photo', () => {
  it('stores under the tenant prefix with a server-made key; replacing deletes the old object; delete leaves no trace', async () => {
    const tenant = await createTenant();
    const u = await createUser({ reflexoId: tenant.id });
    const first = await upload(u.token, TINY_JPEG, 'retrato final.gif', 'image/gif');
    expect(first.status).toBe(201);
    expect(first.body.message).toBe('Foto de perfil actualizada exitosamente');
    const key1 = (await photoKey(u.id))!;
    expect(key1).toMatch(new RegExp(`^tenants/${tenant.id}/users/[0-9a-f-]{36}\\.jpg$`));
    expect(first.body.photo_url).toBe(`/media/${key1}`);
    expect(await objectExists(key1)).toBe(true);

    const second = await upload(u.token, TINY_PNG);
    expect(second.status).toBe(201);
    const key2 = (await photoKey(u.id))!;
    expect(key2).not.toBe(key1);
    expect(await objectExists(key1)).toBe(false);
    expect(await objectExists(key2)).toBe(true);

    const del = await call(profiles, { method: 'DELETE', path: '/api/profiles/users/me/delete/photo/', token: u.token });
    expect(del.status).toBe(200);
    expect(await photoKey(u.id)).toBeNull();
    expect(await objectExists(key2)).toBe(false);
    const again = await call(profiles, { method: 'DELETE', path: '/api/profiles/users/me/delete/photo/', token: u.token });
    expect(again.status).toBe(404);
  });

  it('refuses other types by content, files over 2 MB, empty and missing files (400 on photo_file)', async () => {
    const u = await createUser();
    const gif = Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'binary');
    const big = Buffer.concat([TINY_PNG, Buffer.alloc(2 * 1024 * 1024)]);
    for (const data of [gif, big, Buffer.alloc(0)]) {
      const res = await upload(u.token, data, 'foto.png', 'image/png');
      expect(res.status).toBe(400);
      expect(Object.keys(res.body)).toEqual(['photo_file']);
    }
    const none = await call(profiles, { method: 'POST', path: '/api/profiles/users/me/create/photo/', token: u.token, multipart: { fields: { a: 'b' } } });
    expect(none.status).toBe(400);
    expect(none.body).toEqual({ photo_file: ['No se envió ningún archivo.'] });
    expect(await photoKey(u.id)).toBeNull();
  });

  it('a user without a clinic stores under the global prefix', async () => {
    const u = await createUser();
    expect((await upload(u.token, TINY_PNG)).status).toBe(201);
    expect(await photoKey(u.id)).toMatch(/^tenants\/global\/users\//);
  });
});

describe('delete me', () => {
  it('removes the row and the photo; the token stops working', async () => {
    const tenant = await createTenant();
    const u = await createUser({ reflexoId: tenant.id });
    await upload(u.token, TINY_PNG);
    const key = (await photoKey(u.id))!;
    const res = await call(profiles, { method: 'DELETE', path: '/api/profiles/users/me/delete/', token: u.token });
    expect(res.status).toBe(200);
    expect(await ownerKysely().selectFrom('users').select('id').where('id', '=', u.id).executeTakeFirst()).toBeUndefined();
    expect(await objectExists(key)).toBe(false);
    expect((await call(profiles, { path: '/api/profiles/users/me/', token: u.token })).status).toBe(401);
  });
});

describe('search', () => {
  it('partial, case-insensitive, paginated with next/previous; only the caller\'s clinic', async () => {
    const a = await tenantWithAdmin();
    const b = await tenantWithAdmin();
    const stem = uniq('busca').toLowerCase();
    for (let i = 0; i < 3; i++) {
      const u = await createUser({ reflexoId: a.tenant.id });
      await ownerKysely().updateTable('users').set({ user_name: `${stem}${i}` }).where('id', '=', u.id).execute();
    }
    const outsider = await createUser({ reflexoId: b.tenant.id });
    await ownerKysely().updateTable('users').set({ user_name: `${stem}x` }).where('id', '=', outsider.id).execute();

    const page1 = await call(profiles, { path: '/api/profiles/users/search/', query: { q: stem.toUpperCase(), page_size: 2 }, token: a.admin.token });
    expect(page1.status).toBe(200);
    expect(page1.body.count).toBe(3);
    expect(page1.body.results.map((r: { user_name: string }) => r.user_name)).toEqual([`${stem}0`, `${stem}1`]);
    expect(page1.body.previous).toBeNull();
    expect(page1.body.next).toBe(`http://localhost:8000/api/profiles/users/search/?q=${stem.toUpperCase()}&page_size=2&page=2`);
    const page2 = await call(profiles, { path: '/api/profiles/users/search', query: { q: stem, page_size: 2, page: 2 }, token: a.admin.token });
    expect(page2.body.results).toHaveLength(1);
    expect(page2.body.next).toBeNull();

    const fromB = await call(profiles, { path: '/api/profiles/users/search/', query: { q: stem }, token: b.admin.token });
    expect(fromB.body.results.map((r: { id: number }) => r.id)).toEqual([outsider.id]);
    const wildcard = await call(profiles, { path: '/api/profiles/users/search/', query: { q: '%' }, token: a.admin.token });
    expect(wildcard.body.count).toBe(0);
    expect((await call(profiles, { path: '/api/profiles/users/search/', query: { page: 0 }, token: a.admin.token })).status).toBe(400);
  });

  it('a user without a clinic finds only themself', async () => {
    const loner = await createUser();
    const res = await call(profiles, { path: '/api/profiles/users/search/', query: { q: 'u' }, token: loner.token });
    expect(res.body.results.map((r: { id: number }) => r.id)).toEqual([loner.id]);
  });
});

import { handler as tenants } from '../../functions/reflexo/architect-tenants';
import { handler as auth } from '../../functions/reflexo/architect-auth';
import { handler as appointments } from '../../functions/reflexo/appointments-appointments';
import { handler as histories } from '../../functions/reflexo/configurations-histories';
import { handler as patients } from '../../functions/reflexo/patients-patients';
import { handler as password } from '../../functions/reflexo/profiles-password';
import { handler as profiles } from '../../functions/reflexo/profiles-users';
import { PLATFORM_PERMISSION } from '../../lib/auth/actor';
import { createUser, ownerKysely, tenantWithAdmin, uniq, type TestUser } from '../helpers/fixtures';
import { call } from '../helpers/http';
import { callFrom, freshIp } from '../helpers/identity';
import { lastMailTo } from '../helpers/mail';
import { createPatient, createTherapist, limaDate } from '../helpers/scheduling-fixtures';
import { encode, ENCODINGS, sendEveryWay } from '../helpers/encodings';

/*
 * Onboarding clinics through /api/architect/tenants (beyond the spec, superusers only): a clinic born
 * ready to book and number histories, its first administrator who sets a password with the mailed
 * code, the wall between clinics, deactivation that refuses and reactivation that gives everything back.
 */
const P = '/api/architect/tenants';
const NEW_PASSWORD = 'Río-Claro-2026!';

let su: TestUser;
beforeAll(async () => {
  su = await createUser({ superuser: true, staff: true });
});

const create = (json: Record<string, unknown>, token = su.token, path = `${P}/`) => call(tenants, { method: 'POST', path, token, json });
const db = () => ownerKysely();
const tenantRow = (id: number) => db().selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
const codeIn = (text: string) => /Su código es: (\d{6})/.exec(text)?.[1];

describe('create', () => {
  it('without a first administrator: the clinic, its company row, counters and catalogs, in one 201', async () => {
    const name = uniq('Clínica Sur ');
    const res = await create({ name, time_zone: 'America/Bogota' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      name,
      time_zone: 'America/Bogota',
      is_active: true,
      created_at: expect.any(String),
      updated_at: expect.any(String),
      company_id: expect.any(Number),
      admin: null,
    });
    const id = res.body.id as number;
    expect(await tenantRow(id)).toMatchObject({ name, time_zone: 'America/Bogota', is_active: true });
    expect(await db().selectFrom('company_data').select(['id', 'company_name']).where('reflexo_id', '=', id).execute()).toEqual([{ id: res.body.company_id, company_name: name }]);
    expect(await db().selectFrom('ticket_counters').select('last_number').where('reflexo_id', '=', id).execute()).toEqual([{ last_number: 0 }]);
    expect(await db().selectFrom('history_counters').select('last_local_id').where('reflexo_id', '=', id).execute()).toEqual([{ last_local_id: 0 }]);
    const live = await db().selectFrom('tenant_live_counts').select(['entity', 'live']).where('reflexo_id', '=', id).orderBy('entity').execute();
    expect(live).toEqual([
      { entity: 'appointments', live: 0 },
      { entity: 'patients', live: 0 },
    ]);
    expect(await db().selectFrom('users').select('id').where('reflexo_id', '=', id).execute()).toEqual([]);
    // The v1 per-clinic catalogs come from the tenants trigger (migration 0025), whoever creates the clinic.
    expect((await db().selectFrom('clinic_catalog_entries').select('id').where('reflexo_id', '=', id).execute()).length).toBeGreaterThan(0);
    const audit = await db().selectFrom('audit_log').select(['action', 'user_id', 'reflexo_id']).where('entity', '=', 'tenants').where('entity_id', '=', String(id)).execute();
    expect(audit).toEqual([{ action: 'create', user_id: su.id, reflexo_id: id }]);
  });

  it('time zone defaults to the deployment default (America/Lima), and the collection answers without the trailing slash', async () => {
    const res = await create({ name: uniq('Clínica Lima ') }, su.token, P);
    expect(res.status).toBe(201);
    expect(res.body.time_zone).toBe('America/Lima');
    expect((await tenantRow(res.body.id))!.time_zone).toBe('America/Lima');
  });

  it('with a first administrator: Admin role, code by mail, password set with it, login, booking and a history in the new clinic', async () => {
    const email = `${uniq('duena')}@clinica-nueva.pe`.toLowerCase();
    const name = uniq('Clínica Norte ');
    const res = await create({ name, admin_email: email, admin_name: 'Rosa', admin_paternal_lastname: 'Quispe' });
    expect(res.status).toBe(201);
    const id = res.body.id as number;
    expect(res.body.admin).toEqual({ id: expect.any(Number), email, user_name: email, role_id: expect.any(Number), code_expires_at: expect.any(String) });
    // Without the development flag the code never appears in a response.
    expect(res.body.admin.code).toBeUndefined();

    const user = await db().selectFrom('users').leftJoin('roles', 'roles.id', 'users.role_id').select(['users.reflexo_id', 'users.is_superuser', 'users.is_staff', 'users.name', 'users.paternal_lastname', 'roles.code']).where('users.id', '=', res.body.admin.id).executeTakeFirstOrThrow();
    expect(user).toEqual({ reflexo_id: id, is_superuser: false, is_staff: true, name: 'Rosa', paternal_lastname: 'Quispe', code: 'admin' });

    // Nobody knows the initial password: logging in before setting one fails like any wrong password.
    const ip = freshIp();
    expect((await callFrom(auth, ip, { method: 'POST', path: '/api/architect/auth/login/', json: { email, password: NEW_PASSWORD } })).status).toBe(401);

    const mail = await lastMailTo(email);
    expect(mail?.subject).toBe(`Bienvenido a Reflexo: ${name}`);
    const code = codeIn(mail!.body.text!);
    expect(code).toMatch(/^\d{6}$/);
    const confirmed = await call(password, { method: 'POST', path: '/api/profiles/password/reset/confirm/', json: { code, new_password: NEW_PASSWORD, new_password_confirm: NEW_PASSWORD } });
    expect(confirmed.status).toBe(200);
    // One-time: the same code does nothing the second time.
    expect((await call(password, { method: 'POST', path: '/api/profiles/password/reset/confirm/', json: { code, new_password: 'Otra-Clave-2026!', new_password_confirm: 'Otra-Clave-2026!' } })).status).toBe(400);

    const login = await callFrom(auth, freshIp(), { method: 'POST', path: '/api/architect/auth/login/', json: { email, password: NEW_PASSWORD } });
    expect(login.status).toBe(200);
    const token = login.body.access as string;

    // The clinic works at once: a booking takes ticket 1 of its own counter, a history local id 1.
    const patient = await createPatient(id);
    const therapist = await createTherapist(id);
    const booked = await call(appointments, { method: 'POST', path: '/api/appointments/appointments/create/', token, json: { patient: patient.id, therapist: therapist.id, appointment_date: limaDate(5), hour: '10:00', payment: 90 } });
    expect(booked.status).toBe(201);
    const ticket = await db().selectFrom('tickets').select(['ticket_number', 'reflexo_id']).where('appointment_id', '=', booked.body.id).executeTakeFirstOrThrow();
    expect(ticket).toEqual({ ticket_number: 'TKT-000001', reflexo_id: id });
    expect(await db().selectFrom('ticket_counters').select('last_number').where('reflexo_id', '=', id).execute()).toEqual([{ last_number: 1 }]);
    const history = await call(histories, { method: 'POST', path: '/api/configurations/histories/create/', token, json: { patient: patient.id } });
    expect(history.status).toBe(201);
    expect((await db().selectFrom('histories').select('local_id').where('id', '=', history.body.id).executeTakeFirstOrThrow()).local_id).toBe(1);
    const list = await call(patients, { path: '/api/patients/patients/', token });
    expect(list.body.count).toBe(1);

    // The wall: another clinic's admin cannot see the new clinic's rows, nor the new admin theirs (404).
    const other = await tenantWithAdmin();
    const theirs = await createPatient(other.tenant.id);
    expect((await call(patients, { path: `/api/patients/patients/${patient.id}/`, token: other.admin.token })).status).toBe(404);
    expect((await call(appointments, { path: `/api/appointments/appointments/${booked.body.id}/`, token: other.admin.token })).status).toBe(404);
    expect((await call(patients, { path: `/api/patients/patients/${theirs.id}/`, token })).status).toBe(404);
    expect((await call(patients, { path: `/api/patients/patients/${patient.id}/`, token })).status).toBe(200);
  });

  it('admin_user_name, when given, is the login name; an e-mail already in use is a 400 on admin_email and leaves no clinic behind', async () => {
    const email = `${uniq('adm')}@test.reflexo.pe`;
    const userName = uniq('recepcion_');
    const res = await create({ name: uniq('Clínica Este '), admin_email: email, admin_user_name: userName });
    expect(res.status).toBe(201);
    expect(res.body.admin.user_name).toBe(userName);

    const name = uniq('Clínica Repetida ');
    const taken = await create({ name, admin_email: email.toUpperCase() });
    expect(taken.status).toBe(400);
    expect(taken.body).toEqual({ admin_email: ['Ya existe un usuario con este email.'] });
    expect(await db().selectFrom('tenants').select('id').where('name', '=', name).execute()).toEqual([]);
  });

  it('validation errors are DRF field maps, all at once, and nothing is written', async () => {
    const before = (await db().selectFrom('tenants').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
    const cases: [Record<string, unknown>, Record<string, string[]>][] = [
      [{}, { name: ['Este campo es requerido.'] }],
      [{ name: '   ' }, { name: ['Este campo no puede estar en blanco.'] }],
      [{ name: uniq('Z '), time_zone: 'Mars/Olympus_Mons' }, { time_zone: [expect.stringContaining('no es una zona horaria IANA conocida')] as never }],
      // Intl knows a lower-case spelling, PostgreSQL's catalogue spells it one way: the stored name must be that one.
      [{ name: uniq('Z '), time_zone: 'america/lima' }, { time_zone: [expect.stringContaining('no es una zona horaria IANA conocida')] as never }],
      [{ name: uniq('Z '), admin_email: 'no-es-un-correo' }, { admin_email: ['Introduzca una dirección de correo electrónico válida.'] }],
      [{ name: uniq('Z '), admin_name: 'Rosa' }, { admin_email: ['Es requerido cuando se envía admin_name.'] }],
      [{ name: 'x'.repeat(256), is_active: 'quizás' }, { name: ['Asegúrese de que este campo no tenga más de 255 caracteres.'], is_active: ['Debe ser un valor booleano válido.'] }],
    ];
    for (const [json, errors] of cases) {
      const res = await create(json);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(errors);
    }
    const after = (await db().selectFrom('tenants').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
    expect(after).toBe(before);
  });

  it('a name already taken, ignoring case, accents and spaces, is a 409 naming the field', async () => {
    const base = uniq('Clínica Ñandú ');
    expect((await create({ name: base })).status).toBe(201);
    for (const name of [base, ` ${base.toUpperCase()} `, base.replace('í', 'i')]) {
      const dup = await create({ name });
      expect(dup.status).toBe(409);
      expect(dup.body).toEqual({ name: ['Ya existe una clínica con este nombre.'] });
    }
    expect(await db().selectFrom('tenants').select('id').where('name', 'ilike', `%${base.slice(-8)}%`).execute()).toHaveLength(1);
  });

  it('DRF-era input: multipart, urlencoded and string-valued JSON create and edit the same rows as JSON', async () => {
    const tag = uniq('');
    const created = await sendEveryWay(tenants, { method: 'POST', path: `${P}/`, token: su.token }, (e) => ({ name: `Clínica Forma ${tag} ${e}`, time_zone: 'America/La_Paz', is_active: false, admin_email: '' }));
    const rows = [];
    for (const e of ENCODINGS) {
      expect(created[e].status).toBe(201);
      const r = await tenantRow(created[e].body.id);
      rows.push({ name: r!.name.replace(` ${e}`, ''), time_zone: r!.time_zone, is_active: r!.is_active });
    }
    expect(new Set(rows.map((r) => JSON.stringify(r))).size).toBe(1);
    expect(rows[0]).toEqual({ name: `Clínica Forma ${tag}`, time_zone: 'America/La_Paz', is_active: false });

    // Each clinic edited in the encoding it was created with.
    for (const e of ENCODINGS) {
      const res = await call(tenants, { method: 'PATCH', path: `${P}/${created[e].body.id}/`, token: su.token, ...encode({ time_zone: 'Europe/Madrid', is_active: true }, e) });
      expect(res.status).toBe(200);
      expect(await tenantRow(created[e].body.id)).toMatchObject({ time_zone: 'Europe/Madrid', is_active: true });
    }
  });
});

describe('read', () => {
  it('lists clinics as a DRF page (page, page_size, is_active, search) and shows one; an unknown id is 404', async () => {
    const tag = uniq('Lista');
    const ids: number[] = [];
    for (const [i, active] of [true, false, true].entries()) ids.push((await create({ name: `Clínica ${tag} ${i}`, is_active: active })).body.id);
    const page1 = await call(tenants, { path: `${P}/`, token: su.token, query: { search: tag, page_size: 2 } });
    expect(page1.status).toBe(200);
    expect(page1.body).toEqual({
      count: 3,
      next: `http://localhost:8000${P}/?page_size=2&search=${tag}&page=2`,
      previous: null,
      results: [expect.objectContaining({ id: ids[0], is_active: true }), expect.objectContaining({ id: ids[1], is_active: false })],
    });
    const page2 = await call(tenants, { path: P, token: su.token, query: { search: tag, page_size: 2, page: 2 } });
    expect(page2.body.results.map((t: { id: number }) => t.id)).toEqual([ids[2]]);
    const inactive = await call(tenants, { path: `${P}/`, token: su.token, query: { search: tag.toLowerCase(), is_active: 'false' } });
    expect(inactive.body.results.map((t: { id: number }) => t.id)).toEqual([ids[1]]);

    const one = await call(tenants, { path: `${P}/${ids[1]}`, token: su.token });
    expect(one.status).toBe(200);
    expect(one.body).toEqual({ id: ids[1], name: `Clínica ${tag} 1`, time_zone: 'America/Lima', is_active: false, created_at: expect.any(String), updated_at: expect.any(String) });
    expect((await call(tenants, { path: `${P}/999999999/`, token: su.token })).status).toBe(404);
    expect((await call(tenants, { path: `${P}/abc/`, token: su.token })).status).toBe(404);
  });
});

describe('access', () => {
  it('superusers only: clinic admins, platform staff and plain users get 403 on every route; no token 401', async () => {
    const { tenant, admin } = await tenantWithAdmin();
    const platform = await createUser({ staff: true });
    await db().updateTable('users').set({ permissions: [PLATFORM_PERMISSION] }).where('id', '=', platform.id).execute();
    const plain = await createUser({ reflexoId: tenant.id });
    const name = uniq('Clínica Prohibida ');
    for (const who of [admin, platform, plain]) {
      for (const req of [
        { path: `${P}/` },
        { method: 'POST', path: `${P}/`, json: { name } },
        { path: `${P}/${tenant.id}/` },
        { method: 'PATCH', path: `${P}/${tenant.id}/`, json: { is_active: false } },
        { method: 'PUT', path: `${P}/${tenant.id}/`, json: { name } },
      ]) {
        const res = await call(tenants, { ...req, token: who.token });
        expect(res.status).toBe(403);
        expect(res.body).toEqual({ detail: 'Usted no tiene permiso para realizar esta acción.' });
      }
    }
    expect((await call(tenants, { path: `${P}/` })).status).toBe(401);
    expect(await db().selectFrom('tenants').select('id').where('name', '=', name).execute()).toEqual([]);
    expect((await tenantRow(tenant.id))!.is_active).toBe(true);
    // No delete: a clinic is deactivated, never removed through the API.
    expect((await call(tenants, { method: 'DELETE', path: `${P}/${tenant.id}/`, token: su.token })).status).toBe(405);
  });
});

describe('edit, deactivate, reactivate', () => {
  it("deactivated: the clinic's users get 403 on clinic data and on their profile with the tokens they hold; data stays; reactivated: everything is back", async () => {
    const { tenant, admin } = await tenantWithAdmin();
    const patient = await createPatient(tenant.id);
    expect((await call(patients, { path: `/api/patients/patients/${patient.id}/`, token: admin.token })).status).toBe(200);

    const off = await call(tenants, { method: 'PATCH', path: `${P}/${tenant.id}/`, token: su.token, json: { is_active: false } });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ id: tenant.id, is_active: false });
    const inactive = { detail: 'La clínica de este usuario está desactivada.' };
    for (const [handler, path] of [
      [patients, `/api/patients/patients/${patient.id}/`],
      [patients, '/api/patients/patients/'],
      [profiles, '/api/profiles/users/me/'],
    ] as const) {
      const res = await call(handler, { path, token: admin.token });
      expect(res.status).toBe(403);
      expect(res.body).toEqual(inactive);
    }
    // A new login is refused too, and the rows are all still there.
    const relogin = await callFrom(auth, freshIp(), { method: 'POST', path: '/api/architect/auth/login/', json: { email: admin.email, password: admin.password } });
    expect({ status: relogin.status, body: relogin.body }).toEqual({ status: 403, body: inactive });
    expect(await db().selectFrom('patients').select('id').where('id', '=', patient.id).executeTakeFirst()).toEqual({ id: patient.id });
    const audit = await db().selectFrom('audit_log').select(['action', 'changed_fields']).where('entity', '=', 'tenants').where('entity_id', '=', String(tenant.id)).execute();
    expect(audit).toEqual([{ action: 'update', changed_fields: ['is_active'] }]);

    const on = await call(tenants, { method: 'PATCH', path: `${P}/${tenant.id}`, token: su.token, json: { is_active: true } });
    expect(on.status).toBe(200);
    const back = await call(patients, { path: `/api/patients/patients/${patient.id}/`, token: admin.token });
    expect(back.status).toBe(200);
    expect(back.body.name).toBe(patient.name);
    expect((await call(profiles, { path: '/api/profiles/users/me/', token: admin.token })).status).toBe(200);
  });

  it('renames and moves time zone with PATCH and PUT; the company row keeps its own name; a duplicate is 409', async () => {
    const first = await create({ name: uniq('Clínica Vieja ') });
    const id = first.body.id as number;
    const renamed = uniq('Clínica Nueva ');
    const patch = await call(tenants, { method: 'PATCH', path: `${P}/${id}/`, token: su.token, json: { name: renamed, time_zone: 'America/Mexico_City' } });
    expect(patch.status).toBe(200);
    expect(patch.body).toMatchObject({ name: renamed, time_zone: 'America/Mexico_City', is_active: true });
    expect(await db().selectFrom('company_data').select('company_name').where('reflexo_id', '=', id).execute()).toEqual([{ company_name: first.body.name }]);

    const put = await call(tenants, { method: 'PUT', path: `${P}/${id}/`, token: su.token, json: { name: `${renamed} II` } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ name: `${renamed} II`, time_zone: 'America/Mexico_City' });
    const putWithoutName = await call(tenants, { method: 'PUT', path: `${P}/${id}/`, token: su.token, json: { time_zone: 'UTC' } });
    expect(putWithoutName.status).toBe(400);
    expect(putWithoutName.body).toEqual({ name: ['Este campo es requerido.'] });

    const other = await create({ name: uniq('Clínica Otra ') });
    const dup = await call(tenants, { method: 'PATCH', path: `${P}/${id}/`, token: su.token, json: { name: other.body.name.toLowerCase() } });
    expect(dup.status).toBe(409);
    expect(dup.body).toEqual({ name: ['Ya existe una clínica con este nombre.'] });
    const bad = await call(tenants, { method: 'PATCH', path: `${P}/${id}/`, token: su.token, json: { time_zone: 'GMT+5' } });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body)).toEqual(['time_zone']);
    expect(await tenantRow(id)).toMatchObject({ name: `${renamed} II`, time_zone: 'America/Mexico_City' });
    expect((await call(tenants, { method: 'PATCH', path: `${P}/999999999/`, token: su.token, json: { is_active: false } })).status).toBe(404);
  });

  it('a superuser cannot deactivate the clinic they belong to (they would lock themselves out)', async () => {
    const own = await create({ name: uniq('Clínica Propia ') });
    const member = await createUser({ superuser: true, reflexoId: own.body.id });
    const res = await call(tenants, { method: 'PATCH', path: `${P}/${own.body.id}/`, token: member.token, json: { is_active: false } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ is_active: ['No puede desactivar la clínica a la que usted pertenece.'] });
    expect((await tenantRow(own.body.id))!.is_active).toBe(true);
  });
});

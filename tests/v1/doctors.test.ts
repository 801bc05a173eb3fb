import { handler } from '../../functions/v1/doctors';
import { handler as therapists } from '../../functions/reflexo/therapists-therapists';
import { createUser, ownerKysely, tenantWithAdmin, uniq, type TestUser } from '../helpers/fixtures';
import { call } from '../helpers/http';
import { createPatient, createTherapist, limaDate, STATUS } from '../helpers/scheduling-fixtures';
import { statementsOf } from '../helpers/statements';

/* v1 doctors: CRUD over the therapists table, the clinic's specialties, productivity; through the real handler. */
let admin: TestUser;
let staff: TestUser;
let tenantId: number;
const P = '/api/v1/doctors';

beforeAll(async () => {
  const t = await tenantWithAdmin();
  admin = t.admin;
  tenantId = t.tenant.id;
  staff = await createUser({ reflexoId: tenantId });
});

const create = (json: Record<string, unknown>, token = admin.token) => call(handler, { method: 'POST', path: P, token, json });

describe('CRUD', () => {
  it('creates a doctor with only nombres + apellidos (no Reflexo rules), reads, edits, lists and soft-deletes it', async () => {
    const made = await create({ nombres: 'Carlos', apellidos: 'Gómez Ruiz', especialidad: 'odontologia', telefono: '555-1234', email: 'c.gomez@consultorio.com', color: '#3366ff' });
    expect(made.status).toBe(201);
    expect(made.body).toEqual({
      id: expect.any(Number),
      nombres: 'Carlos',
      apellidos: 'Gómez Ruiz',
      nombre: 'Carlos Gómez Ruiz',
      especialidad: 'Odontología',
      telefono: '555-1234',
      email: 'c.gomez@consultorio.com',
      color: '#3366ff',
      activo: true,
      created_at: expect.stringMatching(/Z$/),
      updated_at: expect.stringMatching(/Z$/),
    });
    const id = made.body.id;
    const row = await ownerKysely().selectFrom('therapists').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ reflexo_id: tenantId, first_name: 'Carlos', last_name_paternal: 'Gómez', last_name_maternal: 'Ruiz', specialty: 'Odontología', document_number: null, document_type_id: null, region_id: null });

    const minimal = await create({ nombres: 'Lucía', apellidos: 'Paz' });
    expect(minimal.status).toBe(201);
    expect(minimal.body).toMatchObject({ apellidos: 'Paz', nombre: 'Lucía Paz', especialidad: null, telefono: null, email: null, color: null, activo: true });

    const got = await call(handler, { path: `${P}/${id}`, token: staff.token });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(made.body);

    const edited = await call(handler, { method: 'PUT', path: `${P}/${id}`, token: admin.token, json: { apellidos: 'Gómez', activo: false, telefono: null } });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ nombres: 'Carlos', apellidos: 'Gómez', nombre: 'Carlos Gómez', activo: false, telefono: null, especialidad: 'Odontología' });
    expect(await ownerKysely().selectFrom('therapists').select(['last_name_paternal', 'last_name_maternal', 'phone', 'is_active']).where('id', '=', id).executeTakeFirstOrThrow()).toEqual({
      last_name_paternal: 'Gómez',
      last_name_maternal: null,
      phone: null,
      is_active: false,
    });

    const gone = await call(handler, { method: 'DELETE', path: `${P}/${id}`, token: admin.token });
    expect(gone.status).toBe(204);
    expect((await ownerKysely().selectFrom('therapists').select('deleted_at').where('id', '=', id).executeTakeFirstOrThrow()).deleted_at).not.toBeNull();
    expect((await call(handler, { path: `${P}/${id}`, token: admin.token })).status).toBe(404);
    const list = await call(handler, { path: P, token: admin.token, query: { size: 200 } });
    expect(list.body.map((d: { id: number }) => d.id)).not.toContain(id);
  });

  it('lists as a bare array with X-Total-Count and Link; filters activo, especialidad, search', async () => {
    const { tenant, admin: a } = await tenantWithAdmin();
    const mk = async (over: Record<string, unknown>) => (await createTherapist(tenant.id, over)).id;
    const ana = await mk({ first_name: 'Ana', last_name_paternal: 'Quispe', specialty: 'Fisioterapia' });
    const beto = await mk({ first_name: 'Beto', last_name_paternal: 'Rojas', specialty: 'fisioterapia ', is_active: false });
    const caro = await mk({ first_name: 'Carolina', last_name_paternal: 'Soto', specialty: 'Reflexología' });

    const page1 = await call(handler, { path: P, token: a.token, query: { page: 1, size: 2 } });
    expect(page1.status).toBe(200);
    expect(Array.isArray(page1.body)).toBe(true);
    expect(page1.body.map((d: { id: number }) => d.id)).toEqual([ana, beto]);
    expect(page1.headers['x-total-count']).toBe('3');
    expect(page1.headers.link).toContain('rel="next"');
    expect(page1.headers.link).toContain('page=2');
    const page2 = await call(handler, { path: P, token: a.token, query: { page: 2, size: 2 } });
    expect(page2.body.map((d: { id: number }) => d.id)).toEqual([caro]);

    const ids = async (query: Record<string, string>) => (await call(handler, { path: P, token: a.token, query })).body.map((d: { id: number }) => d.id);
    expect(await ids({ activo: 'true' })).toEqual([ana, caro]);
    expect(await ids({ activo: 'false' })).toEqual([beto]);
    expect(await ids({ especialidad: 'FISIOTERAPIA' })).toEqual([ana, beto]);
    expect(await ids({ search: 'soto' })).toEqual([caro]);
    expect(await ids({ especialidad: 'Fisioterapia', activo: 'true' })).toEqual([ana]);
  });

  it('especialidad must be one of the clinic’s specialties once it has any (stored with the catalog’s spelling); 422 otherwise', async () => {
    const { tenant, admin: a } = await tenantWithAdmin();
    // A new clinic starts with the default specialties; emptied, its catalog accepts any value.
    await ownerKysely().deleteFrom('clinic_catalog_entries').where('reflexo_id', '=', tenant.id).where('catalog', '=', 'specialties').execute();
    expect((await create({ nombres: 'Eva', apellidos: 'Luna', especialidad: 'Lo que sea' }, a.token)).status).toBe(201);
    await ownerKysely().insertInto('clinic_catalog_entries').values({ reflexo_id: tenant.id, catalog: 'specialties', name: 'Reflexología' }).execute();
    const ok = await create({ nombres: 'Eva', apellidos: 'Sol', especialidad: 'reflexologia' }, a.token);
    expect(ok.status).toBe(201);
    expect(ok.body.especialidad).toBe('Reflexología');
    const bad = await create({ nombres: 'Eva', apellidos: 'Mar', especialidad: 'Cardiología' }, a.token);
    expect(bad.status).toBe(422);
    expect(bad.body.detail[0]).toMatchObject({ loc: ['body', 'especialidad'], input: 'Cardiología' });
    const badEdit = await call(handler, { method: 'PUT', path: `${P}/${ok.body.id}`, token: a.token, json: { especialidad: 'Cardiología' } });
    expect(badEdit.status).toBe(422);
    expect(badEdit.body.detail[0].loc).toEqual(['body', 'especialidad']);
  });

  it('422 in FastAPI shape for body, path and query errors', async () => {
    const missing = await create({ apellidos: 'Gómez' });
    expect(missing.status).toBe(422);
    expect(missing.body.detail).toEqual([expect.objectContaining({ loc: ['body', 'nombres'], type: expect.any(String), msg: expect.any(String) })]);
    const color = await create({ nombres: 'A', apellidos: 'B', color: 'red' });
    expect(color.status).toBe(422);
    expect(color.body.detail[0]).toMatchObject({ loc: ['body', 'color'], input: 'red' });
    const email = await create({ nombres: 'A', apellidos: 'B', email: 'no-es-email' });
    expect(email.body.detail[0].loc).toEqual(['body', 'email']);
    const path = await call(handler, { path: `${P}/abc`, token: admin.token });
    expect(path.status).toBe(422);
    expect(path.body.detail[0]).toMatchObject({ loc: ['path', 'doctor_id'], input: 'abc' });
    const query = await call(handler, { path: P, token: admin.token, query: { activo: 'quizas' } });
    expect(query.status).toBe(422);
    expect(query.body.detail[0].loc).toEqual(['query', 'activo']);
  });

  it('clinic admins write; other users of the clinic read (403 on writes)', async () => {
    const d = (await createTherapist(tenantId)).id;
    expect((await call(handler, { path: P, token: staff.token })).status).toBe(200);
    expect((await call(handler, { path: `${P}/${d}`, token: staff.token })).status).toBe(200);
    const post = await create({ nombres: 'No', apellidos: 'Permitido' }, staff.token);
    expect(post.status).toBe(403);
    expect(post.body).toEqual({ detail: expect.any(String) });
    expect((await call(handler, { method: 'PUT', path: `${P}/${d}`, token: staff.token, json: { nombres: 'X' } })).status).toBe(403);
    expect((await call(handler, { method: 'DELETE', path: `${P}/${d}`, token: staff.token })).status).toBe(403);
    expect((await ownerKysely().selectFrom('therapists').select(['deleted_at']).where('id', '=', d).executeTakeFirstOrThrow()).deleted_at).toBeNull();
    expect((await call(handler, { path: `${P}/${d}/productivity`, token: staff.token })).status).toBe(200);
  });

  it('another clinic’s doctor is 404 on every route with an id, and never listed', async () => {
    const other = await tenantWithAdmin();
    const theirs = (await createTherapist(other.tenant.id, { first_name: 'Ajeno' })).id;
    for (const [method, path, json] of [
      ['GET', `${P}/${theirs}`],
      ['PUT', `${P}/${theirs}`, { nombres: 'Robado' }],
      ['DELETE', `${P}/${theirs}`],
      ['GET', `${P}/${theirs}/productivity`],
    ] as [string, string, unknown?][]) {
      const res = await call(handler, { method, path, token: admin.token, json });
      expect([method, path, res.status]).toEqual([method, path, 404]);
      expect(res.body).toEqual({ detail: expect.any(String) });
    }
    const row = await ownerKysely().selectFrom('therapists').select(['first_name', 'deleted_at']).where('id', '=', theirs).executeTakeFirstOrThrow();
    expect(row).toEqual({ first_name: 'Ajeno', deleted_at: null });
    const list = await call(handler, { path: P, token: admin.token, query: { size: 200 } });
    expect(list.body.map((d: { id: number }) => d.id)).not.toContain(theirs);
  });
});

describe('cross-surface', () => {
  it('a doctor created on v1 is the Reflexo therapist, with nulls where it has no data', async () => {
    const made = await create({ nombres: 'Rosa', apellidos: 'Vargas Llosa', telefono: '999111222', email: 'rosa@consultorio.com' });
    const detail = await call(therapists, { path: `/api/therapists/therapists/${made.body.id}/`, token: admin.token });
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({
      id: made.body.id,
      reflexo_id: tenantId,
      first_name: 'Rosa',
      last_name_paternal: 'Vargas',
      last_name_maternal: 'Llosa',
      full_name: 'Rosa Vargas Llosa',
      phone: '999111222',
      email: 'rosa@consultorio.com',
      is_active: true,
      document_type: null,
      document_number: null,
      birth_date: null,
      gender: null,
      personal_reference: null,
      region: null,
      province: null,
      district: null,
      address: null,
      profile_picture: null,
    });
    const list = await call(therapists, { path: '/api/therapists/therapists/', token: admin.token, query: { search: 'Vargas Llosa' } });
    expect(list.status).toBe(200);
    expect(list.body.results.map((t: { id: number }) => t.id)).toEqual([made.body.id]);
  });

  it('a Reflexo therapist reads on v1 in v1 vocabulary', async () => {
    const t = (await createTherapist(tenantId, { first_name: 'Mario', last_name_paternal: 'Paredes', last_name_maternal: 'Ríos', phone: '987654321', specialty: 'Podología', color: '#aabbcc' })).id;
    const res = await call(handler, { path: `${P}/${t}`, token: admin.token });
    expect(res.body).toMatchObject({ id: t, nombres: 'Mario', apellidos: 'Paredes Ríos', nombre: 'Mario Paredes Ríos', telefono: '987654321', especialidad: 'Podología', color: '#aabbcc', activo: true });
  });
});

describe('productivity', () => {
  const kindId = async (kind: string) => ((await ownerKysely().selectFrom('appointment_statuses').select('id').where('kind', '=', kind).orderBy('id').executeTakeFirstOrThrow()) as { id: number }).id;
  let hour = 0;
  const appointment = async (reflexoId: number, therapistId: number, patientId: number, date: string, status: number, duration: number, over: Record<string, unknown> = {}) => {
    hour++;
    return (
      (await ownerKysely()
        .insertInto('appointments')
        .values({ reflexo_id: reflexoId, patient_id: patientId, therapist_id: therapistId, appointment_date: date, hour: `${String(6 + (hour % 14)).padStart(2, '0')}:00:00`, duration_minutes: duration, appointment_status_id: status, ...over })
        .returning('id')
        .executeTakeFirstOrThrow()) as { id: number }
    ).id;
  };
  const paidTicket = (reflexoId: number, appointmentId: number, amount: string, paidAt: string, status = 'paid') =>
    ownerKysely().insertInto('tickets').values({ reflexo_id: reflexoId, appointment_id: appointmentId, ticket_number: uniq('TKT-'), amount, payment_method: 'cash', status, payment_date: new Date(paidAt) }).execute();

  it('counts appointments by estado, completed sessions, hours and paid income over the given days (SQL aggregates)', async () => {
    const { tenant, admin: a } = await tenantWithAdmin();
    const d = (await createTherapist(tenant.id)).id;
    const other = (await createTherapist(tenant.id)).id;
    const p1 = (await createPatient(tenant.id)).id;
    const p2 = (await createPatient(tenant.id)).id;
    const confirmed = await kindId('confirmed');
    const noShow = await kindId('no_show');
    const c1 = await appointment(tenant.id, d, p1, '2024-03-04', STATUS.completed, 60);
    const c2 = await appointment(tenant.id, d, p2, '2024-03-05', STATUS.completed, 30);
    const c3 = await appointment(tenant.id, d, p1, '2024-03-31', STATUS.completed, 45);
    await appointment(tenant.id, d, p1, '2024-03-06', STATUS.pending, 60);
    await appointment(tenant.id, d, p2, '2024-03-07', STATUS.rescheduled, 30);
    await appointment(tenant.id, d, p2, '2024-03-08', confirmed, 30);
    await appointment(tenant.id, d, p2, '2024-03-09', noShow, 30);
    const cancelled = await appointment(tenant.id, d, p1, '2024-03-10', STATUS.cancelled, 60, { cancelled_at: new Date() });
    // A pending appointment cancelled by timestamp counts as cancelled too.
    await appointment(tenant.id, d, p1, '2024-03-11', STATUS.pending, 60, { cancelled_at: new Date() });
    // Not counted: another day, another doctor, deleted.
    await appointment(tenant.id, d, p1, '2024-04-01', STATUS.completed, 60);
    const others = await appointment(tenant.id, other, p1, '2024-03-04', STATUS.completed, 60);
    await appointment(tenant.id, d, p1, '2024-03-12', STATUS.completed, 60, { deleted_at: new Date() });

    await paidTicket(tenant.id, c1, '80.00', '2024-03-04T16:00:00Z');
    await paidTicket(tenant.id, c2, '45.50', '2024-03-05T16:00:00Z');
    // 2024-03-31 23:00 in Lima is 2024-04-01 04:00 UTC: still March for the clinic.
    await paidTicket(tenant.id, c3, '20.25', '2024-04-01T04:00:00Z');
    // Not counted: pending, another doctor's, paid on 1 April Lima time.
    await paidTicket(tenant.id, cancelled, '99.00', '2024-03-10T16:00:00Z', 'pending');
    await paidTicket(tenant.id, others, '70.00', '2024-03-04T16:00:00Z');

    const res = await call(handler, { path: `${P}/${d}/productivity`, token: a.token, query: { start_date: '2024-03-01', end_date: '2024-03-31' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      doctor: { id: d, nombres: expect.any(String), apellidos: 'García López', nombre: expect.stringContaining('García López') },
      fecha_desde: '2024-03-01',
      fecha_hasta: '2024-03-31',
      zona_horaria: 'America/Lima',
      total_citas: 9,
      citas_por_estado: { Programada: 2, Confirmada: 1, 'En curso': 0, Completada: 3, Cancelada: 2, 'No asistió': 1 },
      sesiones_completadas: 3,
      pacientes_atendidos: 2,
      // 60+30+45 completed, +60 +30 +30 +30 pending/rescheduled/confirmed/no-show = 285 min.
      horas_agendadas: 4.75,
      horas_completadas: 2.25,
      ingresos: 145.75,
      tickets_pagados: 3,
    });
    // A ticket paid at 01:00 Lima on 1 April belongs to April.
    const april = (await ownerKysely().selectFrom('appointments').select('id').where('therapist_id', '=', d).where('appointment_date', '=', '2024-04-01').executeTakeFirstOrThrow()) as { id: number };
    await paidTicket(tenant.id, april.id, '10.00', '2024-04-01T06:00:00Z');
    const again = await call(handler, { path: `${P}/${d}/productivity`, token: a.token, query: { start_date: '2024-03-01', end_date: '2024-03-31' } });
    expect(again.body.ingresos).toBe(145.75);
    const aprilOnly = await call(handler, { path: `${P}/${d}/productivity`, token: a.token, query: { start_date: '2024-04-01', end_date: '2024-04-01' } });
    expect(aprilOnly.body).toMatchObject({ total_citas: 1, sesiones_completadas: 1, ingresos: 10, tickets_pagados: 1 });
  });

  it('costs the same statements for one appointment as for many', async () => {
    const { tenant, admin: a } = await tenantWithAdmin();
    const d = (await createTherapist(tenant.id)).id;
    const p = (await createPatient(tenant.id)).id;
    const count = () =>
      statementsOf(async () => expect((await call(handler, { path: `${P}/${d}/productivity`, token: a.token, query: { start_date: '2024-05-01', end_date: '2024-05-31' } })).status).toBe(200));
    const c = await appointment(tenant.id, d, p, '2024-05-02', STATUS.completed, 30);
    await paidTicket(tenant.id, c, '10.00', '2024-05-02T15:00:00Z');
    const one = await count();
    expect(one).toBeGreaterThan(2);
    for (let i = 3; i < 28; i++) await appointment(tenant.id, d, p, `2024-05-${String(i).padStart(2, '0')}`, i % 2 ? STATUS.completed : STATUS.pending, 30);
    expect(await count()).toBe(one);
  });

  it('defaults to the clinic’s current month; one date alone covers the rest of its month; 422 for reversed, over 366 days, or bad dates', async () => {
    const { tenant, admin: a } = await tenantWithAdmin();
    const d = (await createTherapist(tenant.id)).id;
    const p = (await createPatient(tenant.id)).id;
    const today = limaDate(0);
    await appointment(tenant.id, d, p, today, STATUS.pending, 60);
    const month = today.slice(0, 7);
    const [y, m] = month.split('-').map(Number);
    const last = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
    const res = await call(handler, { path: `${P}/${d}/productivity`, token: a.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ fecha_desde: `${month}-01`, fecha_hasta: last, total_citas: 1, horas_agendadas: 1, ingresos: 0, tickets_pagados: 0 });

    const startOnly = await call(handler, { path: `${P}/${d}/productivity`, token: a.token, query: { start_date: '2024-02-10' } });
    expect(startOnly.body).toMatchObject({ fecha_desde: '2024-02-10', fecha_hasta: '2024-02-29', total_citas: 0 });
    const endOnly = await call(handler, { path: `${P}/${d}/productivity`, token: a.token, query: { end_date: '2024-02-10' } });
    expect(endOnly.body).toMatchObject({ fecha_desde: '2024-02-01', fecha_hasta: '2024-02-10' });

    const reversed = await call(handler, { path: `${P}/${d}/productivity`, token: a.token, query: { start_date: '2024-03-10', end_date: '2024-03-01' } });
    expect(reversed.status).toBe(422);
    expect(reversed.body.detail[0]).toMatchObject({ loc: ['query', 'end_date'], input: '2024-03-01' });
    const tooLong = await call(handler, { path: `${P}/${d}/productivity`, token: a.token, query: { start_date: '2023-01-01', end_date: '2024-01-02' } });
    expect(tooLong.status).toBe(422);
    expect((await call(handler, { path: `${P}/${d}/productivity`, token: a.token, query: { start_date: '2023-01-01', end_date: '2024-01-01' } })).status).toBe(200);
    const bad = await call(handler, { path: `${P}/${d}/productivity`, token: a.token, query: { start_date: '2024-02-30' } });
    expect(bad.status).toBe(422);
    expect(bad.body.detail[0].loc).toEqual(['query', 'start_date']);
  });
});

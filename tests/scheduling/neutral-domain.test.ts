import { handler as therapists } from '../../functions/reflexo/therapists-therapists';
import { handler as appointments } from '../../functions/reflexo/appointments-appointments';
import type { Actor } from '../../lib/auth/actor';
import { withTenant } from '../../lib/db/tenant';
import { AppError, ValidationError } from '../../lib/errors';
import { bookAppointment, editAppointment } from '../../lib/domain/appointments';
import { createTherapist, editTherapist } from '../../lib/domain/therapists';
import { createUser, ownerKysely, tenantWithAdmin, uniq } from '../helpers/fixtures';
import { call } from '../helpers/http';
import { createPatient, limaDate } from '../helpers/scheduling-fixtures';

/*
 * The scheduling domain as the v1 surface calls it: plain inputs with none of the Reflexo contract's
 * therapist rules (a doctor is {nombres, apellidos, especialidad}), bookings on the clinic's wall
 * clock with a status by kind. What such a write leaves in the database must still read on Reflexo.
 */
let clinic: { id: number };
let user: { id: number; token: string };
let actor: Actor;
const asClinic = <T>(fn: (db: Parameters<Parameters<typeof withTenant>[1]>[0]) => Promise<T>) => withTenant({ reflexoId: clinic.id, global: false, userId: user.id }, (db) => fn(db));
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as AppError);

beforeAll(async () => {
  clinic = (await tenantWithAdmin()).tenant;
  user = await createUser({ reflexoId: clinic.id });
  actor = { userId: user.id, reflexoId: clinic.id, isSuperuser: false, isStaff: false, role: null, isClinicAdmin: false, isPlatform: false, jti: 'test', tokenExp: 0 };
});

describe('a v1 doctor is a therapist without the Reflexo fields', () => {
  it('is created from names, specialty and colour only, and lists on Reflexo with nulls where it has no data', async () => {
    const doctor = await asClinic((db) => createTherapist(db, actor, { first_name: 'Carlos', last_name_paternal: 'Gómez', specialty: 'Traumatología', color: '#1a2B3c', email: 'carlos@hotmail.com', phone: '555-1234' }));
    expect(doctor).toMatchObject({ first_name: 'Carlos', last_name_paternal: 'Gómez', specialty: 'Traumatología', color: '#1a2B3c', is_active: true, document_type_id: null });
    const stored = await ownerKysely().selectFrom('therapists').selectAll().where('id', '=', doctor.id).executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ reflexo_id: clinic.id, document_type_id: null, document_number: null, last_name_maternal: null, region_id: null, email: 'carlos@hotmail.com' });

    const detail = await call(therapists, { path: `/api/therapists/therapists/${doctor.id}/`, token: user.token });
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({
      id: doctor.id,
      document_type: null,
      document_number: null,
      last_name_maternal: null,
      full_name: 'Carlos Gómez',
      email: 'carlos@hotmail.com',
      region: null,
      province: null,
      district: null,
      is_active: true,
    });
    const list = await call(therapists, { path: '/api/therapists/therapists/', token: user.token });
    expect(list.body.results.map((t: any) => t.id)).toContain(doctor.id);

    // Reflexo's rules apply to what a Reflexo write touches: the phone may change, a lone district may not.
    const phone = await call(therapists, { method: 'PATCH', path: `/api/therapists/therapists/${doctor.id}/edit/`, token: user.token, json: { phone: '999111222' } });
    expect(phone.status).toBe(200);
    const district = await call(therapists, { method: 'PATCH', path: `/api/therapists/therapists/${doctor.id}/edit/`, token: user.token, json: { district_id: 150122 } });
    expect(district.body).toEqual({ region_id: ['Este campo es requerido para validar la ubicación.'], province_id: ['Este campo es requerido para validar la ubicación.'] });
    const number = await call(therapists, { method: 'PATCH', path: `/api/therapists/therapists/${doctor.id}/edit/`, token: user.token, json: { document_number: '12345678' } });
    expect(number.body).toEqual({ document_type_id: ['Este campo es requerido.'] });
    // ... and a Reflexo PUT (which replaces the contract's fields) leaves the v1-only ones alone.
    const put = await call(therapists, {
      method: 'PUT',
      path: `/api/therapists/therapists/${doctor.id}/`,
      token: user.token,
      json: { document_type_id: 'DNI', document_number: '45678912', first_name: 'Carlos', last_name_paternal: 'Gómez', last_name_maternal: 'Ruiz', email: 'carlos@gmail.com', region_id: 15, province_id: 1501, district_id: 150122, phone: '999111222' },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ document_type: { id: expect.any(Number) }, district: { id: 150122, name: 'Miraflores' } });
    expect((await ownerKysely().selectFrom('therapists').select(['specialty', 'color', 'phone']).where('id', '=', doctor.id).executeTakeFirstOrThrow())).toEqual({ specialty: 'Traumatología', color: '#1a2B3c', phone: '999111222' });
  });

  it('needs a first name and a paternal surname; the colour is #rrggbb; documents stay unique where both parts are present', async () => {
    const missing = await failure(asClinic((db) => createTherapist(db, actor, { first_name: ' ' })));
    expect(missing).toBeInstanceOf(ValidationError);
    expect((missing as ValidationError).issues.map((i) => i.loc)).toEqual([
      ['body', 'first_name'],
      ['body', 'last_name_paternal'],
    ]);
    const colour = await failure(asClinic((db) => createTherapist(db, actor, { first_name: 'Ana', last_name_paternal: 'Ruiz', color: 'red' })));
    expect((colour as ValidationError).issues).toEqual([{ loc: ['body', 'color'], msg: 'Use un color hexadecimal #rrggbb.', type: 'value_error' }]);
    // Two doctors without a document never collide; a repeated (type, number) does, named by type name.
    await asClinic((db) => createTherapist(db, actor, { first_name: 'Uno', last_name_paternal: 'Sin documento' }));
    await asClinic((db) => createTherapist(db, actor, { first_name: 'Dos', last_name_paternal: 'Sin documento' }));
    await asClinic((db) => createTherapist(db, actor, { first_name: 'Tres', last_name_paternal: 'Con documento', document_type: 'dni', document_number: '70000001' }));
    const dup = await failure(asClinic((db) => createTherapist(db, actor, { first_name: 'Cuatro', last_name_paternal: 'Con documento', document_type: 'DNI', document_number: '70000001' })));
    expect(dup).toMatchObject({ status: 409, code: 'therapist_document_exists' });
    const unknown = await failure(asClinic((db) => createTherapist(db, actor, { first_name: 'Cinco', last_name_paternal: 'X', document_type: 'Libreta' })));
    expect((unknown as ValidationError).issues[0]).toMatchObject({ loc: ['body', 'document_type_id'], msg: 'Tipo de documento inválido.' });
  });

  it('edits with plain input and deactivates; a deactivated doctor cannot be booked', async () => {
    const doctor = await asClinic((db) => createTherapist(db, actor, { first_name: 'Eva', last_name_paternal: 'Lima' }));
    const off = await asClinic((db) => editTherapist(db, actor, doctor.id, { is_active: false, specialty: 'Pediatría' }));
    expect(off).toMatchObject({ is_active: false, specialty: 'Pediatría', deleted_at: null });
    const patient = await createPatient(clinic.id);
    const refused = await failure(asClinic((db) => bookAppointment(db, actor, { patient_id: patient.id, therapist_id: doctor.id, date: limaDate(9), hour: '09:00' })));
    expect((refused as ValidationError).issues).toEqual([{ loc: ['body', 'therapist_id'], msg: 'El terapeuta no existe o no está activo.', type: 'invalid', input: doctor.id }]);
    const reflexo = await call(appointments, { method: 'POST', path: '/api/appointments/appointments/create/', token: user.token, json: { patient: patient.id, therapist: doctor.id, appointment_date: limaDate(9), hour: '09:00' } });
    expect(reflexo.body).toEqual({ therapist: ['El terapeuta no existe o no está activo.'] });
    const free = await call(appointments, { path: '/api/appointments/appointments/check_availability/', token: user.token, query: { date: limaDate(9), hour: '09:00' } });
    expect(free.body.available_therapists.map((t: any) => t.id)).not.toContain(doctor.id);
  });
});

describe('booking with a neutral input', () => {
  it('books on the clinic’s wall clock with a status by kind, a reason and contact data; the ticket is pending and so is the payment status', async () => {
    const doctor = await asClinic((db) => createTherapist(db, actor, { first_name: 'Raúl', last_name_paternal: 'Núñez' }));
    const patient = await createPatient(clinic.id);
    const booked = await asClinic((db) =>
      bookAppointment(db, actor, {
        patient_id: patient.id,
        therapist_id: doctor.id,
        date: limaDate(12),
        hour: '10:00',
        duration_minutes: 45,
        status: { kind: 'confirmed' },
        reason: 'Revisión y limpieza anual',
        contact_phone: '555-1234',
        contact_email: 'ana@email.com',
      }),
    );
    expect(booked).toMatchObject({ appointment_date: limaDate(12), hour: '10:00:00', duration_minutes: 45, status_kind: 'confirmed', ailments: 'Revisión y limpieza anual', contact_phone: '555-1234', contact_email: 'ana@email.com', ticket_status: 'pending', payment_status_code: 'pending' });
    const ticket = await ownerKysely().selectFrom('tickets').selectAll().where('appointment_id', '=', booked.id).executeTakeFirstOrThrow();
    expect(ticket).toMatchObject({ status: 'pending', amount: '0.00', ticket_number: expect.stringMatching(/^TKT-\d{6}$/) });

    // Same slot, same doctor: PostgreSQL refuses it, with the code both surfaces render.
    const clash = await failure(asClinic((db) => bookAppointment(db, actor, { patient_id: patient.id, therapist_id: doctor.id, date: limaDate(12), hour: '10:30' })));
    expect(clash).toMatchObject({ status: 409, code: 'therapist_unavailable' });
    // A status by id or by (case-insensitive) name, and the errors name the input's own fields.
    const name = uniq('Estado neutro ');
    const own = await ownerKysely().insertInto('appointment_statuses').values({ name }).returning('id').executeTakeFirstOrThrow();
    const byName = await asClinic((db) => editAppointment(db, actor, booked.id, { status: name.toUpperCase() }));
    expect(byName.appointment_status_id).toBe(own.id);
    const bad = await failure(asClinic((db) => editAppointment(db, actor, booked.id, { status: 'Inexistente', date: limaDate(-3) })));
    expect((bad as ValidationError).issues.map((i) => i.loc)).toEqual([
      ['body', 'date'],
      ['body', 'status'],
    ]);
  });
});

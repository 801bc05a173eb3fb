import { handler as reports } from '../../functions/reflexo/company-reports';
import { handler as stats } from '../../functions/reflexo/company-statistics';
import { createUser, ownerKysely } from '../helpers/fixtures';
import { call } from '../helpers/http';
import { addAppointment, addPatient, addTherapist, createPaymentTypes } from './clinic-data';
import { clinicScenario, D, D_NEXT, type Scenario } from './scenario';

/* Module 8 of reflexo-api.md: statistics and JSON reports against hand-computed figures. */

let s: Scenario;
beforeAll(async () => {
  s = await clinicScenario();
});
const get = (path: string, query?: Record<string, string | number>, token = s.admin.token) => call(reports, { path, query, token });

describe('statistics', () => {
  const expected = () => ({
    terapeutas: [
      { id: s.therapists.carlos, terapeuta: 'Rodríguez Martínez, Carlos', sesiones: 3, ingresos: 190, raiting: 5 },
      // (1 / 2) * 0.7 + (80.5 / 135.25) * 0.3 = 0.528558…; Carlos: 1.5 * 0.7 + (190 / 135.25) * 0.3 = 1.471442…
      { id: s.therapists.lucia, terapeuta: 'Paredes Soto, Lucía', sesiones: 1, ingresos: 80.5, raiting: 1.8 },
    ],
    tipos_pago: { [s.pay.cash.name]: 2, [s.pay.plin.name]: 1, [s.pay.yape.name]: 1 },
    metricas: { ttlpacientes: 3, ttlsesiones: 4, ttlganancias: 270.5 },
    ingresos: { Lunes: 230.5, Martes: 40 },
    sesiones: { Lunes: 3, Martes: 1 },
    tipos_pacientes: { c: 2, cc: 1 },
  });

  it('reports/statistics/ counts live appointments of the range, money summed exactly', async () => {
    const res = await get('/api/company/reports/statistics/', { start: D, end: '2025-08-28' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(expected());
  });

  it('statistics/metricas/ answers the same, with or without the trailing slash', async () => {
    const res = await call(stats, { path: '/api/company/statistics/metricas', query: { start: D, end: '2025-08-28' }, token: s.admin.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(expected());
  });

  it('appointment types fold by case and spaces, blank ones are none; sessions and income per weekday', async () => {
    // A week of the scenario's clinic that nothing else uses: Monday 2025-09-01 … Sunday 2025-09-07.
    const base = { reflexoId: s.tenant.id, therapistId: s.therapists.lucia, hour: '10:00', paymentType: s.pay.cash.id };
    const week = [
      { date: '2025-09-01', type: 'c', payment: '10.00', patientId: s.patients.ana },
      { date: '2025-09-01', type: ' C ', payment: '20.00', patientId: s.patients.jose, hour: '11:00' },
      { date: '2025-09-03', type: 'Cc', payment: '5.50', patientId: s.patients.ana },
      { date: '2025-09-07', type: '  ', payment: '1.00', patientId: s.patients.pedro },
      { date: '2025-09-08', type: 'C', payment: '7.00', patientId: s.patients.pedro }, // Monday again
    ];
    for (const a of week) await addAppointment({ ...base, ...a });
    const res = await get('/api/company/reports/statistics/', { start: '2025-09-01', end: '2025-09-08' });
    expect(res.status).toBe(200);
    expect(res.body.tipos_pacientes).toEqual({ c: 3, cc: 1 });
    expect(res.body.sesiones).toEqual({ Lunes: 3, 'Miércoles': 1, Domingo: 1 });
    expect(res.body.ingresos).toEqual({ Lunes: 37, 'Miércoles': 5.5, Domingo: 1 });
    expect(res.body.metricas).toEqual({ ttlpacientes: 3, ttlsesiones: 5, ttlganancias: 43.5 });
  });

  it('an empty range gives zeros and empty maps', async () => {
    const res = await get('/api/company/reports/statistics/', { start: '2020-01-01', end: '2020-01-31' });
    expect(res.body).toEqual({
      terapeutas: [],
      tipos_pago: {},
      metricas: { ttlpacientes: 0, ttlsesiones: 0, ttlganancias: 0 },
      ingresos: {},
      sesiones: {},
      tipos_pacientes: { c: 0, cc: 0 },
    });
  });

  it('start and end are required, YYYY-MM-DD, start ≤ end, at most a year apart', async () => {
    const missing = await get('/api/company/reports/statistics/');
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ start: ['Este campo es requerido.'], end: ['Este campo es requerido.'] });
    const bad = await get('/api/company/reports/statistics/', { start: '25-08-2025', end: '2025-02-30' });
    expect(bad.body).toEqual({ start: ['Formato de fecha inválido. Use YYYY-MM-DD.'], end: ['Formato de fecha inválido. Use YYYY-MM-DD.'] });
    const reversed = await call(stats, { path: '/api/company/statistics/metricas/', query: { start: '2025-08-28', end: D }, token: s.admin.token });
    expect(reversed.status).toBe(400);
    expect(reversed.body).toEqual({ non_field_errors: ['La fecha de inicio no puede ser posterior a la fecha de fin.'] });
    const long = await get('/api/company/reports/statistics/', { start: '2024-01-01', end: '2025-12-31' });
    expect(long.body).toEqual({ non_field_errors: ['El rango no puede superar 366 días.'] });
  });

  it('requires authentication', async () => {
    expect((await call(stats, { path: '/api/company/statistics/metricas/', query: { start: D, end: D } })).status).toBe(401);
  });
});

describe('JSON reports', () => {
  it('appointments-per-therapist: live appointments of the day with percentages', async () => {
    const res = await get('/api/company/reports/appointments-per-therapist/', { date: D });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      therapists_appointments: [
        { id: s.therapists.carlos, first_name: 'Carlos', last_name_paternal: 'Rodríguez', last_name_maternal: 'Martínez', appointments_count: 2, percentage: 66.67 },
        { id: s.therapists.lucia, first_name: 'Lucía', last_name_paternal: 'Paredes', last_name_maternal: 'Soto', appointments_count: 1, percentage: 33.33 },
      ],
      total_appointments_count: 3,
    });
  });

  it('daily-cash: the day\'s appointment payments with their type, newest first', async () => {
    const res = await get('/api/company/reports/daily-cash', { date: D });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { id_cita: s.appointments.a3.id, payment: '80.50', payment_type: s.pay.cash.id, payment_type_name: s.pay.cash.name },
      { id_cita: s.appointments.a2.id, payment: '50.00', payment_type: s.pay.cash.id, payment_type_name: s.pay.cash.name },
      { id_cita: s.appointments.a1.id, payment: '100.00', payment_type: s.pay.yape.id, payment_type_name: s.pay.yape.name },
    ]);
  });

  it('patients-by-therapist: patients grouped under each therapist with their appointment counts', async () => {
    const res = await get('/api/company/reports/patients-by-therapist/', { date: D });
    expect(res.body).toEqual([
      { therapist_id: String(s.therapists.lucia), therapist: 'Paredes Soto Lucía', patients: [{ patient_id: s.patients.ana, patient: 'García Hernández Ana Sofía', appointments: 1 }] },
      {
        therapist_id: String(s.therapists.carlos),
        therapist: 'Rodríguez Martínez Carlos',
        patients: [
          { patient_id: s.patients.ana, patient: 'García Hernández Ana Sofía', appointments: 1 },
          { patient_id: s.patients.jose, patient: 'García Hernández Jose Sofía', appointments: 1 },
        ],
      },
    ]);
  });

  it('appointments-between-dates: ordered by date and hour; the 23:30 appointment stays on its Lima day', async () => {
    const res = await get('/api/company/reports/appointments-between-dates/', { start_date: D, end_date: D_NEXT });
    expect(res.status).toBe(200);
    expect(res.body.map((r: any) => [r.appointment_id, r.appointment_date, r.appointment_hour])).toEqual([
      [s.appointments.a1.id, D, '09:00'],
      [s.appointments.a2.id, D, '10:00'],
      [s.appointments.a3.id, D, '23:30'],
      [s.appointments.a6.id, D_NEXT, '09:00'],
    ]);
    expect(res.body[0]).toEqual({
      appointment_id: s.appointments.a1.id,
      patient_id: s.patients.ana,
      document_number_patient: '11111111',
      patient: 'García Hernández Ana Sofía',
      primary_phone_patient: '+51 444 444 444',
      appointment_date: D,
      appointment_hour: '09:00',
    });
    const missing = await get('/api/company/reports/appointments-between-dates/', { start_date: D });
    expect(missing.body).toEqual({ end_date: ['Este campo es requerido.'] });
  });

  it('improved-daily-cash: every payment once; a ticket paid at 23:45 Lima belongs to that Lima day', async () => {
    const res = await get('/api/company/reports/improved-daily-cash/', { date: D });
    expect(res.status).toBe(200);
    const { a1, a2, a3, a7 } = s.appointments;
    expect(res.body.pagos_detallados).toEqual([
      { tipo: 'Ticket', id: a7.ticketId, ticket_number: a7.ticketNumber, monto: '30.00', metodo_pago: s.pay.cash.name, paciente: 'Quispe Mamani Pedro', terapeuta: 'Paredes Soto Lucía', fecha_pago: `${D} 08:00` },
      { tipo: 'Cita', id: a1.id, ticket_number: a1.ticketNumber, monto: '100.00', metodo_pago: s.pay.yape.name, paciente: 'García Hernández Ana Sofía', terapeuta: 'Rodríguez Martínez Carlos', fecha_pago: `${D} 09:00` },
      { tipo: 'Ticket', id: a2.ticketId, ticket_number: a2.ticketNumber, monto: '50.00', metodo_pago: s.pay.cash.name, paciente: 'García Hernández Jose Sofía', terapeuta: 'Rodríguez Martínez Carlos', fecha_pago: `${D} 10:30` },
      { tipo: 'Ticket', id: a3.ticketId, ticket_number: a3.ticketNumber, monto: '80.50', metodo_pago: s.pay.yape.name, paciente: 'García Hernández Ana Sofía', terapeuta: 'Paredes Soto Lucía', fecha_pago: `${D} 23:45` },
    ]);
    expect(res.body.resumen_por_metodo).toEqual([
      { metodo: s.pay.yape.name, cantidad_pagos: 2, total: '180.50' },
      { metodo: s.pay.cash.name, cantidad_pagos: 2, total: '80.00' },
    ]);
    expect(res.body).toMatchObject({ fecha: D, total_general: '260.50', cantidad_total_pagos: 4 });

    // The next Lima day (already "today" in UTC when A3 was paid) has only A6's payment.
    const next = await get('/api/company/reports/improved-daily-cash/', { date: D_NEXT });
    expect(next.body.pagos_detallados.map((p: any) => [p.tipo, p.id, p.monto])).toEqual([['Cita', s.appointments.a6.id, '40.00']]);
    expect(next.body).toMatchObject({ total_general: '40.00', cantidad_total_pagos: 1, resumen_por_metodo: [{ metodo: s.pay.plin.name, cantidad_pagos: 1, total: '40.00' }] });
  });

  it('a day with nothing gives empty lists and zero totals', async () => {
    expect((await get('/api/company/reports/improved-daily-cash/', { date: '2020-01-01' })).body).toEqual({
      fecha: '2020-01-01',
      pagos_detallados: [],
      resumen_por_metodo: [],
      total_general: '0.00',
      cantidad_total_pagos: 0,
    });
    expect((await get('/api/company/reports/appointments-per-therapist/', { date: '2020-01-01' })).body).toEqual({ therapists_appointments: [], total_appointments_count: 0 });
    expect((await get('/api/company/reports/daily-cash/', { date: '2020-01-01' })).body).toEqual([]);
  });

  it('improved-daily-cash defaults date to today in the clinic time zone; a malformed date is a 400', async () => {
    const today = await ownerKysely()
      .selectNoFrom((eb) => eb.fn<string>('to_char', [eb.fn('timezone', [eb.val('America/Lima'), eb.fn('now')]), eb.val('YYYY-MM-DD')]).as('d'))
      .executeTakeFirstOrThrow();
    const { tenant, admin } = await (await import('../helpers/fixtures')).tenantWithAdmin();
    const t = await addTherapist(tenant.id, 'Hoy', 'Día', 'Actual');
    const p = await addPatient(tenant.id, 'Paciente', 'De', 'Hoy', '44444444');
    const pay = await createPaymentTypes();
    await addAppointment({ reflexoId: tenant.id, patientId: p, therapistId: t, date: today.d, hour: '12:00', payment: '10.00', paymentType: pay.cash.id });
    const res = await call(reports, { path: '/api/company/reports/improved-daily-cash/', token: admin.token });
    expect(res.body).toMatchObject({ fecha: today.d, total_general: '10.00', cantidad_total_pagos: 1 });
    const bad = await call(reports, { path: '/api/company/reports/daily-cash/', query: { date: '2025-13-01' }, token: admin.token });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ date: ['Formato de fecha inválido. Use YYYY-MM-DD.'] });
  });
});

describe('required date (the contract\'s "Parámetros por Endpoint")', () => {
  it.each(['appointments-per-therapist', 'daily-cash', 'patients-by-therapist'])('%s without date → 400 on date, never a default', async (name) => {
    for (const query of [undefined, { date: '' }]) {
      const res = await get(`/api/company/reports/${name}/`, query);
      expect([name, res.status, res.body]).toEqual([name, 400, { date: ['Este campo es requerido.'] }]);
    }
    const bad = await get(`/api/company/reports/${name}/`, { date: '2025-02-30' });
    expect(bad.body).toEqual({ date: ['Formato de fecha inválido. Use YYYY-MM-DD.'] });
  });
});

describe('tenancy', () => {
  it("another clinic's reports never include this clinic's rows, and vice versa", async () => {
    const other = await clinicScenario();
    // A payment only the other clinic has on D.
    const extra = await addAppointment({
      reflexoId: other.tenant.id,
      patientId: other.patients.pedro,
      therapistId: other.therapists.carlos,
      date: D,
      hour: '15:00',
      payment: '999.99',
      paymentType: other.pay.card.id,
    });
    const mine = await get('/api/company/reports/daily-cash/', { date: D });
    expect(mine.body.map((r: any) => r.id_cita)).not.toContain(extra.id);
    expect(mine.body).toHaveLength(3);
    const theirs = await get('/api/company/reports/daily-cash/', { date: D }, other.admin.token);
    expect(theirs.body.map((r: any) => r.id_cita)).toContain(extra.id);
    expect(theirs.body.map((r: any) => r.id_cita)).not.toContain(s.appointments.a1.id);
    const cash = await get('/api/company/reports/improved-daily-cash/', { date: D });
    expect(cash.body.total_general).toBe('260.50');
  });

  it('a global administrator must name the clinic with reflexo_id; a user without a clinic is refused', async () => {
    const su = await createUser({ superuser: true, staff: true });
    const missing = await get('/api/company/reports/daily-cash/', { date: D }, su.token);
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ reflexo_id: ['Un administrador global debe indicar reflexo_id.'] });
    const named = await get('/api/company/reports/daily-cash/', { date: D, reflexo_id: s.tenant.id }, su.token);
    expect(named.body).toHaveLength(3);
    const orphan = await createUser();
    expect((await get('/api/company/reports/daily-cash/', { date: D }, orphan.token)).status).toBe(403);
    // A clinic user naming another clinic is refused, not served.
    const other = await get('/api/company/reports/daily-cash/', { date: D, reflexo_id: s.tenant.id + 100000 });
    expect(other.status).toBe(400);
  });
});

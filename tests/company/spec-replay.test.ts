import { handler as company } from '../../functions/reflexo/company-company';
import { handler as exportsHandler } from '../../functions/reflexo/company-exports';
import { handler as reports } from '../../functions/reflexo/company-reports';
import { handler as stats } from '../../functions/reflexo/company-statistics';
import { createUser, ownerKysely, tenantWithAdmin } from '../helpers/fixtures';
import { call } from '../helpers/http';
import { expectKeys } from '../helpers/identity';
import { addAppointment, addPatient, addTherapist, createPaymentTypes } from './clinic-data';
import { PNG } from './images';
import { readXlsx, rowValues } from './read-exports';

/*
 * Module 8 of reflexo-api.md, replayed in the order the contract shows it, with its own requests:
 * every example gets the contract's status and carries every key its response shows, money travels
 * as the example shows it (a JSON number in statistics, a "50.00" string in daily cash), and the
 * documented error cases answer as documented. The reports run over the example's own data: Carlos
 * Rodríguez Martínez sees Ana Sofía and Jose Sofía García Hernández on Monday 2025-08-25, for 100.00
 * (Yape) and 50.00 (Efectivo). Payment types are the test's own (unique names): seeded catalog rows
 * are shared with suites that rename them.
 */
const C = '/api/company/company';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const companyExample = {
  id: 1,
  reflexo: 1,
  company_name: 'Clínica San José',
  company_logo: null,
  logo_url: null,
  has_logo: false,
  created_at: '',
  updated_at: '',
};
const { reflexo: _r, ...companyWrittenExample } = companyExample;
const bigPng = Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024)]);
const gif = { filename: 'logo.gif', contentType: 'image/gif', data: Buffer.from('GIF89a not allowed') };

let token: string;
let tenantId: number;
beforeAll(async () => {
  const t = await tenantWithAdmin();
  token = t.admin.token;
  tenantId = t.tenant.id;
});

describe('Datos de Empresa (/api/company/company/)', () => {
  let id: number;

  it('Crear Empresa → 200 with the example keys; the same name again → the documented 400', async () => {
    const res = await call(company, { method: 'POST', path: `${C}/create/`, token, json: { company_name: 'Reflexo' } });
    expect(res.status).toBe(200);
    expectKeys(res.body, companyWrittenExample);
    expect(res.body).toMatchObject({ company_name: 'Reflexo', company_logo: null, logo_url: null, has_logo: false });
    id = res.body.id;
    const dup = await call(company, { method: 'POST', path: `${C}/create/`, token, json: { company_name: 'Reflexo' } });
    expect(dup.status).toBe(400);
    expect(dup.body).toEqual({ company_name: ['Company Data with this company name already exists.'] });
  });

  it('Listar Empresas → {"status": "success", "data": [...]}', async () => {
    const res = await call(company, { path: `${C}/`, token });
    expect(res.status).toBe(200);
    expectKeys(res.body, { status: 'success', data: [] });
    expect(res.body.status).toBe('success');
    expectKeys(res.body.data[0], companyExample);
    expect(res.body.data[0].reflexo).toBe(tenantId);
  });

  it('Ver Empresa Específica', async () => {
    const res = await call(company, { path: `${C}/${id}/show/`, token });
    expect(res.status).toBe(200);
    expectKeys(res.body, companyExample);
  });

  it('Actualizar Empresa: the name by JSON, then name and logo by form-data, then a logo it refuses with a warning', async () => {
    const json = await call(company, { method: 'PUT', path: `${C}/${id}/edit/`, token, json: { company_name: 'empresaT' } });
    expect(json.status).toBe(200);
    expectKeys(json.body, companyWrittenExample);
    expect(json.body.company_name).toBe('empresaT');

    const form = await call(company, {
      method: 'PUT',
      path: `${C}/${id}/edit/`,
      token,
      multipart: { fields: { company_name: 'reflexo' }, files: [{ field: 'company_logo', filename: 'logo.png', contentType: 'image/png', data: PNG }] },
    });
    expect(form.status).toBe(200);
    expectKeys(form.body, companyWrittenExample);
    expect(form.body).toMatchObject({ company_name: 'reflexo', has_logo: true, logo_url: expect.stringMatching(/^http:\/\/localhost:8000\/media\//) });

    // "Si pones PATCH en vez de PUT realiza lo mismo."
    const warned = await call(company, { method: 'PATCH', path: `${C}/${id}/edit/`, token, multipart: { fields: { company_name: 'reflexo' }, files: [{ field: 'company_logo', ...gif }] } });
    expect(warned.status).toBe(200);
    expectKeys(warned.body, { warning: '', ...companyWrittenExample });
    expect(warned.body.warning).toBe('El logo no se actualizó: Formato no permitido. Solo se aceptan: jpg, jpeg, png');
    expect(warned.body.logo_url).toBe(form.body.logo_url);
  });

  it('Subir Logo (JSON URL) on a company without one', async () => {
    const other = await call(company, { method: 'POST', path: `${C}/create/`, token, json: { company_name: 'Sede URL' } });
    const res = await call(company, { method: 'POST', path: `${C}/${other.body.id}/upload_logo/`, token, json: { company_logo: 'https://ejemplo.com/logo.png' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Logo subido correctamente', logo_url: 'https://ejemplo.com/logo.png' });
  });

  it('Subir Logo (form-data `logo`) and its documented errors', async () => {
    const other = await call(company, { method: 'POST', path: `${C}/create/`, token, json: { company_name: 'Sede Archivo' } });
    const post = (files: object[]) => call(company, { method: 'POST', path: `${C}/${other.body.id}/upload_logo/`, token, multipart: { files: files as never } });
    const wrong = await post([{ field: 'logo', ...gif }]);
    expect([wrong.status, wrong.body]).toEqual([400, { logo: ['Solo se permiten imágenes JPG o PNG.'] }]);
    const big = await post([{ field: 'logo', filename: 'big.png', contentType: 'image/png', data: bigPng }]);
    expect([big.status, big.body]).toEqual([400, { logo: ['El logo no puede superar los 2 MB.'] }]);
    const ok = await post([{ field: 'logo', filename: 'logo.png', contentType: 'image/png', data: PNG }]);
    expect([ok.status, ok.body]).toEqual([200, { message: 'Logo subido correctamente' }]);
    const again = await post([{ field: 'logo', filename: 'logo.png', contentType: 'image/png', data: PNG }]);
    expect([again.status, again.body]).toEqual([400, { error: 'La empresa ya tiene un logo. Use PUT para actualizar.' }]);
  });

  it('Actualizar Logo (PUT upload_logo/), Mostrar Logo (with and without), Eliminar Logo', async () => {
    const put = await call(company, { method: 'PUT', path: `${C}/${id}/upload_logo/`, token, json: { company_logo: 'https://nuevo-logo.com/logo-actualizado.png' } });
    expect(put.status).toBe(200);
    expectKeys(put.body, { message: '', company_logo: '', company_logo_absolute: '' });
    expect(put.body.message).toBe('Logo actualizado correctamente');

    const shown = await call(company, { path: `${C}/${id}/show_logo/`, token });
    expect(shown.status).toBe(200);
    expectKeys(shown.body, { has_logo: true, logo_url: '', logo_url_absolute: '', company_name: '', company_id: 1 });
    expect(shown.body).toMatchObject({ has_logo: true, company_id: id });

    const del = await call(company, { method: 'DELETE', path: `${C}/${id}/delete_logo/`, token });
    expect([del.status, del.body]).toEqual([200, { message: 'Logo eliminado correctamente' }]);
    const none = await call(company, { path: `${C}/${id}/show_logo/`, token });
    expect(none.body).toEqual({ has_logo: false, message: 'La empresa no tiene logo' });
  });

  it('Eliminar Empresa → {"status": "success", "message": "Empresa \\"…\\" eliminada correctamente"}', async () => {
    const doomed = await call(company, { method: 'POST', path: `${C}/create/`, token, json: { company_name: 'Clínica San José' } });
    const res = await call(company, { method: 'DELETE', path: `${C}/${doomed.body.id}/delete/`, token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'success', message: 'Empresa "Clínica San José" eliminada correctamente' });
    expect(await ownerKysely().selectFrom('company_data').select('id').where('id', '=', doomed.body.id).execute()).toEqual([]);
  });

  it('Códigos de Error Comunes: 400 name required, 400 logo URL required, 401, 403, 404', async () => {
    expect((await call(company, { method: 'POST', path: `${C}/create/`, token, json: {} })).body).toEqual({ company_name: ['Este campo es requerido.'] });
    expect((await call(company, { method: 'PUT', path: `${C}/${id}/edit/`, token, json: {} })).body).toEqual({ company_name: ['Este campo es requerido.'] });
    const noUrl = await call(company, { method: 'PUT', path: `${C}/${id}/upload_logo/`, token, json: {} });
    expect([noUrl.status, noUrl.body]).toEqual([400, { company_logo: ['Se requiere la URL del logo.'] }]);
    expect((await call(company, { path: `${C}/` })).status).toBe(401);
    const staff = await createUser({ reflexoId: tenantId });
    expect((await call(company, { method: 'PUT', path: `${C}/${id}/edit/`, token: staff.token, json: { company_name: 'x' } })).status).toBe(403);
    const missing = await call(company, { path: `${C}/999999999/show/`, token });
    expect([missing.status, missing.body]).toEqual([404, { detail: 'Empresa no encontrada.' }]);
  });
});

describe('Estadísticas and Reportes JSON, over the example data', () => {
  const D = '2025-08-25';
  let carlos: number;
  let pay: Awaited<ReturnType<typeof createPaymentTypes>>;
  let ana: number;
  let jose: number;
  let a1: number;
  let a2: number;
  beforeAll(async () => {
    pay = await createPaymentTypes();
    carlos = await addTherapist(tenantId, 'Carlos', 'Rodríguez', 'Martínez');
    ana = await addPatient(tenantId, 'Ana Sofía', 'García', 'Hernández', '11111111');
    jose = await addPatient(tenantId, 'Jose Sofía', 'García', 'Hernández', '22222222');
    a1 = (await addAppointment({ reflexoId: tenantId, patientId: ana, therapistId: carlos, date: D, hour: '14:30', payment: '100.00', paymentType: pay.yape.id })).id;
    a2 = (await addAppointment({ reflexoId: tenantId, patientId: jose, therapistId: carlos, date: D, hour: '16:00', payment: '50.00', paymentType: pay.cash.id })).id;
  });

  const statisticsExample = () => ({
    terapeutas: [{ id: carlos, terapeuta: 'Rodríguez Martínez, Carlos', sesiones: 2, ingresos: 150, raiting: 5 }],
    tipos_pago: { [pay.cash.name]: 1, [pay.yape.name]: 1 },
    metricas: { ttlpacientes: 2, ttlsesiones: 2, ttlganancias: 150 },
    ingresos: { Lunes: 150 },
    sesiones: { Lunes: 2 },
    tipos_pacientes: { c: 0, cc: 0 },
  });

  it.each([
    ['/api/company/reports/statistics/', reports],
    ['/api/company/statistics/metricas/', stats],
  ])('%s?start=2025-08-25&end=2025-08-28 answers the example, money as JSON numbers', async (path, handler) => {
    const res = await call(handler, { path, query: { start: D, end: '2025-08-28' }, token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(statisticsExample());
    expect(typeof res.body.metricas.ttlganancias).toBe('number');
    expect(typeof res.body.terapeutas[0].ingresos).toBe('number');
    expect(typeof res.body.ingresos.Lunes).toBe('number');
  });

  it('statistics: start > end and a malformed date are 400', async () => {
    const reversed = await call(reports, { path: '/api/company/reports/statistics/', query: { start: '2025-08-28', end: D }, token });
    expect(reversed.status).toBe(400);
    const bad = await call(stats, { path: '/api/company/statistics/metricas/', query: { start: '2025/08/25', end: D }, token });
    expect([bad.status, bad.body]).toEqual([400, { start: ['Formato de fecha inválido. Use YYYY-MM-DD.'] }]);
  });

  it('Citas por Terapeuta answers the example; without its required date → 400 on date', async () => {
    const res = await call(reports, { path: '/api/company/reports/appointments-per-therapist/', query: { date: D }, token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      therapists_appointments: [{ id: carlos, first_name: 'Carlos', last_name_paternal: 'Rodríguez', last_name_maternal: 'Martínez', appointments_count: 2, percentage: 100 }],
      total_appointments_count: 2,
    });
    const missing = await call(reports, { path: '/api/company/reports/appointments-per-therapist/', token });
    expect([missing.status, missing.body]).toEqual([400, { date: ['Este campo es requerido.'] }]);
  });

  it('Caja Diaria answers the example (newest first), payment as a "50.00" string', async () => {
    const res = await call(reports, { path: '/api/company/reports/daily-cash/', query: { date: D }, token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { id_cita: a2, payment: '50.00', payment_type: pay.cash.id, payment_type_name: pay.cash.name },
      { id_cita: a1, payment: '100.00', payment_type: pay.yape.id, payment_type_name: pay.yape.name },
    ]);
  });

  it('Pacientes por Terapeuta carries the example keys; therapist_id is a string, patient_id a number', async () => {
    const res = await call(reports, { path: '/api/company/reports/patients-by-therapist/', query: { date: D }, token });
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(1);
    expectKeys(res.body[0], { therapist_id: '1', therapist: '', patients: [] });
    expect(res.body[0]).toMatchObject({ therapist_id: String(carlos), therapist: 'Rodríguez Martínez Carlos' });
    for (const p of res.body[0].patients) expectKeys(p, { patient_id: 2, patient: '', appointments: 1 });
    expect(new Set(res.body[0].patients)).toEqual(
      new Set([
        { patient_id: jose, patient: 'García Hernández Jose Sofía', appointments: 1 },
        { patient_id: ana, patient: 'García Hernández Ana Sofía', appointments: 1 },
      ]),
    );
  });

  it('Citas entre Fechas answers the example rows (hour as HH:MM)', async () => {
    const res = await call(reports, { path: '/api/company/reports/appointments-between-dates/', query: { start_date: D, end_date: '2025-08-28' }, token });
    expect(res.status).toBe(200);
    expect(res.body[0]).toEqual({
      appointment_id: a1,
      patient_id: ana,
      document_number_patient: '11111111',
      patient: 'García Hernández Ana Sofía',
      primary_phone_patient: '+51 444 444 444',
      appointment_date: D,
      appointment_hour: '14:30',
    });
    expect(res.body.map((r: { appointment_id: number }) => r.appointment_id)).toEqual([a1, a2]);
  });

  it('Generar Reporte en Excel: a downloadable workbook whose columns start as the example', async () => {
    const res = await call(exportsHandler, { path: '/api/company/exports/excel/citas-rango/', query: { start_date: D, end_date: '2025-08-28' }, token });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(XLSX);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename=".+\.xlsx"$/);
    const wb = await readXlsx(res.raw);
    expect(rowValues(wb, 1, 5).slice(1, 7)).toEqual(['ID Paciente', 'DNI/Documento', 'Paciente', 'Teléfono', 'Fecha', 'Hora']);
    expect(rowValues(wb, 1, 6).slice(1, 7)).toEqual([ana, '11111111', 'García Hernández Ana Sofía', '+51 444 444 444', new Date(`${D}T00:00:00.000Z`), '14:30']);
  });
});

describe('Exportaciones (/api/company/exports/)', () => {
  it.each([
    ['pdf/citas-terapeuta', 'application/pdf'],
    ['pdf/pacientes-terapeuta', 'application/pdf'],
    ['pdf/resumen-caja', 'application/pdf'],
    ['pdf/caja-chica-mejorada', 'application/pdf'],
    ['pdf/tickets-pagados', 'application/pdf'],
  ])('GET %s/ as the contract links it (no parameters: today on the clinic calendar)', async (path, type) => {
    const res = await call(exportsHandler, { path: `/api/company/exports/${path}/`, token });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(type);
    expect(res.raw.subarray(0, 5).toString()).toBe('%PDF-');
  });

  it.each(['excel/caja-chica-mejorada', 'excel/tickets-pagados'])('GET %s/?date=YYYY-MM-DD', async (path) => {
    const res = await call(exportsHandler, { path: `/api/company/exports/${path}/`, query: { date: '2025-08-25' }, token });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(XLSX);
    expect(res.headers['content-disposition']).toMatch(/_2025-08-25\.xlsx"$/);
  });

  it('citas-rango requires start_date and end_date', async () => {
    const res = await call(exportsHandler, { path: '/api/company/exports/excel/citas-rango/', token });
    expect([res.status, res.body]).toEqual([400, { start_date: ['Este campo es requerido.'], end_date: ['Este campo es requerido.'] }]);
  });
});

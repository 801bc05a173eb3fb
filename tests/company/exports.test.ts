import { handler as exportsHandler } from '../../functions/reflexo/company-exports';
import { handler as companyHandler } from '../../functions/reflexo/company-company';
import { ownerKysely, tenantWithAdmin } from '../helpers/fixtures';
import { call } from '../helpers/http';
import { addAppointment, addPatient, addTherapist, createPaymentTypes } from './clinic-data';
import { PNG } from './images';
import { readPdf, readXlsx, rowValues } from './read-exports';
import { clinicScenario, D, D_NEXT, type Scenario } from './scenario';

/* Module 8 of reflexo-api.md: the Excel and PDF files, opened and checked against the seeded rows. */

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
let s: Scenario;
beforeAll(async () => {
  s = await clinicScenario();
});
const download = (path: string, query?: Record<string, string | number>, token = s.admin.token) => call(exportsHandler, { path, query, token });
const oneLine = (text: string) => text.replace(/\s+/g, ' ');

describe('Excel', () => {
  it('citas-rango: title, period, bold frozen headers, typed rows, totals and autofilter', async () => {
    const res = await download('/api/company/exports/excel/citas-rango/', { start_date: D, end_date: D_NEXT });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(XLSX);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="citas_${D}_a_${D_NEXT}.xlsx"`);
    const wb = await readXlsx(res.raw);
    const ws = wb.getWorksheet('Citas')!;
    expect(ws.getCell('A1').value).toBe(s.companyName);
    expect(ws.getCell('A1').font.bold).toBe(true);
    expect(ws.getCell('A3').value).toMatch(/^Del 25\/08\/2025 al 26\/08\/2025 · Generado el /);
    expect(rowValues(wb, 'Citas', 5).slice(1)).toEqual(['ID Paciente', 'DNI/Documento', 'Paciente', 'Teléfono', 'Fecha', 'Hora', 'Terapeuta', 'Tipo de pago', 'Pago']);
    expect(ws.getCell('A5').font.bold).toBe(true);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 5 });
    expect(ws.autoFilter).toBeTruthy();
    expect(ws.getColumn(3).width).toBe(36);
    expect(rowValues(wb, 'Citas', 6).slice(1)).toEqual([
      s.patients.ana,
      '11111111',
      'García Hernández Ana Sofía',
      '+51 444 444 444',
      new Date(`${D}T00:00:00.000Z`),
      '09:00',
      'Rodríguez Martínez Carlos',
      s.pay.yape.name,
      100,
    ]);
    expect(ws.getCell('E6').numFmt).toBe('dd/mm/yyyy');
    expect(ws.getCell('I6').numFmt).toBe('"S/" #,##0.00');
    expect(ws.getCell('F8').value).toBe('23:30');
    const totals = ws.getRow(10);
    expect(totals.getCell(1).value).toBe('TOTAL (4 citas)');
    expect(totals.getCell(9).value).toEqual({ formula: 'SUM(I6:I9)', result: 270.5 });
    expect(totals.getCell(1).font.bold).toBe(true);
  });

  it('caja-chica-mejorada: detailed payments, totals and a summary sheet per method', async () => {
    const res = await download('/api/company/exports/excel/caja-chica-mejorada/', { date: D });
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="caja_chica_${D}.xlsx"`);
    const wb = await readXlsx(res.raw);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Pagos del día', 'Resumen por método']);
    const ws = wb.getWorksheet('Pagos del día')!;
    expect(ws.getCell('A1').value).toBe(s.companyName);
    expect(ws.getCell('A3').value).toMatch(/^Fecha: 25\/08\/2025/);
    const rows = [6, 7, 8, 9].map((r) => {
      const v = rowValues(wb, 'Pagos del día', r);
      return [v[1], v[2], v[7], v[8]];
    });
    expect(rows).toEqual([
      ['Ticket', s.appointments.a7.ticketId, `${D} 08:00`, 30],
      ['Cita', s.appointments.a1.id, `${D} 09:00`, 100],
      ['Ticket', s.appointments.a2.ticketId, `${D} 10:30`, 50],
      ['Ticket', s.appointments.a3.ticketId, `${D} 23:45`, 80.5],
    ]);
    expect(ws.getRow(10).getCell(1).value).toBe('TOTAL (4 pagos)');
    expect(ws.getRow(10).getCell(8).value).toEqual({ formula: 'SUM(H6:H9)', result: 260.5 });
    const summary = wb.getWorksheet('Resumen por método')!;
    expect([6, 7].map((r) => rowValues(wb, 'Resumen por método', r).slice(1))).toEqual([
      [s.pay.yape.name, 2, 180.5],
      [s.pay.cash.name, 2, 80],
    ]);
    expect(summary.getRow(8).getCell(1).value).toBe('TOTAL GENERAL');
    expect((summary.getRow(8).getCell(3).value as { result: number }).result).toBe(260.5);
  });

  it('tickets-pagados: the tickets paid on the Lima day, including one paid at 23:45', async () => {
    const res = await download('/api/company/exports/excel/tickets-pagados', { date: D });
    expect(res.status).toBe(200);
    const wb = await readXlsx(res.raw);
    const ws = wb.worksheets[0];
    expect(ws.getCell('A1').value).toBe(s.companyName);
    const numbers = [6, 7, 8].map((r) => ws.getRow(r).getCell(1).value);
    expect(numbers).toEqual([s.appointments.a7.ticketNumber, s.appointments.a2.ticketNumber, s.appointments.a3.ticketNumber]);
    expect(ws.getRow(9).getCell(9).value).toEqual({ formula: 'SUM(I6:I8)', result: 160.5 });
    const next = await readXlsx((await download('/api/company/exports/excel/tickets-pagados/', { date: D_NEXT })).raw);
    expect(next.worksheets[0].getRow(6).getCell(1).value).toBe('No hay tickets pagados en esta fecha.');
  });

  it('validates dates like the JSON reports', async () => {
    const res = await download('/api/company/exports/excel/citas-rango/', { start_date: D_NEXT, end_date: D });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ non_field_errors: ['La fecha de inicio no puede ser posterior a la fecha de fin.'] });
    expect((await download('/api/company/exports/excel/caja-chica-mejorada/', { date: 'ayer' })).body).toEqual({ date: ['Formato de fecha inválido. Use YYYY-MM-DD.'] });
  });
});

describe('PDF', () => {
  it('citas-terapeuta: company, title, date, rows, totals and page numbers', async () => {
    const res = await download('/api/company/exports/pdf/citas-terapeuta/', { date: D });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="citas_terapeuta_${D}.pdf"`);
    const pdf = await readPdf(res.raw);
    const text = oneLine(pdf.text);
    expect(pdf.pages).toBe(1);
    expect(text).toContain(s.companyName);
    expect(text).toContain('Citas por Terapeuta');
    expect(text).toContain('Fecha: 25/08/2025');
    expect(text).toMatch(/Rodríguez Martínez Carlos ?2 ?66\.67%/);
    expect(text).toMatch(/Paredes Soto Lucía ?1 ?33\.33%/);
    expect(text).toMatch(/TOTAL ?3 ?100\.00%/);
    expect(text).toContain('Página 1 de 1');
  });

  it('pacientes-terapeuta: one table per therapist with its patients', async () => {
    const res = await download('/api/company/exports/pdf/pacientes-terapeuta/', { date: D });
    const text = oneLine((await readPdf(res.raw)).text);
    expect(text).toContain('Pacientes por Terapeuta');
    expect(text).toContain('Paredes Soto Lucía');
    expect(text).toContain('Rodríguez Martínez Carlos');
    expect(text).toContain('García Hernández Jose Sofía');
    expect(text).toMatch(/Total \(2 pacientes\) ?2/);
  });

  it('resumen-caja: the day\'s appointment payments, total and per-type summary', async () => {
    const text = oneLine((await readPdf((await download('/api/company/exports/pdf/resumen-caja/', { date: D })).raw)).text);
    expect(text).toContain('Resumen de Caja Diaria');
    expect(text).toMatch(/TOTAL \(3 pagos\) ?S\/ 230\.50/);
    expect(text).toMatch(new RegExp(`${s.pay.cash.name} ?2 ?S/ 130\\.50`));
    expect(text).toMatch(new RegExp(`${s.pay.yape.name} ?1 ?S/ 100\\.00`));
  });

  it('caja-chica-mejorada and tickets-pagados carry the same totals as their Excel twins', async () => {
    const cash = oneLine((await readPdf((await download('/api/company/exports/pdf/caja-chica-mejorada/', { date: D })).raw)).text);
    expect(cash).toContain(s.companyName);
    expect(cash).toMatch(/TOTAL \(4 pagos\) ?S\/ 260\.50/);
    expect(cash).toMatch(/TOTAL GENERAL ?4 ?S\/ 260\.50/);
    expect(cash).toContain('25/08/2025 23:45');
    const tickets = oneLine((await readPdf((await download('/api/company/exports/pdf/tickets-pagados/', { date: D })).raw)).text);
    expect(tickets).toContain('Reporte Diario de Tickets Pagados');
    expect(tickets).toMatch(/TOTAL \(3 tickets\) ?S\/ 160\.50/);
  });

  it('a long day breaks across pages with the header row repeated and "Página n de m"', async () => {
    const { tenant, admin } = await tenantWithAdmin();
    const therapists = [await addTherapist(tenant.id, 'Ana', 'Uno', 'A'), await addTherapist(tenant.id, 'Beto', 'Dos', 'B')];
    const patient = await addPatient(tenant.id, 'Muchas', 'Citas', 'Seguidas', '55555555');
    const pay = await createPaymentTypes();
    for (let i = 0; i < 60; i++) {
      const hour = `${String(7 + Math.floor(i / 4)).padStart(2, '0')}:${String((i % 4) * 15).padStart(2, '0')}`;
      // 15-minute steps alternating two therapists (30-minute sessions) keep every slot free of overlaps.
      await addAppointment({ reflexoId: tenant.id, patientId: patient, therapistId: therapists[i % 2], date: D, hour, payment: '12.35', paymentType: pay.cash.id });
    }
    const res = await call(exportsHandler, { path: '/api/company/exports/pdf/resumen-caja/', query: { date: D }, token: admin.token });
    const pdf = await readPdf(res.raw);
    expect(pdf.pages).toBe(2);
    const text = oneLine(pdf.text);
    expect(text).toContain('Página 1 de 2');
    expect(text).toContain('Página 2 de 2');
    expect(text.match(/ID Cita/g)!.length).toBe(2);
    expect(text).toContain('Pagos de citas (continuación)');
    // The clinic has no company row yet: its tenant name heads the report.
    expect(text).toContain(tenant.name);
    expect(text).toMatch(/TOTAL \(60 pagos\) ?S\/ 741\.00/);
  });

  it("the company's stored logo is drawn in the header", async () => {
    const { admin, tenant } = await tenantWithAdmin();
    const created = await call(companyHandler, { method: 'POST', path: '/api/company/company/create/', token: admin.token, json: { company_name: 'Clínica Con Logo' } });
    await call(companyHandler, {
      method: 'POST',
      path: `/api/company/company/${created.body.id}/upload_logo/`,
      token: admin.token,
      multipart: { files: [{ field: 'logo', filename: 'logo.png', contentType: 'image/png', data: PNG }] },
    });
    const res = await call(exportsHandler, { path: '/api/company/exports/pdf/citas-terapeuta/', query: { date: D }, token: admin.token });
    expect(res.status).toBe(200);
    expect(res.raw.toString('latin1')).toMatch(/\/Subtype \/Image/);
    expect(oneLine((await readPdf(res.raw)).text)).toContain('Clínica Con Logo');
    const audit = await ownerKysely().selectFrom('audit_log').select(['action', 'entity', 'entity_id']).where('reflexo_id', '=', tenant.id).where('action', '=', 'export').execute();
    expect(audit).toEqual([{ action: 'export', entity: 'report', entity_id: `citas_terapeuta_${D}.pdf` }]);
  });

  it('an empty day still renders, and requires authentication', async () => {
    const text = oneLine((await readPdf((await download('/api/company/exports/pdf/tickets-pagados/', { date: '2020-01-01' })).raw)).text);
    expect(text).toContain('No hay tickets pagados en esta fecha.');
    expect(text).toMatch(/TOTAL \(0 tickets\) ?S\/ 0\.00/);
    expect((await call(exportsHandler, { path: '/api/company/exports/pdf/tickets-pagados/' })).status).toBe(401);
  });
});

describe('tenancy', () => {
  it("another clinic's export shows its own name and none of this clinic's payments", async () => {
    const { admin, tenant } = await tenantWithAdmin();
    const res = await call(exportsHandler, { path: '/api/company/exports/excel/caja-chica-mejorada/', query: { date: D }, token: admin.token });
    const wb = await readXlsx(res.raw);
    const ws = wb.worksheets[0];
    expect(ws.getCell('A1').value).toBe(tenant.name);
    expect(ws.getRow(6).getCell(1).value).toBe('No hay pagos registrados en esta fecha.');
  });
});

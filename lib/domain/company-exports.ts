import type { Db } from '../db/tenant';
import { buildWorkbook, XLSX_TYPE } from '../exports/excel';
import { buildPdf, PDF_TYPE } from '../exports/pdf';
import { displayDate, type Column, type Report, type Table } from '../exports/table';
import { getObjectBytes } from '../storage/s3';
import { recordAudit } from './audit';
import {
  appointmentsBetweenWithTotals,
  appointmentsPerTherapistReport,
  dailyCashWithTotals,
  dailyPaidTickets,
  improvedDailyCash,
  patientsByTherapistReport,
  type ReportScope,
} from './company-reports';

/*
 * Excel and PDF exports. Each report is described once as tables (columns, rows, SQL totals) and
 * rendered by the format's builder. Every export is written to the audit log (what, not the data).
 */

export interface ExportFile {
  data: Buffer;
  contentType: string;
  filename: string;
}

const col = (key: string, header: string, kind: Column['kind'], width: number): Column => ({ key, header, kind, width });
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function frame(scope: ReportScope, title: string, period: string): Omit<Report, 'tables'> {
  return {
    companyName: scope.companyName,
    title,
    period,
    generated: `Generado el ${displayDate(scope.nowLocal.slice(0, 10))} ${scope.nowLocal.slice(11)} (${scope.timeZone})`,
  };
}
const dayPeriod = (day: string) => `Fecha: ${displayDate(day)}`;
const rangePeriod = (start: string, end: string) => `Del ${displayDate(start)} al ${displayDate(end)}`;

/* The logo is decoration: a missing object or an unreachable bucket must not cost the clinic its report. */
async function logoOf(scope: ReportScope): Promise<Buffer | null> {
  if (!scope.logoKey) return null;
  try {
    return await getObjectBytes(scope.logoKey);
  } catch {
    return null;
  }
}

async function render(db: Db, scope: ReportScope, format: 'xlsx' | 'pdf', name: string, report: Omit<Report, 'logo'>): Promise<ExportFile> {
  await recordAudit(db, { action: 'export', entity: 'report', entityId: `${name}.${format}` });
  if (format === 'xlsx') return { data: await buildWorkbook(report), contentType: XLSX_TYPE, filename: `${name}.xlsx` };
  return { data: await buildPdf({ ...report, logo: await logoOf(scope) }), contentType: PDF_TYPE, filename: `${name}.pdf` };
}

// ---- appointments in a range (Excel) -------------------------------------------------------------

export async function appointmentsRangeExport(db: Db, scope: ReportScope, start: string, end: string, format: 'xlsx' | 'pdf' = 'xlsx') {
  const { rows, count, total } = await appointmentsBetweenWithTotals(db, scope, start, end);
  const table: Table = {
    name: 'Citas',
    columns: [
      col('patient_id', 'ID Paciente', 'int', 12),
      col('document_number_patient', 'DNI/Documento', 'text', 15),
      col('patient', 'Paciente', 'text', 36),
      col('primary_phone_patient', 'Teléfono', 'text', 16),
      col('appointment_date', 'Fecha', 'date', 12),
      col('appointment_hour', 'Hora', 'time', 8),
      col('therapist', 'Terapeuta', 'text', 30),
      col('payment_type_name', 'Tipo de pago', 'text', 16),
      col('payment', 'Pago', 'money', 14),
    ],
    rows,
    totals: { label: `TOTAL (${plural(count, 'cita', 'citas')})`, values: { payment: total } },
    emptyMessage: 'No hay citas en el rango indicado.',
  };
  return render(db, scope, format, `citas_${start}_a_${end}`, { ...frame(scope, 'Citas en rango de fechas', rangePeriod(start, end)), tables: [table], landscape: true });
}

// ---- appointments / patients per therapist (PDF) -----------------------------------------------

export async function appointmentsPerTherapistExport(db: Db, scope: ReportScope, day: string) {
  const data = await appointmentsPerTherapistReport(db, scope, day);
  const table: Table = {
    name: 'Citas por terapeuta',
    columns: [col('therapist', 'Terapeuta', 'text', 50), col('appointments_count', 'Citas', 'int', 12), col('percentage', 'Porcentaje', 'percent', 14)],
    rows: data.therapists_appointments.map((t) => ({
      therapist: [t.last_name_paternal, t.last_name_maternal, t.first_name].filter(Boolean).join(' '),
      appointments_count: t.appointments_count,
      percentage: t.percentage.toFixed(2),
    })),
    totals: { label: 'TOTAL', values: { appointments_count: data.total_appointments_count, percentage: data.total_appointments_count ? '100.00' : '0.00' } },
    emptyMessage: 'No hay citas registradas en esta fecha.',
  };
  return render(db, scope, 'pdf', `citas_terapeuta_${day}`, { ...frame(scope, 'Citas por Terapeuta', dayPeriod(day)), tables: [table] });
}

export async function patientsByTherapistExport(db: Db, scope: ReportScope, day: string) {
  const groups = await patientsByTherapistReport(db, scope, day);
  const tables: Table[] = groups.map((g) => {
    const total = g.patients.reduce((s, p) => s + p.appointments, 0);
    return {
      name: g.therapist,
      columns: [col('patient_id', 'ID', 'int', 8), col('patient', 'Paciente', 'text', 56), col('appointments', 'Citas', 'int', 10)],
      rows: g.patients,
      totals: { label: `Total (${plural(g.patients.length, 'paciente', 'pacientes')})`, values: { appointments: total } },
    };
  });
  if (!tables.length) tables.push({ name: 'Pacientes por terapeuta', columns: [col('patient', 'Paciente', 'text', 60), col('appointments', 'Citas', 'int', 10)], rows: [], emptyMessage: 'No hay citas registradas en esta fecha.' });
  return render(db, scope, 'pdf', `pacientes_terapeuta_${day}`, { ...frame(scope, 'Pacientes por Terapeuta', dayPeriod(day)), tables });
}

// ---- cash (PDF and Excel) -----------------------------------------------------------------------

export async function cashSummaryExport(db: Db, scope: ReportScope, day: string) {
  const { rows, byType, total, count } = await dailyCashWithTotals(db, scope, day);
  const detail: Table = {
    name: 'Pagos de citas',
    columns: [col('id_cita', 'ID Cita', 'int', 12), col('payment_type_name', 'Tipo de pago', 'text', 40), col('payment', 'Monto', 'money', 18)],
    rows,
    totals: { label: `TOTAL (${plural(count, 'pago', 'pagos')})`, values: { payment: total } },
    emptyMessage: 'No hay pagos registrados en esta fecha.',
  };
  const summary: Table = {
    name: 'Resumen por tipo de pago',
    columns: [col('payment_type_name', 'Tipo de pago', 'text', 40), col('count', 'Pagos', 'int', 12), col('total', 'Total', 'money', 18)],
    rows: byType,
    totals: { label: 'TOTAL', values: { count, total } },
  };
  return render(db, scope, 'pdf', `resumen_caja_${day}`, { ...frame(scope, 'Resumen de Caja Diaria', dayPeriod(day)), tables: [detail, summary] });
}

export async function pettyCashExport(db: Db, scope: ReportScope, day: string, format: 'xlsx' | 'pdf') {
  const data = await improvedDailyCash(db, scope, day);
  const detail: Table = {
    name: 'Pagos del día',
    columns: [
      col('tipo', 'Tipo', 'text', 8),
      col('id', 'ID', 'int', 7),
      col('ticket_number', 'N° Ticket', 'text', 14),
      col('paciente', 'Paciente', 'text', 32),
      col('terapeuta', 'Terapeuta', 'text', 28),
      col('metodo_pago', 'Método de pago', 'text', 18),
      col('fecha_pago', 'Fecha de pago', 'datetime', 17),
      col('monto', 'Monto', 'money', 14),
    ],
    rows: data.pagos_detallados,
    totals: { label: `TOTAL (${plural(data.cantidad_total_pagos, 'pago', 'pagos')})`, values: { monto: data.total_general } },
    emptyMessage: 'No hay pagos registrados en esta fecha.',
  };
  const summary: Table = {
    name: 'Resumen por método',
    columns: [col('metodo', 'Método de pago', 'text', 30), col('cantidad_pagos', 'Pagos', 'int', 12), col('total', 'Total', 'money', 16)],
    rows: data.resumen_por_metodo,
    totals: { label: 'TOTAL GENERAL', values: { cantidad_pagos: data.cantidad_total_pagos, total: data.total_general } },
  };
  return render(db, scope, format, `caja_chica_${day}`, { ...frame(scope, 'Reporte de Caja Chica', dayPeriod(day)), tables: [detail, summary], landscape: true });
}

export async function paidTicketsExport(db: Db, scope: ReportScope, day: string, format: 'xlsx' | 'pdf') {
  const data = await dailyPaidTickets(db, scope, day);
  const detail: Table = {
    name: 'Tickets pagados',
    columns: [
      col('numero_ticket', 'N° Ticket', 'text', 13),
      col('fecha_pago', 'Fecha de pago', 'datetime', 17),
      col('paciente_nombre', 'Paciente', 'text', 30),
      col('paciente_documento', 'Documento', 'text', 12),
      col('terapeuta_nombre', 'Terapeuta', 'text', 26),
      col('fecha_cita', 'Fecha cita', 'date', 12),
      col('hora_cita', 'Hora', 'time', 7),
      col('metodo_pago', 'Método', 'text', 16),
      col('monto', 'Monto', 'money', 13),
    ],
    rows: data.tickets_pagados,
    totals: { label: `TOTAL (${plural(data.cantidad_tickets, 'ticket', 'tickets')})`, values: { monto: data.total_general } },
    emptyMessage: 'No hay tickets pagados en esta fecha.',
  };
  const summary: Table = {
    name: 'Resumen por método',
    columns: [col('metodo', 'Método de pago', 'text', 30), col('cantidad_tickets', 'Tickets', 'int', 12), col('total', 'Total', 'money', 16)],
    rows: data.resumen_por_metodo,
    totals: { label: 'TOTAL GENERAL', values: { cantidad_tickets: data.cantidad_tickets, total: data.total_general } },
  };
  return render(db, scope, format, `tickets_pagados_${day}`, { ...frame(scope, 'Reporte Diario de Tickets Pagados', dayPeriod(day)), tables: [detail, summary], landscape: true });
}

import type { Db } from '../db/tenant';
import { buildWorkbook, XLSX_TYPE } from '../exports/excel';
import { buildPdf, PDF_TYPE } from '../exports/pdf';
import { displayDate, type Column, type Report, type Table } from '../exports/table';
import { logoBytes } from '../storage/s3';
import { recordAudit } from './audit';
import {
  appointmentPaymentList,
  appointmentPaymentSummary,
  appointmentsInPeriod,
  appointmentsSummary,
  cashReceipts,
  oneDay,
  paidTicketsReport,
  patientsByTherapist,
  surnameFirst,
  therapistSessions,
  type MethodTotal,
  type Period,
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

async function render(db: Db, scope: ReportScope, format: 'xlsx' | 'pdf', name: string, report: Omit<Report, 'logo'>): Promise<ExportFile> {
  await recordAudit(db, { action: 'export', entity: 'report', entityId: `${name}.${format}` });
  if (format === 'xlsx') return { data: await buildWorkbook(report), contentType: XLSX_TYPE, filename: `${name}.xlsx` };
  return { data: await buildPdf({ ...report, logo: await logoBytes(scope.logoKey) }), contentType: PDF_TYPE, filename: `${name}.pdf` };
}

const methodRows = (rows: MethodTotal[]) => rows.map((m) => ({ method: m.method, count: m.count, total: m.total }));

// ---- appointments in a range (Excel) -------------------------------------------------------------

export async function appointmentsRangeExport(db: Db, scope: ReportScope, period: Period, format: 'xlsx' | 'pdf' = 'xlsx') {
  const lines = await appointmentsInPeriod(db, scope, period);
  const { count, total } = await appointmentsSummary(db, scope, period);
  const table: Table = {
    name: 'Citas',
    columns: [
      col('patient_id', 'ID Paciente', 'int', 12),
      col('document', 'DNI/Documento', 'text', 15),
      col('patient', 'Paciente', 'text', 36),
      col('phone', 'Teléfono', 'text', 16),
      col('date', 'Fecha', 'date', 12),
      col('hour', 'Hora', 'time', 8),
      col('therapist', 'Terapeuta', 'text', 30),
      col('payment_type', 'Tipo de pago', 'text', 16),
      col('payment', 'Pago', 'money', 14),
    ],
    rows: lines.map((a) => ({
      patient_id: a.patient.id,
      document: a.patient.documentNumber,
      patient: surnameFirst(a.patient.name),
      phone: a.patient.phone,
      date: a.date,
      hour: a.hour,
      therapist: surnameFirst(a.therapist.name),
      payment_type: a.paymentTypeName,
      payment: a.payment,
    })),
    totals: { label: `TOTAL (${plural(count, 'cita', 'citas')})`, values: { payment: total } },
    emptyMessage: 'No hay citas en el rango indicado.',
  };
  const name = `citas_${period.from}_a_${period.to}`;
  return render(db, scope, format, name, { ...frame(scope, 'Citas en rango de fechas', rangePeriod(period.from, period.to)), tables: [table], landscape: true });
}

// ---- appointments / patients per therapist (PDF) -----------------------------------------------

export async function appointmentsPerTherapistExport(db: Db, scope: ReportScope, day: string) {
  const rows = await therapistSessions(db, scope, oneDay(day));
  const sessions = rows.reduce((n, t) => n + t.sessions, 0);
  const table: Table = {
    name: 'Citas por terapeuta',
    columns: [col('therapist', 'Terapeuta', 'text', 50), col('sessions', 'Citas', 'int', 12), col('share', 'Porcentaje', 'percent', 14)],
    rows: rows.map((t) => ({ therapist: surnameFirst(t.name), sessions: t.sessions, share: t.share })),
    totals: { label: 'TOTAL', values: { sessions, share: sessions ? '100.00' : '0.00' } },
    emptyMessage: 'No hay citas registradas en esta fecha.',
  };
  return render(db, scope, 'pdf', `citas_terapeuta_${day}`, { ...frame(scope, 'Citas por Terapeuta', dayPeriod(day)), tables: [table] });
}

export async function patientsByTherapistExport(db: Db, scope: ReportScope, day: string) {
  const groups = await patientsByTherapist(db, scope, oneDay(day));
  const tables: Table[] = groups.map((g) => ({
    name: surnameFirst(g.therapist.name),
    columns: [col('id', 'ID', 'int', 8), col('patient', 'Paciente', 'text', 56), col('sessions', 'Citas', 'int', 10)],
    rows: g.patients.map((p) => ({ id: p.id, patient: surnameFirst(p.name), sessions: p.sessions })),
    totals: { label: `Total (${plural(g.patients.length, 'paciente', 'pacientes')})`, values: { sessions: g.patients.reduce((n, p) => n + p.sessions, 0) } },
  }));
  if (!tables.length) tables.push({ name: 'Pacientes por terapeuta', columns: [col('patient', 'Paciente', 'text', 60), col('sessions', 'Citas', 'int', 10)], rows: [], emptyMessage: 'No hay citas registradas en esta fecha.' });
  return render(db, scope, 'pdf', `pacientes_terapeuta_${day}`, { ...frame(scope, 'Pacientes por Terapeuta', dayPeriod(day)), tables });
}

// ---- cash (PDF and Excel) -----------------------------------------------------------------------

export async function cashSummaryExport(db: Db, scope: ReportScope, day: string) {
  const payments = await appointmentPaymentList(db, scope, oneDay(day));
  const { byMethod, count, total } = await appointmentPaymentSummary(db, scope, oneDay(day));
  const detail: Table = {
    name: 'Pagos de citas',
    columns: [col('appointment_id', 'ID Cita', 'int', 12), col('payment_type', 'Tipo de pago', 'text', 40), col('amount', 'Monto', 'money', 18)],
    rows: payments.map((p) => ({ appointment_id: p.appointmentId, payment_type: p.paymentType.name, amount: p.amount })),
    totals: { label: `TOTAL (${plural(count, 'pago', 'pagos')})`, values: { amount: total } },
    emptyMessage: 'No hay pagos registrados en esta fecha.',
  };
  const summary: Table = {
    name: 'Resumen por tipo de pago',
    columns: [col('method', 'Tipo de pago', 'text', 40), col('count', 'Pagos', 'int', 12), col('total', 'Total', 'money', 18)],
    rows: methodRows(byMethod),
    totals: { label: 'TOTAL', values: { count, total } },
  };
  return render(db, scope, 'pdf', `resumen_caja_${day}`, { ...frame(scope, 'Resumen de Caja Diaria', dayPeriod(day)), tables: [detail, summary] });
}

export async function pettyCashExport(db: Db, scope: ReportScope, day: string, format: 'xlsx' | 'pdf') {
  const cash = await cashReceipts(db, scope, oneDay(day));
  const detail: Table = {
    name: 'Pagos del día',
    columns: [
      col('source', 'Tipo', 'text', 8),
      col('id', 'ID', 'int', 7),
      col('reference', 'N° Ticket', 'text', 14),
      col('patient', 'Paciente', 'text', 32),
      col('therapist', 'Terapeuta', 'text', 28),
      col('method', 'Método de pago', 'text', 18),
      col('paid_at', 'Fecha de pago', 'datetime', 17),
      col('amount', 'Monto', 'money', 14),
    ],
    rows: cash.lines.map((l) => ({
      source: l.source === 'ticket' ? 'Ticket' : 'Cita',
      id: l.id,
      reference: l.reference,
      patient: surnameFirst(l.patient),
      therapist: surnameFirst(l.therapist),
      method: l.method,
      paid_at: l.paidAt,
      amount: l.amount,
    })),
    totals: { label: `TOTAL (${plural(cash.count, 'pago', 'pagos')})`, values: { amount: cash.total } },
    emptyMessage: 'No hay pagos registrados en esta fecha.',
  };
  const summary: Table = {
    name: 'Resumen por método',
    columns: [col('method', 'Método de pago', 'text', 30), col('count', 'Pagos', 'int', 12), col('total', 'Total', 'money', 16)],
    rows: methodRows(cash.byMethod),
    totals: { label: 'TOTAL GENERAL', values: { count: cash.count, total: cash.total } },
  };
  return render(db, scope, format, `caja_chica_${day}`, { ...frame(scope, 'Reporte de Caja Chica', dayPeriod(day)), tables: [detail, summary], landscape: true });
}

export async function paidTicketsExport(db: Db, scope: ReportScope, day: string, format: 'xlsx' | 'pdf') {
  const paid = await paidTicketsReport(db, scope, oneDay(day));
  const detail: Table = {
    name: 'Tickets pagados',
    columns: [
      col('number', 'N° Ticket', 'text', 13),
      col('paid_at', 'Fecha de pago', 'datetime', 17),
      col('patient', 'Paciente', 'text', 30),
      col('document', 'Documento', 'text', 12),
      col('therapist', 'Terapeuta', 'text', 26),
      col('date', 'Fecha cita', 'date', 12),
      col('hour', 'Hora', 'time', 7),
      col('method', 'Método', 'text', 16),
      col('amount', 'Monto', 'money', 13),
    ],
    rows: paid.tickets.map((t) => ({
      number: t.number,
      paid_at: t.paidAt,
      patient: surnameFirst(t.patient.name),
      document: t.patient.documentNumber,
      therapist: surnameFirst(t.therapist),
      date: t.appointment.date,
      hour: t.appointment.hour,
      method: t.method,
      amount: t.amount,
    })),
    totals: { label: `TOTAL (${plural(paid.count, 'ticket', 'tickets')})`, values: { amount: paid.total } },
    emptyMessage: 'No hay tickets pagados en esta fecha.',
  };
  const summary: Table = {
    name: 'Resumen por método',
    columns: [col('method', 'Método de pago', 'text', 30), col('count', 'Tickets', 'int', 12), col('total', 'Total', 'money', 16)],
    rows: methodRows(paid.byMethod),
    totals: { label: 'TOTAL GENERAL', values: { count: paid.count, total: paid.total } },
  };
  return render(db, scope, format, `tickets_pagados_${day}`, { ...frame(scope, 'Reporte Diario de Tickets Pagados', dayPeriod(day)), tables: [detail, summary], landscape: true });
}

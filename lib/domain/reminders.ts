import type { Actor } from '../auth/actor';
import type { Db } from '../db/tenant';
import { Conflict, ValidationError } from '../errors';
import { enqueueMail } from '../mail/outbox';
import { greetingTarget } from '../queries/birthdays';
import { tenantClock } from '../queries/tenant-clock';
import { updateAppointment } from '../queries/appointments';
import { isoWeekday } from '../time';
import { getZonedAppointment, type ZonedAppointment } from './appointments';
import { recordAudit } from './audit';
import { clinicName } from './clinic-config';

/*
 * The appointment reminder a user sends by hand (v1 `POST /appointments/{id}/reminder`): an e-mail
 * through the outbox (HTML + text) with the clinic's name, the date and hour on the clinic's wall
 * clock (its time zone named), and the doctor; the appointment's `reminder_sent_at` is stamped in the
 * same transaction. The automations of issue 15 send scheduled reminders and stamp the same column.
 */
const WEEKDAYS = ['lunes', 'martes', 'miércoles', 'jueves', 'viernes', 'sábado', 'domingo'];
const MONTHS = ['enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto', 'septiembre', 'octubre', 'noviembre', 'diciembre'];

/** `2024-01-15`, `10:00:00` → `lunes 15 de enero de 2024`, `10:00`. */
export function spanishWhen(date: string, hour: string): { day: string; time: string } {
  const [y, m, d] = date.split('-').map(Number);
  return { day: `${WEEKDAYS[isoWeekday(date) - 1]} ${d} de ${MONTHS[m - 1]} de ${y}`, time: hour.slice(0, 5) };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Statuses after which a reminder makes no sense. */
const FINISHED = new Set(['cancelled', 'completed', 'no_show']);

export interface ReminderSent {
  appointment: ZonedAppointment;
  email: string;
  subject: string;
  /** False when the same reminder (same appointment, start, address and clinic day) was already queued: it is not sent twice. */
  queued: boolean;
}

/**
 * Queues the reminder to the appointment's contact e-mail, else the patient's (422 when neither
 * exists); 409 for a cancelled, completed or missed appointment. Sets reminder_sent_at.
 */
export async function sendAppointmentReminder(db: Db, actor: Actor, id: number): Promise<ReminderSent> {
  const a = await getZonedAppointment(db, actor, id);
  if (a.cancelled_at !== null || (a.status_kind && FINISHED.has(a.status_kind))) {
    throw new Conflict(`La cita está en estado "${a.status_name}": no se envía recordatorio.`, { code: 'appointment_finished' });
  }
  const patient = await greetingTarget(db, a.reflexo_id, a.patient_id);
  const email = a.contact_email?.trim() || patient?.email?.trim() || null;
  if (!email) throw ValidationError.field(null, 'La cita no tiene e-mail de contacto y el paciente no tiene e-mail registrado: no se puede enviar el recordatorio.', 'missing_email');

  const clinic = (await clinicName(db, a.reflexo_id)) ?? patient?.clinic ?? 'su clínica';
  const clock = await tenantClock(db, a.reflexo_id);
  const { day, time } = spanishWhen(a.appointment_date, a.hour);
  const doctor = [a.therapist_first_name, a.therapist_last_name_paternal, a.therapist_last_name_maternal].filter((x) => x && x.trim()).join(' ');
  const name = a.patient_name;
  const subject = `Recordatorio de su cita en ${clinic}: ${day}, ${time}`;
  const lines = [
    `Hola ${name},`,
    '',
    `Le recordamos su cita en ${clinic}:`,
    '',
    `Fecha: ${day}`,
    `Hora: ${time} (hora de ${a.time_zone})`,
    `Doctor: ${doctor}`,
    `Duración: ${a.duration_minutes} minutos`,
    ...(a.ailments ? [`Motivo: ${a.ailments}`] : []),
    '',
    'Si no puede asistir, por favor avísenos con anticipación.',
    '',
    clinic,
  ];
  const row = (label: string, value: string) => `<tr><td style="padding:2px 12px 2px 0"><strong>${label}</strong></td><td>${escapeHtml(value)}</td></tr>`;
  const html =
    `<p>Hola ${escapeHtml(name)},</p><p>Le recordamos su cita en <strong>${escapeHtml(clinic)}</strong>:</p>` +
    `<table>${row('Fecha', day)}${row('Hora', `${time} (hora de ${a.time_zone})`)}${row('Doctor', doctor)}${row('Duración', `${a.duration_minutes} minutos`)}${a.ailments ? row('Motivo', a.ailments) : ''}</table>` +
    `<p>Si no puede asistir, por favor avísenos con anticipación.</p><p><strong>${escapeHtml(clinic)}</strong></p>`;

  // One reminder per appointment start, address and clinic day: a double click does not send two.
  const queued = await enqueueMail(db, {
    key: `reminder:${a.id}:${a.appointment_date}T${a.hour}:${email.toLowerCase()}:${clock?.today ?? ''}`,
    purpose: 'reminder',
    reflexoId: a.reflexo_id,
    to: email,
    subject,
    text: lines.join('\n'),
    html,
  });
  await updateAppointment(db, a.id, a.reflexo_id, { reminder_sent_at: new Date() });
  await recordAudit(db, { action: 'reminder', entity: 'appointments', entityId: a.id, reflexoId: a.reflexo_id, changedFields: ['reminder_sent_at'] });
  return { appointment: await getZonedAppointment(db, actor, id), email, subject, queued };
}

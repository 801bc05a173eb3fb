import { isPlatform, type Actor } from '../auth/actor';
import type { Db } from '../db/tenant';
import { NotFound, ValidationError } from '../errors';
import { enqueueMail } from '../mail/outbox';
import { greetingTarget, selectBirthdays, type BirthdayRow, type BirthdayWindow } from '../queries/birthdays';
import { recordAudit } from './audit';
import { tenantForWrite } from './tenancy';

/*
 * Birthdays of a clinic's patients on the clinic's calendar, and the greeting e-mail. The v1 surface
 * lists them (today, this month, the next N days); the automations of issue 15 reuse the same query.
 */
export type BirthdayRecord = Omit<BirthdayRow, 'total'>;
export type { BirthdayWindow };

export const MAX_UPCOMING_DAYS = 366;

export async function listBirthdays(db: Db, actor: Actor | null, window: BirthdayWindow, page: number, size: number): Promise<{ rows: BirthdayRecord[]; count: number }> {
  const reflexoId = tenantForWrite(actor);
  return selectBirthdays(db, reflexoId, window, size, (page - 1) * size);
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Queues the clinic's greeting to a patient; a patient without e-mail cannot get one (422). */
export async function sendBirthdayGreeting(db: Db, actor: Actor | null, patientId: number, message?: string | null) {
  const target = await greetingTarget(db, isPlatform(actor) ? null : (actor?.reflexoId ?? -1), patientId);
  if (!target) throw new NotFound('Paciente no encontrado.');
  if (!target.email) throw ValidationError.field(null, 'El paciente no tiene e-mail registrado: no se le puede enviar el saludo.', 'missing_email');
  const greeting = message?.trim() || `En ${target.clinic} le deseamos un muy feliz cumpleaños. ¡Que tenga un excelente día!`;
  const subject = `¡Feliz cumpleaños, ${target.name}!`;
  // Queued in this transaction; the outbox sender delivers it (one greeting per patient per day).
  await enqueueMail(db, {
    key: `greeting:${patientId}:${new Date().toISOString().slice(0, 10)}`,
    purpose: 'greeting',
    reflexoId: target.reflexo_id,
    to: target.email,
    subject,
    text: `Hola ${target.name},\n\n${greeting}\n\n${target.clinic}`,
    html: `<p>Hola ${escapeHtml(target.name)},</p><p>${escapeHtml(greeting)}</p><p><strong>${escapeHtml(target.clinic)}</strong></p>`,
  });
  await recordAudit(db, { action: 'birthday_greeting', entity: 'patients', entityId: patientId, reflexoId: target.reflexo_id });
  return { patientId, email: target.email, subject };
}

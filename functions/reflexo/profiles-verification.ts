import { z } from 'zod';
import { defineReflexoGroup } from './surface';
import { createHandler } from '../../lib/http/app';
import { route } from '../../lib/http/route';
import { timestamp } from '../../lib/http/schemas';
import {
  confirmEmailChange,
  confirmEmailVerification,
  requestEmailChange,
  requestEmailVerification,
  requestVerificationCode,
  verificationStatus,
  VERIFICATION_TYPES,
} from '../../lib/domain/identity-verification';
import { codeSent, CodeSent, inactiveClinic, Message } from './identity-shapes';

/* Module 2 e-mail verification (/api/profiles/verification): codes by e-mail, 24 h, 5 attempts, single use. */

const email = z.email().max(254);
const code = z.string().trim().regex(/^\d{6}$/, 'El código debe tener 6 dígitos.');
const CodeRequest = z.object({ verification_type: z.enum(VERIFICATION_TYPES), target_email: email.optional() });
const tooMany = { 429: { description: 'Demasiados intentos' } };

export const group = defineReflexoGroup({
  name: 'profiles-verification',
  prefixes: ['/api/profiles/verification'],
  tag: 'Profiles: verification',
  routes: [
    route({
      method: 'POST',
      path: '/api/profiles/verification/code/',
      access: 'user',
      summary: 'Solicitar código de verificación (email_verification | email_change con target_email)',
      body: CodeRequest,
      response: CodeSent.extend({ verification_type: z.enum(VERIFICATION_TYPES) }),
      responses: inactiveClinic,
      handler: async ({ db, actor, body }) => ({
        ...codeSent('Código de verificación enviado exitosamente', await requestVerificationCode(db, actor!, body)),
        verification_type: body.verification_type,
      }),
    }),
    route({
      method: 'POST',
      path: '/api/profiles/verification/code/resend/',
      access: 'user',
      summary: 'Reenviar código de verificación (reemplaza el código vigente)',
      body: CodeRequest,
      response: CodeSent,
      responses: inactiveClinic,
      handler: async ({ db, actor, body }) => codeSent('Código de verificación reenviado exitosamente', await requestVerificationCode(db, actor!, body)),
    }),
    route({
      method: 'POST',
      path: '/api/profiles/verification/email/change/',
      access: 'user',
      summary: 'Solicitar cambio de email (código al nuevo email)',
      body: z.object({ new_email: email }),
      response: CodeSent,
      responses: inactiveClinic,
      handler: async ({ db, actor, body }) => codeSent('Código de verificación enviado al nuevo email', await requestEmailChange(db, actor!, body.new_email)),
    }),
    route({
      method: 'POST',
      path: '/api/profiles/verification/email/change/confirm/',
      access: 'user',
      summary: 'Confirmar cambio de email',
      body: z.object({ code }),
      response: Message,
      responses: { ...tooMany, ...inactiveClinic, 409: { description: 'Otro usuario registró ese email mientras tanto' } },
      handler: async ({ db, actor, body }) => {
        await confirmEmailChange(db, actor!, body.code);
        return { message: 'Email cambiado exitosamente' };
      },
    }),
    route({
      method: 'POST',
      path: '/api/profiles/verification/email/confirm/',
      access: 'public',
      summary: 'Confirmar verificación de email (el código identifica la cuenta; email opcional)',
      body: z.object({ code, email: email.optional() }),
      response: Message,
      responses: tooMany,
      handler: async ({ db, body, sourceIp }) => {
        await confirmEmailVerification(db, body, sourceIp);
        return { message: 'Email verificado exitosamente' };
      },
    }),
    route({
      method: 'POST',
      path: '/api/profiles/verification/email/',
      access: 'public',
      summary: 'Solicitar verificación de email (misma respuesta si el email no existe)',
      body: z.object({ email }),
      response: CodeSent,
      handler: async ({ db, body }) => codeSent('Código de verificación enviado exitosamente', await requestEmailVerification(db, body.email)),
    }),
    route({
      method: 'GET',
      path: '/api/profiles/verification/status/',
      access: 'user',
      summary: 'Ver estado de verificación',
      response: z.object({
        user_email: z.string(),
        email_verified: z.boolean(),
        active_verifications: z.array(
          z.object({ verification_type: z.string(), expires_at: timestamp, attempts_remaining: z.number().int(), is_valid: z.boolean() }),
        ),
      }),
      responses: inactiveClinic,
      handler: async ({ db, actor }) => {
        const s = await verificationStatus(db, actor!);
        return {
          user_email: s.email,
          email_verified: s.emailVerified,
          active_verifications: s.codes.map((c) => ({ verification_type: c.type, expires_at: c.expiresAt.toISOString(), attempts_remaining: c.attemptsRemaining, is_valid: c.isValid })),
        };
      },
    }),
  ],
});

export const handler = createHandler(group);

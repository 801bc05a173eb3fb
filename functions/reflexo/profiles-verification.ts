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

/* Module 2 e-mail verification (/api/profiles/verification): codes by e-mail, 24 h, 5 attempts, single use. */

const email = z.email().max(254);
const code = z.string().trim().regex(/^\d{6}$/, 'El código debe tener 6 dígitos.');
const CodeRequest = z.object({ verification_type: z.enum(VERIFICATION_TYPES), target_email: email.optional() });
const CodeSent = z.object({ message: z.string(), code: z.string().optional(), expires_at: timestamp });
const Message = z.object({ message: z.string() });
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
      handler: ({ db, actor, body }) => requestVerificationCode(db, actor!, body, false),
    }),
    route({
      method: 'POST',
      path: '/api/profiles/verification/code/resend/',
      access: 'user',
      summary: 'Reenviar código de verificación (reemplaza el código vigente)',
      body: CodeRequest,
      response: CodeSent,
      handler: ({ db, actor, body }) => requestVerificationCode(db, actor!, body, true),
    }),
    route({
      method: 'POST',
      path: '/api/profiles/verification/email/change/',
      access: 'user',
      summary: 'Solicitar cambio de email (código al nuevo email)',
      body: z.object({ new_email: email }),
      response: CodeSent,
      handler: ({ db, actor, body }) => requestEmailChange(db, actor!, body.new_email),
    }),
    route({
      method: 'POST',
      path: '/api/profiles/verification/email/change/confirm/',
      access: 'user',
      summary: 'Confirmar cambio de email',
      body: z.object({ code }),
      response: Message,
      responses: { ...tooMany, 409: { description: 'Otro usuario registró ese email mientras tanto' } },
      handler: ({ db, actor, body }) => confirmEmailChange(db, actor!, body.code),
    }),
    route({
      method: 'POST',
      path: '/api/profiles/verification/email/confirm/',
      access: 'public',
      summary: 'Confirmar verificación de email (el código identifica la cuenta; email opcional)',
      body: z.object({ code, email: email.optional() }),
      response: Message,
      responses: tooMany,
      handler: ({ db, body, sourceIp }) => confirmEmailVerification(db, body, sourceIp),
    }),
    route({
      method: 'POST',
      path: '/api/profiles/verification/email/',
      access: 'public',
      summary: 'Solicitar verificación de email (misma respuesta si el email no existe)',
      body: z.object({ email }),
      response: CodeSent,
      handler: ({ db, body }) => requestEmailVerification(db, body.email),
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
      handler: ({ db, actor }) => verificationStatus(db, actor!),
    }),
  ],
});

export const handler = createHandler(group);

import { z } from 'zod';
import { defineReflexoGroup } from './surface';
import { createHandler } from '../../lib/http/app';
import { route } from '../../lib/http/route';
import { timestamp } from '../../lib/http/schemas';
import { changePassword, confirmPasswordReset, passwordHistory, passwordPolicy, requestPasswordReset } from '../../lib/domain/identity-passwords';
import { passwordStrength } from '../../lib/domain/identity-password-policy';

/* Module 2 passwords (/api/profiles/password): change, reset by e-mailed code, strength, history, policy. */

const password = z.string().min(1).max(1024);
const code = z.string().trim().regex(/^\d{6}$/, 'El código debe tener 6 dígitos.');
const Message = z.object({ message: z.string() });
const CodeSent = z.object({ message: z.string(), code: z.string().optional(), expires_at: timestamp });

export const group = defineReflexoGroup({
  name: 'profiles-password',
  prefixes: ['/api/profiles/password'],
  tag: 'Profiles: password',
  routes: [
    route({
      method: 'POST',
      path: '/api/profiles/password/change/',
      access: 'user',
      summary: 'Cambiar contraseña (política completa; no una de las últimas 5)',
      body: z.object({ current_password: password, new_password: password, new_password_confirm: password }),
      response: Message,
      handler: ({ db, actor, body }) => changePassword(db, actor!, body),
    }),
    route({
      method: 'POST',
      path: '/api/profiles/password/reset/',
      access: 'public',
      summary: 'Solicitar reset de contraseña (código por email; misma respuesta si el email no existe)',
      body: z.object({ email: z.email().max(254) }),
      response: CodeSent,
      handler: ({ db, body }) => requestPasswordReset(db, body.email),
    }),
    route({
      method: 'POST',
      path: '/api/profiles/password/reset/confirm/',
      access: 'public',
      summary: 'Confirmar reset de contraseña con el código (email opcional)',
      body: z.object({ code, new_password: password, new_password_confirm: password, email: z.email().max(254).optional() }),
      response: Message,
      responses: { 429: { description: 'Demasiados intentos' } },
      handler: ({ db, body, sourceIp }) => confirmPasswordReset(db, body, sourceIp),
    }),
    route({
      method: 'POST',
      path: '/api/profiles/password/strength/',
      access: 'public',
      summary: 'Validar fortaleza de contraseña (zxcvbn; score 0–10)',
      body: z.object({ password }),
      response: z.object({ is_strong: z.boolean(), score: z.number().int().min(0).max(10), suggestions: z.array(z.string()) }),
      db: false,
      handler: ({ body }) => passwordStrength(body.password),
    }),
    route({
      method: 'GET',
      path: '/api/profiles/password/history/',
      access: 'user',
      summary: 'Ver historial de contraseñas (solo fechas)',
      response: z.object({ password_history: z.array(z.object({ date: timestamp, last_updated: timestamp })) }),
      handler: ({ db, actor }) => passwordHistory(db, actor!),
    }),
    route({
      method: 'GET',
      path: '/api/profiles/password/policy/',
      access: 'public',
      summary: 'Ver política de contraseñas',
      db: false,
      response: z.object({
        rules: z.object({
          min_length: z.number(),
          max_length: z.number(),
          require_letters: z.boolean(),
          require_numbers: z.boolean(),
          require_symbols: z.boolean(),
          common_passwords_check: z.boolean(),
        }),
        message: z.string(),
      }),
      handler: async () => passwordPolicy(),
    }),
  ],
});

export const handler = createHandler(group);

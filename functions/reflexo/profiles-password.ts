import { z } from 'zod';
import { defineReflexoGroup } from './surface';
import { createHandler } from '../../lib/http/app';
import { route } from '../../lib/http/route';
import { timestamp } from '../../lib/http/schemas';
import { changePassword, confirmPasswordReset, passwordHistory, requestPasswordReset } from '../../lib/domain/identity-passwords';
import { PASSWORD_RULES, passwordStrength, POLICY_MESSAGE } from '../../lib/domain/identity-password-policy';
import { codeSent, CodeSent, inactiveClinic, Message } from './identity-shapes';

/* Module 2 passwords (/api/profiles/password): change, reset by e-mailed code, strength, history, policy. */

const password = z.string().min(1).max(1024);
const code = z.string().trim().regex(/^\d{6}$/, 'El código debe tener 6 dígitos.');

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
      responses: inactiveClinic,
      handler: async ({ db, actor, body }) => {
        await changePassword(db, actor!, body);
        return { message: 'Contraseña cambiada exitosamente' };
      },
    }),
    route({
      method: 'POST',
      path: '/api/profiles/password/reset/',
      access: 'public',
      summary: 'Solicitar reset de contraseña (código por email; misma respuesta si el email no existe)',
      body: z.object({ email: z.email().max(254) }),
      response: CodeSent,
      handler: async ({ db, body }) => codeSent('Código de verificación enviado exitosamente', await requestPasswordReset(db, body.email)),
    }),
    route({
      method: 'POST',
      path: '/api/profiles/password/reset/confirm/',
      access: 'public',
      summary: 'Confirmar reset de contraseña con el código (email opcional)',
      body: z.object({ code, new_password: password, new_password_confirm: password, email: z.email().max(254).optional() }),
      response: Message,
      responses: { 429: { description: 'Demasiados intentos' } },
      handler: async ({ db, body, sourceIp }) => {
        await confirmPasswordReset(db, body, sourceIp);
        return { message: 'Contraseña restablecida exitosamente' };
      },
    }),
    route({
      method: 'POST',
      path: '/api/profiles/password/strength/',
      access: 'public',
      summary: 'Validar fortaleza de contraseña (zxcvbn; score 0–10)',
      body: z.object({ password }),
      response: z.object({ is_strong: z.boolean(), score: z.number().int().min(0).max(10), suggestions: z.array(z.string()) }),
      db: false,
      handler: async ({ body }) => {
        const r = await passwordStrength(body.password);
        return { is_strong: r.isStrong, score: r.score, suggestions: r.suggestions };
      },
    }),
    route({
      method: 'GET',
      path: '/api/profiles/password/history/',
      access: 'user',
      summary: 'Ver historial de contraseñas (solo fechas)',
      response: z.object({ password_history: z.array(z.object({ date: timestamp, last_updated: timestamp })) }),
      responses: inactiveClinic,
      handler: async ({ db, actor }) => ({
        password_history: (await passwordHistory(db, actor!)).map((h) => ({ date: h.createdAt.toISOString(), last_updated: h.replacedAt.toISOString() })),
      }),
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
      handler: async () => ({
        rules: {
          min_length: PASSWORD_RULES.minLength,
          max_length: PASSWORD_RULES.maxLength,
          require_letters: PASSWORD_RULES.requireLetters,
          require_numbers: PASSWORD_RULES.requireNumbers,
          require_symbols: PASSWORD_RULES.requireSymbols,
          common_passwords_check: PASSWORD_RULES.commonPasswordsCheck,
        },
        message: POLICY_MESSAGE,
      }),
    }),
  ],
});

export const handler = createHandler(group);

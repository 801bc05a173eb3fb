import { z } from 'zod';
import { defineReflexoGroup } from './surface';
import { createHandler } from '../../lib/http/app';
import { created, route } from '../../lib/http/route';
import { detailBody } from '../../lib/http/schemas';
import { login, logout, refreshTokens, register, type TokenPair } from '../../lib/domain/identity-auth';
import { inactiveClinic, Message } from './identity-shapes';

/* Module 1 of reflexo-api.md: register, login, logout, and the DRF token refresh clients expect. */

// Generous cap before the policy's own 128: nobody should make the KDF hash a megabyte.
const passwordInput = z.string().min(1).max(1024);
const optionalText = (max: number) => z.string().trim().max(max).nullish();

const Registration = z.object({
  email: z.email().max(254),
  user_name: z.string().trim().min(1).max(150),
  document_number: optionalText(20),
  name: optionalText(150),
  paternal_lastname: optionalText(150),
  maternal_lastname: optionalText(150),
  password: passwordInput,
  password_confirm: passwordInput,
});

const Tokens = z.object({ access: z.string(), refresh: z.string() });
const tokens = (t: TokenPair) => ({ access: t.access, refresh: t.refresh });
const TokenNotValid = z.object({ detail: z.string(), code: z.literal('token_not_valid') });

export const group = defineReflexoGroup({
  name: 'architect-auth',
  prefixes: ['/api/architect/auth'],
  tag: 'Architect: auth',
  routes: [
    route({
      method: 'POST',
      path: '/api/architect/auth/register/',
      access: 'public',
      summary: 'Registro de usuario (queda sin clínica hasta que un superusuario le asigne una)',
      body: Registration,
      status: 201,
      response: Message,
      handler: async ({ db, body }) => {
        await register(db, body);
        return created({ message: 'Usuario registrado con éxito' });
      },
    }),
    route({
      method: 'POST',
      path: '/api/architect/auth/login/',
      access: 'public',
      summary: 'Login por email (5 intentos fallidos por cuenta o IP en 15 min → 429)',
      body: z.object({ email: z.email().max(254), password: passwordInput }),
      response: z.object({ email: z.string(), refresh: z.string(), access: z.string(), user_id: z.number().int() }),
      responses: {
        401: { description: 'Credenciales inválidas', schema: detailBody },
        403: { description: 'Contraseña correcta, pero la clínica del usuario está desactivada', schema: detailBody },
        429: { description: 'Demasiados intentos (Retry-After)', schema: detailBody },
      },
      handler: async ({ db, body, sourceIp }) => {
        const s = await login(db, { identifier: body.email, password: body.password }, sourceIp);
        return { email: s.user.email, refresh: s.refresh, access: s.access, user_id: s.user.id };
      },
    }),
    route({
      method: 'POST',
      path: '/api/architect/auth/logout/',
      access: 'user',
      summary: 'Logout: revoca el token de acceso presentado y, si se envía, la familia del token de refresco',
      body: z.object({ refresh: z.string().max(4096).optional() }),
      response: detailBody,
      responses: inactiveClinic,
      handler: async ({ db, actor, body }) => {
        await logout(db, actor!, body.refresh);
        return { detail: 'Sesión cerrada. Token revocado.' };
      },
    }),
    route({
      method: 'POST',
      path: '/api/architect/auth/token/refresh/',
      access: 'public',
      summary: 'Renovar tokens (rotación; reutilizar un token ya rotado revoca toda su familia)',
      body: z.object({ refresh: z.string().min(1).max(4096) }),
      response: Tokens,
      responses: {
        401: { description: 'Token de refresco inválido, expirado, revocado o ya rotado', schema: TokenNotValid },
        403: { description: 'La clínica del usuario está desactivada', schema: detailBody },
      },
      handler: async ({ db, body }) => tokens(await refreshTokens(db, body.refresh)),
    }),
  ],
});

export const handler = createHandler(group);

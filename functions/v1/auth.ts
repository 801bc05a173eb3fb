import { z } from 'zod';
import { login, logout, refreshFromAccess, refreshTokens, type TokenPair } from '../../lib/domain/identity-auth';
import { getMyProfile, updateMyProfile } from '../../lib/domain/identity-profiles';
import { clinicName } from '../../lib/domain/clinic-config';
import type { UserRecord } from '../../lib/domain/identity-users';
import type { Db } from '../../lib/db/tenant';
import { Unauthorized } from '../../lib/errors';
import { createHandler } from '../../lib/http/app';
import { reply, route } from '../../lib/http/route';
import { detailBody } from '../../lib/http/schemas';
import { defineV1Group } from './surface';
import { fullName, toUsuario, userInput, UsuarioV1 } from './users';

/*
 * v1 auth: the spec's login response (`access_token`, `token_type`, `expires_in`, `user`) plus
 * `refresh_token` and `user.consultorio`. Same accounts, tokens, throttling and revocation as the
 * Reflexo login: a token from either works on both surfaces. Login takes JSON or the OAuth2 password
 * form (urlencoded), so Swagger UI's Authorize button works against /api/v1/auth/login.
 */
const P = '/api/v1/auth';

const LoginUser = z.object({ id: z.number().int(), username: z.string(), email: z.string(), role: z.string().nullable(), full_name: z.string(), consultorio: z.string().nullable() });
const TokenResponse = z
  .object({ access_token: z.string(), token_type: z.literal('bearer'), expires_in: z.number().int(), refresh_token: z.string(), user: LoginUser })
  .meta({ id: 'TokenV1' });
const RefreshResponse = TokenResponse.omit({ user: true }).meta({ id: 'TokenRefrescadoV1' });

const tokens = (t: TokenPair) => ({ access_token: t.access, token_type: 'bearer' as const, expires_in: t.expiresIn, refresh_token: t.refresh });
const loginUser = async (db: Db, u: UserRecord) => ({ id: u.id, username: u.user_name, email: u.email, role: u.role_name, full_name: fullName(u), consultorio: await clinicName(db, u.reflexo_id) });

const ProfileBody = z.object({
  username: z.string().trim().min(1).max(150).optional(),
  nombres: z.string().trim().max(150).nullable().optional(),
  apellidos: z.string().trim().max(300).nullable().optional(),
  full_name: z.string().trim().max(450).optional(),
  telefono: z.string().trim().max(20).nullable().optional(),
});
const Profile = UsuarioV1.extend({ consultorio: z.string().nullable() }).meta({ id: 'PerfilV1' });
const profile = async (db: Db, u: UserRecord) => ({ ...toUsuario(u), consultorio: await clinicName(db, u.reflexo_id) });

const bearer = (h: Record<string, string>) => /^Bearer\s+(\S+)$/i.exec(h.authorization ?? '')?.[1];

export const group = defineV1Group({
  name: 'v1-auth',
  prefixes: [P],
  tag: 'v1 · Autenticación',
  routes: [
    route({
      method: 'POST',
      path: `${P}/login`,
      access: 'public',
      forms: true,
      summary: 'Login con usuario o e-mail (JSON, o formulario OAuth2 password); 5 intentos fallidos en 15 min → 429',
      body: z.object({ username: z.string().trim().min(1).max(254), password: z.string().min(1).max(1024) }),
      response: TokenResponse,
      responses: {
        401: { description: 'Credenciales inválidas', schema: detailBody },
        403: { description: 'La clínica del usuario está desactivada', schema: detailBody },
        429: { description: 'Demasiados intentos (Retry-After)', schema: detailBody },
      },
      handler: async ({ db, body, sourceIp }) => {
        const session = await login(db, { identifier: body.username, password: body.password }, sourceIp);
        return { ...tokens(session), user: await loginUser(db, session.user) };
      },
    }),
    route({
      method: 'POST',
      path: `${P}/refresh`,
      access: 'public',
      summary: 'Nuevo par de tokens: con {"refresh_token"} (rota la familia; reutilizarlo la revoca) o, con el cuerpo vacío, con un access token aún válido en Authorization',
      body: z.object({ refresh_token: z.string().min(1).max(4096).optional() }),
      response: RefreshResponse,
      responses: { 401: { description: 'Token inválido, expirado, revocado o reutilizado', schema: detailBody }, 403: { description: 'La clínica del usuario está desactivada', schema: detailBody } },
      handler: async ({ db, body, headers }) => {
        if (body.refresh_token) return tokens(await refreshTokens(db, body.refresh_token));
        const access = bearer(headers);
        if (!access) throw new Unauthorized();
        return tokens(await refreshFromAccess(db, access));
      },
    }),
    route({
      method: 'POST',
      path: `${P}/logout`,
      access: 'user',
      summary: 'Revoca el access token presentado y, si se envía, la familia del refresh token',
      body: z.object({ refresh_token: z.string().min(1).max(4096).optional() }),
      status: 204,
      handler: async ({ db, actor, body }) => {
        await logout(db, actor!, body.refresh_token);
        return reply(204);
      },
    }),
    route({ method: 'GET', path: `${P}/profile`, access: 'user', summary: 'Perfil del usuario autenticado', response: Profile, handler: async ({ db, actor }) => profile(db, await getMyProfile(db, actor!)) }),
    route({
      method: 'PUT',
      path: `${P}/profile`,
      access: 'user',
      summary: 'Actualizar el propio perfil (username, nombres, apellidos o full_name, telefono)',
      body: ProfileBody,
      response: Profile,
      handler: async ({ db, actor, body }) => profile(db, await updateMyProfile(db, actor!, userInput(body))),
    }),
  ],
});

export const handler = createHandler(group);

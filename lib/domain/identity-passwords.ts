import { randomInt } from 'node:crypto';
import { hashPassword, verifyPassword } from '../auth/passwords';
import { withGlobalScope, type Db } from '../db/tenant';
import { NotFound, ValidationError } from '../errors';
import type { Actor } from '../auth/actor';
import { pushPasswordHistory, revokeUserRefreshTokens, selectPasswordHistory } from '../queries/identity-credentials';
import { selectPasswordHash, selectUserCredentialsByEmail, updateUser } from '../queries/identity-users';
import { PASSWORD_RULES, POLICY_MESSAGE } from './identity-password-policy';
import { auditIdentity, CODE_TTL_SECONDS, codeResponse, issueCode, mailCode, redeemCodeByValue, redeemUserCode } from './identity-security';
import { assertPasswordAcceptable, PASSWORD_HISTORY_SIZE } from './identity-users';

/* Module 2 passwords: change, reset by e-mailed code, history (dates only) and the policy. */

interface NewPassword {
  new_password: string;
  new_password_confirm: string;
}

/** Full policy, confirmation, and none of the last five passwords (the current one included). */
async function acceptNewPassword(db: Db, userId: number, input: NewPassword): Promise<string> {
  if (input.new_password !== input.new_password_confirm) throw ValidationError.field('new_password_confirm', 'Las contraseñas no coinciden.', 'mismatch');
  await assertPasswordAcceptable(input.new_password, 'new_password', true);
  const current = await selectPasswordHash(db, userId);
  const previous = (await selectPasswordHistory(db, userId, PASSWORD_HISTORY_SIZE)).map((h) => h.password_hash);
  const hashes = [...new Set([...(current ? [current] : []), ...previous])].slice(0, PASSWORD_HISTORY_SIZE);
  for (const h of hashes) {
    if (await verifyPassword(input.new_password, h)) {
      throw ValidationError.field('new_password', 'La nueva contraseña no puede ser igual a una de sus últimas 5 contraseñas.', 'password_reused');
    }
  }
  return hashPassword(input.new_password);
}

/** New password stored, remembered, and every refresh token of the user revoked (other sessions end). */
async function setPassword(db: Db, userId: number, passwordHash: string): Promise<void> {
  await updateUser(db, userId, { password_hash: passwordHash });
  await pushPasswordHistory(db, userId, passwordHash, PASSWORD_HISTORY_SIZE);
  await revokeUserRefreshTokens(db, userId);
}

export async function changePassword(db: Db, actor: Actor, input: NewPassword & { current_password: string }) {
  const current = await selectPasswordHash(db, actor.userId);
  if (!current) throw new NotFound('Usuario no encontrado.');
  if (!(await verifyPassword(input.current_password, current))) throw ValidationError.field('current_password', 'La contraseña actual es incorrecta', 'invalid');
  const hash = await acceptNewPassword(db, actor.userId, input);
  await setPassword(db, actor.userId, hash);
  await auditIdentity(db, { action: 'password_change', entity: 'users', entityId: actor.userId, changedFields: ['password'] });
  return { message: 'Contraseña cambiada exitosamente' };
}

/**
 * Same answer whether or not the e-mail has an account (with the development flag, an unknown
 * e-mail gets a random code that works nowhere), so the route cannot be used to find accounts.
 */
export async function requestPasswordReset(db: Db, email: string) {
  const user = await withGlobalScope(db, () => selectUserCredentialsByEmail(db, email));
  let issued;
  if (user && user.is_active) {
    issued = await withGlobalScope(db, () => issueCode(db, user.id, 'password_reset'));
    await mailCode(user.email, 'Código para restablecer su contraseña', 'Recibimos una solicitud para restablecer la contraseña de su cuenta Reflexo.', issued);
  } else {
    issued = { code: String(randomInt(0, 1_000_000)).padStart(6, '0'), expiresAt: new Date(Date.now() + CODE_TTL_SECONDS * 1000) };
  }
  return { message: 'Código de verificación enviado exitosamente', ...codeResponse(issued) };
}

export async function confirmPasswordReset(db: Db, input: NewPassword & { code: string; email?: string }, sourceIp: string) {
  return withGlobalScope(db, async () => {
    let row;
    if (input.email) {
      const user = await selectUserCredentialsByEmail(db, input.email);
      row = user ? await redeemUserCode(db, user.id, 'password_reset', input.code) : await redeemCodeByValue(db, 'password_reset', input.code, sourceIp);
    } else {
      row = await redeemCodeByValue(db, 'password_reset', input.code, sourceIp);
    }
    const hash = await acceptNewPassword(db, row.user_id, input);
    await setPassword(db, row.user_id, hash);
    const owner = await db.selectFrom('users').select('reflexo_id').where('id', '=', row.user_id).executeTakeFirst();
    await auditIdentity(db, { action: 'password_reset', entity: 'users', entityId: row.user_id, changedFields: ['password'], reflexoId: owner?.reflexo_id ?? null, userId: row.user_id });
    return { message: 'Contraseña restablecida exitosamente' };
  });
}

export async function passwordHistory(db: Db, actor: Actor) {
  const rows = await selectPasswordHistory(db, actor.userId, PASSWORD_HISTORY_SIZE);
  return {
    password_history: rows.map((r) => ({ date: new Date(r.created_at).toISOString(), last_updated: new Date(r.replaced_at ?? r.created_at).toISOString() })),
  };
}

export const passwordPolicy = () => ({ rules: { ...PASSWORD_RULES }, message: POLICY_MESSAGE });


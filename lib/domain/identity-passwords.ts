import { hashPassword, verifyPassword } from '../auth/passwords';
import { withGlobalScope, type Db } from '../db/tenant';
import { NotFound, ValidationError } from '../errors';
import type { Actor } from '../auth/actor';
import { pushPasswordHistory, revokeUserRefreshTokens, selectPasswordHistory } from '../queries/identity-credentials';
import { selectPasswordHash, selectUserById, selectUserCredentialsByEmail, updateUser } from '../queries/identity-users';
import { auditIdentity, codeReceipt, decoyReceipt, issueCode, mailCode, redeemCodeByValue, redeemUserCode, type CodeReceipt } from './identity-security';
import { assertPasswordAcceptable, PASSWORD_HISTORY_SIZE } from './identity-users';

/* Passwords: change, reset by e-mailed code, history (dates only) and the policy. */

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

export async function changePassword(db: Db, actor: Actor, input: NewPassword & { current_password: string }): Promise<void> {
  const current = await selectPasswordHash(db, actor.userId);
  if (!current) throw new NotFound('Usuario no encontrado.');
  if (!(await verifyPassword(input.current_password, current))) throw ValidationError.field('current_password', 'La contraseña actual es incorrecta', 'invalid');
  const hash = await acceptNewPassword(db, actor.userId, input);
  await setPassword(db, actor.userId, hash);
  await auditIdentity(db, { action: 'password_change', entity: 'users', entityId: actor.userId, changedFields: ['password'] });
}

/**
 * Same answer whether or not the e-mail has an account (with the development flag, an unknown
 * e-mail gets a random code that works nowhere), so the route cannot be used to find accounts.
 */
export async function requestPasswordReset(db: Db, email: string): Promise<CodeReceipt> {
  const user = await withGlobalScope(db, () => selectUserCredentialsByEmail(db, email));
  if (!user || !user.is_active) return decoyReceipt();
  const issued = await withGlobalScope(db, () => issueCode(db, user.id, 'password_reset'));
  await mailCode(
    db,
    { to: user.email, subject: 'Código para restablecer su contraseña', intro: 'Recibimos una solicitud para restablecer la contraseña de su cuenta Reflexo.', purpose: 'password_reset' },
    issued,
  );
  return codeReceipt(issued);
}

export async function confirmPasswordReset(db: Db, input: NewPassword & { code: string; email?: string }, sourceIp: string): Promise<void> {
  await withGlobalScope(db, async () => {
    let row;
    if (input.email) {
      const user = await selectUserCredentialsByEmail(db, input.email);
      row = user ? await redeemUserCode(db, user.id, 'password_reset', input.code) : await redeemCodeByValue(db, 'password_reset', input.code, sourceIp);
    } else {
      row = await redeemCodeByValue(db, 'password_reset', input.code, sourceIp);
    }
    const hash = await acceptNewPassword(db, row.user_id, input);
    await setPassword(db, row.user_id, hash);
    const owner = await selectUserById(db, row.user_id);
    await auditIdentity(db, { action: 'password_reset', entity: 'users', entityId: row.user_id, changedFields: ['password'], reflexoId: owner?.reflexo_id ?? null, userId: row.user_id });
  });
}

export interface PasswordHistoryEntry {
  createdAt: Date;
  /** When the next password replaced it (the current one: its creation). */
  replacedAt: Date;
}

export async function passwordHistory(db: Db, actor: Actor): Promise<PasswordHistoryEntry[]> {
  const rows = await selectPasswordHistory(db, actor.userId, PASSWORD_HISTORY_SIZE);
  return rows.map((r) => ({ createdAt: new Date(r.created_at), replacedAt: new Date(r.replaced_at ?? r.created_at) }));
}

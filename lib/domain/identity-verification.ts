import { sql } from 'kysely';
import { withGlobalScope, type Db } from '../db/tenant';
import type { CodePurpose } from '../db/tables/identity';
import { Conflict, NotFound, ValidationError } from '../errors';
import type { Actor } from '../auth/actor';
import { selectCodesForUser } from '../queries/identity-credentials';
import { emailTaken, selectUserById, selectUserCredentialsByEmail, updateUser } from '../queries/identity-users';
import {
  auditIdentity,
  CODE_MAX_ATTEMPTS,
  codeReceipt,
  codeRowIsLive,
  decoyReceipt,
  issueCode,
  mailCode,
  redeemCodeByValue,
  redeemUserCode,
  type CodeReceipt,
  type IssuedCode,
} from './identity-security';

/*
 * E-mail verification: codes to verify the account's address and to move it to a new one. One live
 * code per user and type; a new request replaces the previous code.
 */

export type VerificationType = Extract<CodePurpose, 'email_verification' | 'email_change'>;
export const VERIFICATION_TYPES = ['email_verification', 'email_change'] as const;

async function me(db: Db, actor: Actor) {
  const row = await selectUserById(db, actor.userId);
  if (!row) throw new NotFound('Usuario no encontrado.');
  return row;
}

/** New addresses must be free; checked again by the unique key when the change is confirmed. */
async function assertEmailFree(db: Db, email: string, field: string, userId: number): Promise<void> {
  if (await withGlobalScope(db, () => emailTaken(db, email, userId))) throw ValidationError.field(field, 'Este email ya está registrado en el sistema.', 'unique');
}

async function sendVerification(db: Db, user: { id: number }, type: VerificationType, to: string, targetEmail: string | null): Promise<IssuedCode> {
  const issued = await issueCode(db, user.id, type, targetEmail);
  const mail =
    type === 'email_change'
      ? { subject: 'Confirme su nuevo email', intro: 'Recibimos una solicitud para cambiar el email de su cuenta Reflexo a esta dirección.' }
      : { subject: 'Verifique su email', intro: 'Use este código para verificar el email de su cuenta Reflexo.' };
  await mailCode(db, { ...mail, to, purpose: type }, issued);
  return issued;
}

/** A code for the caller: to verify their address, or (email_change) to move it to `target_email`. */
export async function requestVerificationCode(db: Db, actor: Actor, input: { verification_type: VerificationType; target_email?: string }): Promise<CodeReceipt> {
  const user = await me(db, actor);
  let to = user.email;
  let target: string | null = null;
  if (input.verification_type === 'email_change') {
    if (!input.target_email) throw ValidationError.field('target_email', 'Este campo es requerido para el cambio de email.', 'missing');
    if (input.target_email.toLowerCase() === user.email.toLowerCase()) throw ValidationError.field('target_email', 'El nuevo email es igual al actual.', 'invalid');
    await assertEmailFree(db, input.target_email, 'target_email', user.id);
    to = target = input.target_email;
  }
  return codeReceipt(await sendVerification(db, user, input.verification_type, to, target));
}

export async function requestEmailChange(db: Db, actor: Actor, newEmail: string): Promise<CodeReceipt> {
  const user = await me(db, actor);
  if (newEmail.toLowerCase() === user.email.toLowerCase()) throw ValidationError.field('new_email', 'El nuevo email es igual al actual.', 'invalid');
  await assertEmailFree(db, newEmail, 'new_email', user.id);
  return codeReceipt(await sendVerification(db, user, 'email_change', newEmail, newEmail));
}

export async function confirmEmailChange(db: Db, actor: Actor, code: string): Promise<void> {
  const row = await redeemUserCode(db, actor.userId, 'email_change', code);
  if (!row.target_email) throw ValidationError.field('code', 'El código es inválido o ha expirado.', 'invalid_code');
  const updated = await updateUser(db, actor.userId, { email: row.target_email, email_verified_at: sql`now()` as never }).catch((err) => {
    if ((err as { code?: string }).code === '23505') throw new Conflict('Este email ya está registrado en el sistema.');
    throw err;
  });
  if (!updated) throw new NotFound('Usuario no encontrado.');
  await auditIdentity(db, { action: 'email_change', entity: 'users', entityId: actor.userId, changedFields: ['email'] });
}

/** Public: same answer whether or not the address has an account. */
export async function requestEmailVerification(db: Db, email: string): Promise<CodeReceipt> {
  const user = await withGlobalScope(db, () => selectUserCredentialsByEmail(db, email));
  if (!user || !user.is_active) return decoyReceipt();
  return codeReceipt(await withGlobalScope(db, () => sendVerification(db, user, 'email_verification', user.email, null)));
}

/** The contract's example sends only the code: it finds its owner (guesses are limited per client IP). */
export async function confirmEmailVerification(db: Db, input: { code: string; email?: string }, sourceIp: string): Promise<void> {
  await withGlobalScope(db, async () => {
    let row;
    const owner = input.email ? await selectUserCredentialsByEmail(db, input.email) : undefined;
    if (owner) row = await redeemUserCode(db, owner.id, 'email_verification', input.code);
    else row = await redeemCodeByValue(db, 'email_verification', input.code, sourceIp);
    await updateUser(db, row.user_id, { email_verified_at: sql`now()` as never });
  });
}

export interface VerificationStatus {
  email: string;
  emailVerified: boolean;
  /** Unexpired codes; `isValid` is false once their attempts are spent. */
  codes: { type: CodePurpose; expiresAt: Date; attemptsRemaining: number; isValid: boolean }[];
}

export async function verificationStatus(db: Db, actor: Actor): Promise<VerificationStatus> {
  const user = await me(db, actor);
  const codes = await selectCodesForUser(db, user.id, [...VERIFICATION_TYPES]);
  return {
    email: user.email,
    emailVerified: user.email_verified_at !== null,
    codes: codes
      .filter((c) => new Date(c.expires_at).getTime() > Date.now())
      .map((c) => ({ type: c.purpose, expiresAt: new Date(c.expires_at), attemptsRemaining: Math.max(0, CODE_MAX_ATTEMPTS - c.attempts), isValid: codeRowIsLive(c) })),
  };
}

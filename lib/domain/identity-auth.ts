import { randomUUID } from 'node:crypto';
import { hashPassword, needsRehash, verifyPassword } from '../auth/passwords';
import { InvalidToken, signToken, verifyToken } from '../auth/tokens';
import { keepEvenIfRolledBack, withGlobalScope, type Db } from '../db/tenant';
import { Forbidden, invalidToken, Unauthorized, ValidationError } from '../errors';
import type { Actor } from '../auth/actor';
import {
  insertRefreshToken,
  insertRevokedToken,
  isTokenRevoked,
  markRefreshRotated,
  pushPasswordHistory,
  revokeRefreshFamily,
  selectRefreshToken,
} from '../queries/identity-credentials';
import { recordLogin, selectLoginAttempt, selectSessionUser, selectUserById } from '../queries/identity-users';
import { assertPasswordAcceptable, insertUserOrFieldError, PASSWORD_HISTORY_SIZE, type UserRecord } from './identity-users';
import { recordAudit } from './audit';
import { auditIdentity, FAILURE_WINDOW_SECONDS, ipKeys, recordFailure, throttleVerdict, type FailureKey } from './identity-security';

/*
 * Register, login (throttled), logout (revokes what was presented) and refresh with rotation: each
 * refresh token is single use; presenting a rotated one again means it leaked, so its whole family
 * (every token descended from that login) is revoked. Both surfaces log in here: Reflexo by e-mail,
 * v1 by user name; either names the account, case-insensitively.
 */

export interface Registration {
  email: string;
  user_name: string;
  document_number?: string | null;
  name?: string | null;
  paternal_lastname?: string | null;
  maternal_lastname?: string | null;
  password: string;
  password_confirm: string;
}

export interface TokenPair {
  access: string;
  refresh: string;
  /** Seconds the access token is valid for. */
  expiresIn: number;
}

/** What a successful login yields: the account and its first token pair. */
export interface Session extends TokenPair {
  user: UserRecord;
}

/**
 * A self-registered user has no clinic (reflexo_id null) and no role until a superuser assigns them
 * one; until then only the profile, password and verification routes are useful to them.
 */
export async function register(db: Db, input: Registration): Promise<UserRecord> {
  if (input.password !== input.password_confirm) throw ValidationError.field('password_confirm', 'Las contraseñas no coinciden.', 'mismatch');
  // The register section of the contract only asks for length and "not common" (its own example
  // password has no digits); the stricter policy applies to password changes and resets.
  await assertPasswordAcceptable(input.password, 'password', false);
  const passwordHash = await hashPassword(input.password);
  const { password: _p, password_confirm: _c, ...profile } = input;
  // The new row has no clinic, so only the global scope may insert it (and read it back) under row-level security.
  return withGlobalScope(db, async () => {
    const id = await insertUserOrFieldError(db, { ...profile, reflexo_id: null, password_hash: passwordHash });
    await pushPasswordHistory(db, id, passwordHash, PASSWORD_HISTORY_SIZE);
    await auditIdentity(db, { action: 'register', entity: 'users', entityId: id, reflexoId: null, userId: id });
    return (await selectUserById(db, id))!;
  });
}

const badCredentials = () => new Unauthorized('Credenciales inválidas. Verifique su email y contraseña.', { code: 'invalid_credentials' });
/** The same refusal the request probe gives an issued token (the HTTP layer's app.ts). */
const inactiveClinic = () => new Forbidden('La clínica de este usuario está desactivada.', { code: 'tenant_inactive' });

// Unknown accounts still pay for one KDF run, so response time does not reveal which accounts exist.
let decoyHash: Promise<string> | undefined;

/** A signed pair, and the refresh token's row to store (by the caller: login stores it with its other writes). */
async function signPair(user: { id: number; reflexo_id: number | null; is_superuser: boolean }, family: string) {
  const subject = { id: user.id, reflexoId: user.reflexo_id, isSuperuser: user.is_superuser };
  const [access, refresh] = await Promise.all([signToken('access', subject), signToken('refresh', subject, family)]);
  const pair: TokenPair = { access: access.token, refresh: refresh.token, expiresIn: Math.max(0, access.exp - Math.floor(Date.now() / 1000)) };
  return { pair, row: { jti: refresh.jti, family, user_id: user.id, expires_at: new Date(refresh.exp * 1000) } };
}

async function issueTokens(db: Db, user: { id: number; reflexo_id: number | null; is_superuser: boolean }, family: string): Promise<TokenPair> {
  const { pair, row } = await signPair(user, family);
  await insertRefreshToken(db, row);
  return pair;
}

/**
 * `identifier` is an e-mail or a user name. Wrong password, unknown account and inactive account are
 * one 401; a right password for a user of a deactivated clinic is a 403 (audited as a failed login,
 * not counted against the throttle: it guesses nothing).
 */
export async function login(db: Db, input: { identifier: string; password: string }, sourceIp: string): Promise<Session> {
  const keys: FailureKey[] = [{ kind: 'login_account', key: input.identifier.toLowerCase() }, ...ipKeys('login_ip', sourceIp)];
  // The caller is unknown until the account is found: the whole login runs in the global scope.
  // Two statements: one read (the account and the failures of every key), one write (lib/queries/identity-users.ts).
  return withGlobalScope(db, async () => {
    const attempt = await selectLoginAttempt(db, input.identifier, keys, FAILURE_WINDOW_SECONDS);
    const failuresOf = (of: FailureKey[]) => attempt.failures.filter((r) => of.some((k) => k.kind === r.kind && k.key === r.key));
    let recentFailures = throttleVerdict(failuresOf(keys));
    const found = attempt.user;
    // The account's limit holds whichever name it was reached by (e-mail or user name): one key per account.
    const accountKey = found ? found.account_key : null;
    if (accountKey && accountKey !== keys[0].key) {
      keys.push({ kind: 'login_account', key: accountKey });
      recentFailures = throttleVerdict(failuresOf(keys.slice(-1))) || recentFailures;
    }
    const ok = found ? await verifyPassword(input.password, found.password_hash) : await verifyPassword(input.password, await (decoyHash ??= hashPassword(randomUUID())));
    const failure = { action: 'login_failed', entity: 'users', entityId: found?.id ?? null, reflexoId: found?.reflexo_id ?? null, userId: found?.id ?? null };
    if (!found || !ok || !found.is_active) {
      recordFailure(db, keys, failure);
      throw badCredentials();
    }
    if (found.reflexo_id !== null && found.tenant_active === false) {
      recordFailure(db, [], failure);
      throw inactiveClinic();
    }
    const { password_hash: passwordHash, tenant_active: _t, account_key: _k, ...user } = found;
    const { pair, row } = await signPair(user, randomUUID());
    const rehashed = needsRehash(passwordHash) ? await hashPassword(input.password) : undefined;
    const lastLogin = await recordLogin(db, { userId: user.id, passwordHash: rehashed, refresh: row, clearKeys: recentFailures ? keys : [] });
    await recordAudit(db, { action: 'login', entity: 'users', entityId: user.id, reflexoId: user.reflexo_id, userId: user.id });
    return { ...pair, user: { ...user, last_login: lastLogin } };
  });
}

/** Revokes the presented access token and, when given, the refresh token's whole family. */
export async function logout(db: Db, actor: Actor, refresh: string | undefined): Promise<void> {
  await insertRevokedToken(db, { jti: actor.jti, user_id: actor.userId, expires_at: new Date(actor.tokenExp * 1000) });
  if (refresh) {
    const claims = await verifyToken(refresh, 'refresh').catch(() => {
      throw ValidationError.field('refresh', 'El token de refresco no es válido o ha expirado.', 'token_not_valid');
    });
    if (Number(claims.sub) !== actor.userId) throw ValidationError.field('refresh', 'El token de refresco no pertenece a esta sesión.', 'token_not_valid');
    await insertRevokedToken(db, { jti: claims.jti, user_id: actor.userId, expires_at: new Date(claims.exp * 1000) });
    const row = await selectRefreshToken(db, claims.jti);
    if (row) await revokeRefreshFamily(db, row.family);
  }
  await auditIdentity(db, { action: 'logout', entity: 'users', entityId: actor.userId });
}

/**
 * A new pair for the holder of a still-valid access token (the v1 client refreshes that way, with an
 * empty body): same checks as the request probe — signature, expiry, not revoked, user active, clinic
 * active — and a new refresh family, since no refresh token was presented.
 */
export async function refreshFromAccess(db: Db, token: string): Promise<TokenPair> {
  let claims;
  try {
    claims = await verifyToken(token, 'access');
  } catch (err) {
    if (err instanceof InvalidToken) throw invalidToken();
    throw err;
  }
  if (await isTokenRevoked(db, claims.jti)) throw invalidToken();
  const user = await withGlobalScope(db, () => selectSessionUser(db, Number(claims.sub)));
  if (!user || !user.is_active) throw invalidToken();
  if (user.reflexo_id !== null && user.tenant_active === false) throw inactiveClinic();
  return issueTokens(db, user, randomUUID());
}

export async function refreshTokens(db: Db, token: string): Promise<TokenPair> {
  let claims;
  try {
    claims = await verifyToken(token, 'refresh');
  } catch (err) {
    if (err instanceof InvalidToken) throw invalidToken();
    throw err;
  }
  const row = await selectRefreshToken(db, claims.jti);
  if (!row || row.revoked_at || (await isTokenRevoked(db, claims.jti))) throw invalidToken();
  if (row.rotated_at || !(await markRefreshRotated(db, claims.jti))) {
    // Reuse of a spent token: someone else holds a copy. The revocation must survive the 401.
    keepEvenIfRolledBack(db, (tx) => revokeRefreshFamily(tx, row.family));
    throw invalidToken();
  }
  const user = await withGlobalScope(db, () => selectSessionUser(db, row.user_id));
  if (!user || !user.is_active) throw invalidToken();
  // The rotation rolls back with this error: the token works again once the clinic is reactivated.
  if (user.reflexo_id !== null && user.tenant_active === false) throw inactiveClinic();
  return issueTokens(db, user, row.family);
}

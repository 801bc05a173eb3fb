import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors, type JWTPayload } from 'jose';
import { config } from '../config';

export type TokenType = 'access' | 'refresh';

export interface TokenClaims {
  sub: string;
  typ: TokenType;
  jti: string;
  iat: number;
  exp: number;
  /** The user's tenant when the token was issued (null for users without one). */
  rid: number | null;
  /** Superuser flag when issued; the database is checked again on every request. */
  su: boolean;
  /** Refresh-token family: every rotation of one login shares it, so reuse can revoke them all. */
  fam?: string;
}

/*
 * HMAC keys are imported once per container (jose would otherwise import the raw secret on every
 * verification) and rebuilt only when the configured secret changes.
 */
const keys = new Map<string, KeyObject>();
function keyFor(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) {
    if (keys.size > 4) keys.clear(); // only ever the current and the previous key: nothing to grow
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    keys.set(secret, key);
  }
  return key;
}
/** New tokens are always signed with the current key. */
const secretKey = () => keyFor(config.jwtSecret);

export interface IssuedToken {
  token: string;
  jti: string;
  exp: number;
}

export async function signToken(
  typ: TokenType,
  user: { id: number; reflexoId: number | null; isSuperuser: boolean },
  family?: string,
): Promise<IssuedToken> {
  const now = Math.floor(Date.now() / 1000);
  const jti = randomUUID();
  const exp = now + (typ === 'access' ? config.accessTtlSeconds : config.refreshTtlSeconds);
  const payload: Record<string, unknown> = { typ, rid: user.reflexoId, su: user.isSuperuser };
  if (family) payload.fam = family;
  const token = await new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(String(user.id))
    .setJti(jti)
    .setIssuedAt(now)
    .setExpirationTime(exp)
    .setIssuer(config.jwtIssuer)
    .setAudience(config.jwtAudience)
    .sign(secretKey());
  return { token, jti, exp };
}

export class InvalidToken extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/*
 * Tokens this API issues are a few hundred bytes. Anything much longer, or not three base64url
 * segments, is refused before any decoding or HMAC work: a 64 KB header must cost no more than a
 * short one.
 */
export const MAX_TOKEN_LENGTH = 2048;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/*
 * During a key rotation (README "Deploying") a token signed with the previous key is still accepted
 * until JWT_PREVIOUS_SECRET_UNTIL, so nobody is logged out by it; after that instant it is refused
 * like any foreign signature. Only a signature mismatch falls through to the previous key: a token
 * the current key verifies but that is expired or for another audience is refused as it is.
 */
async function verifyWithKeys(token: string): Promise<{ payload: JWTPayload; currentKey: boolean }> {
  const options = { algorithms: ['HS256'], issuer: config.jwtIssuer, audience: config.jwtAudience, requiredClaims: ['sub', 'jti', 'exp', 'iat'] };
  try {
    return { payload: (await jwtVerify(token, secretKey(), options)).payload, currentKey: true };
  } catch (err) {
    if (!(err instanceof joseErrors.JWSSignatureVerificationFailed)) throw err;
    let previous: string | undefined;
    try {
      previous = config.jwtPreviousSecret;
    } catch (configError) {
      throw new RotationMisconfigured((configError as Error).message);
    }
    if (!previous) throw err;
    return { payload: (await jwtVerify(token, keyFor(previous), options)).payload, currentKey: false };
  }
}

/*
 * Access tokens this container has verified, by their exact text, until they expire: a client sends
 * the same token with every request for its 15 minutes, and the HMAC, the JSON decoding and the claim
 * checks are then paid once instead of per request. Only the signature and claims are remembered —
 * revocation, the user's state and tenant are checked against the database on every request as
 * before. Only tokens of the current key are kept (one under the previous key stops at the end of the
 * rotation window whatever its expiry), and the whole cache is dropped when the current key changes:
 * after a rotation a token is accepted only if the new key or the previous-key window accepts it.
 * Bounded: the oldest entry leaves when it is full.
 */
const VERIFIED_CAP = 1000;
const verifiedAccess = new Map<string, TokenClaims>();
let verifiedUnder: string | undefined;

function knownAccess(token: string): TokenClaims | undefined {
  const secret = config.jwtSecret;
  if (verifiedUnder !== secret) {
    verifiedAccess.clear();
    verifiedUnder = secret;
    return undefined;
  }
  const known = verifiedAccess.get(token);
  if (known && known.exp * 1000 <= Date.now()) {
    verifiedAccess.delete(token);
    return undefined;
  }
  return known;
}

function rememberVerified(token: string, claims: TokenClaims) {
  if (verifiedAccess.size >= VERIFIED_CAP) verifiedAccess.delete(verifiedAccess.keys().next().value!);
  verifiedAccess.set(token, claims);
}

/**
 * A rotation window set up wrong (a previous key too short to be one, a window end that is no date):
 * the request fails as a server error, loudly, instead of logging its user out without a trace. Only
 * tokens the current key does not verify ever get here.
 */
export class RotationMisconfigured extends Error {}

/**
 * Verifies signature (HS256 only: `alg: none` and any other algorithm are refused), issuer,
 * audience, expiry and token type. Revocation is checked by the caller against the database.
 */
export async function verifyToken(token: string, expected: TokenType): Promise<TokenClaims> {
  if (token.length > MAX_TOKEN_LENGTH) throw new InvalidToken('token too long');
  if (!COMPACT_JWS.test(token)) throw new InvalidToken('not a compact JWS');
  if (expected === 'access') {
    const known = knownAccess(token);
    if (known) return { ...known };
  }
  try {
    const { payload, currentKey } = await verifyWithKeys(token);
    const sub = Number(payload.sub);
    if (payload.typ !== expected || !Number.isSafeInteger(sub) || sub <= 0 || !UUID.test(String(payload.jti))) {
      throw new InvalidToken('wrong token type or claims');
    }
    const rid = payload.rid === null || payload.rid === undefined ? null : Number(payload.rid);
    if (rid !== null && !Number.isSafeInteger(rid)) throw new InvalidToken('bad tenant claim');
    const claims: TokenClaims = {
      sub: String(sub),
      typ: expected,
      jti: String(payload.jti),
      iat: payload.iat!,
      exp: payload.exp!,
      rid,
      su: payload.su === true,
      fam: typeof payload.fam === 'string' && UUID.test(payload.fam) ? payload.fam : undefined,
    };
    if (expected === 'access' && currentKey) rememberVerified(token, claims);
    return { ...claims };
  } catch (err) {
    if (err instanceof InvalidToken || err instanceof RotationMisconfigured) throw err;
    if (err instanceof joseErrors.JOSEError) throw new InvalidToken(err.code);
    throw new InvalidToken('malformed token');
  }
}

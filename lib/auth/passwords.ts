import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { config } from '../config';

/*
 * scrypt (memory-hard, in node:crypto). The parameters travel inside the hash
 * (`scrypt$N$r$p$salt$hash`), so they can be raised later and old hashes still verify.
 */
const scrypt = (password: string, salt: Buffer, keylen: number, opts: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCb(password.normalize('NFKC'), salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))));

const KEYLEN = 32;
const cost = () => ({ N: config.passwordScryptN, r: 8, p: 1 });

export async function hashPassword(password: string): Promise<string> {
  const { N, r, p } = cost();
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEYLEN, { N, r, p, maxmem: 256 * N * r });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  const salt = Buffer.from(parts[4], 'base64');
  const expected = Buffer.from(parts[5], 'base64');
  const key = await scrypt(password, salt, expected.length, { N, r, p, maxmem: 256 * N * r });
  return timingSafeEqual(key, expected);
}

/** True when the stored hash was made with weaker parameters than today's (rehash on next login). */
export function needsRehash(stored: string): boolean {
  const [, N] = stored.split('$');
  return Number(N) < cost().N;
}

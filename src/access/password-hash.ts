import { createHash, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Mosquitto 2 password hashes, as `mosquitto_passwd` writes them:
 * `$7$<iterations>$<base64 salt>$<base64 hash>` (PBKDF2-HMAC-SHA512, 64-byte hash, 12-byte salt, 101
 * iterations by default) and the older `$6$<base64 salt>$<base64 hash>` (SHA-512 of password + salt).
 */
export const PBKDF2_ITERATIONS = 101;
const SALT_BYTES = 12;
const HASH_BYTES = 64;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export type ParsedHash =
  | { kind: 'pbkdf2-sha512'; iterations: number; salt: Buffer; hash: Buffer }
  | { kind: 'sha512'; salt: Buffer; hash: Buffer };

/** Reads a stored hash; null when it is not one Mosquitto 2 writes (never throws). */
export function parseHash(text: string): ParsedHash | null {
  const parts = text.split('$');
  if (parts[0] !== '') return null;
  if (parts[1] === '7' && parts.length === 5) {
    const [, , iterations, salt, hash] = parts as [string, string, string, string, string];
    if (!/^[1-9]\d{0,6}$/.test(iterations) || !BASE64.test(salt) || !BASE64.test(hash)) return null;
    const decoded = Buffer.from(hash, 'base64');
    if (decoded.length !== HASH_BYTES) return null;
    return {
      kind: 'pbkdf2-sha512',
      iterations: Number(iterations),
      salt: Buffer.from(salt, 'base64'),
      hash: decoded,
    };
  }
  if (parts[1] === '6' && parts.length === 4) {
    const [, , salt, hash] = parts as [string, string, string, string];
    if (!BASE64.test(salt) || !BASE64.test(hash)) return null;
    const decoded = Buffer.from(hash, 'base64');
    if (decoded.length !== HASH_BYTES) return null;
    return { kind: 'sha512', salt: Buffer.from(salt, 'base64'), hash: decoded };
  }
  return null;
}

function derive(parsed: ParsedHash, password: string): Buffer {
  if (parsed.kind === 'sha512')
    return createHash('sha512').update(password, 'utf8').update(parsed.salt).digest();
  return pbkdf2Sync(password, parsed.salt, parsed.iterations, HASH_BYTES, 'sha512');
}

/** Constant-time check of a password against a parsed hash. */
export function verifyPassword(parsed: ParsedHash, password: string): boolean {
  return timingSafeEqual(derive(parsed, password), parsed.hash);
}

/** A `$7$` hash as Mosquitto 2's `mosquitto_passwd` makes it. */
export function hashPassword(password: string, iterations = PBKDF2_ITERATIONS): string {
  const salt = randomBytes(SALT_BYTES);
  const hash = pbkdf2Sync(password, salt, iterations, HASH_BYTES, 'sha512');
  return `$7$${iterations}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

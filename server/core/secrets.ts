import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Secrets we hand out (session cookies, API keys, invitation links) are random, and only
 * their SHA-256 is stored: a copy of the database opens nothing.
 */
export const newSecret = (bytes = 32) => randomBytes(bytes).toString('base64url');

export const secretHash = (secret: string) => createHash('sha256').update(secret).digest('base64url');

/** Constant-time comparison of two strings (CSRF tokens, secret hashes). */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

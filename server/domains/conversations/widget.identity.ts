import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { DomainError } from '../../core/errors.ts';
import { sameSecret } from '../../core/secrets.ts';

/** How long a signed identity token is good for; the shop's page signs a fresh one per load. */
export const IDENTITY_MAX_AGE_S = 600;
const CLOCK_SKEW_S = 60;

const claims = z.strictObject({
  /** The customer's id in the shop's own system. */
  sub: z.string().min(1).max(200),
  email: z.email().max(254).optional(),
  name: z.string().trim().min(1).max(100).optional(),
  /** Issued at, in Unix seconds. */
  iat: z.number().int().positive(),
});
export type IdentityClaims = z.infer<typeof claims>;

const mac = (secret: string, signed: string) => createHmac('sha256', secret).update(signed).digest('base64url');

/**
 * What the shop's server does to vouch for a signed-in customer:
 * `v1.<base64url(JSON claims)>.<base64url(HMAC-SHA256(secret, "v1." + claims part))>`.
 *
 * @example signIdentity(secret, { sub: 'cust-42', email: 'hanako@example.jp', name: '山田花子', iat: Math.floor(Date.now() / 1000) })
 */
export function signIdentity(secret: string, c: IdentityClaims): string {
  const body = `v1.${Buffer.from(JSON.stringify(c)).toString('base64url')}`;
  return `${body}.${mac(secret, body)}`;
}

const refuse = (message: string) => new DomainError('unauthenticated', message);

/** Checks the signature first, then the age; any doubt refuses (nothing is let through unverified). */
export function verifyIdentity(secret: string | null, token: string, now: Date): IdentityClaims {
  if (!secret) throw refuse('this shop has not set up verified chat (no widget secret)');
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== 'v1') throw refuse('identity token is malformed');
  if (!sameSecret(mac(secret, `${parts[0]}.${parts[1]}`), parts[2]!)) throw refuse('identity token signature does not match');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
  } catch {
    throw refuse('identity token is malformed');
  }
  const r = claims.safeParse(parsed);
  if (!r.success) throw refuse('identity token claims are not valid');
  const age = now.getTime() / 1000 - r.data.iat;
  if (age > IDENTITY_MAX_AGE_S) throw refuse('identity token has expired');
  if (age < -CLOCK_SKEW_S) throw refuse('identity token is issued in the future');
  return r.data;
}

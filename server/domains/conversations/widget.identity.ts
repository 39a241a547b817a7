import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { DomainError } from '../../core/errors.ts';
import type { Redis } from '../../core/redis.ts';
import { sameSecret } from '../../core/secrets.ts';
import { unavailable } from '../../core/unavailable.ts';

/** The longest a signed identity token is good for; the shop's page signs a fresh one per load. */
export const IDENTITY_MAX_AGE_S = 600;
const CLOCK_SKEW_S = 60;

const claims = z.strictObject({
  /** The customer's id in the shop's own system. */
  sub: z.string().min(1).max(200),
  email: z.email().max(254).optional(),
  name: z.string().trim().min(1).max(100).optional(),
  /** Issued at, in Unix seconds. */
  iat: z.number().int().positive(),
  /** Expires at, in Unix seconds (optional): at most IDENTITY_MAX_AGE_S after iat, which bounds it anyway. */
  exp: z.number().int().positive().optional(),
  /** A random id of this token (a UUID will do): each token starts one session, once. */
  jti: z.string().regex(/^[\w-]{16,128}$/, '16–128 letters, digits, - or _ (a UUID will do)'),
});
export type IdentityClaims = z.infer<typeof claims>;

const mac = (secret: string, signed: string) => createHmac('sha256', secret).update(signed).digest('base64url');

/**
 * What the shop's server does to vouch for a signed-in customer:
 * `v1.<base64url(JSON claims)>.<base64url(HMAC-SHA256(secret, "v1." + claims part))>`.
 *
 * @example signIdentity(secret, { sub: 'cust-42', email: 'hanako@example.jp', name: '山田花子', iat: Math.floor(Date.now() / 1000), jti: randomUUID() })
 */
export function signIdentity(secret: string, c: IdentityClaims): string {
  const body = `v1.${Buffer.from(JSON.stringify(c)).toString('base64url')}`;
  return `${body}.${mac(secret, body)}`;
}

const refuse = (message: string) => new DomainError('unauthenticated', message);

/** A verified token's claims, and until when (Unix seconds) it would be accepted: how long its jti must be remembered. */
export interface VerifiedIdentity {
  claims: IdentityClaims;
  acceptedUntil: number;
}

/**
 * Checks the signature first, then the claims and the token's life; any doubt refuses
 * (nothing is let through unverified). It does not know whether the token was used before:
 * `IdentityReplayCache` does.
 */
export function verifyIdentity(secret: string | null, token: string, now: Date): VerifiedIdentity {
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
  if (!r.success) throw refuse(`identity token claims are not valid: ${r.error.issues.map((i) => `${i.path.join('.') || 'claims'} (${i.message})`).join(', ')}`);
  const c = r.data;
  const t = now.getTime() / 1000;
  if (c.iat - t > CLOCK_SKEW_S) throw refuse('identity token is issued in the future');
  if (c.exp !== undefined && (c.exp <= c.iat || c.exp - c.iat > IDENTITY_MAX_AGE_S)) throw refuse(`identity token exp must be after iat and at most ${IDENTITY_MAX_AGE_S} s after it`);
  const acceptedUntil = Math.min(c.iat + IDENTITY_MAX_AGE_S, c.exp !== undefined ? c.exp + CLOCK_SKEW_S : Infinity);
  if (t > acceptedUntil) throw refuse('identity token has expired');
  return { claims: c, acceptedUntil };
}

/** Remembers which identity tokens were used, until they would have expired anyway. */
export interface IdentityReplayCache {
  /** True the first time this shop sees this jti; false ever after, until `until` (Unix seconds). */
  firstUse(shopId: string, jti: string, until: number, now: Date): Promise<boolean>;
  /** Forgets a jti that firstUse took, as if it had never been used. */
  forget(shopId: string, jti: string): Promise<void>;
}

/**
 * The replay cache in Redis: one key per used token (SET NX with the token's remaining life,
 * so it forgets a jti once the token is dead anyway). When Redis cannot answer, no identity
 * token is accepted (503 with Retry-After): a replay let through is worse than a chat that
 * starts a few seconds later; the pre-chat form does not depend on it.
 */
export function redisReplayCache(redis: Redis, keyPrefix: string): IdentityReplayCache {
  const key = (shopId: string, jti: string) => `${keyPrefix}widget:jti:${shopId}:${jti}`;
  return {
    async firstUse(shopId, jti, until, now) {
      const ttl = Math.max(1, Math.ceil(until - now.getTime() / 1000) + 1);
      let answer: string | null;
      try {
        answer = await redis.set(key(shopId, jti), '1', 'EX', ttl, 'NX');
      } catch {
        throw unavailable('redis', { message: '本人確認を今は行えません。しばらくしてからもう一度お試しください / signed-in chat cannot be checked just now (Redis cannot be reached); try again shortly' });
      }
      return answer === 'OK';
    },
    async forget(shopId, jti) {
      await redis.del(key(shopId, jti));
    },
  };
}

/** An identity token verified and spent, and how to give it back if the session it starts is not made. */
export interface AcceptedIdentity {
  claims: IdentityClaims;
  /**
   * Un-spends the token: for a session that failed after the token was taken, for a reason
   * that is not the token's (the database away), so that the customer's retry with the same
   * token is taken instead of refused as a replay. Best effort: if Redis cannot be reached
   * either, the token stays spent and the shop's page signs a fresh one on the next load.
   */
  release(): Promise<void>;
}

/**
 * Verifies the token and spends it: the same token never starts a second session. The caller
 * starts the session and releases the token if it could not.
 */
export async function acceptIdentity(replay: IdentityReplayCache, shopId: string, secret: string | null, token: string, now: Date): Promise<AcceptedIdentity> {
  const { claims: c, acceptedUntil } = verifyIdentity(secret, token, now);
  if (!(await replay.firstUse(shopId, c.jti, acceptedUntil, now))) {
    throw refuse('この本人確認トークンは使用済みです。ページを再読み込みしてください / this identity token has been used already; the shop signs a fresh one for each page');
  }
  return { claims: c, release: () => replay.forget(shopId, c.jti).catch(() => undefined) };
}

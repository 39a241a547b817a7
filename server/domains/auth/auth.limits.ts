import type { Redis } from 'ioredis';
import { rateLimited, redisLimiter } from '../../core/ratelimit.ts';

export interface SignInLimits {
  /** Failed attempts per account in the window before it is locked for the window. */
  perAccount: number;
  /** Attempts (any outcome) per client address in the window. */
  perAddress: number;
  windowSeconds: number;
}

export interface SignInLimiter {
  /** Takes a point from the address and one from the account before the password is checked. */
  check(email: string, ip: string): Promise<void>;
  /** The attempt was right: the account's failures are forgotten. */
  succeeded(email: string): Promise<void>;
}

/** Sign-in throttling per account and per address, shared by every process through Redis. */
export function createSignInLimiter(redis: Redis, keyPrefix: string, limits: SignInLimits): SignInLimiter {
  const account = redisLimiter(redis, {
    keyPrefix: `${keyPrefix}signin:acct`,
    points: limits.perAccount,
    duration: limits.windowSeconds,
    blockDuration: limits.windowSeconds,
  });
  const address = redisLimiter(redis, {
    keyPrefix: `${keyPrefix}signin:ip`,
    points: limits.perAddress,
    duration: limits.windowSeconds,
  });
  const rethrow = rateLimited((s) => `too many sign-in attempts; try again in ${s} s`);
  return {
    // Consuming before verifying means parallel attempts cannot all slip past a read-then-count.
    async check(email, ip) {
      await address.consume(ip).catch(rethrow);
      await account.consume(email.toLowerCase()).catch(rethrow);
    },
    async succeeded(email) {
      await account.delete(email.toLowerCase());
    },
  };
}

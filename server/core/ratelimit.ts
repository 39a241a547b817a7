import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { DomainError } from './errors.ts';
import { unavailable } from './unavailable.ts';

export interface LimiterOptions {
  /** Under REDIS_KEY_PREFIX, naming what is counted (`signin:ip`). */
  keyPrefix: string;
  points: number;
  duration: number;
  blockDuration?: number;
}

/**
 * A limit shared by every process through Redis. While Redis is away the same limit is kept
 * in this process's memory instead (rate-limiter-flexible's insurance limiter, used at once
 * rather than after a command times out): sign-in and new chats keep working and stay
 * limited, per process, until Redis is back. Counts made meanwhile are not carried over.
 */
export function redisLimiter(redis: Redis, opts: LimiterOptions): RateLimiterRedis {
  return new RateLimiterRedis({
    storeClient: redis,
    ...opts,
    rejectIfRedisNotReady: true,
    insuranceLimiter: new RateLimiterMemory({ ...opts }),
  });
}

/**
 * Turns a rate-limiter-flexible refusal into our 429 with Retry-After. Any other failure is
 * the store's: a 503 `unavailable` (never a 500), though the insurance limiter above makes
 * that rare.
 */
export function rateLimited(message: (retrySeconds: number) => string) {
  return (e: unknown): never => {
    if (!(e instanceof RateLimiterRes)) {
      if (e instanceof DomainError) throw e;
      throw unavailable('redis');
    }
    const retry = Math.max(1, Math.ceil(e.msBeforeNext / 1000));
    throw new DomainError('rate_limited', message(retry), { retryAfterSeconds: retry }, { 'Retry-After': String(retry) });
  };
}

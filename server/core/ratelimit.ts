import { RateLimiterRes } from 'rate-limiter-flexible';
import { DomainError } from './errors.ts';

/**
 * Turns a rate-limiter-flexible refusal into our 429 with Retry-After; anything else (Redis
 * down) is rethrown as it is.
 */
export function rateLimited(message: (retrySeconds: number) => string) {
  return (e: unknown): never => {
    if (!(e instanceof RateLimiterRes)) throw e;
    const retry = Math.max(1, Math.ceil(e.msBeforeNext / 1000));
    throw new DomainError('rate_limited', message(retry), { retryAfterSeconds: retry }, { 'Retry-After': String(retry) });
  };
}

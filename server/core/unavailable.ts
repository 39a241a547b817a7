import { isConnectionFailure } from './db/errors.ts';
import { DomainError } from './errors.ts';
import { isRedisUnavailable } from './redis.ts';

/** What a request may find away for a moment. */
export type Dependency = 'database' | 'redis';

/**
 * How long a caller is asked to wait before trying again: a restart of PostgreSQL or Redis
 * takes seconds, and the widget backs off further by itself.
 */
export const RETRY_AFTER_SECONDS = 5;

const what: Record<Dependency, string> = {
  database: 'データベースに接続できません。しばらくしてからもう一度お試しください / the database cannot be reached just now; try again shortly',
  redis: '一時的に処理できません。しばらくしてからもう一度お試しください / a service we rely on (Redis) cannot be reached just now; try again shortly',
};

/**
 * The 503 of a dependency that is away, with Retry-After; nothing was done, so the same request
 * may be sent again. `message`: what the reader cannot do now, when that says more than the
 * dependency's name (Japanese first, English alongside, like the defaults).
 */
export function unavailable(dependency: Dependency, opts: { retryAfterSeconds?: number; message?: string } = {}): DomainError {
  const retryAfterSeconds = opts.retryAfterSeconds ?? RETRY_AFTER_SECONDS;
  return new DomainError('unavailable', opts.message ?? what[dependency], { dependency, retryAfterSeconds }, { 'Retry-After': String(retryAfterSeconds) });
}

/**
 * Which dependency an error says is away, if it says so: a raw failure (see isConnectionFailure
 * and isRedisUnavailable), or our own 503 `unavailable` naming it (see unavailable()).
 */
export function unavailableDependency(e: unknown): Dependency | undefined {
  if (e instanceof DomainError) {
    const dependency = e.code === 'unavailable' ? (e.details as { dependency?: unknown } | undefined)?.dependency : undefined;
    return dependency === 'database' || dependency === 'redis' ? dependency : undefined;
  }
  if (isRedisUnavailable(e)) return 'redis';
  if (isConnectionFailure(e)) return 'database';
  return undefined;
}

/**
 * An error of a dependency that is away, as the 503 `unavailable` answer; undefined for any
 * other error. HTTP's error middleware and the socket acks both go through it, so a request
 * refused because PostgreSQL or Redis is down can always be told from one that failed.
 */
export function fromUnavailable(e: unknown): DomainError | undefined {
  const dependency = unavailableDependency(e);
  if (!dependency) return undefined;
  return e instanceof DomainError ? e : unavailable(dependency);
}

import type { Actor } from '../../core/actor.ts';
import { DomainError } from '../../core/errors.ts';
import { secretHash } from '../../core/secrets.ts';
import { findSessionAccess } from './auth.repository.ts';
import type { AuthDeps } from './auth.service.ts';

/**
 * Why the server ends a live console connection: the person left the shop or got another
 * role (the connection's rooms and masking no longer fit), or their session is over.
 */
export type AccessEnd = 'removed' | 'role_changed' | 'session_ended' | 'expired' | 'disabled';

export interface MemberAccess {
  actor: Extract<Actor, { kind: 'user' }>;
  /** When the session ends unless an HTTP request of the console slides it. */
  expiresAt: Date;
}

/** The session id a cookie token stands for (its hash; the token itself is never stored). */
export const sessionIdOf = (token: string) => secretHash(token);

const ended = (reason: Exclude<AccessEnd, 'role_changed'>, message: string) => new DomainError('unauthenticated', message, { reason });

/**
 * The person's session and membership in `shopId` as they are now, in one read, never
 * sliding the session: a live connection checks this on connect, on every event and on its
 * timers, and none of those is a person using the console. Throws `unauthenticated` with
 * `details.reason` (an AccessEnd) when the session or the membership is gone.
 */
export async function currentAccess(deps: Pick<AuthDeps, 'db' | 'now'>, sessionId: string, shopId: string): Promise<MemberAccess> {
  const now = deps.now?.() ?? new Date();
  const row = await findSessionAccess(deps.db, sessionId, shopId);
  if (!row) throw ended('session_ended', 'the session has ended; sign in again');
  if (row.expiresAt <= now) throw ended('expired', 'the session has expired; sign in again');
  if (row.disabledAt) throw ended('disabled', 'this account is disabled');
  if (!row.role) throw ended('removed', 'not a member of this shop');
  return { actor: { kind: 'user', shopId, userId: row.userId, name: row.name, role: row.role }, expiresAt: row.expiresAt };
}

/** The AccessEnd an error from currentAccess carries, if it is one. */
export function accessEndOf(e: unknown): Exclude<AccessEnd, 'role_changed'> | undefined {
  if (!(e instanceof DomainError) || e.code !== 'unauthenticated') return undefined;
  const reason = (e.details as { reason?: unknown } | undefined)?.reason;
  return reason === 'removed' || reason === 'session_ended' || reason === 'expired' || reason === 'disabled' ? reason : undefined;
}

import type { DomainBus } from '../../core/bus.ts';
import type { Db } from '../../core/db/client.ts';
import { newSecret, sameSecret, secretHash } from '../../core/secrets.ts';
import { DomainError } from '../../core/errors.ts';
import {
  deleteExpiredSessions,
  deleteOtherSessions,
  deleteSession,
  findSession,
  findUserByEmail,
  findUserById,
  insertSession,
  listMemberships,
  setPasswordHash,
  touchSession,
  updateUserProfile,
  type AlongSession,
  type MembershipView,
  type UserRow,
} from './auth.repository.ts';
import type { SignInLimiter } from './auth.limits.ts';
import { dummyHash, hashPassword, verifyPassword } from './password.ts';

export interface AuthDeps {
  db: Db;
  limiter: SignInLimiter;
  sessionTtlMs: number;
  now?: () => Date;
  /** Tells live connections that sessions ended (sign-out, password change). */
  bus?: DomainBus;
}

export interface SessionView {
  user: { id: string; email: string; name: string; locale: string };
  memberships: MembershipView[];
  csrfToken: string;
  expiresAt: string;
}


const userView = (u: UserRow) => ({ id: u.id, email: u.email, name: u.name, locale: u.locale });

/** How often a session's expiry slides forward; not on every request, to spare writes. */
const TOUCH_EVERY_MS = 5 * 60_000;

/**
 * Signs a person in. The same message answers an unknown email and a wrong password, and
 * both cost one argon2 verification, so the answer tells nothing about which accounts exist.
 */
export async function signIn(deps: AuthDeps, input: { email: string; password: string; ip: string }): Promise<{ token: string; view: SessionView }> {
  await deps.limiter.check(input.email, input.ip);
  const user = await findUserByEmail(deps.db, input.email);
  const ok = await verifyPassword(user?.passwordHash ?? dummyHash, input.password);
  if (!user || !ok || user.disabledAt) {
    throw new DomainError('unauthenticated', 'the email or the password is wrong');
  }
  await deps.limiter.succeeded(input.email);
  return startSession(deps, user);
}

/** Opens a session for a person who has just proved who they are (sign-in, accepted invitation). */
export async function startSession(deps: AuthDeps, user: UserRow): Promise<{ token: string; view: SessionView }> {
  const now = deps.now?.() ?? new Date();
  const token = newSecret();
  const csrfToken = newSecret(24);
  const expiresAt = new Date(now.getTime() + deps.sessionTtlMs);
  await deleteExpiredSessions(deps.db, user.id, now);
  await insertSession(deps.db, { id: secretHash(token), userId: user.id, csrfToken, createdAt: now, lastSeenAt: now, expiresAt });
  return {
    token,
    view: { user: userView(user), memberships: await listMemberships(deps.db, user.id), csrfToken, expiresAt: expiresAt.toISOString() },
  };
}

export interface SessionPrincipal {
  sessionId: string;
  /** Set when this request slid the expiry forward: the cookie must follow. */
  slid?: boolean;
  user: UserRow;
  csrfToken: string;
  expiresAt: Date;
  /** With `resolveSession(…, shopId)`: the person's role in that shop as of this request, null when not a member. */
  role?: MembershipView['role'] | null;
  /** With `resolveSession(…, shopId, along)`: what the route read in the session's statement (AlongSession). */
  along?: unknown;
}

/**
 * Resolves a cookie token to its live session, sliding its expiry; 401 when missing or expired.
 * With `shopId`, the same read gives the person's role in that shop (`principal.role`), and
 * with `along`, what the route reads with it (`principal.along`).
 */
export async function resolveSession(deps: AuthDeps, token: string | undefined, shopId?: string | null, along?: AlongSession<unknown>): Promise<SessionPrincipal> {
  if (!token) throw new DomainError('unauthenticated', 'sign in first', { reason: 'no_session' });
  const now = deps.now?.() ?? new Date();
  const id = secretHash(token);
  const found = await findSession(deps.db, id, shopId, along);
  if (!found) throw new DomainError('unauthenticated', 'the session has ended; sign in again', { reason: 'ended' });
  if (found.session.expiresAt <= now) {
    await deleteSession(deps.db, id);
    throw new DomainError('unauthenticated', 'the session has expired; sign in again', { reason: 'expired' });
  }
  if (found.user.disabledAt) throw new DomainError('unauthenticated', 'this account is disabled', { reason: 'disabled' });
  let expiresAt = found.session.expiresAt;
  const slid = now.getTime() - found.session.lastSeenAt.getTime() > TOUCH_EVERY_MS;
  if (slid) {
    expiresAt = new Date(now.getTime() + deps.sessionTtlMs);
    await touchSession(deps.db, id, now, expiresAt);
  }
  return { sessionId: id, user: found.user, csrfToken: found.session.csrfToken, expiresAt, slid, ...(shopId == null ? {} : { role: found.role }), ...('along' in found ? { along: found.along } : {}) };
}

/** CSRF: cookie-authenticated writes must echo the session's token in X-CSRF-Token. */
export function checkCsrf(principal: SessionPrincipal, header: string | undefined): void {
  if (!header || !sameSecret(header, principal.csrfToken)) {
    throw new DomainError('forbidden', 'missing or wrong X-CSRF-Token header', { reason: 'csrf' });
  }
}

export async function describeSession(deps: AuthDeps, p: SessionPrincipal): Promise<SessionView> {
  return {
    user: userView(p.user),
    memberships: await listMemberships(deps.db, p.user.id),
    csrfToken: p.csrfToken,
    expiresAt: p.expiresAt.toISOString(),
  };
}

/** A person's own name and console language; they follow the person to every device. */
export async function updateProfile(deps: AuthDeps, p: SessionPrincipal, patch: { name?: string; locale?: 'ja' | 'en' }): Promise<SessionView> {
  if (!patch.name && !patch.locale) throw new DomainError('invalid_input', 'nothing to change');
  const user = await updateUserProfile(deps.db, p.user.id, patch);
  return describeSession(deps, { ...p, user });
}

/** Ends this session; its live connections are cut at once, in every process. */
export async function signOut(deps: AuthDeps, p: SessionPrincipal): Promise<void> {
  await deleteSession(deps.db, p.sessionId);
  deps.bus?.publish('access.changed', { userId: p.user.id, shopId: null });
}

/** Changing the password signs out every other session of the person, live connections included. */
export async function changePassword(deps: AuthDeps, p: SessionPrincipal, input: { current: string; next: string }): Promise<void> {
  const user = await findUserById(deps.db, p.user.id);
  if (!user || !(await verifyPassword(user.passwordHash, input.current))) {
    throw new DomainError('forbidden', 'the current password is wrong');
  }
  await deps.db.transaction(async (tx) => {
    await setPasswordHash(tx, user.id, await hashPassword(input.next));
    await deleteOtherSessions(tx, user.id, p.sessionId);
  });
  deps.bus?.publish('access.changed', { userId: user.id, shopId: null });
}

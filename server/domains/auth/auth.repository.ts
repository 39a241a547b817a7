import { and, eq, lt, ne } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { rowsAs, selectList, statement, type Statement } from '../../core/db/statement.ts';
import { memberships, shops, users, type Role } from '../shops/shops.tables.ts';
import { sessions } from './auth.tables.ts';

export type UserRow = typeof users.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.email, email.toLowerCase()));
  return row;
}

export async function findUserById(db: Db, id: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, id));
  return row;
}

export async function setPasswordHash(db: Db, userId: string, passwordHash: string): Promise<void> {
  await db.update(users).set({ passwordHash, updatedAt: new Date() }).where(eq(users.id, userId));
}

export async function updateUserProfile(db: Db, userId: string, patch: { name?: string; locale?: string }): Promise<UserRow> {
  const [row] = await db.update(users).set({ ...patch, updatedAt: new Date() }).where(eq(users.id, userId)).returning();
  return row!;
}

export async function insertSession(db: Db, row: typeof sessions.$inferInsert): Promise<void> {
  await db.insert(sessions).values(row);
}

const toUser = rowsAs(users);
const date = (v: unknown) => (v instanceof Date ? v : new Date(v as string));

/** A session, its person and, with a shop, their role in it (null when they are not in it). */
export interface FoundSession {
  session: SessionRow;
  user: UserRow;
  role: Role | null;
}

const SESSION_COLUMNS = `${selectList(users, 'u')}, s.id as "session:id", s.user_id as "session:user_id", s.csrf_token as "session:csrf_token", s.created_at as "session:created_at",
     s.last_seen_at as "session:last_seen_at", s.expires_at as "session:expires_at", m.role as "session:role"`;
const SESSION_FROM = `from sessions s join users u on u.id = s.user_id
   left join memberships m on m.user_id = u.id and m.shop_id = $2::uuid
   where s.id = $1`;

const foundSession = (raw: Record<string, unknown>): FoundSession => ({
  session: {
    id: raw['session:id'] as string,
    userId: raw['session:user_id'] as string,
    csrfToken: raw['session:csrf_token'] as string,
    createdAt: date(raw['session:created_at']),
    lastSeenAt: date(raw['session:last_seen_at']),
    expiresAt: date(raw['session:expires_at']),
  } satisfies SessionRow,
  user: toUser(raw),
  role: (raw['session:role'] as Role | null) ?? null,
});

/**
 * Every console request reads its session: written once and, on PostgreSQL, prepared on each
 * pooled connection, so neither the query builder nor the server's planner works on it again.
 * Through Drizzle it cost about four times the process's CPU and wall time.
 */
const sessionRead = statement('auth_session_read', `select ${SESSION_COLUMNS} ${SESSION_FROM}`, foundSession);

/**
 * What a route reads in its session's statement, as of the same moment, so that the request
 * sends one statement where it would send two (the inbox's and all my shops' kept pages ask
 * whether anything they show changed, conversations.pagecache.ts). Made by sessionReadWith.
 */
export interface AlongSession<T> {
  readonly read: Statement<FoundSession & { along: T }>;
  /** The statement's own values for this shop ($3 on; null: a route of no shop asked for none), or undefined to read the session alone. */
  params(shopId: string | null): unknown[] | undefined;
  /**
   * For a route that is not shop-scoped (all my shops): the shop its statement's $2 names, from
   * the request's query before the route validates it: null for none, undefined to read the
   * session alone (a request that needs nothing read with it, or whose query the route refuses).
   */
  shopOf?(query: Record<string, unknown>): string | null | undefined;
}

/**
 * The session's read with `columns` added, a statement of its own under `name`: they may use
 * $2 (the shop, or null) and their own parameters from $3 on, and the common table
 * expressions `withs` (which may use $1, the session's id, too), and are read into `along` by
 * `map`.
 */
export function sessionReadWith<T>(name: string, columns: string, map: (raw: Record<string, unknown>) => T, withs?: string): Statement<FoundSession & { along: T }> {
  // Object.assign, not `{ ...found, along }`: a property added after a spread costs Node 20's V8
  // a call into its runtime, on every kept inbox page (README, "Rows are shaped without…").
  return statement(name, `${withs ? `with ${withs} ` : ''}select ${SESSION_COLUMNS}, ${columns} ${SESSION_FROM}`, (raw) => Object.assign(foundSession(raw), { along: map(raw) }));
}

/**
 * A session and its person; with `shopId`, also the person's role in that shop (null when they
 * are not in it, or with null), in the same read, so a shop-scoped console request costs one
 * statement; with `along` too, what the route reads with it.
 */
export async function findSession<T>(db: Db, id: string, shopId?: string | null, along?: AlongSession<T>): Promise<(FoundSession & { along?: T }) | undefined> {
  const params = shopId === undefined || !along ? undefined : along.params(shopId);
  const [row] = along && params ? await along.read(db, [id, shopId, ...params]) : await sessionRead(db, [id, shopId ?? null]);
  return row;
}

export async function touchSession(db: Db, id: string, lastSeenAt: Date, expiresAt: Date): Promise<void> {
  await db.update(sessions).set({ lastSeenAt, expiresAt }).where(eq(sessions.id, id));
}

export async function deleteSession(db: Db, id: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, id));
}

/** Other sessions of the user (after a password change, every other device signs in again). */
export async function deleteOtherSessions(db: Db, userId: string, keepId: string): Promise<void> {
  await db.delete(sessions).where(and(eq(sessions.userId, userId), ne(sessions.id, keepId)));
}

export async function deleteExpiredSessions(db: Db, userId: string, now: Date): Promise<void> {
  await db.delete(sessions).where(and(eq(sessions.userId, userId), lt(sessions.expiresAt, now)));
}

export interface MembershipView {
  shopId: string;
  shopName: string;
  role: (typeof memberships.$inferSelect)['role'];
}

/** The person's shops, by name: every GET /api/auth/session and every "all my shops" read sends it, prepared like the session's read. */
const membershipsRead = statement<MembershipView>(
  'auth_memberships_read',
  `select m.shop_id as "shopId", s.name as "shopName", m.role as "role"
   from memberships m join shops s on s.id = m.shop_id
   where m.user_id = $1 order by s.name`,
);

export async function listMemberships(db: Db, userId: string): Promise<MembershipView[]> {
  return membershipsRead(db, [userId]);
}

/**
 * A session, its person and their membership in one shop, in one read: what a live console
 * connection checks on every event. `role` is null when the person is not in the shop.
 */
export async function findSessionAccess(db: Db, sessionId: string, shopId: string) {
  const found = await findSession(db, sessionId, shopId);
  return found && { expiresAt: found.session.expiresAt, userId: found.user.id, name: found.user.name, disabledAt: found.user.disabledAt, role: found.role };
}

export async function findMembership(db: Db, shopId: string, userId: string) {
  const [row] = await db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.shopId, shopId), eq(memberships.userId, userId)));
  return row;
}

import { and, count, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { memberships, shops, users, type Role } from './shops.tables.ts';

export type ShopRow = typeof shops.$inferSelect;

export async function insertShop(db: Db, row: typeof shops.$inferInsert): Promise<ShopRow> {
  const [created] = await db.insert(shops).values(row).returning();
  return created!;
}

export async function findShop(db: Db, shopId: string): Promise<ShopRow | undefined> {
  const [row] = await db.select().from(shops).where(eq(shops.id, shopId));
  return row;
}

/**
 * Locks the shop's row until the transaction ends: serialises changes to its people. NO KEY
 * UPDATE, not UPDATE: the lockers wait for each other, but a row inserted for the shop (a
 * message, an audit event), whose foreign key check takes KEY SHARE on this row, does not
 * wait for them; with FOR UPDATE, a removal that locks the shop and then the person's
 * conversations deadlocked with a chat message that held a conversation and checked its key.
 */
export async function lockShop(db: Db, shopId: string): Promise<void> {
  await db.select({ id: shops.id }).from(shops).where(eq(shops.id, shopId)).for('no key update');
}

export async function updateShop(db: Db, shopId: string, patch: Partial<typeof shops.$inferInsert>): Promise<ShopRow | undefined> {
  const [row] = await db
    .update(shops)
    .set({ ...patch, updatedAt: new Date() })
    .where(eq(shops.id, shopId))
    .returning();
  return row;
}

export async function insertUser(db: Db, row: typeof users.$inferInsert) {
  const [created] = await db.insert(users).values({ ...row, email: row.email.toLowerCase() }).returning();
  return created!;
}

export async function insertMembership(db: Db, shopId: string, userId: string, role: Role): Promise<void> {
  await db.insert(memberships).values({ shopId, userId, role });
}

export async function listMembers(db: Db, shopId: string) {
  return db
    .select({ userId: users.id, email: users.email, name: users.name, role: memberships.role, since: memberships.createdAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.shopId, shopId))
    .orderBy(users.name);
}

export async function findMember(db: Db, shopId: string, userId: string) {
  const [row] = await db
    .select({ userId: users.id, email: users.email, name: users.name, role: memberships.role, since: memberships.createdAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.shopId, shopId), eq(memberships.userId, userId)));
  return row;
}

export async function setMemberRole(db: Db, shopId: string, userId: string, role: Role): Promise<boolean> {
  const rows = await db
    .update(memberships)
    .set({ role })
    .where(and(eq(memberships.shopId, shopId), eq(memberships.userId, userId)))
    .returning({ userId: memberships.userId });
  return rows.length > 0;
}

export async function deleteMembership(db: Db, shopId: string, userId: string): Promise<boolean> {
  const rows = await db
    .delete(memberships)
    .where(and(eq(memberships.shopId, shopId), eq(memberships.userId, userId)))
    .returning({ userId: memberships.userId });
  return rows.length > 0;
}

export async function countOwners(db: Db, shopId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(memberships)
    .where(and(eq(memberships.shopId, shopId), eq(memberships.role, 'owner')));
  return row?.n ?? 0;
}

/** Whether the person owns any shop (only merchants open further shops). */
export async function ownsAnyShop(db: Db, userId: string): Promise<boolean> {
  const [row] = await db
    .select({ n: count() })
    .from(memberships)
    .where(and(eq(memberships.userId, userId), eq(memberships.role, 'owner')));
  return (row?.n ?? 0) > 0;
}

/**
 * Whether the person owns every shop of the deployment: what may act on the deployment as a
 * whole (a backup holds every shop's data). Deployment-wide by its nature, so not by shop.
 */
export async function ownsEveryShop(db: Db, userId: string): Promise<boolean> {
  const [row] = await db
    .select({ n: count() })
    .from(shops)
    .leftJoin(memberships, and(eq(memberships.shopId, shops.id), eq(memberships.userId, userId), eq(memberships.role, 'owner')))
    .where(isNull(memberships.userId));
  return (row?.n ?? 0) === 0;
}

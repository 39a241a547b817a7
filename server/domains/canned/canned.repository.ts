import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { conversations, customers } from '../conversations/conversations.tables.ts';
import { orders } from '../orders/orders.tables.ts';
import { shops } from '../shops/shops.tables.ts';
import { cannedReplies } from './canned.tables.ts';

export type CannedRow = typeof cannedReplies.$inferSelect;
type CannedFields = Pick<typeof cannedReplies.$inferInsert, 'shortcut' | 'title' | 'bodyJa' | 'bodyEn'>;

export async function listCanned(db: Db, shopId: string): Promise<CannedRow[]> {
  return db.select().from(cannedReplies).where(eq(cannedReplies.shopId, shopId)).orderBy(asc(cannedReplies.shortcut));
}

export async function findCanned(db: Db, shopId: string, id: string): Promise<CannedRow | undefined> {
  const [row] = await db.select().from(cannedReplies).where(and(eq(cannedReplies.shopId, shopId), eq(cannedReplies.id, id)));
  return row;
}

export async function insertCanned(db: Db, row: CannedFields & { shopId: string; createdBy: string | null }): Promise<CannedRow> {
  const [created] = await db.insert(cannedReplies).values(row).returning();
  return created!;
}

export async function updateCanned(db: Db, shopId: string, id: string, patch: Partial<CannedFields>, at: Date): Promise<CannedRow | undefined> {
  const [row] = await db
    .update(cannedReplies)
    .set({ ...patch, updatedAt: at })
    .where(and(eq(cannedReplies.shopId, shopId), eq(cannedReplies.id, id)))
    .returning();
  return row;
}

export async function deleteCanned(db: Db, shopId: string, id: string): Promise<CannedRow | undefined> {
  const [row] = await db.delete(cannedReplies).where(and(eq(cannedReplies.shopId, shopId), eq(cannedReplies.id, id))).returning();
  return row;
}

export async function findShopName(db: Db, shopId: string): Promise<string | undefined> {
  const [row] = await db.select({ name: shops.name }).from(shops).where(eq(shops.id, shopId));
  return row?.name;
}

/**
 * The conversation's customer and the order it is about, in one round trip; the order is
 * matched by (shop, order number), so a number that names no order gives no order.
 */
export async function findConversationContext(db: Db, shopId: string, conversationId: string) {
  const [row] = await db
    .select({
      customer: { name: customers.name, email: customers.email, locale: customers.locale },
      order: {
        number: orders.orderNumber,
        orderedAt: orders.orderedAt,
        total: orders.total,
        trackingNumber: orders.trackingNumber,
        carrier: orders.carrier,
      },
    })
    .from(conversations)
    .innerJoin(customers, and(eq(customers.id, conversations.customerId), eq(customers.shopId, shopId)))
    .leftJoin(orders, and(eq(orders.shopId, shopId), eq(orders.orderNumber, conversations.orderNumber)))
    .where(and(eq(conversations.shopId, shopId), eq(conversations.id, conversationId)));
  return row;
}

import { and, desc, eq, gte, lt, sql } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { conversations, csatRatings } from '../conversations/conversations.tables.ts';

export type CsatRow = typeof csatRatings.$inferSelect;

export async function findConversationOfShop(db: Db, shopId: string, conversationId: string) {
  const [row] = await db
    .select({ id: conversations.id, customerId: conversations.customerId, status: conversations.status })
    .from(conversations)
    .where(and(eq(conversations.shopId, shopId), eq(conversations.id, conversationId)));
  return row;
}

/**
 * The first rating wins: the conversation id is the key, and a second insert writes nothing
 * and returns nothing, also when two arrive at once.
 */
export async function insertRatingOnce(db: Db, row: typeof csatRatings.$inferInsert): Promise<CsatRow | undefined> {
  const [created] = await db.insert(csatRatings).values(row).onConflictDoNothing({ target: csatRatings.conversationId }).returning();
  return created;
}

const inRange = (shopId: string, from: Date, to: Date) =>
  and(eq(csatRatings.shopId, shopId), gte(csatRatings.createdAt, from), lt(csatRatings.createdAt, to));

export async function listRatings(db: Db, shopId: string, from: Date, to: Date, limit: number) {
  return db
    .select({
      conversationId: csatRatings.conversationId,
      number: conversations.number,
      assigneeId: conversations.assigneeId,
      rating: csatRatings.rating,
      comment: csatRatings.comment,
      createdAt: csatRatings.createdAt,
    })
    .from(csatRatings)
    .innerJoin(conversations, and(eq(conversations.id, csatRatings.conversationId), eq(conversations.shopId, shopId)))
    .where(inRange(shopId, from, to))
    .orderBy(desc(csatRatings.createdAt))
    .limit(limit);
}

/** Count per rating value (1–5) in the range; values nobody gave are absent. */
export async function ratingCounts(db: Db, shopId: string, from: Date, to: Date): Promise<{ rating: number; count: number }[]> {
  return db
    .select({ rating: csatRatings.rating, count: sql<number>`count(*)::int` })
    .from(csatRatings)
    .where(inRange(shopId, from, to))
    .groupBy(csatRatings.rating);
}

import { and, asc, desc, eq, gt, gte, inArray, lt, lte, sql } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { conversations } from '../conversations/conversations.tables.ts';
import { users } from '../shops/shops.tables.ts';
import { workSpans } from './worklog.tables.ts';

export type SpanRow = typeof workSpans.$inferSelect;

interface SpanKey {
  shopId: string;
  userId: string;
  conversationId: string;
}

/**
 * Serialises heartbeats of one person on one conversation for the rest of the transaction,
 * so two that arrive together cannot both find no span and both start one.
 */
export async function lockSpanKey(tx: Db, key: SpanKey): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`work_span:${key.userId}:${key.conversationId}`}, 0))`);
}

export async function conversationInShop(db: Db, shopId: string, conversationId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: conversations.id })
    .from(conversations)
    .where(and(eq(conversations.shopId, shopId), eq(conversations.id, conversationId)));
  return !!row;
}

/** Moves the end of the latest span that ended no earlier than `since` and began by `at` up to `at`. */
export async function extendLatestSpan(tx: Db, key: SpanKey, at: Date, since: Date): Promise<SpanRow | undefined> {
  const latest = tx
    .select({ id: workSpans.id })
    .from(workSpans)
    .where(
      and(
        eq(workSpans.shopId, key.shopId),
        eq(workSpans.userId, key.userId),
        eq(workSpans.conversationId, key.conversationId),
        gte(workSpans.endedAt, since),
        lte(workSpans.startedAt, at),
      ),
    )
    .orderBy(desc(workSpans.endedAt))
    .limit(1);
  const [row] = await tx
    .update(workSpans)
    .set({ endedAt: sql`greatest(${workSpans.endedAt}, ${at.toISOString()}::timestamptz)` })
    .where(and(eq(workSpans.shopId, key.shopId), inArray(workSpans.id, latest)))
    .returning();
  return row;
}

export async function insertSpan(tx: Db, row: SpanKey & { startedAt: Date; endedAt: Date }): Promise<SpanRow> {
  const [created] = await tx.insert(workSpans).values(row).returning();
  return created!;
}

export interface WorkRow {
  userId: string;
  agentName: string;
  conversationId: string;
  number: number;
  resolved: boolean;
  seconds: number;
}

/**
 * Seconds per person and conversation within [start, end): a span reaching over either
 * boundary counts only its part inside. "Resolved" means resolved (or closed) within the
 * period, so a ticket is billed per resolution in the month it was resolved.
 */
export async function workInPeriod(db: Db, shopId: string, start: Date, end: Date, onlyUserId?: string): Promise<WorkRow[]> {
  const s = sql`${start.toISOString()}::timestamptz`;
  const e = sql`${end.toISOString()}::timestamptz`;
  const resolved = sql<boolean>`bool_or(${conversations.status} in ('resolved', 'closed') and ${conversations.resolvedAt} >= ${s} and ${conversations.resolvedAt} < ${e})`;
  return db
    .select({
      userId: workSpans.userId,
      agentName: users.name,
      conversationId: workSpans.conversationId,
      number: conversations.number,
      resolved: sql<boolean>`coalesce(${resolved}, false)`,
      seconds: sql<number>`round(sum(extract(epoch from least(${workSpans.endedAt}, ${e}) - greatest(${workSpans.startedAt}, ${s}))))::int`,
    })
    .from(workSpans)
    .innerJoin(conversations, and(eq(conversations.id, workSpans.conversationId), eq(conversations.shopId, shopId)))
    .innerJoin(users, eq(users.id, workSpans.userId))
    .where(
      and(
        eq(workSpans.shopId, shopId),
        lt(workSpans.startedAt, end),
        gt(workSpans.endedAt, start),
        onlyUserId ? eq(workSpans.userId, onlyUserId) : undefined,
      ),
    )
    .groupBy(workSpans.userId, users.name, workSpans.conversationId, conversations.number)
    .orderBy(asc(users.name), asc(workSpans.userId), asc(conversations.number));
}

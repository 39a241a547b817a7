import { and, asc, desc, eq, gt, isNull, lt, lte, ne, notInArray, or, sql, type SQLWrapper } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { conversationCounters, conversations, customers, messages } from './conversations.tables.ts';

export type ConversationRow = typeof conversations.$inferSelect;
export type MessageRow = typeof messages.$inferSelect;

/* ---------- conversations ---------- */

/** The shop's next conversation number; the upsert's row lock makes it gap-free under races. */
export async function nextConversationNumber(tx: Db, shopId: string): Promise<number> {
  const [r] = await tx
    .insert(conversationCounters)
    .values({ shopId, last: 1 })
    .onConflictDoUpdate({ target: conversationCounters.shopId, set: { last: sql`${conversationCounters.last} + 1` } })
    .returning({ last: conversationCounters.last });
  return r!.last;
}

export async function insertConversation(tx: Db, row: typeof conversations.$inferInsert): Promise<ConversationRow> {
  const [c] = await tx.insert(conversations).values(row).returning();
  return c!;
}

export async function findConversation(db: Db, shopId: string, id: string): Promise<ConversationRow | undefined> {
  const [c] = await db.select().from(conversations).where(and(eq(conversations.shopId, shopId), eq(conversations.id, id)));
  return c;
}

/** Locks the row for the rest of the transaction: every write to a conversation goes through here. */
export async function lockConversation(tx: Db, shopId: string, id: string): Promise<ConversationRow | undefined> {
  const [c] = await tx
    .select()
    .from(conversations)
    .where(and(eq(conversations.shopId, shopId), eq(conversations.id, id)))
    .for('update');
  return c;
}

/**
 * `column = any($1::uuid[])`: the ids as one parameter. Drizzle's inArray makes a parameter of
 * each, which its query builder then walks one by one: over a contractor's hundred shops, a
 * tenth of all my shops' CPU in the process. Not where an index's order is read after the
 * column (a conversation's shop, then its time): PostgreSQL 15 reads `= any` on an index's
 * first column in that column's order, of no use for the time after it.
 */
export const uuidIn = (column: SQLWrapper, ids: string[]) => sql`${column} = any(${sql.param(ids)}::uuid[])`;

export async function findConversations(db: Db, shopId: string, ids: string[]): Promise<ConversationRow[]> {
  if (!ids.length) return [];
  return db.select().from(conversations).where(and(eq(conversations.shopId, shopId), uuidIn(conversations.id, ids)));
}

/** The customer's chat that is still going (not resolved, closed or merged away), newest first. */
export async function findActiveChat(tx: Db, shopId: string, customerId: string): Promise<ConversationRow | undefined> {
  const [c] = await tx
    .select()
    .from(conversations)
    .where(
      and(
        eq(conversations.shopId, shopId),
        eq(conversations.customerId, customerId),
        eq(conversations.channel, 'chat'),
        notInArray(conversations.status, ['resolved', 'closed']),
        isNull(conversations.mergedIntoId),
      ),
    )
    .orderBy(desc(conversations.createdAt))
    .limit(1);
  return c;
}

export async function updateConversation(tx: Db, shopId: string, id: string, patch: Partial<typeof conversations.$inferInsert>): Promise<ConversationRow> {
  const [c] = await tx
    .update(conversations)
    .set({ ...patch, updatedAt: new Date() })
    .where(and(eq(conversations.shopId, shopId), eq(conversations.id, id)))
    .returning();
  return c!;
}

/** Raises the read mark, never lowers it (reads arrive out of order across tabs). */
export async function raiseReadSeq(db: Db, shopId: string, id: string, side: 'customer' | 'agent', seq: number): Promise<boolean> {
  const col = side === 'customer' ? conversations.customerReadSeq : conversations.agentReadSeq;
  const r = await db
    .update(conversations)
    .set(side === 'customer' ? { customerReadSeq: seq } : { agentReadSeq: seq })
    .where(and(eq(conversations.shopId, shopId), eq(conversations.id, id), lt(col, seq), sql`${seq} <= ${conversations.lastSeq}`))
    .returning({ id: conversations.id });
  return r.length > 0;
}

/** Records that the customer was mailed the replies up to `seq`; never moves the mark back. */
export async function raiseMailedSeq(db: Db, shopId: string, id: string, seq: number): Promise<void> {
  await db
    .update(conversations)
    .set({ customerMailedSeq: seq })
    .where(and(eq(conversations.shopId, shopId), eq(conversations.id, id), lte(conversations.customerMailedSeq, seq)));
}

/* ---------- messages ---------- */

export async function findMessage(db: Db, shopId: string, id: string): Promise<MessageRow | undefined> {
  const [m] = await db.select().from(messages).where(and(eq(messages.shopId, shopId), eq(messages.id, id)));
  return m;
}

export async function insertMessage(tx: Db, row: typeof messages.$inferInsert): Promise<MessageRow> {
  const [m] = await tx.insert(messages).values(row).returning();
  return m!;
}

/** What a customer may see: not a note, not a status event (the SQL twin of isInternal in conversations.view.ts). */
export const customerVisible = () => and(ne(messages.kind, 'note'), isNull(messages.statusEvent))!;

/** Messages after a sequence number, oldest first; the customer's view leaves notes out. */
export async function messagesAfter(db: Db, shopId: string, conversationId: string, afterSeq: number, limit: number, includeNotes: boolean): Promise<MessageRow[]> {
  const where = [eq(messages.shopId, shopId), eq(messages.conversationId, conversationId), gt(messages.seq, afterSeq)];
  if (!includeNotes) where.push(customerVisible());
  return db.select().from(messages).where(and(...where)).orderBy(asc(messages.seq)).limit(limit);
}

/** The last `limit` messages (for opening a conversation), oldest first. */
export async function lastMessages(db: Db, shopId: string, conversationId: string, limit: number): Promise<MessageRow[]> {
  const rows = await db
    .select()
    .from(messages)
    .where(and(eq(messages.shopId, shopId), eq(messages.conversationId, conversationId)))
    .orderBy(desc(messages.seq))
    .limit(limit);
  return rows.reverse();
}

/** The agent's replies (not notes) after `afterSeq`, oldest first: what a reply mail carries. */
export async function agentRepliesAfter(db: Db, shopId: string, conversationId: string, afterSeq: number): Promise<MessageRow[]> {
  return db
    .select()
    .from(messages)
    .where(and(eq(messages.shopId, shopId), eq(messages.conversationId, conversationId), gt(messages.seq, afterSeq), eq(messages.authorKind, 'agent'), eq(messages.kind, 'text')))
    .orderBy(asc(messages.seq));
}

/** Renumbers a merged conversation's messages onto the end of the target's sequence. */
export async function moveMessages(tx: Db, shopId: string, fromId: string, toId: string, startAfter: number): Promise<number> {
  const rows = await tx
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.shopId, shopId), eq(messages.conversationId, fromId)))
    .orderBy(asc(messages.seq));
  let seq = startAfter;
  for (const r of rows) {
    seq += 1;
    // The client id is suffixed so it cannot collide with one already in the target.
    await tx
      .update(messages)
      .set({ conversationId: toId, seq, clientId: sql`${messages.clientId} || ${`~m${seq}`}` })
      .where(eq(messages.id, r.id));
  }
  return seq;
}


/**
 * The customer's most recent conversation with the shop that is still going (not closed, not
 * merged away), by email, among those the email can be trusted in: a customer the shop's
 * server verified (signed widget token), or a ticket the shop itself opened. Anyone can type
 * someone else's address into the pre-chat form or a mail's From.
 */
export async function latestOpenConversationOf(db: Db, shopId: string, email: string): Promise<ConversationRow | undefined> {
  const [row] = await db
    .select({ c: conversations })
    .from(conversations)
    .innerJoin(customers, and(eq(customers.id, conversations.customerId), eq(customers.shopId, shopId)))
    .where(
      and(
        eq(conversations.shopId, shopId),
        sql`lower(${customers.email}) = lower(${email})`,
        ne(conversations.status, 'closed'),
        isNull(conversations.mergedIntoId),
        or(eq(customers.verified, true), eq(conversations.channel, 'api')),
      ),
    )
    .orderBy(sql`${conversations.lastMessageAt} desc nulls last`, desc(conversations.createdAt))
    .limit(1);
  return row?.c;
}

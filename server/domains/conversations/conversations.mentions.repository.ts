import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { conversations, mentions, messages } from './conversations.tables.ts';

/** The SQL of @mentions (conversations.mentions.ts); every statement is scoped by the shop. */

export async function insertMentionRows(tx: Db, shopId: string, rows: Array<{ userId: string; conversationId: string; messageId: string }>): Promise<void> {
  await tx.insert(mentions).values(rows.map((r) => ({ shopId, ...r })));
}

/** A person's mentions in the shop, newest first, with the conversation's number and the note. */
export async function listMentions(db: Db, shopId: string, userId: string, opts: { unreadOnly: boolean; limit: number }) {
  const where = [eq(mentions.shopId, shopId), eq(mentions.userId, userId)];
  if (opts.unreadOnly) where.push(isNull(mentions.readAt));
  return db
    .select({ id: mentions.id, conversationId: mentions.conversationId, number: conversations.number, messageId: mentions.messageId, by: messages.authorName, body: messages.body, readAt: mentions.readAt, createdAt: mentions.createdAt })
    .from(mentions)
    .innerJoin(messages, and(eq(messages.id, mentions.messageId), eq(messages.shopId, shopId)))
    .innerJoin(conversations, and(eq(conversations.id, mentions.conversationId), eq(conversations.shopId, shopId)))
    .where(and(...where))
    .orderBy(desc(mentions.createdAt))
    .limit(opts.limit);
}

/** Marks one of the person's mentions read; answers whether it was theirs (in this shop). */
export async function setMentionRead(db: Db, shopId: string, userId: string, id: string, at: Date): Promise<boolean> {
  const r = await db
    .update(mentions)
    .set({ readAt: at })
    .where(and(eq(mentions.shopId, shopId), eq(mentions.userId, userId), eq(mentions.id, id)))
    .returning({ id: mentions.id });
  return r.length > 0;
}

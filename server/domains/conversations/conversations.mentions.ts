import { and, desc, eq, inArray, isNull } from 'drizzle-orm';
import type { Actor } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { DomainError, notFound } from '../../core/errors.ts';
import { memberships } from '../shops/shops.tables.ts';
import type { ConversationRow, MessageRow } from './conversations.repository.ts';
import { conversations, mentions, messages } from './conversations.tables.ts';

/** Records @mentions of an internal note; everyone mentioned must be a member of the shop. */
export async function insertMentions(tx: Db, c: ConversationRow, m: MessageRow, userIds: string[]): Promise<void> {
  const ids = [...new Set(userIds)];
  const found = await tx
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.shopId, c.shopId), inArray(memberships.userId, ids)));
  const known = new Set(found.map((f) => f.userId));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length) throw new DomainError('invalid_input', 'only people of this shop can be mentioned', { unknown });
  await tx.insert(mentions).values(ids.map((userId) => ({ shopId: c.shopId, userId, conversationId: c.id, messageId: m.id })));
}

/** The signed-in person's mentions, newest first, with where and by whom. */
export async function listMyMentions(db: Db, actor: Actor, unreadOnly: boolean) {
  if (actor.kind !== 'user') throw new DomainError('forbidden', 'mentions belong to console users');
  const where = [eq(mentions.shopId, actor.shopId), eq(mentions.userId, actor.userId)];
  if (unreadOnly) where.push(isNull(mentions.readAt));
  const rows = await db
    .select({ id: mentions.id, conversationId: mentions.conversationId, number: conversations.number, messageId: mentions.messageId, by: messages.authorName, body: messages.body, readAt: mentions.readAt, createdAt: mentions.createdAt })
    .from(mentions)
    .innerJoin(messages, eq(messages.id, mentions.messageId))
    .innerJoin(conversations, eq(conversations.id, mentions.conversationId))
    .where(and(...where))
    .orderBy(desc(mentions.createdAt))
    .limit(100);
  return rows.map((r) => ({ id: r.id, conversationId: r.conversationId, number: r.number, messageId: r.messageId, by: r.by, excerpt: r.body.slice(0, 140), readAt: r.readAt?.toISOString() ?? null, createdAt: r.createdAt.toISOString() }));
}

export async function markMentionRead(db: Db, actor: Actor, id: string): Promise<void> {
  if (actor.kind !== 'user') throw new DomainError('forbidden', 'mentions belong to console users');
  const r = await db
    .update(mentions)
    .set({ readAt: new Date() })
    .where(and(eq(mentions.shopId, actor.shopId), eq(mentions.userId, actor.userId), eq(mentions.id, id)))
    .returning({ id: mentions.id });
  if (!r.length) throw notFound('mention');
}

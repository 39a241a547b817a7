import { and, asc, eq, inArray, isNotNull, isNull, lt, ne, or } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { conversations, messages } from '../conversations/conversations.tables.ts';
import { attachments } from './attachments.tables.ts';

export type AttachmentRow = typeof attachments.$inferSelect;
export type NewAttachmentRow = typeof attachments.$inferInsert;

/** The conversation's owner, to decide who may upload to it; undefined when not in this shop. */
export async function findConversationOwner(db: Db, shopId: string, conversationId: string): Promise<{ customerId: string } | undefined> {
  const [c] = await db
    .select({ customerId: conversations.customerId })
    .from(conversations)
    .where(and(eq(conversations.shopId, shopId), eq(conversations.id, conversationId)));
  return c;
}

export async function insertAttachment(db: Db, row: NewAttachmentRow): Promise<AttachmentRow> {
  const [a] = await db.insert(attachments).values(row).returning();
  return a!;
}

export async function findAttachment(db: Db, shopId: string, id: string): Promise<AttachmentRow | undefined> {
  const [a] = await db.select().from(attachments).where(and(eq(attachments.shopId, shopId), eq(attachments.id, id)));
  return a;
}

/**
 * An attachment the customer may see: in one of its own conversations, and either its own
 * upload or sent on a message that is not an internal note. An agent's file that is not sent
 * yet, or that sits on a note, stays hidden.
 */
export async function findCustomerAttachment(db: Db, shopId: string, id: string, customerId: string): Promise<AttachmentRow | undefined> {
  const [r] = await db
    .select({ a: attachments })
    .from(attachments)
    .innerJoin(conversations, eq(conversations.id, attachments.conversationId))
    .leftJoin(messages, eq(messages.id, attachments.messageId))
    .where(
      and(
        eq(attachments.shopId, shopId),
        eq(attachments.id, id),
        eq(conversations.shopId, shopId),
        eq(conversations.customerId, customerId),
        or(
          and(eq(attachments.uploadedByKind, 'customer'), eq(attachments.uploadedById, customerId)),
          and(isNotNull(attachments.messageId), ne(messages.kind, 'note')),
        ),
      ),
    );
  return r?.a;
}

/**
 * Sets the message on those of `ids` that the uploader sent to this conversation and that no
 * message has yet; answers the rows it changed (the caller compares the count).
 */
export async function claimUnattached(
  tx: Db,
  f: { shopId: string; conversationId: string; messageId: string; ids: string[]; uploaderKind: 'customer' | 'agent'; uploaderId: string },
): Promise<AttachmentRow[]> {
  return tx
    .update(attachments)
    .set({ messageId: f.messageId })
    .where(
      and(
        eq(attachments.shopId, f.shopId),
        eq(attachments.conversationId, f.conversationId),
        inArray(attachments.id, f.ids),
        eq(attachments.uploadedByKind, f.uploaderKind),
        eq(attachments.uploadedById, f.uploaderId),
        isNull(attachments.messageId),
      ),
    )
    .returning();
}

export async function listForMessages(db: Db, shopId: string, messageIds: string[]): Promise<AttachmentRow[]> {
  const out: AttachmentRow[] = [];
  // In chunks: a statement takes at most 65,535 parameters.
  for (let i = 0; i < messageIds.length; i += 1000) {
    out.push(
      ...(await db
        .select()
        .from(attachments)
        .where(and(eq(attachments.shopId, shopId), inArray(attachments.messageId, messageIds.slice(i, i + 1000))))
        .orderBy(asc(attachments.createdAt), asc(attachments.id))),
    );
  }
  return out;
}

/**
 * Deletes up to `limit` uploads that no message took before `before`, in every shop (this is
 * the one query not scoped by shop: a housekeeping job acting for all of them). Answers their
 * storage keys so the bytes can go too.
 */
export async function deleteUnclaimedBefore(db: Db, before: Date, limit: number): Promise<string[]> {
  const stale = db
    .select({ id: attachments.id })
    .from(attachments)
    .where(and(isNull(attachments.messageId), lt(attachments.createdAt, before)))
    .limit(limit);
  // `message_id IS NULL` again: a message may have claimed the row since the subquery saw it.
  const rows = await db
    .delete(attachments)
    .where(and(inArray(attachments.id, stale), isNull(attachments.messageId)))
    .returning({ storageKey: attachments.storageKey });
  return rows.map((r) => r.storageKey);
}

import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import type { ConversationRow } from './conversations.repository.ts';
import { conversations, customers, messages } from './conversations.tables.ts';

/**
 * The conversation a signed reply address names. The address carries no shop id (it must fit
 * in the 64 characters of a mail local part), so this is the one lookup not scoped by shop:
 * call it only with an id whose signature was checked.
 */
export async function findSignedConversation(db: Db, conversationId: string): Promise<ConversationRow | undefined> {
  const [c] = await db.select().from(conversations).where(eq(conversations.id, conversationId));
  return c;
}

/**
 * A customer message with this client id in any conversation of the customer (or of every
 * customer with this email): a mail already stored, perhaps in a conversation opened for it
 * or moved there by a merge.
 */
export async function findMailMessage(db: Db, shopId: string, who: { customerId: string } | { email: string }, clientId: string) {
  const whose =
    'customerId' in who
      ? eq(conversations.customerId, who.customerId)
      : inArray(conversations.customerId, db.select({ id: customers.id }).from(customers).where(and(eq(customers.shopId, shopId), eq(customers.email, who.email))));
  const [m] = await db
    .select({ id: messages.id, conversationId: messages.conversationId, seq: messages.seq })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .where(and(eq(conversations.shopId, shopId), whose, eq(messages.clientId, clientId), eq(messages.authorKind, 'customer')))
    .limit(1);
  return m;
}

/** Serialises the handling of one mail in one shop until the transaction ends (a resent mail waits, then finds the first). */
export async function lockMail(tx: Db, shopId: string, clientId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`mail:${shopId}:${clientId}`}, 0))`);
}

import { asc, sql } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import type { ConversationRow, MessageRow } from './conversations.repository.ts';
import { conversations, messages } from './conversations.tables.ts';

/**
 * The SQL of the chat's group commit (conversations.write.ts): each statement covers a whole
 * batch of messages, whichever conversations and shops they belong to. Every condition pairs
 * the shop id with the row's id.
 */

export interface ConversationRef {
  shopId: string;
  id: string;
}

/** Locks the conversations in id order (two batches never wait on each other in a circle). */
export async function lockConversations(tx: Db, refs: ConversationRef[]): Promise<Map<string, ConversationRow>> {
  if (!refs.length) return new Map();
  const rows = await tx
    .select()
    .from(conversations)
    .where(sql`(${conversations.shopId}, ${conversations.id}) in (${sql.join(refs.map((r) => sql`(${r.shopId}::uuid, ${r.id}::uuid)`), sql`, `)})`)
    .orderBy(asc(conversations.id))
    .for('update');
  return new Map(rows.map((c) => [c.id, c]));
}

export const clientKey = (conversationId: string, clientId: string) => `${conversationId}\u0000${clientId}`;

/** Messages already stored under these client ids, by clientKey. */
export async function findMessagesByClientIds(tx: Db, refs: Array<{ shopId: string; conversationId: string; clientId: string }>): Promise<Map<string, MessageRow>> {
  if (!refs.length) return new Map();
  const keys = sql.join(
    refs.map((r) => sql`(${r.shopId}::uuid, ${r.conversationId}::uuid, ${r.clientId}::text)`),
    sql`, `,
  );
  const rows = await tx
    .select()
    .from(messages)
    .where(sql`(${messages.shopId}, ${messages.conversationId}, ${messages.clientId}) in (${keys})`);
  return new Map(rows.map((m) => [clientKey(m.conversationId, m.clientId), m]));
}

/** Inserts the batch's messages in one statement; answers them by clientKey. */
export async function insertMessages(tx: Db, rows: Array<typeof messages.$inferInsert>): Promise<Map<string, MessageRow>> {
  if (!rows.length) return new Map();
  const stored = await tx.insert(messages).values(rows).returning();
  return new Map(stored.map((m) => [clientKey(m.conversationId, m.clientId), m]));
}

const ts = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * Writes what messages changed on their conversations (sequence, read marks, last message
 * times, first response, a reopened status) for many conversations in one UPDATE. The rows
 * are the caller's locked rows with those changes applied; `updatedAt` is set to `now`.
 */
export async function saveMessageEffects(tx: Db, rows: ConversationRow[], now: Date): Promise<void> {
  if (!rows.length) return;
  const values = sql.join(
    rows.map(
      (c) =>
        sql`(${c.shopId}::uuid, ${c.id}::uuid, ${c.lastSeq}::int, ${c.customerReadSeq}::int, ${c.agentReadSeq}::int, ${c.status}::text,
             ${ts(c.snoozedUntil)}::timestamptz, ${ts(c.lastMessageAt)}::timestamptz, ${ts(c.lastCustomerMessageAt)}::timestamptz,
             ${ts(c.firstResponseAt)}::timestamptz, ${ts(c.resolvedAt)}::timestamptz)`,
    ),
    sql`, `,
  );
  await tx.execute(sql`
    update ${conversations} as c
    set last_seq = v.last_seq, customer_read_seq = v.customer_read_seq, agent_read_seq = v.agent_read_seq, status = v.status,
        snoozed_until = v.snoozed_until, last_message_at = v.last_message_at, last_customer_message_at = v.last_customer_message_at,
        first_response_at = v.first_response_at, resolved_at = v.resolved_at, updated_at = ${now.toISOString()}::timestamptz
    from (values ${values}) as v(shop_id, id, last_seq, customer_read_seq, agent_read_seq, status, snoozed_until, last_message_at,
                                 last_customer_message_at, first_response_at, resolved_at)
    where c.shop_id = v.shop_id and c.id = v.id`);
}

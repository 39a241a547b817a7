import { asc, getTableColumns, sql } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import type { ConversationRow, MessageRow } from './conversations.repository.ts';
import { conversations, messages } from './conversations.tables.ts';

/**
 * The SQL of the chat's group commit (conversations.write.ts): each statement covers a whole
 * batch of messages, whichever conversations and shops they belong to. Every condition pairs
 * the shop id with the row's id. Values travel as one array parameter per column (unnest), so
 * a statement costs the same to build for one message as for two hundred.
 */

const list = <T>(values: T[]) => sql.param(values);
const rowsOf = <T>(r: unknown): T[] => ((r as { rows?: T[] }).rows ?? (r as T[]));

/** A raw row of the messages table (column names as in SQL) as Drizzle would have mapped it. */
const messageColumns = Object.entries(getTableColumns(messages));
function toMessageRow(raw: Record<string, unknown>): MessageRow {
  return Object.fromEntries(messageColumns.map(([key, col]) => [key, raw[col.name] == null ? null : col.mapFromDriverValue(raw[col.name])])) as MessageRow;
}

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
    .where(sql`(${conversations.shopId}, ${conversations.id}) in (select * from unnest(${list(refs.map((r) => r.shopId))}::uuid[], ${list(refs.map((r) => r.id))}::uuid[]))`)
    .orderBy(asc(conversations.id))
    .for('update');
  return new Map(rows.map((c) => [c.id, c]));
}

export const clientKey = (conversationId: string, clientId: string) => `${conversationId}\u0000${clientId}`;

/** Messages already stored under these client ids, by clientKey. */
export async function findMessagesByClientIds(tx: Db, refs: Array<{ shopId: string; conversationId: string; clientId: string }>): Promise<Map<string, MessageRow>> {
  if (!refs.length) return new Map();
  const rows = await tx
    .select()
    .from(messages)
    .where(
      sql`(${messages.shopId}, ${messages.conversationId}, ${messages.clientId}) in (select * from unnest(${list(refs.map((r) => r.shopId))}::uuid[], ${list(refs.map((r) => r.conversationId))}::uuid[], ${list(refs.map((r) => r.clientId))}::text[]))`,
    );
  return new Map(rows.map((m) => [clientKey(m.conversationId, m.clientId), m]));
}

export type NewMessage = Pick<MessageRow, 'id' | 'shopId' | 'conversationId' | 'seq' | 'clientId' | 'authorKind' | 'authorId' | 'authorName' | 'kind' | 'body'>;

/** Inserts the batch's messages in one statement; answers them by clientKey. */
export async function insertMessages(tx: Db, rows: NewMessage[]): Promise<Map<string, MessageRow>> {
  if (!rows.length) return new Map();
  const col = <K extends keyof NewMessage>(k: K) => list(rows.map((r) => r[k]));
  const stored = rowsOf<Record<string, unknown>>(
    await tx.execute(sql`
      insert into ${messages} (id, shop_id, conversation_id, seq, client_id, author_kind, author_id, author_name, kind, body)
      select * from unnest(${col('id')}::uuid[], ${col('shopId')}::uuid[], ${col('conversationId')}::uuid[], ${col('seq')}::int[], ${col('clientId')}::text[],
                           ${col('authorKind')}::text[], ${col('authorId')}::uuid[], ${col('authorName')}::text[], ${col('kind')}::text[], ${col('body')}::text[])
      returning *`),
  ).map(toMessageRow);
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
  const col = <T>(f: (c: ConversationRow) => T) => list(rows.map(f));
  await tx.execute(sql`
    update ${conversations} as c
    set last_seq = v.last_seq, customer_read_seq = v.customer_read_seq, agent_read_seq = v.agent_read_seq, status = v.status,
        snoozed_until = v.snoozed_until, last_message_at = v.last_message_at, last_customer_message_at = v.last_customer_message_at,
        first_response_at = v.first_response_at, resolved_at = v.resolved_at, updated_at = ${now.toISOString()}::timestamptz
    from unnest(${col((c) => c.shopId)}::uuid[], ${col((c) => c.id)}::uuid[], ${col((c) => c.lastSeq)}::int[], ${col((c) => c.customerReadSeq)}::int[],
                ${col((c) => c.agentReadSeq)}::int[], ${col((c) => c.status)}::text[], ${col((c) => ts(c.snoozedUntil))}::timestamptz[],
                ${col((c) => ts(c.lastMessageAt))}::timestamptz[], ${col((c) => ts(c.lastCustomerMessageAt))}::timestamptz[],
                ${col((c) => ts(c.firstResponseAt))}::timestamptz[], ${col((c) => ts(c.resolvedAt))}::timestamptz[])
      as v(shop_id, id, last_seq, customer_read_seq, agent_read_seq, status, snoozed_until, last_message_at, last_customer_message_at, first_response_at, resolved_at)
    where c.shop_id = v.shop_id and c.id = v.id`);
}

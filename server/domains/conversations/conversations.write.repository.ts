import type { Db } from '../../core/db/client.ts';
import { rowsAs, statement } from '../../core/db/statement.ts';
import type { ConversationRow, MessageRow } from './conversations.repository.ts';
import { conversations, messages } from './conversations.tables.ts';

/**
 * The SQL of the chat's group commit (conversations.write.ts): each statement covers a whole
 * batch of messages, whichever conversations and shops they belong to. Every condition pairs
 * the shop id with the row's id. Values travel as one array parameter per column (unnest), so
 * one fixed text serves a batch of one message or of two hundred, prepared once per
 * connection (core/db/statement.ts).
 */

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const toConversation = rowsAs(conversations);
const toMessage = rowsAs(messages);

export interface ConversationRef {
  shopId: string;
  id: string;
}

const lock = statement(
  'chat_lock_conversations',
  `select * from conversations
   where (shop_id, id) in (select * from unnest($1::uuid[], $2::uuid[]))
   order by id
   for update`,
  toConversation,
);

/** Locks the conversations in id order (two batches never wait on each other in a circle). */
export async function lockConversations(tx: Db, refs: ConversationRef[]): Promise<Map<string, ConversationRow>> {
  if (!refs.length) return new Map();
  const rows = await lock(tx, [refs.map((r) => r.shopId), refs.map((r) => r.id)]);
  return new Map(rows.map((c) => [c.id, c]));
}

export const clientKey = (conversationId: string, clientId: string) => `${conversationId}\u0000${clientId}`;

const byClientIds = statement(
  'chat_messages_by_client_ids',
  `select * from messages
   where (shop_id, conversation_id, client_id) in (select * from unnest($1::uuid[], $2::uuid[], $3::text[]))`,
  toMessage,
);

/** Messages already stored under these client ids, by clientKey. */
export async function findMessagesByClientIds(tx: Db, refs: Array<{ shopId: string; conversationId: string; clientId: string }>): Promise<Map<string, MessageRow>> {
  if (!refs.length) return new Map();
  const rows = await byClientIds(tx, [refs.map((r) => r.shopId), refs.map((r) => r.conversationId), refs.map((r) => r.clientId)]);
  return new Map(rows.map((m) => [clientKey(m.conversationId, m.clientId), m]));
}

export type NewMessage = Pick<MessageRow, 'id' | 'shopId' | 'conversationId' | 'seq' | 'clientId' | 'authorKind' | 'authorId' | 'authorName' | 'kind' | 'body'>;

/*
 * One statement for the whole batch: the messages go in and their conversations move (sequence,
 * read marks, last message times, first response, a reopened status), for many conversations
 * at once. Both parts see the same snapshot and touch different tables, so neither waits on
 * the other.
 */
const write = statement(
  'chat_write_batch',
  `with moved as (
     update conversations as c
     set last_seq = v.last_seq, customer_read_seq = v.customer_read_seq, agent_read_seq = v.agent_read_seq, status = v.status,
         snoozed_until = v.snoozed_until, last_message_at = v.last_message_at, last_customer_message_at = v.last_customer_message_at,
         first_response_at = v.first_response_at, resolved_at = v.resolved_at, updated_at = $21::timestamptz
     from unnest($10::uuid[], $11::uuid[], $12::int[], $13::int[], $14::int[], $15::text[], $16::timestamptz[], $17::timestamptz[], $18::timestamptz[], $19::timestamptz[], $20::timestamptz[])
       as v(shop_id, id, last_seq, customer_read_seq, agent_read_seq, status, snoozed_until, last_message_at, last_customer_message_at, first_response_at, resolved_at)
     where c.shop_id = v.shop_id and c.id = v.id
     returning c.id
   )
   insert into messages (id, shop_id, conversation_id, seq, client_id, author_kind, author_id, author_name, kind, body, created_at)
   select m.*, $21::timestamptz
   from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::int[], $5::text[], $6::text[], $7::uuid[], $8::text[], $9::text[], $22::text[])
     as m(id, shop_id, conversation_id, seq, client_id, author_kind, author_id, author_name, kind, body)
   returning *`,
  toMessage,
);

/**
 * Inserts the batch's messages and writes what they changed on their conversations, in one
 * statement. `moved` are the caller's locked rows with those changes applied; `updatedAt`
 * and the messages' `createdAt` are `now`. Answers the stored messages by clientKey.
 */
export async function writeBatch(tx: Db, rows: NewMessage[], moved: ConversationRow[], now: Date): Promise<Map<string, MessageRow>> {
  if (!rows.length && !moved.length) return new Map();
  const m = <K extends keyof NewMessage>(k: K) => rows.map((r) => r[k]);
  const c = <T>(f: (c: ConversationRow) => T) => moved.map(f);
  const stored = await write(tx, [
    m('id'), m('shopId'), m('conversationId'), m('seq'), m('clientId'), m('authorKind'), m('authorId'), m('authorName'), m('kind'),
    c((x) => x.shopId), c((x) => x.id), c((x) => x.lastSeq), c((x) => x.customerReadSeq), c((x) => x.agentReadSeq), c((x) => x.status),
    c((x) => iso(x.snoozedUntil)), c((x) => iso(x.lastMessageAt)), c((x) => iso(x.lastCustomerMessageAt)), c((x) => iso(x.firstResponseAt)), c((x) => iso(x.resolvedAt)),
    now.toISOString(), m('body'),
  ]);
  return new Map(stored.map((x) => [clientKey(x.conversationId, x.clientId), x]));
}

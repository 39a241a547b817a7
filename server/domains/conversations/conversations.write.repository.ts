import type { Db } from '../../core/db/client.ts';
import { rowsAs, statement } from '../../core/db/statement.ts';
import type { ConversationRow, MessageRow } from './conversations.repository.ts';
import { conversations, messages } from './conversations.tables.ts';
import { contextKey, policyForPrioritySql, toSlaContext, type KnownSla } from '../sla/sla.repository.ts';
import { slaClocks } from '../sla/sla.tables.ts';

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
  // `id = any(…)` leads the planner to the primary key; the pairs keep each row to its shop.
  `select * from conversations
   where id = any($2::uuid[]) and (shop_id, id) in (select * from unnest($1::uuid[], $2::uuid[]))
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

const toClock = rowsAs(slaClocks);
/*
 * Everything a locked batch reads, in one round trip (after the lock, so it sees whatever a
 * batch that held the lock before committed): messages already stored under the batch's
 * client ids, the SLA clocks of its conversations, and each (shop, priority)'s calendar and
 * policy. Rows come as jsonb, tagged by part.
 */
const reads = statement(
  'chat_batch_reads',
  `select 'message' as part, to_jsonb(m) as row from messages m
   where (m.shop_id, m.conversation_id, m.client_id) in (select * from unnest($1::uuid[], $2::uuid[], $3::text[]))
   union all
   select 'clock', to_jsonb(k) from sla_clocks k
   where k.conversation_id = any($5::uuid[]) and (k.shop_id, k.conversation_id) in (select * from unnest($4::uuid[], $5::uuid[]))
   union all
   select 'context', jsonb_build_object('shop_id', s.id, 'priority', q.priority, 'timezone', s.timezone, 'hours', to_jsonb(h), 'policy', to_jsonb(p))
   from unnest($6::uuid[], $7::text[]) as q(shop_id, priority)
   join shops s on s.id = q.shop_id
   left join business_hours h on h.shop_id = s.id
   left join lateral (${policyForPrioritySql('q.priority')}) p on true`,
);

export interface BatchReads {
  /** Messages already stored under the batch's client ids, by clientKey. */
  stored: Map<string, MessageRow>;
  sla: KnownSla;
}

/** What a locked batch reads (see `reads`): for these sends, on these locked conversations. */
export async function readBatch(tx: Db, sends: Array<{ shopId: string; conversationId: string; clientId: string }>, locked: ConversationRow[]): Promise<BatchReads> {
  const stored = new Map<string, MessageRow>();
  const sla: KnownSla = { clocks: [], contexts: new Map() };
  if (!sends.length) return { stored, sla };
  const pairs = new Map(locked.map((c) => [contextKey(c.shopId, c.priority), c]));
  const rows = await reads(tx, [
    sends.map((r) => r.shopId), sends.map((r) => r.conversationId), sends.map((r) => r.clientId),
    locked.map((c) => c.shopId), locked.map((c) => c.id),
    [...pairs.values()].map((c) => c.shopId), [...pairs.values()].map((c) => c.priority),
  ]);
  for (const { part, row } of rows as Array<{ part: string; row: Record<string, unknown> }>) {
    if (part === 'message') {
      const m = toMessage(row);
      stored.set(clientKey(m.conversationId, m.clientId), m);
    } else if (part === 'clock') sla.clocks.push(toClock(row));
    else sla.contexts.set(contextKey(row.shop_id as string, row.priority as string), toSlaContext(row));
  }
  return { stored, sla };
}

export type NewMessage = Pick<MessageRow, 'id' | 'shopId' | 'conversationId' | 'seq' | 'clientId' | 'authorKind' | 'authorId' | 'authorName' | 'kind' | 'body'>;

/*
 * One statement for the whole batch: the messages go in and their conversations move (sequence,
 * read marks, last message times, first response, a reopened status and who it waits for), for many conversations
 * at once. Both parts see the same snapshot and touch different tables, so neither waits on
 * the other.
 */
const write = statement(
  'chat_write_batch',
  `with moved as (
     update conversations as c
     set last_seq = v.last_seq, customer_read_seq = v.customer_read_seq, agent_read_seq = v.agent_read_seq, status = v.status,
         snoozed_until = v.snoozed_until, last_message_at = v.last_message_at, last_customer_message_at = v.last_customer_message_at,
         first_response_at = v.first_response_at, resolved_at = v.resolved_at, assignee_id = v.assignee_id,
         awaiting_assignment = v.awaiting_assignment, updated_at = $21::timestamptz
     from unnest($10::uuid[], $11::uuid[], $12::int[], $13::int[], $14::int[], $15::text[], $16::timestamptz[], $17::timestamptz[], $18::timestamptz[], $19::timestamptz[], $20::timestamptz[], $23::uuid[], $24::boolean[])
       as v(shop_id, id, last_seq, customer_read_seq, agent_read_seq, status, snoozed_until, last_message_at, last_customer_message_at, first_response_at, resolved_at, assignee_id, awaiting_assignment)
     where c.id = any($11::uuid[]) and c.shop_id = v.shop_id and c.id = v.id
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
    now.toISOString(), m('body'), c((x) => x.assigneeId), c((x) => x.awaitingAssignment),
  ]);
  return new Map(stored.map((x) => [clientKey(x.conversationId, x.clientId), x]));
}

/** The texts of the group commit's statements, for bench/chat/roundtrips.ts (which sends them through other drivers). */
export const chatWriteTexts = { lock: lock.text, reads: reads.text, write: write.text };

import type { Db } from '../../core/db/client.ts';
import { rowsAs, selectList, statement } from '../../core/db/statement.ts';
import type { ConversationRow, MessageRow } from './conversations.repository.ts';
import { conversations, messages } from './conversations.tables.ts';
import { contextKey, toSlaContext, type KnownSla } from '../sla/sla.repository.ts';
import { slaClocks } from '../sla/sla.tables.ts';

/**
 * The SQL of the chat's group commit (conversations.write.ts): each call covers a whole batch of
 * messages, whichever conversations and shops they belong to, and every condition pairs the
 * shop id with the row's id. The statements live in two PL/pgSQL functions (migration
 * 0032_chat_write_functions.sql, as 0037_chat_read_by_key.sql replaced them), so PostgreSQL
 * plans them once per connection rather than at every batch, with plans that look each row up
 * by its key at any table size and whatever the statistics say; values travel as one
 * array parameter per column (unnest), so one fixed call serves a batch of one message or of
 * two hundred, prepared once per connection (core/db/statement.ts).
 *
 * So this repository's SQL is in a migration rather than here, unlike the rest of the code's
 * (STYLE: repositories hold the queries): a change to it is a new migration that replaces the
 * functions (CREATE OR REPLACE with the same arguments, else DROP and CREATE), with
 * write.plans.test.ts still passing. Only this file calls them, and every call carries the
 * shop ids.
 */

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const toConversation = rowsAs(conversations);
const toMessage = rowsAs(messages);
const toClock = rowsAs(slaClocks);

export const clientKey = (conversationId: string, clientId: string) => `${conversationId}\u0000${clientId}`;

/*
 * Locks the batch's conversations in id order (two batches never wait on each other in a
 * circle), then reads, after the lock, so it sees whatever a batch that held it before
 * committed: the locked rows, messages already stored under the batch's client ids, the SLA
 * clocks of those conversations and each (shop, priority)'s calendar and policy. One round trip;
 * rows come as jsonb, tagged by part.
 */
const lockRead = statement('chat_lock_and_read', 'select part, row from chat_lock_and_read($1::uuid[], $2::uuid[], $3::text[])');

export interface LockedBatch {
  /** The batch's conversations that exist in the shop each send names, locked until the transaction ends. */
  locked: Map<string, ConversationRow>;
  /** Messages already stored under the batch's client ids, by clientKey. */
  stored: Map<string, MessageRow>;
  sla: KnownSla;
}

/** Locks and reads for these sends (see `lockRead`); call it in the batch's transaction. */
export async function lockAndRead(tx: Db, sends: Array<{ shopId: string; conversationId: string; clientId: string }>): Promise<LockedBatch> {
  const out: LockedBatch = { locked: new Map(), stored: new Map(), sla: { clocks: [], contexts: new Map() } };
  if (!sends.length) return out;
  const rows = await lockRead(tx, [sends.map((r) => r.shopId), sends.map((r) => r.conversationId), sends.map((r) => r.clientId)]);
  for (const { part, row } of rows as Array<{ part: string; row: Record<string, unknown> }>) {
    if (part === 'conversation') {
      const c = toConversation(row);
      out.locked.set(c.id, c);
    } else if (part === 'message') {
      const m = toMessage(row);
      out.stored.set(clientKey(m.conversationId, m.clientId), m);
    } else if (part === 'clock') out.sla.clocks.push(toClock(row));
    else out.sla.contexts.set(contextKey(row.shop_id as string, row.priority as string), toSlaContext(row));
  }
  return out;
}

export type NewMessage = Pick<MessageRow, 'id' | 'shopId' | 'conversationId' | 'seq' | 'clientId' | 'authorKind' | 'authorId' | 'authorName' | 'kind' | 'body'>;

/* Inserts the messages and moves their conversations in one statement (chat_write_batch). */
const write = statement(
  'chat_write_batch',
  `select ${selectList(messages, 'w')} from chat_write_batch($1::uuid[], $2::uuid[], $3::uuid[], $4::int[], $5::text[], $6::text[], $7::uuid[], $8::text[], $9::text[], $10::text[],
     $11::uuid[], $12::uuid[], $13::int[], $14::int[], $15::int[], $16::text[], $17::timestamptz[], $18::timestamptz[], $19::timestamptz[],
     $20::timestamptz[], $21::timestamptz[], $22::uuid[], $23::boolean[], $24::timestamptz) w`,
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
    m('id'), m('shopId'), m('conversationId'), m('seq'), m('clientId'), m('authorKind'), m('authorId'), m('authorName'), m('kind'), m('body'),
    c((x) => x.shopId), c((x) => x.id), c((x) => x.lastSeq), c((x) => x.customerReadSeq), c((x) => x.agentReadSeq), c((x) => x.status),
    c((x) => iso(x.snoozedUntil)), c((x) => iso(x.lastMessageAt)), c((x) => iso(x.lastCustomerMessageAt)), c((x) => iso(x.firstResponseAt)), c((x) => iso(x.resolvedAt)),
    c((x) => x.assigneeId), c((x) => x.awaitingAssignment), now.toISOString(),
  ]);
  return new Map(stored.map((x) => [clientKey(x.conversationId, x.clientId), x]));
}

/** The texts of the group commit's two calls, for bench/chat/roundtrips.ts (which sends them through other drivers). */
export const chatWriteTexts = { lockRead: lockRead.text, write: write.text };

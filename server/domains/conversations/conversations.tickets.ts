import { and, desc, eq } from 'drizzle-orm';
import { type Actor, requireKind } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { notFound } from '../../core/errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { assignWaiting } from './conversations.assign.ts';
import type { ConversationDto } from './conversations.events.ts';
import { chatHooks } from './conversations.hooks.ts';
import { conversationDtos } from './conversations.queue.ts';
import {
  findCustomer,
  insertConversation,
  insertCustomer,
  insertMessage,
  nextConversationNumber,
  updateConversation,
  upsertVerifiedCustomer,
  type ConversationRow,
  type CustomerRow,
  type MessageRow,
} from './conversations.repository.ts';
import type { ChatDeps } from './conversations.service.ts';
import { customers, type Channel, type Priority } from './conversations.tables.ts';

export interface NewTicket {
  /** Who writes: found by external id or email (or created), or a known customer of the shop by id. */
  customer: { name: string; email: string; externalId?: string } | { id: string };
  subject?: string;
  orderNumber?: string;
  priority?: Priority;
  tags?: string[];
  message: { clientId: string; body: string };
}

/**
 * A ticket opened for a customer by the shop's systems (API key) or by a person in the
 * console, with the customer's first message. The shop's server is trusted with an
 * external id; otherwise the customer is found by email or created.
 */
export async function createTicket(deps: ChatDeps, actor: Actor, t: NewTicket, requestId?: string): Promise<ConversationDto> {
  requireKind(actor, 'user', 'api_key');
  const { conversation: row } = await deps.db.transaction((tx) => insertTicket(tx, actor, t, { channel: 'api', now: new Date(), requestId }));
  ticketOpened(deps, row);
  return (await conversationDtos(deps.db, row.shopId, [row], actor.kind === 'user' ? actor.role : 'api_key'))[0]!;
}

async function ticketCustomer(tx: Db, shopId: string, who: NewTicket['customer']): Promise<CustomerRow> {
  if ('id' in who) {
    const known = await findCustomer(tx, shopId, who.id);
    if (!known) throw notFound('customer');
    return known;
  }
  const email = who.email.toLowerCase();
  if (who.externalId) return upsertVerifiedCustomer(tx, { shopId, externalId: who.externalId, name: who.name, email, locale: 'ja' });
  const [found] = await tx.select().from(customers).where(and(eq(customers.shopId, shopId), eq(customers.email, email))).orderBy(desc(customers.createdAt)).limit(1);
  return found ?? insertCustomer(tx, { shopId, name: who.name, email });
}

/**
 * The ticket's rows (customer, conversation, first message, SLA clocks, audit) inside the
 * caller's transaction, for callers that must do more in it (inbound mail locks and
 * deduplicates first). `system` callers are our own adapters, never an HTTP client; call
 * `ticketOpened` after the commit.
 */
export async function insertTicket(
  tx: Db,
  actor: Actor,
  t: NewTicket,
  opts: { channel: Extract<Channel, 'api' | 'email'>; now: Date; requestId?: string },
): Promise<{ conversation: ConversationRow; message: MessageRow }> {
  requireKind(actor, 'user', 'api_key', 'system');
  const { shopId } = actor;
  const { now, channel } = opts;
  const customer = await ticketCustomer(tx, shopId, t.customer);
  const c = await insertConversation(tx, {
    shopId,
    number: await nextConversationNumber(tx, shopId),
    customerId: customer.id,
    channel,
    subject: t.subject ?? null,
    orderNumber: t.orderNumber ?? null,
    priority: t.priority ?? 'normal',
    tags: [...new Set(t.tags ?? [])],
    awaitingAssignment: true,
  });
  const m = await insertMessage(tx, { shopId, conversationId: c.id, seq: 1, clientId: t.message.clientId, authorKind: 'customer', authorId: customer.id, authorName: customer.name, body: t.message.body });
  const after = await updateConversation(tx, shopId, c.id, { lastSeq: 1, lastMessageAt: now, lastCustomerMessageAt: now, customerReadSeq: 1 });
  await chatHooks.created(tx, after, now);
  await chatHooks.messageStored(tx, after, m, now);
  await recordAudit(tx, actor, { action: 'conversation.created', objectType: 'conversation', objectId: c.id, summary: { number: c.number, channel } }, opts.requestId);
  return { conversation: after, message: m };
}

/** After the commit of `insertTicket`: outbox, live inbox, auto-assignment. */
export function ticketOpened(deps: ChatDeps, row: ConversationRow): void {
  deps.poke();
  deps.bus.publish('conversation.changed', { shopId: row.shopId, conversationId: row.id });
  void assignWaiting(deps, row.shopId).catch(() => undefined);
}

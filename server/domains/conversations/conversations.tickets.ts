import { type Actor, requireKind } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { forbidden, notFound } from '../../core/errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { inboxMoved } from './conversations.assign.ts';
import { transact, type Outgoing } from '../../events/commit.ts';
import type { ConversationDto } from './conversations.dto.ts';
import { chatHooks } from './conversations.hooks.ts';
import { masksContactData } from '../orders/orders.mask.ts';
import { conversationDtos, viewerRole } from './conversations.inbox.ts';
import { findCustomer, findCustomerByEmail, findOrInsertByExternalId, insertCustomer, upsertVerifiedCustomer, type CustomerRow } from './conversations.customers.repository.ts';
import { insertConversation, insertMessage, nextConversationNumber, updateConversation, type ConversationRow, type MessageRow } from './conversations.repository.ts';
import { chatSink, type ChatDeps } from './conversations.service.ts';
import type { Channel, Priority } from './conversations.tables.ts';

export interface NewTicket {
  /** Who writes: see `ticketCustomer` for who may find, create or refresh which customer; or a known customer of the shop by id (our own adapters). */
  customer: { name: string; email: string; externalId?: string } | { id: string };
  subject?: string;
  orderNumber?: string;
  priority?: Priority;
  tags?: string[];
  message: { clientId: string; body: string };
}

/**
 * A ticket opened for a customer by the shop's systems (API key) or by a person in the
 * console, with the customer's first message. Who the customer is depends on who asks
 * (`ticketCustomer`); a contractor's answer never tells whether an address is a customer's.
 */
export async function createTicket(deps: ChatDeps, actor: Actor, t: NewTicket, requestId?: string): Promise<ConversationDto> {
  requireKind(actor, 'user', 'api_key');
  const { conversation: row } = await transact(deps.db, chatSink(deps), async (tx, out) => {
    const opened = await insertTicket(tx, actor, t, { channel: 'api', now: new Date(), requestId });
    ticketOpened(out, deps, opened);
    return opened;
  });
  return (await conversationDtos(deps.db, row.shopId, [row], viewerRole(actor)))[0]!;
}

/**
 * Who a ticket is for, by who opens it. Only the shop's server vouches for an identity, so
 * only it writes one:
 * - an API key's `externalId` creates or refreshes the verified customer (name, and the
 *   address replies are mailed to); without one, the shop's latest customer with the address;
 * - a person in the console attaches the ticket to a customer the shop already has (by
 *   `externalId`, else by address) and never changes it; an unknown `externalId` makes an
 *   unverified customer that holds the id until the shop's server vouches for it;
 * - a contractor sees contact data masked, so nothing is looked up for them (a lookup's
 *   answer, or its absence, would confirm a guessed address): every ticket gets a new
 *   unverified contact, and `externalId` is refused before anything is read;
 * - a mail's From can be typed by anyone: it only finds an unverified contact with that
 *   address, never a verified customer.
 */
async function ticketCustomer(tx: Db, actor: Actor, who: NewTicket['customer']): Promise<CustomerRow> {
  const { shopId } = actor;
  if ('id' in who) {
    const known = await findCustomer(tx, shopId, who.id);
    if (!known) throw notFound('customer');
    return known;
  }
  const email = who.email.toLowerCase();
  const contact = () => insertCustomer(tx, { shopId, name: who.name, email });
  if (actor.kind === 'api_key') {
    if (who.externalId) return upsertVerifiedCustomer(tx, { shopId, externalId: who.externalId, name: who.name, email, locale: 'ja' });
    return (await findCustomerByEmail(tx, shopId, email)) ?? contact();
  }
  if (actor.kind === 'system') return (await findCustomerByEmail(tx, shopId, email, { unverifiedOnly: true })) ?? contact();
  if (masksContactData(actor.role)) {
    if (who.externalId) throw forbidden("contractors open tickets by name and email only; the shop's customer id is not theirs to use");
    return contact();
  }
  if (who.externalId) return findOrInsertByExternalId(tx, { shopId, externalId: who.externalId, name: who.name, email });
  return (await findCustomerByEmail(tx, shopId, email)) ?? contact();
}

/**
 * The ticket's rows (customer, conversation, first message, SLA clocks, audit) inside the
 * caller's transaction, for callers that must do more in it (inbound mail locks and
 * deduplicates first). `system` callers are our own adapters, never an HTTP client; call
 * `ticketOpened` with its Outgoing in the same transaction.
 */
export async function insertTicket(
  tx: Db,
  actor: Actor,
  t: NewTicket,
  opts: { channel: Extract<Channel, 'api' | 'email'>; now: Date; requestId?: string },
): Promise<{ conversation: ConversationRow; message: MessageRow; timers: number }> {
  requireKind(actor, 'user', 'api_key', 'system');
  const { shopId } = actor;
  const { now, channel } = opts;
  const customer = await ticketCustomer(tx, actor, t.customer);
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
  const timers = (await chatHooks.created(tx, after, now)) + (await chatHooks.messageStored(tx, after, m, now));
  await recordAudit(tx, actor, { action: 'conversation.created', objectType: 'conversation', objectId: c.id, summary: { number: c.number, channel } }, opts.requestId);
  return { conversation: after, message: m, timers };
}

/** What the transaction of `insertTicket` says: the conversation was created; after its commit, the inbox row and auto-assignment. */
export function ticketOpened(out: Outgoing, deps: ChatDeps, opened: { conversation: ConversationRow; message: MessageRow; timers: number }): void {
  const { conversation: row, message: m } = opened;
  out.queued(opened.timers);
  out.emit('conversation.created', { shopId: row.shopId, conversationId: row.id, channel: row.channel });
  out.emit('message.created', { shopId: row.shopId, conversationId: row.id, messageId: m.id, seq: m.seq, authorKind: m.authorKind, kind: m.kind });
  inboxMoved(out, deps, row.shopId, [row.id]);
}

import type { Logger } from '../../core/logger.ts';
import type { DomainBus } from '../../core/bus.ts';
import type { Db } from '../../core/db/client.ts';
import { DomainError, notFound } from '../../core/errors.ts';
import type { Redis } from '../../core/redis.ts';
import {
  findActiveChat,
  findConversation,
  insertConversation,
  lockConversation,
  messagesAfter,
  nextConversationNumber,
  raiseReadSeq,
  type ConversationRow,
  type MessageRow,
} from './conversations.repository.ts';
import { lockCustomer } from './conversations.customers.repository.ts';
import { toActivity, toCustomerConversationDto, toCustomerMessageDto, toMessageDto } from './conversations.view.ts';
import type { CustomerConversationDto, SendAnswer, SyncAnswer } from './conversations.dto.ts';
import { inboxMoved } from './conversations.assign.ts';
import { transact, type EventSink } from '../../events/commit.ts';
import type { ListenerTiming } from '../../events/subscriptions.ts';
import type { PresenceStore } from './presence.ts';
import type { CustomerPrincipal } from './widget.service.ts';
import type { MessageWriter } from './conversations.writer.ts';
import type { InboxPageCache } from './conversations.pagecache.ts';
import { chatHooks } from './conversations.hooks.ts';
import type { Author, SendInput } from './conversations.types.ts';

export interface ChatDeps {
  db: Db;
  bus: DomainBus;
  redis: Redis;
  keyPrefix: string;
  presence: PresenceStore;
  /** Wakes the outbox dispatcher after a commit that enqueued something. */
  poke: () => void;
  /** The configured delays of the events' listeners (how long an agent's reply waits to be read before it is mailed). */
  timing: ListenerTiming;
  /** The group commit every message goes through (conversations.write.ts). */
  writer: MessageWriter;
  /** Where after-commit work that failed is told (see server/events/commit.ts). */
  logger?: Logger;
  /** Inbox pages kept for the agents who read the same view (the app makes one per process). */
  pages?: InboxPageCache;
}

/** Where the chat's commits go on: the outbox dispatcher, the bus, the listeners' timing. */
export const chatSink = (deps: Pick<ChatDeps, 'poke' | 'bus' | 'timing'> & Partial<Pick<ChatDeps, 'logger'>>): EventSink => ({
  poke: deps.poke,
  bus: deps.bus,
  timing: deps.timing,
  ...(deps.logger ? { logger: deps.logger } : {}),
});

const SYNC_PAGE = 200;

const shopOf = (a: Author) => (a.kind === 'customer' ? a.principal.shopId : a.actor.shopId);

/**
 * A conversation the author may see, locked for the transaction when `lock`; another shop's
 * conversation, or for a customer anyone else's, is 404.
 */
export async function visibleConversation(db: Db, author: Author, conversationId: string, lock = false): Promise<ConversationRow> {
  const c = lock ? await lockConversation(db, shopOf(author), conversationId) : await findConversation(db, shopOf(author), conversationId);
  if (!c || (author.kind === 'customer' && c.customerId !== author.principal.customerId)) throw notFound('conversation');
  return c;
}

/**
 * The customer's chat that is still going, or a new one. Idempotent: a widget that resends
 * after a lost answer gets the same conversation (the customer row lock serialises the two).
 */
export async function openChat(deps: ChatDeps, p: CustomerPrincipal, input: { orderNumber?: string; subject?: string }): Promise<CustomerConversationDto> {
  const conversation = await transact(deps.db, chatSink(deps), async (tx, out) => {
    // Scoped by the shop like every read: a principal whose customer is not the shop's opens nothing.
    if (!(await lockCustomer(tx, p.shopId, p.customerId))) throw notFound('customer');
    const existing = await findActiveChat(tx, p.shopId, p.customerId);
    if (existing) return existing;
    const number = await nextConversationNumber(tx, p.shopId);
    const row = await insertConversation(tx, {
      shopId: p.shopId,
      number,
      customerId: p.customerId,
      channel: 'chat',
      subject: input.subject ?? null,
      orderNumber: input.orderNumber ?? null,
      awaitingAssignment: true,
    });
    out.queued(await chatHooks.created(tx, row, new Date()));
    out.emit('conversation.created', { shopId: p.shopId, conversationId: row.id, channel: 'chat' });
    inboxMoved(out, deps, p.shopId, [row.id]);
    return row;
  });
  return toCustomerConversationDto(conversation);
}

/**
 * Stores a message exactly once. The same `clientId` again answers the stored message with
 * `duplicate: true` and writes nothing, so a client may resend until it gets an ack. The
 * conversation row lock gives each message the next sequence number, in commit order; the
 * writer commits messages that arrive together in one transaction. `origin` is the socket
 * that sent it: the broadcast skips it, as its ack carries the message.
 */
export async function sendMessage(deps: ChatDeps, author: Author, input: SendInput, origin?: string): Promise<SendAnswer> {
  const kind = input.kind ?? 'text';
  if (author.kind === 'customer' && kind === 'note') throw new DomainError('forbidden', 'customers cannot write internal notes');
  if (kind !== 'note' && input.mentions?.length) throw new DomainError('invalid_input', 'mentions belong in internal notes, not in replies to the customer');
  const sent = await deps.writer.send({ author, input: { ...input, kind } });
  const { conversation: c, message: m } = sent;
  const message = toMessageDto(m, sent.attachments);
  if (!sent.duplicate) {
    deps.bus.publish('message.live', { shopId: c.shopId, conversationId: c.id, messageId: m.id, seq: m.seq, message, activity: toActivity(c, m), ...(origin ? { origin } : {}) });
  }
  // The bus carries the console's copy; a customer's ack is the customer's copy, which the widget keeps.
  return { message: author.kind === 'customer' ? toCustomerMessageDto(message) : message, duplicate: sent.duplicate };
}

/**
 * Everything after `afterSeq`, in order, a page at a time: what a client that reconnects
 * asks for. Customers never receive internal notes.
 */
export async function syncMessages(deps: ChatDeps, viewer: Author, conversationId: string, afterSeq: number): Promise<SyncAnswer> {
  const shopId = shopOf(viewer);
  const c = await visibleConversation(deps.db, viewer, conversationId);
  const rows = await messagesAfter(deps.db, shopId, c.id, afterSeq, SYNC_PAGE + 1, viewer.kind === 'agent');
  const page = rows.slice(0, SYNC_PAGE);
  const attachments = await chatHooks.attachmentsOf(deps.db, shopId, page.map((m) => m.id), viewer.kind);
  const dto = viewer.kind === 'customer' ? (m: MessageRow) => toCustomerMessageDto(toMessageDto(m, attachments.get(m.id) ?? [])) : (m: MessageRow) => toMessageDto(m, attachments.get(m.id) ?? []);
  return { messages: page.map(dto), lastSeq: c.lastSeq, more: rows.length > SYNC_PAGE, conversation: toCustomerConversationDto(c) };
}

/** Moves the viewer's read mark forward; answers whether it moved (a read receipt to show). */
export async function markRead(deps: ChatDeps, viewer: Author, conversationId: string, seq: number): Promise<boolean> {
  const c = await visibleConversation(deps.db, viewer, conversationId);
  if (seq > c.lastSeq) throw new DomainError('invalid_input', 'cannot read past the last message', { lastSeq: c.lastSeq });
  return raiseReadSeq(deps.db, c.shopId, c.id, viewer.kind === 'customer' ? 'customer' : 'agent', seq);
}

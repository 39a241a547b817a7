import { and, desc, eq } from 'drizzle-orm';
import { type Actor, requireKind } from '../../core/actor.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { assignWaiting } from './conversations.assign.ts';
import type { ConversationDto } from './conversations.events.ts';
import { chatHooks } from './conversations.hooks.ts';
import { conversationDtos } from './conversations.queue.ts';
import { insertConversation, insertCustomer, insertMessage, nextConversationNumber, updateConversation, upsertVerifiedCustomer } from './conversations.repository.ts';
import type { ChatDeps } from './conversations.service.ts';
import { customers, type Priority } from './conversations.tables.ts';

export interface NewTicket {
  customer: { name: string; email: string; externalId?: string };
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
  const shopId = actor.shopId;
  const email = t.customer.email.toLowerCase();
  const now = new Date();
  const row = await deps.db.transaction(async (tx) => {
    let customer;
    if (t.customer.externalId) {
      customer = await upsertVerifiedCustomer(tx, { shopId, externalId: t.customer.externalId, name: t.customer.name, email, locale: 'ja' });
    } else {
      [customer] = await tx.select().from(customers).where(and(eq(customers.shopId, shopId), eq(customers.email, email))).orderBy(desc(customers.createdAt)).limit(1);
      customer ??= await insertCustomer(tx, { shopId, name: t.customer.name, email });
    }
    const c = await insertConversation(tx, {
      shopId,
      number: await nextConversationNumber(tx, shopId),
      customerId: customer.id,
      channel: 'api',
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
    await recordAudit(tx, actor, { action: 'conversation.created', objectType: 'conversation', objectId: c.id, summary: { number: c.number, channel: 'api' } }, requestId);
    return after;
  });
  deps.poke();
  deps.bus.publish('conversation.changed', { shopId, conversationId: row.id });
  void assignWaiting(deps, shopId).catch(() => undefined);
  return (await conversationDtos(deps.db, shopId, [row], actor.kind === 'user' ? actor.role : 'api_key'))[0]!;
}

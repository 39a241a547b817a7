import type { Actor } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { DomainError, notFound } from '../../core/errors.ts';
import { masksContactData } from '../orders/orders.mask.ts';
import { findCustomer } from './conversations.customers.repository.ts';
import { findConversation } from './conversations.repository.ts';
import { customerOrders, otherConversations, returnsOfOrders } from './conversations.related.repository.ts';
import type { ConversationStatus } from './conversations.tables.ts';

/** The customer's other conversations, orders and returns, as the conversation's sidebar links them. No contact data: nothing to mask. */
export interface RelatedDto {
  conversations: Array<{ id: string; number: number; status: ConversationStatus; subject: string | null; updatedAt: string }>;
  orders: Array<{ orderNumber: string; orderedAt: string; total: number; shippedAt: string | null; deliveredAt: string | null }>;
  returns: Array<{ id: string; number: number; status: string; orderNumber: string; createdAt: string }>;
}

/**
 * What else the customer of a conversation has with the shop: three capped, shop-scoped reads,
 * numbers and states only. Conversations and orders are the customer's own (the same contact,
 * and the order numbers the customer's own conversations name). An address joins records only
 * when the shop's server vouched for this customer (verified) and the viewer may see contact data:
 * a typed address proves nothing (anyone can type a stranger's in the pre-chat form), and to a
 * contractor an answer found by address would confirm an address they are not to know.
 */
export async function relatedOf(db: Db, actor: Actor, conversationId: string): Promise<RelatedDto> {
  if (actor.kind !== 'user') throw new DomainError('forbidden', 'for console users');
  const c = await findConversation(db, actor.shopId, conversationId);
  if (!c) throw notFound('conversation');
  const customer = await findCustomer(db, actor.shopId, c.customerId);
  const byAddress = customer?.verified && !masksContactData(actor.role) ? customer.email : null;
  const others = await otherConversations(db, actor.shopId, c.customerId, byAddress, c.id);
  // Only the customer's own conversations name orders for them; one found by address is another contact's claim.
  const named = [...new Set([c.orderNumber, ...others.filter((o) => o.customerId === c.customerId).map((o) => o.orderNumber)].filter((n): n is string => !!n))];
  const orders = await customerOrders(db, actor.shopId, byAddress, named);
  const numberOf = new Map(orders.map((o) => [o.id, o.orderNumber]));
  const returns = await returnsOfOrders(db, actor.shopId, orders.map((o) => o.id));
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  return {
    conversations: others.map((o) => ({ id: o.id, number: o.number, status: o.status, subject: o.subject, updatedAt: o.updatedAt.toISOString() })),
    orders: orders.map((o) => ({ orderNumber: o.orderNumber, orderedAt: o.orderedAt.toISOString(), total: o.total, shippedAt: iso(o.shippedAt), deliveredAt: iso(o.deliveredAt) })),
    returns: returns.map((r) => ({ id: r.id, number: r.number, status: r.status, orderNumber: numberOf.get(r.orderId)!, createdAt: r.createdAt.toISOString() })),
  };
}

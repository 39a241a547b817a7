import type { Actor } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { DomainError, notFound } from '../../core/errors.ts';
import { masksContactData } from '../orders/orders.mask.ts';
import { JsonText } from '../../core/json.ts';
import { relatedJson } from './conversations.related.repository.ts';
import type { ConversationStatus } from './conversations.tables.ts';

/** The customer's other conversations, orders and returns, as the conversation's sidebar links them. No contact data: nothing to mask. */
export interface RelatedDto {
  conversations: Array<{ id: string; number: number; status: ConversationStatus; subject: string | null; updatedAt: string }>;
  orders: Array<{ orderNumber: string; orderedAt: string; total: number; shippedAt: string | null; deliveredAt: string | null }>;
  returns: Array<{ id: string; number: number; status: string; orderNumber: string; createdAt: string }>;
}

/**
 * What else the customer of a conversation has with the shop: its other conversations, orders
 * and returns, capped, shop-scoped, numbers and states only, in one statement
 * (relatedJson), sent on as the JSON PostgreSQL wrote. Conversations and orders are the
 * customer's own (the same contact, and the order numbers the customer's own conversations
 * name). An address joins records only when the shop's server vouched for this customer
 * (verified) and the viewer may see contact data: a typed address proves nothing (anyone can
 * type a stranger's in the pre-chat form), and to a contractor an answer found by address would
 * confirm an address they are not to know.
 */
export async function relatedOf(db: Db, actor: Actor, conversationId: string): Promise<JsonText<RelatedDto>> {
  if (actor.kind !== 'user') throw new DomainError('forbidden', 'for console users');
  const json = await relatedJson(db, actor.shopId, conversationId, !masksContactData(actor.role));
  if (json === undefined) throw notFound('conversation');
  return new JsonText(json);
}

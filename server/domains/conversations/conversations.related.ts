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
 * What else the customer of a conversation has with the shop, for a person of the console: its
 * other conversations, orders and returns, numbers and states only, in one statement
 * (relatedJson, which holds the rules of what joins), sent on as the JSON PostgreSQL wrote.
 * An address joins records only for a viewer who may see contact data: to a contractor an
 * answer found by address would confirm an address they are not to know.
 */
export async function relatedOf(db: Db, actor: Actor, conversationId: string): Promise<JsonText<RelatedDto>> {
  if (actor.kind !== 'user') throw new DomainError('forbidden', 'for console users');
  const json = await relatedJson(db, actor.shopId, conversationId, !masksContactData(actor.role));
  if (json === undefined) throw notFound('conversation');
  return new JsonText(json);
}

import { createHash } from 'node:crypto';
import type { DomainEvent, ReturnStepEventName } from '../../events/catalog.ts';
import { postNotice } from '../conversations/conversations.notice.ts';
import type { ChatDeps } from '../conversations/conversations.service.ts';
import { customerNoticeOf, stepOfEvent } from './returns.customer-notice.ts';

/**
 * The notice's client id: one per occurrence of the step (its event), so a step said again (a
 * second refund_pending after a refund retry, a reminder for a new send-by date) is a notice
 * of its own, while a retried job of the same event answers the stored one. Hashed to fit a
 * client id (8–64 of [\w-]): an event's id may be a fixed one longer than a UUID.
 */
export const noticeIdOf = (returnId: string, e: Pick<DomainEvent, 'name' | 'id'>) =>
  `r-${createHash('sha256').update(`${returnId}\n${e.name}\n${e.id}`).digest('base64url').slice(0, 43)}`;

/**
 * Listener `return-chat-notice`: the step the event names, as a notice in the customer's open
 * chat with the shop (if they have one). Stored once per event by its client id, so a retry posts it once.
 */
export async function postReturnStep(chat: Pick<ChatDeps, 'db' | 'bus' | 'writer'>, e: DomainEvent<ReturnStepEventName>): Promise<'posted' | 'duplicate' | 'no_conversation' | 'skipped'> {
  const step = stepOfEvent(e.name);
  const found = await customerNoticeOf(chat.db, e.payload.shopId, e.payload.returnId, step);
  if (!found) return 'skipped';
  const { r, order, notice } = found;
  return postNotice(chat, {
    shopId: r.shopId,
    email: order.customerEmail,
    clientId: noticeIdOf(r.id, e),
    from: '返品窓口 / Returns desk',
    body: [`R-${r.number}（${order.orderNumber}）`, ...notice.ja, '', ...notice.en].join('\n'),
  });
}

import type { DomainEvent, ReturnStepEventName } from '../../events/catalog.ts';
import { postNotice } from '../conversations/conversations.notice.ts';
import type { ChatDeps } from '../conversations/conversations.service.ts';
import { customerNoticeOf, stepOfEvent } from './returns.customer-notice.ts';

/**
 * Listener `return-chat-notice`: the step the event names, as a notice in the customer's open
 * chat with the shop (if they have one). Stored once by its client id, so a retry posts it once.
 */
export async function postReturnStep(chat: Pick<ChatDeps, 'db' | 'bus' | 'writer'>, e: DomainEvent<ReturnStepEventName>): Promise<'posted' | 'duplicate' | 'no_conversation' | 'skipped'> {
  const step = stepOfEvent(e.name);
  const found = await customerNoticeOf(chat.db, e.payload.shopId, e.payload.returnId, step);
  if (!found) return 'skipped';
  const { r, order, notice } = found;
  return postNotice(chat, {
    shopId: r.shopId,
    email: order.customerEmail,
    clientId: `r-${r.id}-${step}`,
    from: '返品窓口 / Returns desk',
    body: [`R-${r.number}（${order.orderNumber}）`, ...notice.ja, '', ...notice.en].join('\n'),
  });
}

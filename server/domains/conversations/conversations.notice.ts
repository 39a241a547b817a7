import { isDomainError } from '../../core/errors.ts';
import { latestOpenConversationOf } from './conversations.repository.ts';
import type { ChatDeps } from './conversations.service.ts';
import { toActivity, toMessageDto } from './conversations.view.ts';

export interface Notice {
  shopId: string;
  /** The customer's address: the notice goes to their open conversation with the shop, if any. */
  email: string;
  /** Made by the caller from what the notice is about, so a retried job posts it once. */
  clientId: string;
  /** Who it is from, as the chat shows it. */
  from: string;
  body: string;
}

/**
 * Posts a notice from madoguchi (a return moved on) into the customer's open conversation, as
 * an `event` message: both sides see it, it stops no SLA clock and sends no reply mail. A
 * customer without an open conversation gets the mail alone.
 */
export async function postNotice(deps: Pick<ChatDeps, 'db' | 'bus' | 'writer'>, n: Notice): Promise<'posted' | 'duplicate' | 'no_conversation'> {
  const c = await latestOpenConversationOf(deps.db, n.shopId, n.email);
  if (!c) return 'no_conversation';
  try {
    const sent = await deps.writer.send({
      author: { kind: 'agent', actor: { kind: 'system', shopId: n.shopId, name: n.from } },
      input: { conversationId: c.id, clientId: n.clientId, body: n.body, kind: 'event' },
    });
    if (sent.duplicate) return 'duplicate';
    const message = toMessageDto(sent.message, []);
    deps.bus.publish('message.live', { shopId: n.shopId, conversationId: c.id, messageId: sent.message.id, seq: sent.message.seq, message, activity: toActivity(sent.conversation, sent.message) });
    return 'posted';
  } catch (e) {
    // Closed between the lookup and the write: the mail has said it already.
    if (isDomainError(e) && e.code === 'invalid_transition') return 'no_conversation';
    throw e;
  }
}

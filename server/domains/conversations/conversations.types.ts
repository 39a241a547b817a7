import type { Actor } from '../../core/actor.ts';
import type { CustomerPrincipal } from './widget.service.ts';

/*
 * Types the chat's service, its group commit (conversations.write.ts) and its hooks all speak.
 * They live apart from all three so none of those has to import another only for a type: the
 * service uses the writer and the hooks, and they must not reach back into it.
 */

/** Who writes: a customer through the widget, or a person in the console (or an API key). */
export type Author = { kind: 'customer'; principal: CustomerPrincipal } | { kind: 'agent'; actor: Actor };

/** One message as a sender hands it in (socket event, HTTP body, inbound mail). */
export interface SendInput {
  conversationId: string;
  clientId: string;
  body: string;
  kind?: 'text' | 'note';
  attachmentIds?: string[];
  mentions?: string[];
}

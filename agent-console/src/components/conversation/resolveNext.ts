import { chatApi } from '../../chatApi.ts';
import { rememberedFilter } from '../../inbox.ts';
import type { ConversationDto } from '../../types.ts';

/**
 * The conversation to open after this one is resolved: the first other one of the inbox as the
 * person last filtered it (the list the server would show now), or null when none is left.
 */
export async function nextInInbox(shopId: string, current: ConversationDto): Promise<ConversationDto | null> {
  const page = await chatApi.inbox(shopId, rememberedFilter(shopId));
  return page.conversations.find((c) => c.id !== current.id) ?? null;
}

import type { DomainBus } from '../../core/bus.ts';
import type { Db } from '../../core/db/client.ts';
import type { Logger } from '../../core/logger.ts';
import type { MessageDto } from './conversations.events.ts';
import { chatHooks } from './conversations.hooks.ts';
import { conversationDtosFor } from './conversations.queue.ts';
import { findConversation, findConversations, findMessage } from './conversations.repository.ts';
import { toCustomerConversationDto } from './conversations.view.ts';
import type { PresenceStore } from './presence.ts';
import { rooms } from './conversations.socket.ts';

/**
 * Anything that can send to rooms of a namespace: the Socket.IO server in an API process, or
 * a Redis emitter in a worker process. Both reach clients on every process.
 */
export interface Broadcaster {
  of(nsp: string): { to(room: string | string[]): { emit(event: string, ...args: unknown[]): unknown } };
}

/**
 * Inbox updates are coalesced per shop: the conversations that changed within one window go
 * out together, read with one query each for rows, details and SLA however many there are,
 * so a busy shop costs a few queries per window rather than a few per message.
 */
const COALESCE_MS = 150;

/** Turns domain events into socket messages. Contractors' rooms get masked DTOs. */
export function broadcastChat(bus: DomainBus, out: Broadcaster, deps: { db: Db; presence: PresenceStore; logger: Logger }) {
  const agents = out.of('/agent');
  const widgets = out.of('/widget');
  const pending = new Map<string, Set<string>>();
  const timers = new Map<string, NodeJS.Timeout>();

  const forCustomer = (m: MessageDto): MessageDto => ({ ...m, authorId: null, attachments: m.attachments.map((a) => ({ ...a, url: chatHooks.customerAttachmentUrl(a.url) })) });

  const sendConversations = async (shopId: string, ids: string[]) => {
    const rows = await findConversations(deps.db, shopId, ids);
    if (!rows.length) return;
    const [full, masked] = await conversationDtosFor(deps.db, shopId, rows, ['agent', 'contractor']);
    rows.forEach((c, i) => {
      agents.to(rooms.shop(shopId, false)).emit('conversation:updated', full![i]!);
      agents.to(rooms.shop(shopId, true)).emit('conversation:updated', masked![i]!);
      widgets.to(rooms.widgetConversation(c.id)).emit('conversation', toCustomerConversationDto(c));
    });
  };
  const changed = (shopId: string, conversationId: string) => {
    const ids = pending.get(shopId);
    if (ids) return void ids.add(conversationId);
    pending.set(shopId, new Set([conversationId]));
    timers.set(
      shopId,
      setTimeout(() => {
        const batch = [...(pending.get(shopId) ?? [])];
        pending.delete(shopId);
        timers.delete(shopId);
        sendConversations(shopId, batch).catch((err: unknown) => deps.logger.warn({ err: String(err) }, 'conversation broadcast failed'));
      }, COALESCE_MS),
    );
  };
  bus.on('conversation.changed', ({ shopId, conversationId }) => changed(shopId, conversationId));

  bus.on('message.created', ({ shopId, message, activity }) => {
    agents.to(rooms.conversation(message.conversationId)).emit('message', message);
    // The inbox row moves too (last message, preview, unread), from what the write already knows.
    agents.to([rooms.shop(shopId, false), rooms.shop(shopId, true)]).emit('conversation:activity', activity);
    if (message.kind !== 'note') widgets.to(rooms.widgetConversation(message.conversationId)).emit('message', forCustomer(message));
  });

  bus.on('mention.created', async ({ userId, conversationId, messageId, shopId }) => {
    const [c, m] = await Promise.all([findConversation(deps.db, shopId, conversationId), findMessage(deps.db, shopId, messageId)]);
    if (c && m) agents.to(rooms.user(userId)).emit('mention', { conversationId, number: c.number, messageId, by: m.authorName, excerpt: m.body.slice(0, 140) });
  });

  bus.on('sla.alert', (a) => {
    const payload = { conversationId: a.conversationId, metric: a.metric, state: a.state, dueAt: a.dueAt };
    agents.to([rooms.shop(a.shopId, false), rooms.shop(a.shopId, true)]).emit('sla', payload);
  });

  bus.on('presence.changed', async ({ shopId, userId, name }) => {
    const status = await deps.presence.statusOf(shopId, userId);
    agents.to([rooms.shop(shopId, false), rooms.shop(shopId, true)]).emit('presence', { userId, name, status });
    widgets.to(rooms.widgetShop(shopId)).emit('availability', await chatHooks.availability(deps, shopId));
  });

  return () => {
    for (const t of timers.values()) clearTimeout(t);
    timers.clear();
    pending.clear();
  };
}

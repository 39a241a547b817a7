import type { DomainBus } from '../../core/bus.ts';
import type { Db } from '../../core/db/client.ts';
import type { Logger } from '../../core/logger.ts';
import type { ConversationActivity } from './conversations.dto.ts';
import { chatHooks } from './conversations.hooks.ts';
import { conversationDtosFor } from './conversations.inbox.ts';
import { findConversation, findConversations, findMessage } from './conversations.repository.ts';
import { isInternal, previewText, toCustomerConversationDto, toCustomerMessageDto } from './conversations.view.ts';
import type { PresenceStore } from './presence.ts';
import { findMembership } from '../auth/auth.repository.ts';
import { rooms } from './conversations.rooms.ts';

/**
 * Anything that can send to rooms of a namespace: the Socket.IO server in an API process, or
 * a Redis emitter in a worker process. Both reach clients on every process.
 */
interface Emitter {
  emit(event: string, ...args: unknown[]): unknown;
}
export interface Broadcaster {
  of(nsp: string): {
    to(room: string | string[]): Emitter & { except(room: string): Emitter };
    /** To the namespace's listeners in the other server processes (not this one's). */
    serverSideEmit(event: string, ...args: unknown[]): unknown;
  };
}

/**
 * Inbox updates are coalesced per shop: the conversations that changed within one window go
 * out together, read with one query each for rows, details and SLA however many there are,
 * so a busy shop costs a few queries per window rather than a few per message.
 */
const COALESCE_MS = 150;
/**
 * Inbox rows moved by messages go out per shop in one `conversation:activity` list per
 * window, the latest state of each row: every console in the shop gets one frame a window
 * instead of one per message, however busy the shop.
 */
const ACTIVITY_MS = 100;

/** Collects values per shop and hands each shop's batch over once, `ms` after its first value. */
function coalescer<V>(ms: number, merge: (old: V | undefined, next: V) => V, flush: (shopId: string, batch: Map<string, V>) => void) {
  const pending = new Map<string, Map<string, V>>();
  const timers = new Set<NodeJS.Timeout>();
  return {
    add(shopId: string, key: string, value: V) {
      let batch = pending.get(shopId);
      if (!batch) {
        pending.set(shopId, (batch = new Map()));
        const t = setTimeout(() => {
          timers.delete(t);
          pending.delete(shopId);
          flush(shopId, batch!);
        }, ms);
        timers.add(t);
      }
      batch.set(key, merge(batch.get(key), value));
    },
    stop() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      pending.clear();
    },
  };
}

/** The later of two states of a row; a note's activity carries no preview, so the earlier one's stays. */
const laterActivity = (old: ConversationActivity | undefined, next: ConversationActivity) => (!old ? next : next.lastSeq >= old.lastSeq ? { ...old, ...next } : { ...next, ...old });

/** Turns domain events into socket messages. Contractors' rooms get masked DTOs. */
export function broadcastChat(bus: DomainBus, out: Broadcaster, deps: { db: Db; presence: PresenceStore; logger: Logger }) {
  // After stop, no event reaches these listeners and nothing more goes out: the Redis
  // connections behind `out` are closing, and the database closes next.
  const listeners = bus.group();
  let stopped = false;
  const inert: Emitter & { except(room: string): Emitter } = { emit: () => false, except: () => inert };
  const guarded = (name: string) => {
    const nsp = out.of(name);
    return {
      to: (room: string | string[]) => (stopped ? inert : nsp.to(room)),
      serverSideEmit: (event: string, ...args: unknown[]) => void (stopped || nsp.serverSideEmit(event, ...args)),
    };
  };
  const agents = guarded('/agent');
  const widgets = guarded('/widget');

  const sendConversations = async (shopId: string, ids: string[]) => {
    const rows = await findConversations(deps.db, shopId, ids);
    if (stopped || !rows.length) return;
    const [full, masked] = await conversationDtosFor(deps.db, shopId, rows, ['agent', 'contractor']);
    rows.forEach((c, i) => {
      agents.to(rooms.shop(shopId, false)).emit('conversation:updated', full![i]!);
      agents.to(rooms.shop(shopId, true)).emit('conversation:updated', masked![i]!);
      widgets.to(rooms.widgetConversation(c.id)).emit('conversation', toCustomerConversationDto(c));
    });
  };
  const changed = coalescer<true>(COALESCE_MS, () => true, (shopId, batch) => {
    sendConversations(shopId, [...batch.keys()]).catch((err: unknown) => deps.logger.warn({ err: String(err) }, 'conversation broadcast failed'));
  });
  listeners.on('conversation.changed', ({ shopId, conversationId }) => changed.add(shopId, conversationId, true));

  // The inbox row moves too (last message, preview, unread), from what the write already knows.
  const moved = coalescer<ConversationActivity>(ACTIVITY_MS, laterActivity, (shopId, batch) => {
    agents.to([rooms.shop(shopId, false), rooms.shop(shopId, true)]).emit('conversation:activity', [...batch.values()]);
  });
  listeners.on('message.live', ({ shopId, message, activity, origin }) => {
    // The socket that sent it has the message in its ack already; its other tabs get it here.
    const to = (nsp: typeof agents, room: string) => (origin ? nsp.to(room).except(origin) : nsp.to(room));
    to(agents, rooms.conversation(message.conversationId)).emit('message', message);
    moved.add(shopId, activity.id, activity);
    if (!isInternal(message)) to(widgets, rooms.widgetConversation(message.conversationId)).emit('message', toCustomerMessageDto(message));
  });

  // The person's room reaches their connections to every shop: only a member of this one now gets it.
  listeners.onEvent('mention.created', async ({ payload: { userId, conversationId, messageId, shopId } }) => {
    const [c, m, member] = await Promise.all([findConversation(deps.db, shopId, conversationId), findMessage(deps.db, shopId, messageId), findMembership(deps.db, shopId, userId)]);
    if (c && m && member) agents.to(rooms.user(userId)).emit('mention', { shopId, conversationId, number: c.number, messageId, by: m.authorName, excerpt: previewText(m.body) });
  });

  listeners.onEvent(['sla.at_risk', 'sla.breached'], ({ name, payload: a }) => {
    const payload = { conversationId: a.conversationId, metric: a.metric, state: name === 'sla.at_risk' ? ('at_risk' as const) : ('breached' as const), dueAt: a.dueAt };
    agents.to([rooms.shop(a.shopId, false), rooms.shop(a.shopId, true)]).emit('sla', payload);
  });

  listeners.on('presence.changed', async ({ shopId, userId, name }) => {
    const status = await deps.presence.statusOf(shopId, userId);
    // A stop meanwhile (a shutdown's closing sockets tell of presence): the database is closing.
    if (stopped) return;
    agents.to([rooms.shop(shopId, false), rooms.shop(shopId, true)]).emit('presence', { userId, name, status });
    // Read first, then the room taken: `widgets.to` taken before the read would send even after a stop meanwhile.
    const availability = await chatHooks.availability(deps, shopId);
    widgets.to(rooms.widgetShop(shopId)).emit('availability', availability);
  });

  // The console connections of this process hear it on the bus (conversations.socket.agent.ts);
  // those of the other processes through the adapter.
  listeners.on('access.changed', (change) => agents.serverSideEmit('access:check', change));

  return () => {
    listeners.off();
    stopped = true;
    changed.stop();
    moved.stop();
  };
}

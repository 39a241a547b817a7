import type { DomainBus } from '../../core/bus.ts';
import { returnEventNames } from '../../events/catalog.ts';
import type { ReturnChanged } from './returns.changed.ts';
import type { Broadcaster } from '../conversations/conversations.broadcast.ts';
import { rooms } from '../conversations/conversations.rooms.ts';

/** The events that change what a return list or page shows (a reminder changes nothing). */
const changes = returnEventNames.filter((n) => n !== 'return.ship_reminder');

/**
 * Turns committed return events into `return:changed` for every console connection of the
 * shop (both roles' rooms: the message names no person), so the returns list and an open
 * return page read themselves again, as the inbox does. A console that was disconnected reads
 * them again when it reconnects, so a missed message loses nothing.
 */
export function broadcastReturns(bus: DomainBus, out: Broadcaster): () => void {
  let stopped = false;
  bus.onEvent(changes, (e) => {
    if (stopped) return;
    const { shopId, returnId, number, status } = e.payload;
    const said: ReturnChanged = { shopId, returnId, number, status, event: e.name, at: e.at };
    out.of('/agent').to([rooms.shop(shopId, false), rooms.shop(shopId, true)]).emit('return:changed', said);
  });
  return () => {
    stopped = true;
  };
}

import { useEffect, useRef, useState } from 'react';
import { io } from 'socket.io-client';
import { followAccess, type AgentSocket, type Live } from './socket.ts';
import type { ConversationActivity, ConversationDto } from './types.ts';

/**
 * For the all-shops inbox: one agent socket per shop besides the open one (whose socket the
 * shell already holds), since the server's rooms are per shop and a socket joins one shop.
 * Each passes on `conversation:updated` (and `conversation:activity`), masked by the person's role in its own shop. The
 * person's chosen presence goes to these shops too: looking at their queues is working them.
 * Returns a counter bumped on every reconnection, so the list can catch up on missed events, and
 * whenever the set of shops changes (a shop the person left takes its rows with it). A socket
 * the server ends because the person's access changed re-reads the session (`live.recheck`).
 */
export function useOtherShopUpdates(shopIds: string[], live: Pick<Live, 'presence' | 'recheck'>, onUpdate: (c: ConversationDto) => void, onActivity: (rows: ConversationActivity[]) => void): number {
  const [generation, setGeneration] = useState(0);
  const handler = useRef(onUpdate);
  handler.current = onUpdate;
  const activity = useRef(onActivity);
  activity.current = onActivity;
  const presence = useRef(live.presence);
  const recheck = useRef(live.recheck);
  recheck.current = live.recheck;
  const sockets = useRef<AgentSocket[]>([]);
  const key = [...shopIds].sort().join(',');
  const lastKey = useRef(key);

  useEffect(() => {
    if (lastKey.current !== key) setGeneration((g) => g + 1);
    lastKey.current = key;
    if (!key) return;
    let closed = false;
    const opened = key.split(',').map((shopId) => {
      const s: AgentSocket = io('/agent', { auth: { shopId }, withCredentials: true, forceNew: true });
      let first = true;
      s.on('connect', () => {
        if (presence.current === 'away') s.emit('presence:set', { status: 'away' });
        if (!first) setGeneration((g) => g + 1);
        first = false;
      });
      s.on('conversation:updated', (c) => handler.current(c));
      s.on('conversation:activity', (a) => activity.current(a));
      followAccess(s, () => recheck.current(), () => closed);
      return s;
    });
    sockets.current = opened;
    return () => {
      closed = true;
      sockets.current = [];
      for (const s of opened) s.disconnect();
    };
  }, [key]);

  useEffect(() => {
    if (presence.current === live.presence) return;
    presence.current = live.presence;
    for (const s of sockets.current) if (s.connected) s.emit('presence:set', { status: live.presence });
  }, [live.presence]);

  return generation;
}

import { useEffect, useRef } from 'react';
import type { NoticeProgress } from './noticesApi.ts';
import { useLive } from './socket.ts';

/**
 * Calls `onProgress` with each `notice:progress` of the shop's campaigns (the server throttles
 * them to a few a second), and `onReconnect` after a reconnection, when some may have been missed.
 */
export function useNoticeProgress(onProgress: (p: NoticeProgress) => void, onReconnect: () => void): void {
  const live = useLive();
  const handlers = useRef({ onProgress, onReconnect });
  handlers.current = { onProgress, onReconnect };
  useEffect(() => {
    const socket = live.socket;
    if (!socket) return;
    // Not in the typed event map of this tree yet (the campaigns branch adds it): a plain listener.
    const listener = (p: NoticeProgress) => handlers.current.onProgress(p);
    const untyped = socket as unknown as { on: (e: string, l: (p: NoticeProgress) => void) => void; off: (e: string, l: (p: NoticeProgress) => void) => void };
    untyped.on('notice:progress', listener);
    return () => untyped.off('notice:progress', listener);
  }, [live.socket]);
  const first = useRef(live.generation);
  useEffect(() => {
    if (live.generation !== first.current) handlers.current.onReconnect();
  }, [live.generation]);
}

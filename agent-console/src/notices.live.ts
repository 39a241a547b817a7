import { useEffect, useRef } from 'react';
import type { NoticeProgress } from './noticesApi.ts';
import { useLive, useSocketEvent } from './socket.ts';

/**
 * Calls `onProgress` with each `notice:progress` of the shop's campaigns (the server throttles
 * them to a few a second, the last with the final counts), and `onReconnect` after a
 * reconnection, when some may have been missed.
 */
export function useNoticeProgress(onProgress: (p: NoticeProgress) => void, onReconnect: () => void): void {
  const live = useLive();
  useSocketEvent(live.socket, 'notice:progress', onProgress);
  const reconnect = useRef(onReconnect);
  reconnect.current = onReconnect;
  const first = useRef(live.generation);
  useEffect(() => {
    if (live.generation !== first.current) reconnect.current();
  }, [live.generation]);
}

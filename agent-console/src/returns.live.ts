import { useEffect, useRef } from 'react';
import { useLive, useSocketEvent } from './socket.ts';
import type { ReturnChanged } from './types.ts';

/** A burst (a filing says requested, approved, awaiting_shipment at once) is read once, this long after its first message. */
const SETTLE_MS = 150;

/**
 * Calls `reread` when a return of the shop that `concerns` changed (the server's
 * `return:changed`), and after every reconnection, when messages may have been missed: the
 * returns pages stay current as the inbox does, whoever moved the return and from wherever
 * (another agent, the customer on the portal, a deadline in the worker).
 */
export function useReturnChanges(shopId: string, concerns: (c: ReturnChanged) => boolean, reread: () => void): void {
  const live = useLive();
  const timer = useRef<number | undefined>(undefined);
  const latest = useRef(reread);
  latest.current = reread;
  const soon = () => {
    if (timer.current !== undefined) return;
    timer.current = window.setTimeout(() => {
      timer.current = undefined;
      latest.current();
    }, SETTLE_MS);
  };
  useSocketEvent(live.socket, 'return:changed', (c) => {
    if (c.shopId === shopId && concerns(c)) soon();
  });
  const first = useRef(live.generation);
  useEffect(() => {
    if (live.generation !== first.current) soon();
  }, [live.generation]);
  useEffect(() => () => window.clearTimeout(timer.current), []);
}

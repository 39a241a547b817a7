import { useCallback, useEffect, useState } from 'react';
import { navigate, pathOf, type Route } from '../../router.ts';
import { queueApi } from '../../queueApi.ts';

/** Said on the window when the person read mentions here, so the side menu's count follows at once. */
const CHANGED = 'madoguchi:mentions';
export const mentionsChanged = () => window.dispatchEvent(new Event(CHANGED));

/** The number of unread mentions in the shop, read again on a new mention and after reading some. */
export function useUnreadMentions(shopId: string | null): { count: number; reload: () => void } {
  const [count, setCount] = useState(0);
  const [attempt, setAttempt] = useState(0);
  const reload = useCallback(() => setAttempt((a) => a + 1), []);
  useEffect(() => {
    setCount(0);
    if (!shopId) return;
    const ctrl = new AbortController();
    queueApi.mentions(shopId, true, ctrl.signal).then((list) => setCount(list.length), () => undefined);
    return () => ctrl.abort();
  }, [shopId, attempt]);
  useEffect(() => {
    window.addEventListener(CHANGED, reload);
    return () => window.removeEventListener(CHANGED, reload);
  }, [reload]);
  return { count, reload };
}

/** The address of one message in its conversation: the page scrolls to it and marks it (MessageList). */
export const messageHash = (messageId: string) => `#message-${messageId}`;
export const messageOfHash = (hash: string) => (/^#message-([0-9a-f-]{36})$/.exec(hash)?.[1] ?? null);
export const messageHref = (route: Route & { page: 'conversation' }, messageId: string) => `${pathOf(route)}${messageHash(messageId)}`;

/** Opens a conversation at one of its messages. */
export function openMessage(route: Route & { page: 'conversation' }, messageId: string): void {
  // Already on that conversation: its list is told directly (replaceState fires no hashchange).
  const here = window.location.pathname === pathOf(route);
  navigate(route);
  // The page reads the hash once its messages are in; the path alone went through navigate's guard.
  if (window.location.pathname === pathOf(route)) window.history.replaceState(null, '', messageHref(route, messageId));
  if (here) window.dispatchEvent(new CustomEvent<string>(FOCUS, { detail: messageId }));
}

const FOCUS = 'madoguchi:focus-message';
/** Calls `show` with a message id whenever openMessage targets the conversation already open. */
export function onFocusMessage(show: (messageId: string) => void): () => void {
  const listener = (e: Event) => show((e as CustomEvent<string>).detail);
  window.addEventListener(FOCUS, listener);
  return () => window.removeEventListener(FOCUS, listener);
}

import { useEffect, useRef, useState, type MouseEvent } from 'react';
import { useLang } from '../../i18n.ts';
import { queueMessages } from '../../i18n.queue.ts';
import { navigate, pathOf, type Route } from '../../router.ts';
import { useLive, useSocketEvent } from '../../socket.ts';
import { queueApi } from '../../queueApi.ts';
import { mentionsChanged, messageHref, openMessage, useUnreadMentions } from './mentions.live.ts';

type Heard = { shopId: string; conversationId: string; number: number; messageId: string; by: string; excerpt: string };

/**
 * The side menu's link to the mentions page with the unread count, kept live by the
 * `mention` event the server sends to the person's own room; a new one also shows a notice
 * here and, if the person allowed it, the browser's.
 */
export function MentionsNav({ shopId, current }: { shopId: string | null; current: boolean }) {
  const lang = useLang();
  const m = queueMessages[lang].mentions;
  const { socket } = useLive();
  const { count, reload } = useUnreadMentions(shopId);
  const [toast, setToast] = useState<Heard | null>(null);

  const live = useLive();
  // Mentions that came while the connection was down are counted once it is back.
  const firstGeneration = useRef(live.generation);
  useEffect(() => {
    if (live.generation !== firstGeneration.current) reload();
  }, [live.generation, reload]);

  /** Followed from the notice or the browser's notification: that mention is read, as from the mentions page. */
  const openAndRead = (p: Heard) => {
    openMessage({ page: 'conversation', shopId: p.shopId, conversationId: p.conversationId }, p.messageId);
    void queueApi
      .mentions(p.shopId, true)
      .then((unread) => Promise.all(unread.filter((x) => x.messageId === p.messageId).map((x) => queueApi.markMentionRead(p.shopId, x.id))))
      .then(mentionsChanged, () => undefined);
  };

  useSocketEvent(socket, 'mention', (p) => {
    // The person's room hears their mentions in every shop; the count is this shop's.
    if (p.shopId === shopId) reload();
    setToast(p);
    if (typeof Notification !== 'undefined' && Notification.permission === 'granted' && document.visibilityState !== 'visible') {
      // No excerpt: a note may hold a customer's contact data, and notifications show on lock screens.
      const n = new Notification(m.toast(p.by, p.number), { tag: `mention-${p.messageId}` });
      n.onclick = () => {
        window.focus();
        openAndRead(p);
      };
    }
  });
  // A notice stays long enough to read, then goes; the count in the menu remains.
  useEffect(() => {
    if (!toast) return;
    const t = window.setTimeout(() => setToast(null), 15_000);
    return () => window.clearTimeout(t);
  }, [toast]);

  const to: Route | null = shopId ? { page: 'mentions', shopId } : null;
  const follow = (e: MouseEvent<HTMLAnchorElement>, go: () => void) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    go();
  };
  const target = toast ? ({ page: 'conversation', shopId: toast.shopId, conversationId: toast.conversationId } as const) : null;
  return (
    <>
      {to ? (
        <a href={pathOf(to)} onClick={(e) => follow(e, () => navigate(to))} aria-current={current ? 'page' : undefined} className="nav-item" data-testid="nav-mentions">
          {m.nav}
          {count > 0 && (
            <span className="nav-count" data-testid="mentions-unread" aria-label={m.unreadCount(count)}>
              {count}
            </span>
          )}
        </a>
      ) : (
        <span className="nav-item nav-disabled" aria-disabled="true">
          {m.nav}
        </span>
      )}
      <div className="toast-region" role="status" aria-live="polite">
        {toast && target && (
          <div className="toast" data-testid="mention-toast">
            <span>{m.toast(toast.by, toast.number)}</span>
            <a href={messageHref(target, toast.messageId)} className="button" onClick={(e) => follow(e, () => (setToast(null), openAndRead(toast)))} data-testid="mention-toast-open">
              {m.toastOpen}
            </a>
            <button type="button" className="button button-quiet" onClick={() => setToast(null)}>
              {m.toastClose}
            </button>
          </div>
        )}
      </div>
    </>
  );
}

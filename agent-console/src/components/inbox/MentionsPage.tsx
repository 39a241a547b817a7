import { useState, type MouseEvent } from 'react';
import { useLang } from '../../i18n.ts';
import { queueMessages } from '../../i18n.queue.ts';
import { queueApi, type MentionDto } from '../../queueApi.ts';
import { useSocketEvent, useLive } from '../../socket.ts';
import { useLoad } from '../metrics/useLoad.ts';
import { formatWhen } from './Badges.tsx';
import { mentionsChanged, messageHref, openMessage } from './mentions.live.ts';

/** Unread first, then newest first, as the person works through them. */
const order = (a: MentionDto, b: MentionDto) => Number(a.readAt !== null) - Number(b.readAt !== null) || (a.createdAt < b.createdAt ? 1 : -1);

type Permission = NotificationPermission | 'unsupported';
const permissionNow = (): Permission => (typeof Notification === 'undefined' ? 'unsupported' : Notification.permission);

/** The browser asks only after a click on this button: a prompt nobody asked for is refused by habit. */
function NotifyChoice() {
  const m = queueMessages[useLang()].mentions;
  const [permission, setPermission] = useState<Permission>(permissionNow);
  if (permission === 'unsupported') return <p className="muted">{m.notifyUnsupported}</p>;
  if (permission === 'granted') return <p className="muted" data-testid="notify-on">{m.notifyOn}</p>;
  if (permission === 'denied') return <p className="muted">{m.notifyDenied}</p>;
  return (
    <button type="button" className="button" onClick={() => void Notification.requestPermission().then(setPermission)} data-testid="notify-ask">
      {m.notifyAsk}
    </button>
  );
}

/** Where the person was @mentioned in this shop's notes, each a link to the note in its conversation. */
export function MentionsPage({ shopId }: { shopId: string }) {
  const m = queueMessages[useLang()].mentions;
  const live = useLive();
  const { socket } = live;
  // Read again after a reconnect: mentions made while the connection was down are in the list.
  const load = useLoad((signal) => queueApi.mentions(shopId, false, signal), `${shopId}:${live.generation}`);
  useSocketEvent(socket, 'mention', (p) => p.shopId === shopId && load.retry());
  const list = [...(load.data ?? [])].sort(order);
  const unread = list.filter((x) => !x.readAt).length;

  const open = (e: MouseEvent<HTMLAnchorElement>, x: MentionDto) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    if (!x.readAt) void queueApi.markMentionRead(shopId, x.id).then(mentionsChanged, () => undefined);
    openMessage({ page: 'conversation', shopId, conversationId: x.conversationId }, x.messageId);
  };
  const markRead = async (x: MentionDto) => {
    await queueApi.markMentionRead(shopId, x.id).catch(() => undefined);
    mentionsChanged();
    load.retry();
  };

  return (
    <>
      <h1 className="page-title">
        {m.title} {unread > 0 && <span className="nav-count">{m.unreadCount(unread)}</span>}
      </h1>
      <NotifyChoice />
      {load.state === 'failed' && (
        <p role="alert" className="alert alert-error">
          {m.loadFailed}{' '}
          <button type="button" className="button button-quiet" onClick={load.retry}>
            {m.retry}
          </button>
        </p>
      )}
      {load.state === 'ready' && list.length === 0 && <p className="muted">{m.empty}</p>}
      <ul className="mention-list" aria-busy={load.state === 'loading'} data-testid="mention-list">
        {list.map((x) => (
          <li key={x.id} className="mention" data-unread={!x.readAt || undefined} data-testid="mention">
            <a href={messageHref({ page: 'conversation', shopId, conversationId: x.conversationId }, x.messageId)} onClick={(e) => open(e, x)} data-testid="mention-open">
              {m.open(x.number)}
            </a>{' '}
            {!x.readAt && <span className="badge badge-unread">{m.unread}</span>}
            <span className="muted">
              {' '}
              {m.by(x.by)} · <time dateTime={x.createdAt}>{formatWhen(x.createdAt)}</time>
            </span>
            <p className="mention-excerpt">{x.excerpt}</p>
            {!x.readAt && (
              <button type="button" className="button button-quiet" onClick={() => void markRead(x)}>
                {m.markRead}
              </button>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}

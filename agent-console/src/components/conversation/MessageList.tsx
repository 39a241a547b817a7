import { useEffect, useRef, useState } from 'react';
import { useLang, useMessages } from '../../i18n.ts';
import { queueMessages } from '../../i18n.queue.ts';
import { messageOfHash, onFocusMessage } from '../inbox/mentions.live.ts';
import type { AttachmentDto, MessageDto } from '../../types.ts';
import { formatWhen } from '../inbox/Badges.tsx';
import type { Outgoing } from './useConversation.ts';

interface Props {
  messages: MessageDto[];
  outgoing: Outgoing[];
  customerReadSeq: number;
  /** Called while the newest message is on screen and the tab is in front. */
  onSeen: () => void;
  onRetry: (clientId: string) => void;
  onDiscard: (clientId: string) => void;
}

/** Images inline, other files (PDF) as download links. */
function Attachments({ items }: { items: AttachmentDto[] }) {
  if (!items.length) return null;
  return (
    <ul className="attachments">
      {items.map((a) => (
        <li key={a.id}>
          {a.contentType.startsWith('image/') ? (
            <a href={a.url} target="_blank" rel="noopener noreferrer">
              <img src={a.url} alt={a.filename} className="attachment-image" loading="lazy" />
            </a>
          ) : (
            <a href={a.url} download={a.filename} data-testid="attachment-link">
              {a.filename}
            </a>
          )}
        </li>
      ))}
    </ul>
  );
}

/**
 * The conversation's messages in sequence order, then what is still being sent. Every body is
 * rendered as text: customers write whatever they like.
 */
export function MessageList({ messages, outgoing, customerReadSeq, onSeen, onRetry, onDiscard }: Props) {
  const m = useMessages().chat.view;
  const q = queueMessages[useLang()].events;
  const end = useRef<HTMLDivElement>(null);
  const list = useRef<HTMLDivElement>(null);
  const seen = useRef(onSeen);
  seen.current = onSeen;
  // A link to one message (a mention) names it in the address: shown and marked once it is loaded.
  const [target, setTarget] = useState(() => messageOfHash(window.location.hash));
  const [shownTarget, setShownTarget] = useState(false);
  useEffect(
    () =>
      onFocusMessage((id) => {
        setTarget(id);
        setShownTarget(false);
      }),
    [],
  );

  // Keep the newest in view as messages arrive, unless the person came for an older one.
  useEffect(() => {
    if (target) {
      // While the person reads the message they came for, new ones do not pull them away.
      if (shownTarget) return;
      const el = list.current?.querySelector<HTMLElement>(`[data-message-id="${target}"]`);
      if (el) {
        el.scrollIntoView({ block: 'center' });
        el.focus({ preventScroll: true });
        setShownTarget(true);
        return;
      }
      // The history is here and the message is not in it (merged away, a stale link): follow the newest again.
      if (messages.length === 0) return;
      setTarget(null);
    }
    end.current?.scrollIntoView({ block: 'end' });
  }, [messages.length, outgoing.length, target, shownTarget]);
  // The mark goes once the person moves on to write something.
  useEffect(() => {
    if (!target || !shownTarget) return;
    const clear = () => setTarget(null);
    window.addEventListener('keydown', clear, { once: true });
    return () => window.removeEventListener('keydown', clear);
  }, [target, shownTarget]);

  // Read marks follow what is actually on screen: the end of the list, in a visible tab.
  useEffect(() => {
    const el = end.current;
    if (!el) return;
    let visible = false;
    const check = () => visible && seen.current();
    const io = new IntersectionObserver(([entry]) => {
      visible = !!entry?.isIntersecting;
      check();
    });
    io.observe(el);
    document.addEventListener('visibilitychange', check);
    return () => {
      io.disconnect();
      document.removeEventListener('visibilitychange', check);
    };
  }, []);
  useEffect(() => {
    if (end.current && end.current.getBoundingClientRect().top <= window.innerHeight) onSeen();
  }, [messages.length, onSeen]);

  return (
    <div ref={list} className="messages" role="log" aria-label={m.messages} data-testid="messages">
      {messages.map((msg) =>
        msg.statusEvent ? (
          // Internal: who moved the conversation, in the reader's language (conversations.events.ts).
          <p key={msg.id} className="message-event message-status" data-action={msg.statusEvent.action} data-testid="status-event">
            <span className="sr-only">{q.label}: </span>
            {q.text(msg.statusEvent)} · <time dateTime={msg.createdAt}>{formatWhen(msg.createdAt)}</time>
          </p>
        ) : msg.kind === 'event' ? (
          <p key={msg.id} className="message-event" data-testid="message-event">
            {msg.body}
          </p>
        ) : (
          <article
            key={msg.id}
            className="message"
            data-author={msg.authorKind}
            data-kind={msg.kind}
            data-seq={msg.seq}
            data-message-id={msg.id}
            data-target={msg.id === target || undefined}
            tabIndex={msg.id === target ? -1 : undefined}
            data-testid="message"
          >
            <header className="message-head">
              <span className="message-author">{msg.authorName}</span>
              {msg.kind === 'note' && <span className="badge badge-note">{m.note}</span>}
              <time dateTime={msg.createdAt}>{formatWhen(msg.createdAt)}</time>
              {msg.authorKind === 'agent' && msg.kind === 'text' && customerReadSeq >= msg.seq && (
                <span className="message-read" data-testid="read-mark">
                  {m.read}
                </span>
              )}
            </header>
            <p className="message-body" data-testid="message-body">
              {msg.body}
            </p>
            <Attachments items={msg.attachments} />
          </article>
        ),
      )}
      {outgoing.map((o) => (
        <article key={o.clientId} className="message" data-author="agent" data-kind={o.kind} data-state={o.state} data-testid="message-outgoing">
          <header className="message-head">
            {o.kind === 'note' && <span className="badge badge-note">{m.note}</span>}
            <span className="message-state" role={o.state === 'failed' ? 'alert' : undefined}>
              {o.state === 'pending' ? m.pending : m.failed}
              {o.error ? `: ${o.error}` : ''}
            </span>
            {o.state === 'failed' && (
              <>
                <button type="button" className="button button-quiet" onClick={() => onRetry(o.clientId)}>
                  {m.retry}
                </button>
                <button type="button" className="button button-quiet" onClick={() => onDiscard(o.clientId)}>
                  {m.discard}
                </button>
              </>
            )}
          </header>
          <p className="message-body">{o.body}</p>
          <Attachments items={o.attachments} />
        </article>
      ))}
      <div ref={end} className="messages-end" />
    </div>
  );
}

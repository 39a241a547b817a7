import { useCallback, useEffect, useRef, useState } from 'react';
import { ask, AckError, useLive, useSocketEvent } from '../../socket.ts';
import type { AttachmentDto, ConversationDto, MessageDto, Viewer } from '../../types.ts';

/** A message typed here and not yet stored: shown greyed out until the server's ack. */
export interface Outgoing {
  clientId: string;
  body: string;
  kind: 'text' | 'note';
  attachments: AttachmentDto[];
  mentions: string[];
  state: 'pending' | 'failed';
  /** The server's refusal, when it refused (a resend would be refused again). */
  error?: string;
  createdAt: string;
}

export type LoadError = 'not_found' | 'failed' | null;

/** A customer's "typing" that never got its "stopped" (closed tab) fades after this. */
const TYPING_FADE_MS = 8000;
/** A failed join or catch-up is tried again after this wait, a few times, before giving up. */
const RETRY_MS = 3000;
const RETRIES = 5;

/** Adds messages, once each, in sequence order. */
export function mergeMessages(list: MessageDto[], incoming: MessageDto[]): MessageDto[] {
  const fresh = incoming.filter((m) => !list.some((x) => x.id === m.id));
  if (!fresh.length) return list;
  return [...list, ...fresh].sort((a, b) => a.seq - b.seq);
}

/**
 * One open conversation over the socket: join, catch up with `sync` (from 0, then from the
 * last seq seen after every reconnect), live messages, viewers and typing, and an outbox of
 * messages that are resent with the same client id until the server acknowledges them.
 */
export function useConversation(conversationId: string) {
  const { socket, connected } = useLive();
  const [conversation, setConversation] = useState<ConversationDto | null>(null);
  const [messages, setMessages] = useState<MessageDto[]>([]);
  const [outgoing, setOutgoing] = useState<Outgoing[]>([]);
  const [viewers, setViewers] = useState<Viewer[]>([]);
  const [customerTyping, setCustomerTyping] = useState<string | null>(null);
  const [error, setError] = useState<LoadError>(null);
  const lastSeq = useRef(0);
  const outgoingRef = useRef<Outgoing[]>([]);
  outgoingRef.current = outgoing;
  /** Only the latest attempt of each client id may settle it. */
  const attempts = useRef(new Map<string, number>());
  const readSent = useRef(0);
  const typingTimer = useRef<number | undefined>(undefined);
  const [attempt, setAttempt] = useState(0);

  const receive = useCallback((incoming: MessageDto[]) => {
    if (!incoming.length) return;
    lastSeq.current = Math.max(lastSeq.current, ...incoming.map((m) => m.seq));
    setMessages((list) => mergeMessages(list, incoming));
    const ids = new Set(incoming.map((m) => m.clientId));
    setOutgoing((o) => (o.some((x) => ids.has(x.clientId)) ? o.filter((x) => !ids.has(x.clientId)) : o));
  }, []);

  const deliver = useCallback(
    async (o: Outgoing) => {
      if (!socket?.connected) return; // the reconnect sends it
      const n = (attempts.current.get(o.clientId) ?? 0) + 1;
      attempts.current.set(o.clientId, n);
      const payload = {
        conversationId,
        clientId: o.clientId,
        body: o.body,
        kind: o.kind,
        ...(o.attachments.length ? { attachmentIds: o.attachments.map((a) => a.id) } : {}),
        // Mentions ride along with notes (the server's payload schema takes them).
        ...(o.kind === 'note' && o.mentions.length ? { mentions: o.mentions } : {}),
      };
      try {
        const { message } = await ask(socket, 'message:send', payload);
        receive([message]);
      } catch (e) {
        if (attempts.current.get(o.clientId) !== n) return;
        // The server's database or Redis is away for a moment: nothing was stored, nothing
        // refused. It stays pending and goes again, with the same client id, waiting longer each time.
        if (e instanceof AckError && e.code === 'unavailable') {
          window.setTimeout(() => attempts.current.get(o.clientId) === n && void deliver(o), Math.min(60_000, 5000 * 2 ** (n - 1)));
          return;
        }
        const refused = e instanceof AckError && e.code !== 'timeout';
        // A lost answer while offline stays pending: the reconnect resends with the same id.
        if (!refused && !socket.connected) return;
        setOutgoing((list) => list.map((x) => (x.clientId === o.clientId ? { ...x, state: 'failed', ...(refused ? { error: e.message } : {}) } : x)));
      }
    },
    [socket, conversationId, receive],
  );

  // (Re)join and catch up every time the socket connects; then resend what is still pending.
  useEffect(() => {
    if (!socket || !connected) return;
    let live = true;
    let retryTimer: number | undefined;
    void (async () => {
      try {
        const joined = await ask(socket, 'conversation:join', { conversationId });
        if (!live) return;
        setConversation(joined.conversation);
        setViewers(joined.viewers);
        setError(null);
        let more = true;
        while (more && live) {
          const page = await ask(socket, 'sync', { conversationId, afterSeq: lastSeq.current });
          receive(page.messages);
          more = page.more && page.messages.length > 0;
        }
        for (const o of outgoingRef.current) if (o.state === 'pending') void deliver(o);
      } catch (e) {
        if (!live) return;
        const missing = e instanceof AckError && e.code === 'not_found';
        setError(missing ? 'not_found' : 'failed');
        console.warn('could not load the conversation', e instanceof AckError ? `${e.code}: ${e.message}` : String(e));
        if (!missing && attempt < RETRIES) retryTimer = window.setTimeout(() => setAttempt((n) => n + 1), RETRY_MS);
      }
    })();
    return () => {
      live = false;
      window.clearTimeout(retryTimer);
      if (socket.connected) socket.emit('conversation:leave', { conversationId });
    };
  }, [socket, connected, conversationId, receive, deliver, attempt]);

  useSocketEvent(socket, 'message', (msg) => {
    if (msg.conversationId === conversationId) receive([msg]);
  });
  useSocketEvent(socket, 'conversation:updated', (c) => {
    if (c.id === conversationId) setConversation((old) => (old && old.updatedAt > c.updatedAt ? old : c));
  });
  useSocketEvent(socket, 'viewers', (p) => {
    if (p.conversationId === conversationId) setViewers(p.viewers);
  });
  useSocketEvent(socket, 'read', (p) => {
    if (p.conversationId !== conversationId) return;
    const key = p.by === 'customer' ? 'customerReadSeq' : 'agentReadSeq';
    setConversation((c) => (c && c[key] < p.seq ? { ...c, [key]: p.seq } : c));
  });
  useSocketEvent(socket, 'typing', (p) => {
    if (p.conversationId !== conversationId || p.who !== 'customer') return;
    window.clearTimeout(typingTimer.current);
    setCustomerTyping(p.typing ? p.name : null);
    if (p.typing) typingTimer.current = window.setTimeout(() => setCustomerTyping(null), TYPING_FADE_MS);
  });
  useEffect(() => () => window.clearTimeout(typingTimer.current), []);

  const send = useCallback(
    (draft: { body: string; kind: 'text' | 'note'; attachments: AttachmentDto[]; mentions: string[] }) => {
      const o: Outgoing = { ...draft, clientId: crypto.randomUUID(), state: 'pending', createdAt: new Date().toISOString() };
      setOutgoing((list) => [...list, o]);
      void deliver(o);
    },
    [deliver],
  );
  const retry = useCallback(
    (clientId: string) => {
      const o = outgoingRef.current.find((x) => x.clientId === clientId);
      if (!o) return;
      const again: Outgoing = { ...o, state: 'pending' };
      delete again.error;
      setOutgoing((list) => list.map((x) => (x.clientId === clientId ? again : x)));
      void deliver(again);
    },
    [deliver],
  );
  const discard = useCallback((clientId: string) => setOutgoing((list) => list.filter((x) => x.clientId !== clientId)), []);

  /** Tells the server (and the customer) how far the agent has read; called when messages are on screen. */
  const markRead = useCallback(() => {
    const seq = lastSeq.current;
    if (!socket?.connected || seq <= readSent.current || document.visibilityState !== 'visible') return;
    readSent.current = seq;
    socket.emit('read', { conversationId, seq });
  }, [socket, conversationId]);

  return { conversation, setConversation, messages, outgoing, viewers, customerTyping, error, send, retry, discard, markRead };
}

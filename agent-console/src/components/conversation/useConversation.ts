import { useCallback, useEffect, useRef, useState } from 'react';
import { ask, AckError, useLive, useSocketEvent } from '../../socket.ts';
import { CatchUp, MessageLog } from '../../chatSequence.ts';
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
/** A failed join is tried again after this wait, a few times, before giving up. */
const RETRY_MS = 3000;
const RETRIES = 5;

/**
 * One open conversation over the socket: join, catch up with `sync`, live messages, viewers
 * and typing, and an outbox of messages that are resent with the same client id until the
 * server acknowledges them. Which messages are held, and from where a catch-up starts, is the
 * MessageLog's business (chatSequence.ts): a live message past a gap (one that arrived before
 * the join was answered, while a catch-up failed, or after a broadcast lost with a server
 * process) starts a catch-up from the last message held without a gap, never from itself.
 */
export function useConversation(conversationId: string) {
  const { socket, connected } = useLive();
  const [conversation, setConversation] = useState<ConversationDto | null>(null);
  const [messages, setMessages] = useState<MessageDto[]>([]);
  const [outgoing, setOutgoing] = useState<Outgoing[]>([]);
  const [viewers, setViewers] = useState<Viewer[]>([]);
  const [customerTyping, setCustomerTyping] = useState<string | null>(null);
  const [error, setError] = useState<LoadError>(null);
  const log = useRef(new MessageLog<MessageDto>());
  const catchUp = useRef<CatchUp<MessageDto> | null>(null);
  const outgoingRef = useRef<Outgoing[]>([]);
  outgoingRef.current = outgoing;
  /** Only the latest attempt of each client id may settle it. */
  const attempts = useRef(new Map<string, number>());
  const readSent = useRef(0);
  const typingTimer = useRef<number | undefined>(undefined);
  const [attempt, setAttempt] = useState(0);

  /** Messages from the server (live, acks, sync pages); a gap they show starts a catch-up. */
  const receive = useCallback((incoming: MessageDto[]) => {
    const mine = incoming.filter((m) => m.conversationId === conversationId);
    if (!mine.length) return;
    if (log.current.add(mine)) setMessages(log.current.list());
    const ids = new Set(mine.map((m) => m.clientId));
    setOutgoing((o) => (o.some((x) => ids.has(x.clientId)) ? o.filter((x) => !ids.has(x.clientId)) : o));
    if (log.current.missing) void catchUp.current?.request();
  }, [conversationId]);

  // One catch-up runner per socket: it asks `sync` from the log's last gap-free seq, page by
  // page, and retries by itself while the socket is up; a reconnect asks again.
  useEffect(() => {
    if (!socket) return;
    const runner = new CatchUp<MessageDto>(log.current, {
      fetch: async (afterSeq) => ask(socket, 'sync', { conversationId, afterSeq }),
      online: () => socket.connected,
      changed: () => {
        setMessages(log.current.list());
        const held = new Set(log.current.list().map((m) => m.clientId));
        setOutgoing((o) => (o.some((x) => held.has(x.clientId)) ? o.filter((x) => !held.has(x.clientId)) : o));
      },
      failed: (e, retryInMs) => {
        if (!socket.connected) return; // the offline banner says it; the reconnect catches up
        const missing = e instanceof AckError && e.code === 'not_found';
        setError(missing ? 'not_found' : 'failed');
        console.warn(`catching up failed${retryInMs === null ? '' : `; again in ${retryInMs} ms`}`, e instanceof AckError ? `${e.code}: ${e.message}` : String(e));
      },
      recovered: () => setError(null),
      permanent: (e) => e instanceof AckError && (e.code === 'not_found' || e.code === 'forbidden' || e.code === 'invalid_input'),
    });
    catchUp.current = runner;
    return () => {
      runner.stop();
      if (catchUp.current === runner) catchUp.current = null;
    };
  }, [socket, conversationId]);

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
        log.current.heard(joined.conversation.lastSeq);
        void catchUp.current?.request();
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
  }, [socket, connected, conversationId, deliver, attempt]);

  useSocketEvent(socket, 'message', (msg) => receive([msg]));
  /** Another event says the conversation goes up to `seq`: catch up if that is more than is held. */
  const heard = (seq: number) => {
    log.current.heard(seq);
    if (log.current.missing) void catchUp.current?.request();
  };
  useSocketEvent(socket, 'conversation:updated', (c) => {
    if (c.id !== conversationId) return;
    setConversation((old) => (old && old.updatedAt > c.updatedAt ? old : c));
    heard(c.lastSeq);
  });
  useSocketEvent(socket, 'conversation:activity', (rows) => {
    const row = rows.find((r) => r.id === conversationId);
    if (row) heard(row.lastSeq);
  });
  useSocketEvent(socket, 'viewers', (p) => {
    if (p.conversationId === conversationId) setViewers(p.viewers);
  });
  useSocketEvent(socket, 'read', (p) => {
    if (p.conversationId !== conversationId) return;
    heard(p.seq);
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
    // Only what is held without a gap counts as read.
    const seq = Math.min(log.current.contiguous, log.current.last);
    if (!socket?.connected || seq <= readSent.current || document.visibilityState !== 'visible') return;
    readSent.current = seq;
    socket.emit('read', { conversationId, seq });
  }, [socket, conversationId]);

  return { conversation, setConversation, messages, outgoing, viewers, customerTyping, error, send, retry, discard, markRead };
}

/**
 * The widget's Socket.IO connection to /widget and its delivery rules: every message has a
 * client id and waits in the outbox until acknowledged. On every (re)connect the widget first
 * syncs what it missed after the last sequence number it saw, then resends the unacknowledged
 * messages with the same client ids; the server stores each client id once.
 *
 * When the server says `unavailable` (its database or Redis is away for a moment), nothing is
 * given up: a message stays queued, a refused handshake keeps the session, and the widget
 * tries again after the server's Retry-After, waiting longer each time in a row.
 */
import { io, type Socket } from 'socket.io-client';
import type { WidgetClientEvents, WidgetServerEvents } from '../../server/domains/conversations/conversations.events.ts';
import type { OutboxItem, Store } from './store.ts';

type WidgetSocket = Socket<WidgetServerEvents, WidgetClientEvents>;

export type ConnectionState = 'connecting' | 'online' | 'offline';

export interface ConnectionHandlers {
  state(s: ConnectionState): void;
  /** The server refused the session (expired or revoked): a new one is needed. */
  refused(message: string): void;
  typing(p: { name: string; typing: boolean }): void;
  availability(p: { open: boolean; agentsOnline: boolean }): void;
}

export class AckError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Seconds to wait before sending the same again (with `unavailable`). */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

/** A dependency of the server is away: the same request may be sent again later. */
export const isUnavailable = (e: unknown): e is AckError => e instanceof AckError && e.code === 'unavailable';

/**
 * Waits between tries while the server is unavailable: its Retry-After (5 s when it gives
 * none), doubled for every failure in a row up to a minute, with some jitter so that many
 * widgets do not come back in step.
 */
export class Backoff {
  private failures = 0;
  next(retryAfterSeconds?: number): number {
    const base = (retryAfterSeconds && retryAfterSeconds > 0 ? retryAfterSeconds : 5) * 1000;
    const ms = Math.min(60_000, base * 2 ** Math.min(this.failures++, 6));
    return Math.round(ms * (0.8 + Math.random() * 0.4));
  }
  reset(): void {
    this.failures = 0;
  }
}

type AskEvent = 'conversation:open' | 'message:send' | 'sync' | 'csat:rate';
type AckAnswer<E extends AskEvent> = Parameters<Parameters<WidgetClientEvents[E]>[1]>[0];
type Ok<E extends AskEvent> = Extract<AckAnswer<E>, { ok: true }>;

const ACK_MS = 10_000;
const delay = (ms: number) => new Promise((done) => setTimeout(done, ms));

export class Connection {
  private readonly socket: WidgetSocket;
  private flushing: Promise<void> | null = null;
  private opening: Promise<string> | null = null;
  private readonly backoff = new Backoff();
  private retry: ReturnType<typeof setTimeout> | undefined;

  constructor(
    origin: string,
    shopId: string,
    token: string,
    private readonly store: Store,
    private readonly on: ConnectionHandlers,
  ) {
    // WebSocket only: a shop page's origin would need CORS for long-polling, and every
    // browser that runs this widget has WebSocket.
    this.socket = io(`${origin}/widget`, { auth: { shopId, token }, transports: ['websocket'], reconnection: true, reconnectionDelayMax: 10_000 });
    this.listen();
    on.state('connecting');
  }

  private listen(): void {
    const s = this.socket;
    s.on('connect', () => {
      this.on.state('online');
      void this.resume();
    });
    s.on('disconnect', () => this.on.state('offline'));
    s.on('connect_error', (e) => {
      const data = (e as Error & { data?: { code?: string; retryAfter?: number } }).data;
      if (!s.active && data?.code === 'unavailable') {
        // The server could not check the session just now: the session stands; knock again later.
        this.on.state('offline');
        clearTimeout(this.retry);
        this.retry = setTimeout(() => s.connect(), this.backoff.next(data.retryAfter));
        return;
      }
      // Refused by the server's middleware: the client stops retrying (socket.active false).
      if (!s.active) this.on.refused(e.message);
      else this.on.state('offline');
    });
    s.on('message', (m) => {
      // A gap means a live message went missing (or was an internal note we never get): ask.
      const before = this.store.lastSeq;
      const gap = m.conversationId === this.store.conversationId && m.seq > before + 1;
      this.store.addMessages([m]);
      if (gap) void this.syncAll(before).catch(() => undefined);
    });
    s.on('conversation', (c) => {
      if (c.id === this.store.conversationId) this.store.setConversation(c);
    });
    s.on('read', (r) => {
      if (r.conversationId === this.store.conversationId) this.store.markAgentRead(r.seq);
    });
    s.on('typing', (t) => {
      if (t.conversationId === this.store.conversationId) this.on.typing(t);
    });
    s.on('availability', (a) => this.on.availability(a));
  }

  /** Emits with an ack; a refusal becomes an AckError, no answer in time a plain Error. */
  private async ask<E extends AskEvent>(event: E, payload: Parameters<WidgetClientEvents[E]>[0]): Promise<Ok<E>> {
    // emitWithAck's own typing cannot follow a generic event name; the contract above is the same.
    const emit = this.socket.timeout(ACK_MS) as unknown as { emitWithAck(e: string, p: unknown): Promise<AckAnswer<E>> };
    const answer = await emit.emitWithAck(event, payload);
    if ('error' in answer) throw new AckError(answer.error, answer.message, answer.details, answer.retryAfter);
    return answer as Ok<E>;
  }

  private async resume(): Promise<void> {
    while (this.socket.connected) {
      try {
        if (this.store.conversationId) await this.syncAll();
        await this.flush();
        return;
      } catch (e) {
        // The server is there but its database is not: sync again after a while.
        if (isUnavailable(e)) await delay(this.backoff.next(e.retryAfter));
        // Lost the connection mid-way: the next connect starts again from the last seq.
        else return;
      }
    }
  }

  /** Everything after the last seq seen, page by page. */
  private async syncAll(from = this.store.lastSeq): Promise<void> {
    const conversationId = this.store.conversationId;
    if (!conversationId) return;
    let after = from;
    for (;;) {
      let r;
      try {
        r = await this.ask('sync', { conversationId, afterSeq: after });
      } catch (e) {
        if (e instanceof AckError && e.code === 'not_found') return this.store.forgetConversation();
        throw e;
      }
      this.store.addMessages(r.messages);
      this.store.setConversation(r.conversation);
      const last = r.messages[r.messages.length - 1];
      if (!r.more || !last) return;
      after = last.seq;
    }
  }

  /** The customer's open conversation; opened on first need, so a visitor who never writes makes no ticket. */
  ensureConversation(): Promise<string> {
    const known = this.store.conversationId;
    if (known) return Promise.resolve(known);
    this.opening ??= (async () => {
      const orderNumber = this.store.session?.orderNumber ?? undefined;
      const r = await this.ask('conversation:open', orderNumber ? { orderNumber } : {});
      this.store.setConversation(r.conversation);
      await this.syncAll();
      return r.conversation.id;
    })().finally(() => (this.opening = null));
    return this.opening;
  }

  /** Queues a message and sends what the outbox holds, in order. */
  send(item: OutboxItem): Promise<void> {
    this.store.queue(item);
    return this.flush();
  }

  flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => (this.flushing = null));
    return this.flushing;
  }

  private async drain(): Promise<void> {
    const reopened = new Set<string>();
    while (this.socket.connected) {
      const item = this.store.unsent()[0];
      if (!item) return;
      try {
        const conversationId = await this.ensureConversation();
        const attachmentIds = item.attachments.map((a) => a.id);
        const r = await this.ask('message:send', { conversationId, clientId: item.clientId, body: item.body, ...(attachmentIds.length ? { attachmentIds } : {}) });
        this.store.addMessages([r.message]);
        this.store.acked(item.clientId);
        this.backoff.reset();
      } catch (e) {
        if (!(e instanceof AckError)) return; // no answer: resent after the next connect
        if (e.code === 'rate_limited') {
          await delay(1000);
        } else if (e.code === 'unavailable') {
          // Not stored, not refused: the same message, with the same client id, goes again later.
          await delay(this.backoff.next(e.retryAfter));
        } else if ((e.code === 'invalid_transition' || e.code === 'conflict') && !reopened.has(item.clientId)) {
          // The conversation was closed or merged away: the message goes to a new one.
          reopened.add(item.clientId);
          this.store.forgetConversation();
        } else {
          this.store.fail(item.clientId, e.message);
        }
      }
    }
  }

  typing(conversationId: string, typing: boolean): void {
    if (this.socket.connected) this.socket.emit('typing', { conversationId, typing });
  }

  /** True when sent; a read mark made while offline is made again after reconnecting. */
  read(conversationId: string, seq: number): boolean {
    if (!this.socket.connected) return false;
    this.socket.emit('read', { conversationId, seq });
    return true;
  }

  async rate(conversationId: string, rating: number, comment: string): Promise<void> {
    await this.ask('csat:rate', { conversationId, rating, ...(comment.trim() ? { comment: comment.trim() } : {}) });
  }

  close(): void {
    clearTimeout(this.retry);
    this.socket.disconnect();
  }
}

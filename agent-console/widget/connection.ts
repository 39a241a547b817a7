/**
 * The widget's Socket.IO connection to /widget and its delivery rules: every message has a
 * client id and waits in the outbox until acknowledged. On every (re)connect the widget first
 * catches up on what it missed, then resends the unacknowledged messages with the same client
 * ids; the server stores each client id once.
 *
 * Catching up is the console's mechanism (agent-console/src/chatSequence.ts): a CatchUp over
 * the store's MessageLog asks `sync` from the last message held without a gap, page by page,
 * again while anything is missing (a live message or an acknowledgement past a gap, a
 * conversation or read mark that goes further than what is held), and again after a wait when
 * it fails, so every reconnect ends with every message held exactly once.
 *
 * When the server says `unavailable` (its database or Redis is away for a moment), nothing is
 * given up: a message stays queued, a refused handshake keeps the session, and the widget
 * tries again after the server's Retry-After, waiting longer each time in a row.
 */
import { io, type Socket } from 'socket.io-client';
import type { MessageDto } from '../../server/domains/conversations/conversations.dto.ts';
import type { WidgetClientEvents, WidgetServerEvents } from '../../server/domains/conversations/conversations.socket.events.ts';
import { CatchUp, type MessageLog } from '../src/chatSequence.ts';
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
  /** The catch-up of the store's current log (a new one when the conversation changes). */
  private runner: { log: MessageLog<MessageDto>; catchUp: CatchUp<MessageDto> } | null = null;

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
      if (m.conversationId === this.store.conversationId) this.take([m]);
    });
    s.on('conversation', (c) => {
      if (c.id !== this.store.conversationId) return;
      this.store.setConversation(c);
      this.catchUpIfMissing();
    });
    s.on('read', (r) => {
      if (r.conversationId !== this.store.conversationId) return;
      this.store.markAgentRead(r.seq);
      this.catchUpIfMissing();
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

  /** After every connect: catch up (which also follows the conversation again), then send what waits. */
  private async resume(): Promise<void> {
    await this.catchUp();
    await this.flush();
  }

  /** Messages of the current conversation from the server (live, acknowledged); a gap they show is caught up. */
  private take(ms: MessageDto[]): void {
    this.store.addMessages(ms);
    this.catchUpIfMissing();
  }

  private catchUpIfMissing(): void {
    if (this.store.missing) void this.catchUp();
  }

  /**
   * Catches up the current conversation: now, or right after the catch-up under way. A failed
   * one is tried again by itself (after the server's Retry-After when it is unavailable) while
   * the socket is up; the next connect asks again. A conversation the server no longer shows
   * this customer is forgotten: the next message opens another.
   */
  private catchUp(): Promise<void> {
    const conversationId = this.store.conversationId;
    if (!conversationId) return Promise.resolve();
    const log = this.store.log;
    if (this.runner?.log !== log) {
      this.runner?.catchUp.stop();
      const current = () => this.store.log === log;
      const catchUp = new CatchUp<MessageDto>(log, {
        fetch: async (afterSeq) => {
          const r = await this.ask('sync', { conversationId, afterSeq });
          if (current()) this.store.setConversation(r.conversation);
          return r;
        },
        online: () => this.socket.connected && current(),
        changed: () => current() && this.store.settled(),
        failed: (e) => {
          if (e instanceof AckError && e.code === 'not_found' && current()) this.store.forgetConversation();
        },
        recovered: () => this.backoff.reset(),
        permanent: (e) => e instanceof AckError && (e.code === 'not_found' || e.code === 'forbidden' || e.code === 'invalid_input'),
        retryIn: (e) => (isUnavailable(e) ? this.backoff.next(e.retryAfter) : undefined),
      });
      this.runner = { log, catchUp };
    }
    return this.runner.catchUp.request();
  }

  /** The customer's open conversation; opened on first need, so a visitor who never writes makes no ticket. */
  ensureConversation(): Promise<string> {
    const known = this.store.conversationId;
    if (known) return Promise.resolve(known);
    this.opening ??= (async () => {
      const orderNumber = this.store.session?.orderNumber ?? undefined;
      const r = await this.ask('conversation:open', orderNumber ? { orderNumber } : {});
      this.store.setConversation(r.conversation);
      await this.catchUp();
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
        // Stored, and the socket follows the conversation again: what came before it is caught up if missing.
        if (r.message.conversationId === this.store.conversationId) this.take([r.message]);
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
          this.store.fail(item.clientId, e.code);
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
    this.runner?.catchUp.stop();
    this.socket.disconnect();
  }
}

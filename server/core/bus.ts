import { EventEmitter } from 'node:events';
import type { ConversationActivity, MessageDto } from '../domains/conversations/conversations.dto.ts';
import type { Logger } from './logger.ts';
import type { DomainEvent, EventName } from '../events/catalog.ts';

/**
 * What happened in the domain, after the commit. Services publish; listeners broadcast on
 * sockets. Work that must not be lost goes through the outbox instead: the bus is
 * in-process and best-effort, fine for live updates that a reconnecting client re-reads.
 */
export interface DomainEvents {
  /**
   * A stored message as the sockets show it (its DTO and its inbox row), published after the
   * writer's commit; not the domain event `message.created` that the listeners hear (the
   * catalog's names and these never meet). `origin`: the socket that sent it, which has the
   * message in its ack and is skipped.
   */
  'message.live': { shopId: string; conversationId: string; messageId: string; seq: number; message: MessageDto; activity: ConversationActivity; origin?: string };
  'conversation.changed': { shopId: string; conversationId: string };
  'presence.changed': { shopId: string; userId: string; name: string };
  /**
   * A person's access changed: removed from `shopId` or given another role there, or (with
   * `shopId` null) one or more of their sessions ended. Their live connections, in every
   * process, re-read their session and membership and act on what they find.
   */
  'access.changed': { userId: string; shopId: string | null };
  /** A notice campaign's recipients or status moved on: its progress goes to the shop's consoles, throttled (notices.send.progress.ts). */
  'notice.progress': { shopId: string; campaignId: string };
}

export type LiveName = keyof DomainEvents;

export class DomainBus {
  private readonly emitter = new EventEmitter();
  constructor(private readonly logger?: Logger) {
    this.emitter.setMaxListeners(50);
  }

  publish<E extends LiveName>(event: E, payload: DomainEvents[E]): void {
    // Listeners run on the next tick and their failures are logged: a broadcast that fails
    // must never fail the request that committed the change.
    setImmediate(() => this.emitter.emit(event, payload));
  }

  /** Answers the function that removes the listener. */
  on<E extends LiveName>(event: E, listener: (payload: DomainEvents[E]) => void | Promise<void>): () => void {
    return this.listen(event, listener);
  }

  /** A committed domain event (server/events/catalog.ts), for live updates; see transact in server/events/commit.ts. */
  publishEvent(e: DomainEvent): void {
    setImmediate(() => this.emitter.emit(`event:${e.name}`, e));
  }

  /** Answers the function that removes the listener from every name. */
  onEvent<N extends EventName>(names: N | readonly N[], listener: (e: DomainEvent<N>) => void | Promise<void>): () => void {
    const offs = (typeof names === 'string' ? [names] : names).map((n) => this.listen(`event:${n}`, listener as (e: unknown) => void));
    return () => offs.forEach((off) => off());
  }

  /**
   * Listeners added through it are removed together by its `off()`: for a part that stops
   * before the bus does (a broadcaster at shutdown), so no event reaches it after.
   */
  group(): Pick<DomainBus, 'on' | 'onEvent'> & { off(): void } {
    const offs: Array<() => void> = [];
    const kept = (off: () => void) => (offs.push(off), off);
    return {
      on: (event, listener) => kept(this.on(event, listener)),
      onEvent: (names, listener) => kept(this.onEvent(names, listener)),
      off: () => offs.splice(0).forEach((off) => off()),
    };
  }

  private listen<P>(event: string, listener: (payload: P) => void | Promise<void>): () => void {
    const heard = (p: P) => {
      Promise.resolve()
        .then(() => listener(p))
        .catch((err: unknown) => this.logger?.error({ err, event }, 'domain event listener failed'));
    };
    this.emitter.on(event, heard);
    return () => void this.emitter.off(event, heard);
  }
}

import type { Config } from '../config.ts';
import type { OutboxItem } from '../core/outbox.ts';
import { returnStepEventNames, type DomainEvent, type EventName } from './catalog.ts';

/** Settings a subscription's timing reads, from the configuration (see commit.ts). */
export interface ListenerTiming {
  /** How long an agent's reply waits for the customer to read it in the chat before it is mailed. */
  replyMailDelayMs: number;
}

/** The timing the configuration sets (REPLY_MAIL_DELAY_SECONDS): every process's sinks take theirs from here. */
export const listenerTiming = (config: Pick<Config, 'REPLY_MAIL_DELAY_SECONDS'>): ListenerTiming => ({ replyMailDelayMs: config.REPLY_MAIL_DELAY_SECONDS * 1000 });

export interface Subscription<N extends EventName = EventName> {
  /** Stable: it names the listener's jobs and outbox rows (`<event>><listener>`), so renaming one orphans its pending work. */
  listener: string;
  events: readonly N[];
  /** Only the events this answers true for make a job (the rest cost nothing). */
  when?: (e: DomainEvent<N>) => boolean;
  /** The job runs this long after the event. */
  delayMs?: (t: ListenerTiming) => number;
  /** The job's payload carries secrets: dropped from Redis once it fails for good. */
  secret?: boolean;
}

const subscribe = <const N extends EventName, const L extends string>(s: Subscription<N> & { listener: L }) => s;

/**
 * Who listens to what. Each (event, listener) is its own job with its own key, retries and
 * failure record, so one listener's failure never repeats another's work. A new consumer is
 * a handler file plus one line here and one in listeners.ts (the type check holds the two
 * lists together).
 */
export const subscriptions = [
  /** The customer's mail about a step of their return (the shop's internal steps send none). */
  subscribe({ listener: 'return-customer-mail', events: returnStepEventNames }),
  /** The same step as a notice in the customer's open chat with the shop, if they have one. */
  subscribe({ listener: 'return-chat-notice', events: returnStepEventNames }),
  /** An agent's reply the customer has not read in the chat by then goes out by mail. */
  subscribe({
    listener: 'reply-mail',
    events: ['message.created'],
    when: (e) => e.payload.authorKind === 'agent' && e.payload.kind === 'text',
    delayMs: (t) => t.replyMailDelayMs,
  }),
] as const;

export type ListenerName = (typeof subscriptions)[number]['listener'];

/** The topic of one listener's jobs for one event: `return.approved>return-customer-mail`. */
export const listenerTopic = (event: EventName, listener: string) => `${event}>${listener}`;

/** The outbox rows that deliver `events` to their listeners: one per (event, listener) that wants it. */
export function listenerRows(events: readonly DomainEvent[], timing: ListenerTiming): OutboxItem[] {
  const rows: OutboxItem[] = [];
  for (const e of events) {
    for (const s of subscriptions as readonly Subscription[]) {
      if (!s.events.includes(e.name) || (s.when && !s.when(e))) continue;
      const delay = s.delayMs ? s.delayMs(timing) : 0;
      rows.push({
        shopId: e.payload.shopId,
        topic: listenerTopic(e.name, s.listener),
        payload: { eventId: e.id, at: e.at, ...e.payload },
        dedupeKey: `ev-${e.id}-${s.listener}`,
        ...(delay ? { runAt: new Date(Date.parse(e.at) + delay) } : {}),
      });
    }
  }
  return rows;
}

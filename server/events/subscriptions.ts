import type { Config } from '../config.ts';
import type { OutboxItem } from '../core/outbox.ts';
import type { RetryPolicy } from '../core/queue.ts';
import { returnEventNames, returnStepEventNames, type DomainEvent, type EventName } from './catalog.ts';

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
  /** How its failed jobs are tried again: what an outage of what it depends on (a mail server, Slack) may last. */
  retry: RetryPolicy;
}

/**
 * A customer's mail: tried through an outage of the mail server of about four hours (waits of
 * 30 s, 1, 2, 4, 8, 16 min, then every 30 min), so it goes within half an hour of the end.
 */
export const customerMailRetry: RetryPolicy = { attempts: 14, firstDelayMs: 30_000, maxDelayMs: 30 * 60_000 };
/** Work in our own database (whose outages the worker waits out apart): a few tries over about ten minutes. */
export const ownWorkRetry: RetryPolicy = { attempts: 8, firstDelayMs: 5_000, maxDelayMs: 5 * 60_000 };

/**
 * A Slack alert: tried through an outage of Slack of about an hour (waits of 5 s doubling up to
 * 10 min); a 429 waits its Retry-After without spending a try. After that the alert shows as
 * undelivered in the console, with a retry (slack.alerts.ts).
 */
export const slackAlertRetry: RetryPolicy = { attempts: 12, firstDelayMs: 5_000, maxDelayMs: 10 * 60_000 };

const subscribe = <const N extends EventName, const L extends string>(s: Subscription<N> & { listener: L }) => s;

/**
 * Who listens to what. Each (event, listener) is its own job with its own key, retries and
 * failure record, so one listener's failure never repeats another's work. A new consumer is
 * a handler file plus one line here and one in listeners.ts (the type check holds the two
 * lists together).
 */
export const subscriptions = [
  /** The customer's mail about a step of their return (the shop's internal steps send none). */
  subscribe({ listener: 'return-customer-mail', events: returnStepEventNames, retry: customerMailRetry }),
  /** The same step as a notice in the customer's open chat with the shop, if they have one. */
  subscribe({ listener: 'return-chat-notice', events: returnStepEventNames, retry: ownWorkRetry }),
  /** An agent's reply the customer has not read in the chat by then goes out by mail. */
  subscribe({
    listener: 'reply-mail',
    events: ['message.created'],
    when: (e) => e.payload.authorKind === 'agent' && e.payload.kind === 'text',
    delayMs: (t) => t.replyMailDelayMs,
    retry: customerMailRetry,
  }),
  /** Slack alerts (server/domains/slack/slack.alerts.listener.ts): each kind its own job, posted in the channel the shop chose for it. */
  subscribe({ listener: 'slack-return-requested', events: ['return.requested'], retry: slackAlertRetry }),
  subscribe({ listener: 'slack-return-needs-review', events: ['return.needs_review'], retry: slackAlertRetry }),
  subscribe({ listener: 'slack-refund-failed', events: ['return.refund_failed'], retry: slackAlertRetry }),
  subscribe({ listener: 'slack-sla-at-risk', events: ['sla.at_risk'], retry: slackAlertRetry }),
  subscribe({ listener: 'slack-sla-breached', events: ['sla.breached'], retry: slackAlertRetry }),
  subscribe({ listener: 'slack-csat-low', events: ['csat.received'], when: (e) => e.payload.rating <= 2, retry: slackAlertRetry }),
  subscribe({ listener: 'slack-notice-finished', events: ['notice.finished'], retry: slackAlertRetry }),
  subscribe({ listener: 'slack-merchant-question', events: ['merchant.question_asked'], retry: slackAlertRetry }),
  subscribe({ listener: 'slack-system-trouble', events: ['system.trouble'], retry: slackAlertRetry }),
  /** A return's alerts already posted are updated in place (chat.update) when it moves on: its buttons go once decided. */
  subscribe({ listener: 'slack-return-update', events: returnEventNames, retry: slackAlertRetry }),
  /** A ticket's alerts (SLA, low CSAT, a question) rebuilt in place when it is taken, assigned or moves on. */
  subscribe({ listener: 'slack-conversation-update', events: ['conversation.updated'], retry: slackAlertRetry }),
] as const;

export type ListenerName = (typeof subscriptions)[number]['listener'];

/** The topic of one listener's jobs for one event: `return.approved>return-customer-mail`. */
export const listenerTopic = (event: EventName, listener: string) => `${event}>${listener}`;

/** The retry policy of a listener's topic (`<event>><listener>`); undefined for any other topic. */
export function listenerRetryPolicy(topic: string): RetryPolicy | undefined {
  const [event, listener, ...rest] = topic.split('>');
  if (rest.length) return undefined;
  return (subscriptions as readonly Subscription[]).find((s) => s.listener === listener && (s.events as readonly string[]).includes(event!))?.retry;
}

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

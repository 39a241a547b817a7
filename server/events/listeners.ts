import type { Job } from 'bullmq';
import { invalidInput } from '../core/errors.ts';
import type { Db } from '../core/db/client.ts';
import type { Mailer } from '../core/mail.ts';
import type { JobData } from '../core/queue.ts';
import type { ChatDeps } from '../domains/conversations/conversations.service.ts';
import { postReturnStep } from '../domains/returns/returns.chat.listener.ts';
import { mailReturnStep } from '../domains/returns/returns.mail.listener.ts';
import { sendReplyMail } from '../domains/conversations/conversations.jobs.ts';
import type { InboundEmail } from '../domains/conversations/conversations.email.parse.ts';
import { alertOn, updateConversationAlerts, updateReturnAlerts } from '../domains/slack/slack.alerts.listener.ts';
import type { AlertDeps } from '../domains/slack/slack.alerts.ts';
import { eventCatalog, type DomainEvent, type EventName } from './catalog.ts';
import { listenerTopic, subscriptions, type ListenerName } from './subscriptions.ts';

/** What listeners may use; the worker (or an API process running jobs inline) builds it once. */
export interface ListenerDeps {
  db: Db;
  mailer: Mailer;
  /** The public address, for links in mails. */
  baseUrl: string;
  /** For notices in customers' chats (through the same group commit as every message). */
  chat: Pick<ChatDeps, 'db' | 'bus' | 'writer'>;
  /** Replies by mail, when configured: the reply mail's Reply-To. */
  inbound?: Pick<InboundEmail, 'secret' | 'domain'>;
  /** Slack alerts: the connection's keyring and the Web API's address (absent: no alert is posted). */
  slack?: AlertDeps;
}

/** The events listener `L` subscribes to. */
type EventsOf<L extends ListenerName> = Extract<(typeof subscriptions)[number], { listener: L }>['events'][number];
/** `job`: the BullMQ job running it, for a handler that reschedules itself (a Slack 429's Retry-After). */
type Handler = (e: DomainEvent, job?: Job) => Promise<unknown>;

/**
 * The handler of each listener of subscriptions.ts, typed by the events it subscribes to; a
 * listener missing here, or a handler that does not take its events, fails the type check.
 */
const handlers: { [L in ListenerName]: (deps: ListenerDeps) => (e: DomainEvent<EventsOf<L>>, job?: Job) => Promise<unknown> } = {
  'return-customer-mail': (d) => (e) => mailReturnStep(d, e),
  'return-chat-notice': (d) => (e) => postReturnStep(d.chat, e),
  'reply-mail': (d) => (e) => sendReplyMail(d, e.payload),
  'slack-return-requested': (d) => (e, job) => alertOn(d.slack, 'return_requested', e, job),
  'slack-return-needs-review': (d) => (e, job) => alertOn(d.slack, 'return_needs_review', e, job),
  'slack-refund-failed': (d) => (e, job) => alertOn(d.slack, 'refund_failed', e, job),
  'slack-sla-at-risk': (d) => (e, job) => alertOn(d.slack, 'sla_at_risk', e, job),
  'slack-sla-breached': (d) => (e, job) => alertOn(d.slack, 'sla_breached', e, job),
  'slack-csat-low': (d) => (e, job) => alertOn(d.slack, 'csat_low', e, job),
  'slack-notice-finished': (d) => (e, job) => alertOn(d.slack, 'notice_finished', e, job),
  'slack-merchant-question': (d) => (e, job) => alertOn(d.slack, 'merchant_question', e, job),
  'slack-system-trouble': (d) => (e, job) => alertOn(d.slack, 'system_trouble', e, job),
  'slack-return-update': (d) => (e, job) => updateReturnAlerts(d.slack, e, job),
  'slack-conversation-update': (d) => (e, job) => updateConversationAlerts(d.slack, e, job),
};

/**
 * The event a listener's job carries (see listenerRows), checked against the catalog: a
 * payload that does not match can never succeed, so it fails for good (a DomainError).
 */
export function eventOfJob(name: EventName, data: JobData): DomainEvent {
  const { eventId, at, ...payload } = data;
  const parsed = eventCatalog[name].safeParse(payload);
  if (!parsed.success || typeof eventId !== 'string' || typeof at !== 'string') {
    throw invalidInput(`not a ${name} event`, { fields: parsed.error?.issues.map((i) => i.path.join('.')) ?? ['eventId', 'at'] });
  }
  return { name, id: eventId, at, payload: parsed.data } as DomainEvent;
}

/** Registers one job processor per (event, listener) with `register` (Jobs.register in server/worker.ts). */
export function registerListeners(register: (topic: string, run: (data: JobData, job?: Job) => Promise<unknown>, opts: { secret?: boolean }) => void, deps: ListenerDeps): void {
  for (const s of subscriptions) {
    const handle = handlers[s.listener](deps) as Handler;
    for (const name of s.events) register(listenerTopic(name, s.listener), (data, job) => handle(eventOfJob(name, data), job), { secret: 'secret' in s ? Boolean(s.secret) : false });
  }
}

import { z } from 'zod';
import { returnStatuses } from '../domains/returns/returns.model.ts';
import { slaMetrics } from '../domains/sla/sla.tables.ts';
import { authorKinds, channels, conversationStatuses, messageKinds } from '../domains/conversations/conversations.tables.ts';
import { noticeTypes } from '../domains/notices/notices.types.ts';

/**
 * Every domain event madoguchi has: a closed list, each with the schema of its payload. A
 * service says what happened by emitting one of these in the transaction of the change (see
 * commit.ts); listeners (subscriptions.ts) each get it as a job of their own, and the live
 * updates of the console hear it on the bus after the commit.
 *
 * Payloads carry ids and the few facts a listener needs to decide whether it cares, never
 * personal data: a listener reads what it needs when it runs, as the shop's data is then
 * (a mail goes to the address on the order now, not the one at the time of the event).
 */
const ids = { shopId: z.uuid() };
const returnEvent = z.object({ ...ids, returnId: z.uuid(), number: z.number().int().positive(), status: z.enum(returnStatuses) });
const conversationEvent = z.object({ ...ids, conversationId: z.uuid() });
const slaEvent = conversationEvent.extend({ metric: z.enum(slaMetrics), dueAt: z.iso.datetime({ offset: true }) });

/** The statuses a return enters after it is filed, each an event `return.<status>`. */
const enteredStatuses = returnStatuses.filter((s): s is Exclude<(typeof returnStatuses)[number], 'requested'> => s !== 'requested');
type Entered = (typeof enteredStatuses)[number];

const noticeEvent = z.object({ ...ids, campaignId: z.uuid(), type: z.enum(noticeTypes), campaignName: z.string() });
const noticeCounts = z.object({ total: z.number().int(), queued: z.number().int(), sent: z.number().int(), failed: z.number().int(), suppressed: z.number().int(), cancelled: z.number().int() });

/** What a shop's system trouble is: its background work failing for good, or something it depends on away. */
export const troubleKinds = ['jobs_failing', 'dependency_down'] as const;
/** What is away: the mail server (the shop's customer mail waits), PostgreSQL or Redis (every shop's work waits). */
export const troubleDependencies = ['mail', 'database', 'redis'] as const;
/** The object a failed job was about, when it names one (its page in the console says more). */
const troubleObject = z.object({ type: z.enum(['return', 'conversation', 'notice']), id: z.uuid() });

/** The object an event's payload (or a listener job's data) is about, by the id it names: a return, a conversation or a notice. */
export function objectOfPayload(p: Record<string, unknown>): z.infer<typeof troubleObject> | undefined {
  const uuid = (v: unknown): v is string => typeof v === 'string' && z.uuid().safeParse(v).success;
  if (uuid(p.returnId)) return { type: 'return', id: p.returnId };
  if (uuid(p.conversationId)) return { type: 'conversation', id: p.conversationId };
  if (uuid(p.campaignId)) return { type: 'notice', id: p.campaignId };
  return undefined;
}

export const returnEntered = Object.fromEntries(enteredStatuses.map((s) => [`return.${s}`, returnEvent])) as Record<`return.${Entered}`, typeof returnEvent>;

export const eventCatalog = {
  /** Filed (by the customer on the portal, by the shop in the console or through the API, or a refused delivery recorded). */
  'return.requested': returnEvent,
  /** `return.needs_review`, `return.approved`, `return.awaiting_shipment`, `return.received`, `return.refunded`, `return.rejected`, …: the return entered that status. */
  ...returnEntered,
  /** A return still waiting for its parcel is near its date to send it by (a timer). */
  'return.ship_reminder': returnEvent,
  /** A return changed without moving on (an exchange's items set again, and with them its money). */
  'return.updated': returnEvent,
  /** A customer started a chat, or a ticket was opened by mail or by an agent. */
  'conversation.created': conversationEvent.extend({ channel: z.enum(channels) }),
  /** A conversation's status or assignee changed (by a person, a rule or a timer): what it is now. */
  'conversation.updated': conversationEvent.extend({ status: z.enum(conversationStatuses), assigneeId: z.uuid().nullable() }),
  /** A message was stored in a conversation (customer, agent, note or system). */
  'message.created': conversationEvent.extend({
    messageId: z.uuid(),
    seq: z.number().int().positive(),
    authorKind: z.enum(authorKinds),
    kind: z.enum(messageKinds),
  }),
  /** An agent was mentioned in an internal note. */
  'mention.created': conversationEvent.extend({ messageId: z.uuid(), userId: z.uuid() }),
  /** An SLA clock will be due soon. */
  'sla.at_risk': slaEvent,
  /** An SLA clock passed its due time unmet (`dueAt` is when it was due). */
  'sla.breached': slaEvent,
  /** A delay notice was published: scheduled for its start, or begun (`sending`; `sent` at once when it is a banner alone). */
  'notice.published': noticeEvent.extend({
    status: z.enum(['scheduled', 'sending', 'sent']),
    startsAt: z.iso.datetime({ offset: true }),
    channels: z.object({ banner: z.boolean(), mail: z.boolean(), chat: z.boolean() }),
  }),
  /** A notice's sending ended: every recipient sent, failed or suppressed (`sent`), or it was cancelled; with its counts then. */
  'notice.finished': noticeEvent.extend({ status: z.enum(['sent', 'cancelled']), counts: noticeCounts }),
  /** A published notice was taken down before its end: its banner leaves the shop's pages (`endsAt` now). */
  'notice.ended': noticeEvent.extend({ endsAt: z.iso.datetime({ offset: true }) }),
  /** A customer rated a resolved conversation. */
  'csat.received': conversationEvent.extend({ rating: z.number().int().min(1).max(5) }),
  /** An agent asked the merchant about a ticket (the question is the internal note `messageId`); the ticket waits on the merchant. */
  'merchant.question_asked': conversationEvent.extend({ messageId: z.uuid() }),
  /**
   * The shop's background work is in trouble (server/domains/system/trouble.service.ts): jobs
   * failing for good (`topic`: the last one's; `count`: the shop's failed for good since
   * `since`), or a dependency away (`count`: the mails waiting; `until`: when it came back, for
   * an outage said afterwards). At most one per shop and kind every 30 minutes.
   */
  'system.trouble': z.object({
    ...ids,
    kind: z.enum(troubleKinds),
    dependency: z.enum(troubleDependencies).optional(),
    topic: z.string().max(200).optional(),
    object: troubleObject.optional(),
    count: z.number().int().nonnegative(),
    since: z.iso.datetime({ offset: true }),
    until: z.iso.datetime({ offset: true }).optional(),
  }),
} as const;

export type EventName = keyof typeof eventCatalog;
export type EventPayload<N extends EventName> = z.infer<(typeof eventCatalog)[N]>;
export const eventNames = Object.keys(eventCatalog) as EventName[];

/** One occurrence: its name, a unique id (a listener's job is keyed by it), when, and the payload. */
export type DomainEvent<N extends EventName = EventName> = N extends EventName ? { name: N; id: string; at: string; payload: EventPayload<N> } : never;

export type ReturnEventName = Extract<EventName, `return.${string}`>;
/** A step of a return a customer may be told about: filed, a status entered, the reminder. */
export type ReturnStepEventName = Exclude<ReturnEventName, 'return.updated'>;

/** Every `return.*` event. */
export const returnEventNames = eventNames.filter((n): n is ReturnEventName => n.startsWith('return.'));
/** The steps of a return (every `return.*` event but `return.updated`). */
export const returnStepEventNames = returnEventNames.filter((n): n is ReturnStepEventName => n !== 'return.updated');

/** The event a return entering `status` is; `requested` is the filing. */
export const returnEventOf = (status: (typeof returnStatuses)[number]): ReturnStepEventName => `return.${status}`;

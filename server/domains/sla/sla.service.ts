import { z } from 'zod';
import { type Actor, requireRole } from '../../core/actor.ts';
import { transact, type EventSink } from '../../events/commit.ts';
import type { Db } from '../../core/db/client.ts';
import { DomainError, notFound } from '../../core/errors.ts';
import { enqueue, type OutboxItem } from '../../core/outbox.ts';
import type { ConversationStatus, Priority } from '../conversations/conversations.tables.ts';
import { findShop } from '../shops/shops.repository.ts';
import { roles } from '../shops/shops.tables.ts';
import { defaultCalendar, type BusinessCalendar } from './sla.clock.ts';
import { applySla, breachedInCycle, clockState, type Clock, type Clocks, type SlaEvent, type SlaTargets } from './sla.machine.ts';
import {
  clocksOfMany,
  contextKey,
  complianceCounts,
  findBusinessHours,
  lockClock,
  lockConversation,
  markFired,
  saveClock,
  slaContext,
  type KnownSla,
  type BusinessHoursRow,
  type ClockRow,
  type PolicyRow,
} from './sla.repository.ts';
import { slaMetrics, type SlaMetric } from './sla.tables.ts';

export { slaStateCondition, type SlaFilterState } from './sla.repository.ts';

/** The outbox topic of the SLA timers; the job runner hands its jobs to runSlaCheck. */
export const SLA_CHECK_TOPIC = 'sla.check';

/** The shop's calendar: its own hours, or Mon–Fri 9–18 with JP holidays, in the shop's zone. */
export async function loadCalendar(db: Db, shopId: string): Promise<BusinessCalendar> {
  const shop = await findShop(db, shopId);
  if (!shop) throw notFound('shop');
  return calendarOf(shop.timezone, await findBusinessHours(db, shopId));
}

function calendarOf(timeZone: string, hours: BusinessHoursRow | undefined): BusinessCalendar {
  if (!hours) return { ...defaultCalendar, timeZone };
  return { timeZone, weekly: hours.weekly, observeJpHolidays: hours.observeJpHolidays, closedDates: hours.closedDates };
}

const targetsOf = (p: PolicyRow | undefined): SlaTargets | null =>
  p
    ? { first_response: p.firstResponseMinutes, next_response: p.nextResponseMinutes, resolution: p.resolutionMinutes, atRiskPercent: p.atRiskPercent }
    : null;

function toClock(r: ClockRow): Clock {
  const { conversationId: _c, shopId: _s, version: _v, ...clock } = r;
  return clock;
}

export interface SlaEventInput {
  shopId: string;
  conversationId: string;
  priority: Priority;
  at: Date;
  event: SlaEvent;
  /** The conversation's status after the change. */
  status: ConversationStatus;
  /**
   * The caller's transaction already holds the conversation's row lock (the chat service
   * always does: it changed the row in it), so it is not taken again.
   */
  locked?: boolean;
}

function timersFor(shopId: string, conversationId: string, c: Clock, version: number): OutboxItem[] {
  if (!c.runningSince || c.metAt) return [];
  const base = { conversationId, metric: c.metric, version };
  const timer = (kind: 'at_risk' | 'breach', runAt: Date): OutboxItem => ({
    shopId,
    topic: SLA_CHECK_TOPIC,
    payload: { ...base, shopId, kind },
    runAt,
    dedupeKey: `sla:${conversationId}:${c.metric}:${version}:${kind}`,
  });
  const items: OutboxItem[] = [];
  if (c.atRiskAt && !c.atRiskFiredAt && !breachedInCycle(c)) items.push(timer('at_risk', c.atRiskAt));
  if (c.dueAt && !breachedInCycle(c)) items.push(timer('breach', c.dueAt));
  return items;
}

/**
 * Moves a conversation's SLA clocks for one event and writes their timers to the outbox.
 * Call it inside the transaction that changes the conversation, so the clocks, the timers
 * and the change commit together.
 *
 * Which event: `created` when a customer opens a conversation (an agent-started one starts
 * its clocks on the customer's first message instead), `customer_message` for every customer
 * message, `agent_reply` for an agent's `text` message (never a note), `status_changed` for a
 * status change. Any event also brings the clocks in line with `status`. Answers how many
 * timers it wrote to the outbox, so the caller wakes the dispatcher only when there are some.
 *
 * @example await applySlaEvent(tx, { shopId, conversationId, priority: 'normal', at: new Date(), event: 'created', status: 'open' })
 */
export async function applySlaEvent(tx: Db, input: SlaEventInput): Promise<number> {
  return applySlaEvents(tx, [input]);
}

/**
 * applySlaEvent for many events at once, in the order given (several may be for one
 * conversation): the clocks of each shop's conversations are read in one query, each shop's
 * calendar and policy once per priority, and each changed clock is saved once, in its last
 * state, with the timers of that state. The chat's group commit writes a batch of messages
 * this way.
 */
export async function applySlaEvents(tx: Db, inputs: SlaEventInput[], known?: KnownSla): Promise<number> {
  const timers: OutboxItem[] = [];
  for (const [shopId, events] of groupBy(inputs, (i) => i.shopId)) {
    for (const e of events) if (!e.locked && !(await lockConversation(tx, shopId, e.conversationId))) throw notFound('conversation');
    const ids = new Set(events.map((e) => e.conversationId));
    const rows = known ? known.clocks.filter((r) => r.shopId === shopId && ids.has(r.conversationId)) : await clocksOfMany(tx, shopId, [...ids]);
    const clocks = new Map<string, { current: Clocks; versions: Partial<Record<SlaMetric, number>>; changed: Set<SlaMetric> }>();
    for (const r of rows) {
      const c = clocks.get(r.conversationId) ?? { current: {}, versions: {}, changed: new Set() };
      c.current[r.metric] = toClock(r);
      c.versions[r.metric] = r.version;
      clocks.set(r.conversationId, c);
    }
    const contexts = new Map<string, { calendar: BusinessCalendar; targets: SlaTargets | null }>();
    for (const e of events) {
      const c = clocks.get(e.conversationId) ?? { current: {}, versions: {}, changed: new Set() };
      clocks.set(e.conversationId, c);
      if (!Object.keys(c.current).length && e.event !== 'created' && e.event !== 'customer_message') continue;
      let context = contexts.get(e.priority);
      if (!context) {
        const found = known?.contexts.get(contextKey(shopId, e.priority)) ?? (await slaContext(tx, shopId, e.priority));
        if (!found) throw notFound('shop');
        context = { calendar: calendarOf(found.timezone, found.hours), targets: targetsOf(found.policy) };
        contexts.set(e.priority, context);
      }
      const changed = applySla(c.current, e.event, { at: e.at, status: e.status, ...context });
      Object.assign(c.current, changed);
      for (const metric of Object.keys(changed) as SlaMetric[]) c.changed.add(metric);
    }
    for (const [conversationId, c] of clocks) {
      for (const metric of c.changed) {
        const clock = c.current[metric]!;
        const version = (c.versions[metric] ?? 0) + 1;
        await saveClock(tx, { ...clock, shopId, conversationId, version });
        timers.push(...timersFor(shopId, conversationId, clock, version));
      }
    }
  }
  await enqueue(tx, timers);
  return timers.length;
}

function groupBy<T>(items: T[], key: (x: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const x of items) {
    const list = out.get(key(x));
    if (list) list.push(x);
    else out.set(key(x), [x]);
  }
  return out;
}

const checkPayload = z.object({
  shopId: z.uuid(),
  conversationId: z.uuid(),
  metric: z.enum(slaMetrics),
  version: z.int(),
  kind: z.enum(['at_risk', 'breach']),
});
export type SlaCheckPayload = z.infer<typeof checkPayload>;

/**
 * The processor of `sla.check` timers. A timer whose clock has moved on since it was set
 * (a new version, met, paused, or already alerted) does nothing, so replays and stale timers
 * are harmless. Says `sla.at_risk` or `sla.breached` in the transaction that marks the clock
 * (its listeners: the console's alert now, Slack next), and `conversation.changed` after the
 * commit for the inbox row's badge.
 */
export async function runSlaCheck(db: Db, sink: EventSink, payload: unknown, now = new Date()): Promise<'fired' | 'stale'> {
  const parsed = checkPayload.safeParse(payload);
  // A malformed job can never succeed: permanent, not retried.
  if (!parsed.success) throw new DomainError('invalid_input', 'sla.check payload is not valid', parsed.error.issues);
  const p = parsed.data;
  const { shopId, conversationId, metric } = p;
  const alert = await transact(db, sink, async (tx, out) => {
    // The conversation first, as every change of its clocks locks it (applySlaEvents): marking
    // the clock rewrites the conversation's SLA summary (a trigger, migration 0036), and taking
    // the clock's lock before the conversation's would deadlock against a chat batch.
    if (!(await lockConversation(tx, shopId, conversationId))) return null;
    const row = await lockClock(tx, p.shopId, p.conversationId, p.metric);
    if (!row || row.version !== p.version || row.metAt || !row.runningSince) return null;
    const clock = toClock(row);
    if (breachedInCycle(clock)) return null;
    if (p.kind === 'at_risk') {
      if (row.atRiskFiredAt) return null;
      await markFired(tx, p.shopId, p.conversationId, p.metric, { atRiskFiredAt: now });
      out.emit('sla.at_risk', { shopId, conversationId, metric, dueAt: (row.dueAt ?? now).toISOString() });
      out.live('conversation.changed', { shopId, conversationId });
      return 'at_risk';
    }
    // Breached when it was due, not when a lagging worker noticed.
    const breachedAt = row.dueAt ?? now;
    await markFired(tx, p.shopId, p.conversationId, p.metric, { breachedAt });
    // The inbox row's badge changes with it.
    out.live('conversation.changed', { shopId, conversationId });
    out.emit('sla.breached', { shopId, conversationId, metric, dueAt: breachedAt.toISOString() });
    return 'breached';
  });
  return alert ? 'fired' : 'stale';
}

export type SlaState = 'ok' | 'at_risk' | 'breached' | 'none';
export interface SlaSummary {
  /** The worst over the conversation's open clocks; 'none' when none is open. */
  state: SlaState;
  /** The soonest moment a running clock is due (ISO), null when none runs. */
  dueAt: string | null;
  /** The metric that is due first (or the worst one), for the badge's label. */
  metric: SlaMetric | null;
}

const rank: Record<SlaState, number> = { none: 0, ok: 1, at_risk: 2, breached: 3 };

/** SLA badges for a page of the inbox: one entry for every id asked for. */
export async function slaSummary(db: Db, shopId: string, conversationIds: string[], now = new Date()): Promise<Map<string, SlaSummary>> {
  return summarizeClocks(conversationIds, await clocksOfMany(db, shopId, conversationIds), now);
}

/** slaSummary over clocks already read; the rules slaBadgeJsonSql (sla.repository.ts) follows in SQL for a list's rows. */
export function summarizeClocks(conversationIds: string[], clocks: ClockRow[], now = new Date()): Map<string, SlaSummary> {
  const out = new Map<string, SlaSummary>(conversationIds.map((id) => [id, { state: 'none', dueAt: null, metric: null }]));
  for (const row of clocks) {
    const s = clockState(toClock(row), now);
    const entry = out.get(row.conversationId);
    if (!entry || s === 'met') continue;
    const due = row.dueAt?.toISOString() ?? null;
    const worse = rank[s] > rank[entry.state];
    const sooner = due !== null && (entry.dueAt === null || due < entry.dueAt);
    if (worse) entry.state = s;
    if (sooner) entry.dueAt = due;
    if (worse || (sooner && rank[s] === rank[entry.state])) entry.metric = row.metric;
  }
  return out;
}

export interface SlaCompliance {
  metric: SlaMetric;
  met: number;
  breached: number;
  /** Share met within target, 0–100 with one decimal; null when nothing finished. */
  percentMet: number | null;
}

/**
 * Per metric, how many clocks finished within target and how many breached, counting
 * those whose outcome (met, or breached) fell in [from, to). A conversation that breached
 * once counts as breached even if a later cycle was met.
 */
export async function slaCompliance(db: Db, shopId: string, from: Date, to: Date): Promise<SlaCompliance[]> {
  const counts = await complianceCounts(db, shopId, from, to);
  return slaMetrics.map((metric) => {
    const row = counts.find((c) => c.metric === metric);
    const met = row?.met ?? 0;
    const breached = row?.breached ?? 0;
    const total = met + breached;
    return { metric, met, breached, percentMet: total ? Math.round((met / total) * 1000) / 10 : null };
  });
}

/** Compliance for the console: every member of the shop may read it. */
export async function readSlaCompliance(db: Db, actor: Actor, from: Date, to: Date): Promise<SlaCompliance[]> {
  requireRole(actor, ...roles);
  return slaCompliance(db, actor.shopId, from, to);
}

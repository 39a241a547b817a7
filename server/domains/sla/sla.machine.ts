import type { ConversationStatus } from '../conversations/conversations.tables.ts';
import { addBusinessMs, businessMsBetween, type BusinessCalendar } from './sla.clock.ts';
import type { SlaMetric } from './sla.tables.ts';

/**
 * The SLA clock rules, with no I/O: given a conversation's clocks and what just happened,
 * which clocks start, pause, resume, are met or restart. The service stores the result.
 */

export interface Clock {
  metric: SlaMetric;
  targetMs: number;
  atRiskPercent: number;
  elapsedMs: number;
  startedAt: Date;
  runningSince: Date | null;
  atRiskAt: Date | null;
  dueAt: Date | null;
  atRiskFiredAt: Date | null;
  /**
   * Kept across restarts so compliance remembers a conversation that breached once; the
   * current cycle counts as breached only when this is not older than `startedAt`.
   */
  breachedAt: Date | null;
  metAt: Date | null;
}

export type Clocks = Partial<Record<SlaMetric, Clock>>;
export type SlaEvent = 'created' | 'customer_message' | 'agent_reply' | 'status_changed';

/** Targets in business minutes, from the shop's policy for the conversation's priority. */
export interface SlaTargets {
  first_response: number | null;
  next_response: number | null;
  resolution: number | null;
  atRiskPercent: number;
}

export interface SlaContext {
  at: Date;
  /** The conversation's status after the event. */
  status: ConversationStatus;
  /** Null when the shop has no policy: running clocks still pause and finish, none start. */
  targets: SlaTargets | null;
  calendar: BusinessCalendar;
}

/** Waiting on someone other than the shop's agents: the clock must not count. */
export const pausedStatuses: readonly ConversationStatus[] = ['pending', 'waiting_merchant', 'snoozed'];
const finished = (s: ConversationStatus) => s === 'resolved' || s === 'closed';

export const breachedInCycle = (c: Clock) => c.breachedAt !== null && c.breachedAt.getTime() >= c.startedAt.getTime();

/** Sets the wall-clock moments for a running clock; clears them for a stopped one. */
function schedule(c: Clock, cal: BusinessCalendar): Clock {
  if (!c.runningSince || c.metAt) return { ...c, atRiskAt: null, dueAt: null };
  const threshold = Math.ceil((c.targetMs * c.atRiskPercent) / 100);
  return {
    ...c,
    dueAt: addBusinessMs(c.runningSince, Math.max(0, c.targetMs - c.elapsedMs), cal),
    atRiskAt: addBusinessMs(c.runningSince, Math.max(0, threshold - c.elapsedMs), cal),
  };
}

/** Banks the business time run so far and stops the clock; a target passed meanwhile is a breach. */
function bank(c: Clock, ctx: SlaContext): Clock {
  if (!c.runningSince) return c;
  const elapsedMs = c.elapsedMs + businessMsBetween(c.runningSince, ctx.at, ctx.calendar);
  // The breach timer normally marks this first; if the worker lagged, the record still says so.
  const breachedAt = elapsedMs > c.targetMs && !breachedInCycle(c) ? (c.dueAt ?? ctx.at) : c.breachedAt;
  return { ...c, elapsedMs, breachedAt, runningSince: null, atRiskAt: null, dueAt: null };
}

function start(metric: SlaMetric, minutes: number, ctx: SlaContext, previous?: Clock): Clock {
  const clock: Clock = {
    metric,
    targetMs: minutes * 60_000,
    atRiskPercent: ctx.targets?.atRiskPercent ?? previous?.atRiskPercent ?? 80,
    elapsedMs: 0,
    startedAt: ctx.at,
    runningSince: ctx.status === 'open' ? ctx.at : null,
    atRiskAt: null,
    dueAt: null,
    atRiskFiredAt: null,
    breachedAt: previous?.breachedAt ?? null,
    metAt: null,
  };
  return schedule(clock, ctx.calendar);
}

const meet = (c: Clock, ctx: SlaContext): Clock => ({ ...bank(c, ctx), metAt: ctx.at });
const unmet = (c: Clock | undefined): c is Clock => !!c && !c.metAt;

/** Starts a clock the policy has a target for, unless one already exists. */
function startIfAbsent(next: Clocks, metric: SlaMetric, ctx: SlaContext): void {
  const minutes = ctx.targets?.[metric];
  if (!next[metric] && minutes) next[metric] = start(metric, minutes, ctx);
}

function onEvent(next: Clocks, event: SlaEvent, ctx: SlaContext): void {
  if (event === 'created') {
    startIfAbsent(next, 'first_response', ctx);
    startIfAbsent(next, 'resolution', ctx);
  } else if (event === 'customer_message') {
    const first = next.first_response;
    const minutes = ctx.targets?.next_response;
    // An agent has answered before when the first response is met or a next-response cycle ran.
    const answeredBefore = (first && first.metAt) || next.next_response;
    if (!first) startIfAbsent(next, 'first_response', ctx);
    else if (answeredBefore && minutes && !unmet(next.next_response)) {
      next.next_response = start('next_response', minutes, ctx, next.next_response);
    }
    startIfAbsent(next, 'resolution', ctx);
  } else if (event === 'agent_reply') {
    for (const metric of ['first_response', 'next_response'] as const) {
      const c = next[metric];
      if (unmet(c)) next[metric] = meet(c, ctx);
    }
  }
}

/** Makes every clock agree with the status, whichever event carried the change. */
function reconcile(next: Clocks, ctx: SlaContext): void {
  const running = ctx.status === 'open';
  for (const metric of Object.keys(next) as SlaMetric[]) {
    const c = next[metric]!;
    if (metric === 'resolution' && finished(ctx.status)) {
      if (!c.metAt) next[metric] = meet(c, ctx);
    } else if (metric === 'resolution' && c.metAt) {
      // Reopened: a fresh resolution cycle, on the targets that apply now.
      const minutes = ctx.targets?.resolution ?? Math.round(c.targetMs / 60_000);
      next[metric] = start('resolution', minutes, ctx, c);
    } else if (c.metAt) {
      continue;
    } else if (running && !c.runningSince) {
      next[metric] = schedule({ ...c, runningSince: ctx.at }, ctx.calendar);
    } else if (!running && c.runningSince) {
      next[metric] = bank(c, ctx);
    }
  }
}

/**
 * Applies one conversation event to its clocks and returns only the clocks that changed
 * (new or updated), so the caller bumps their versions and sets their timers.
 *
 * @example
 * applySla({}, 'created', { at, status: 'open', targets, calendar })
 * // → { first_response: running clock, resolution: running clock }
 */
export function applySla(clocks: Clocks, event: SlaEvent, ctx: SlaContext): Clocks {
  const next: Clocks = { ...clocks };
  onEvent(next, event, ctx);
  reconcile(next, ctx);
  const changed: Clocks = {};
  for (const metric of Object.keys(next) as SlaMetric[]) {
    if (next[metric] !== clocks[metric]) changed[metric] = next[metric];
  }
  return changed;
}

export type ClockState = 'met' | 'breached' | 'at_risk' | 'ok';

/** What the inbox shows for one clock at `now`; the timers may lag, so the times count too. */
export function clockState(c: Clock, now: Date): ClockState {
  if (c.metAt) return 'met';
  const t = now.getTime();
  if (breachedInCycle(c) || (c.dueAt && c.dueAt.getTime() <= t)) return 'breached';
  if (c.atRiskFiredAt || (c.atRiskAt && c.atRiskAt.getTime() <= t)) return 'at_risk';
  return 'ok';
}

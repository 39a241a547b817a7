import type { Db } from '../../core/db/client.ts';
import type { Logger } from '../../core/logger.ts';
import { failedSince } from '../../core/outbox.ts';
import { objectOfPayload, type EventPayload } from '../../events/catalog.ts';
import { transact, type EventSink } from '../../events/commit.ts';
import { deferredMailOf } from '../maillog/maillog.repository.ts';
import { SLACK_ALERT_RETRY_TOPIC } from '../slack/slack.alerts.service.ts';
import { claimTroubleAlert } from './trouble.repository.ts';

/**
 * System trouble, said as the shop-scoped domain event `system.trouble` (never a call to
 * Slack): its listeners (the Slack alert `system_trouble`) tell the shop. Noted by the job
 * worker (server/worker.ts) when a job fails for good or a mail is deferred; told at most once
 * per shop and kind every TROUBLE_EVERY_MS, recorded in PostgreSQL so a restart tells nothing again.
 */

/** A shop is told of the same kind of trouble at most this often. */
export const TROUBLE_EVERY_MS = 30 * 60_000;
/** The failed jobs an alert counts: those of the last hour. */
export const FAILED_WINDOW_MS = 60 * 60_000;

export interface TroubleDeps {
  db: Db;
  sink: EventSink;
  /** How long the mail server must have been deferring the shop's mail before the shop is told (TROUBLE_MAIL_AWAY_SECONDS). */
  mailAwayMs: number;
  logger?: Logger;
  now?: () => Date;
}

/**
 * The topics of the Slack alerts themselves (their listeners `slack-*`, the console's retry) and
 * of the trouble event's own listeners: their failures are never trouble to tell, or a Slack
 * outage would alert about Slack alerts failing, for ever.
 */
export function isSlackTopic(topic: string): boolean {
  if (topic === SLACK_ALERT_RETRY_TOPIC || topic.startsWith('slack.')) return true;
  const [event, listener] = topic.split('>');
  return event === 'system.trouble' || Boolean(listener?.startsWith('slack-'));
}

type Trouble = Omit<EventPayload<'system.trouble'>, 'shopId'>;

/** Says `trouble` for the shop unless it was said for `key` within TROUBLE_EVERY_MS; true when said. */
async function tell(deps: TroubleDeps, shopId: string, key: string, now: Date, trouble: Trouble): Promise<boolean> {
  const told = await transact(deps.db, deps.sink, async (tx, out) => {
    if (!(await claimTroubleAlert(tx, shopId, key, now, TROUBLE_EVERY_MS))) return false;
    out.emit('system.trouble', { shopId, ...trouble }, { at: now });
    return true;
  });
  if (told) deps.logger?.warn({ shopId, ...trouble }, 'system trouble: the shop is told');
  return told;
}

/**
 * A job failed for good (its outbox row is marked failed): the shop is told how many of its
 * jobs failed for good in the last hour, since when, and which one did now. Jobs of no shop
 * (the daily upkeep) and Slack's own are not told.
 *
 * @example
 * await noteJobFailed(deps, { topic: job.name, data: job.data });
 */
export async function noteJobFailed(deps: TroubleDeps, job: { topic: string; data: Record<string, unknown> }): Promise<boolean> {
  const shopId = job.data.shopId;
  if (typeof shopId !== 'string' || isSlackTopic(job.topic)) return false;
  const now = deps.now?.() ?? new Date();
  const failed = (await failedSince(deps.db, shopId, new Date(now.getTime() - FAILED_WINDOW_MS))).filter((f) => !isSlackTopic(f.topic));
  const count = failed.reduce((n, f) => n + f.count, 0);
  // Its row was not recorded failed (a job left from another database): nothing of this shop's failed.
  if (!count) return false;
  const since = new Date(Math.min(...failed.map((f) => f.first.getTime())));
  const object = objectOfPayload(job.data);
  return tell(deps, shopId, 'jobs_failing', now, { kind: 'jobs_failing', topic: job.topic.slice(0, 200), count, since: since.toISOString(), ...(object ? { object } : {}) });
}

/**
 * A mail of the shop was deferred (the mail server refused it for now, or could not be
 * reached): when the shop's mail has been waiting for `mailAwayMs` and none has gone out since,
 * the shop is told that its customers' mail is not going out. One recipient's server deferring
 * (greylisting) while other mail goes is not told.
 */
export async function noteMailDeferred(deps: TroubleDeps, shopId: string): Promise<boolean> {
  const now = deps.now?.() ?? new Date();
  const waiting = await deferredMailOf(deps.db, shopId, now);
  if (!waiting.oldest || waiting.sentSince || now.getTime() - waiting.oldest.getTime() < deps.mailAwayMs) return false;
  return tell(deps, shopId, 'dependency_down:mail', now, { kind: 'dependency_down', dependency: 'mail', count: waiting.count, since: waiting.oldest.toISOString() });
}

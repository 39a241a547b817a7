import { DelayedError, type Job } from 'bullmq';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../core/logger.ts';
import { markChannel, markConnectionBroken, slackClientFor, slackProblem, type SlackDeps } from './slack.client.ts';
import {
  claimRoot,
  earlierPending,
  findAlert,
  takeChannelTurn,
  markPosted,
  markSending,
  markUndelivered,
  markUpdatedInPlace,
  noteFailure,
  postedRoots,
  threadRoot,
  type SlackAlertRow,
} from './slack.alerts.repository.ts';
import type { SlackAlertObject } from './slack.alerts.tables.ts';
import type { SlackMessage } from '../../../bots/slack/blocks/text.ts';

/** What the alert jobs use: Slack's connection and client (slack.client.ts), the console's address for links, a log. */
export interface AlertDeps extends SlackDeps {
  baseUrl: string;
  logger?: Logger;
}

/** Builds an alert's message from its row, reading the shop's data now; undefined when its object is gone. */
export type RenderAlert = (deps: AlertDeps, row: SlackAlertRow) => Promise<SlackMessage | undefined>;

/** How long a job waits, without spending a try, for an earlier alert of its object or its thread's first message. */
const WAIT_FOR_TURN_MS = 1000;

/**
 * The pace of posts to one channel: Slack takes about one message a second per channel (short
 * bursts allowed, then 429). A post that would come sooner waits its turn without spending a
 * try (takeChannelTurn decides in one statement, so two jobs at once never both post).
 */
export const CHANNEL_GAP_MS = 1000;

/** Metadata on every posted alert: a run that lost the post's answer (a crash) finds the message by it instead of posting again. */
const METADATA_TYPE = 'madoguchi_alert';

/**
 * Tries again after `ms` without spending one of the job's tries: the job moves itself to
 * BullMQ's delayed set (as BullMQ documents for rate limits; the outbox ledger lets a
 * DelayedError pass, see isFinalFailure). Without a job (run inline) it is an ordinary retry.
 */
async function later(job: Job | undefined, ms: number, why: string): Promise<never> {
  if (job?.token) {
    await job.moveToDelayed(Date.now() + ms, job.token);
    throw new DelayedError(why);
  }
  throw new Error(why);
}

const isLastTry = (job: Job | undefined) => !job || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);

/**
 * Posts alert `row` once, in order per object, in its object's thread:
 *
 * - posted already (a job run again): nothing;
 * - an earlier alert of the same object and channel still owed: waits for it (order per object);
 * - the object's thread has a first message: replies in it; none yet: claims that place (one
 *   per object and channel, by a unique index) and posts at the top, or waits while another
 *   alert holds the place and is still being posted;
 * - a post that may have gone through before its answer was recorded (a crash, a hang-up) is
 *   looked up by its metadata before posting again (conversations.history / replies; without
 *   that scope the narrow window stays: a process dying between Slack's answer and the record
 *   posts the alert again);
 * - Slack's 429: waits its Retry-After, no try spent; 5xx or unreachable: retried with backoff
 *   (slackAlertRetry), `undelivered` after the last try; a token Slack refuses: the connection
 *   is marked broken and the alert undelivered, no retry; a channel Slack refuses: the channel
 *   is marked and the alert undelivered; anything else Slack refuses: undelivered.
 */
export async function deliverAlert(deps: AlertDeps, render: RenderAlert, shopId: string, id: string, job?: Job): Promise<string> {
  const row = await findAlert(deps.db, shopId, id);
  if (!row || row.status !== 'pending') return 'nothing owed';
  const slack = await slackClientFor(deps, shopId);
  if (!slack) {
    await markUndelivered(deps.db, shopId, id, 'not_connected');
    return 'not connected';
  }
  if (slack.connection.status === 'broken') {
    await markUndelivered(deps.db, shopId, id, `connection broken: ${slack.connection.brokenReason ?? 'unknown'}`);
    return 'connection broken';
  }
  if (await earlierPending(deps.db, row)) return later(job, WAIT_FOR_TURN_MS, 'an earlier alert about the same object is not posted yet');
  let root = await threadRoot(deps.db, row);
  if (!root) {
    if (!(await claimRoot(deps.db, shopId, id))) return later(job, WAIT_FOR_TURN_MS, 'another alert is opening this thread');
    root = { ...row, root: true };
  }
  if (root.id !== row.id && root.status !== 'posted') return later(job, WAIT_FOR_TURN_MS, 'the thread’s first message is not posted yet');
  const threadTs = root.id === row.id ? undefined : root.ts!;

  const message = await render(deps, row);
  if (!message) {
    await markUndelivered(deps.db, shopId, id, 'object_gone');
    return 'object gone';
  }
  if (row.sendingAt) {
    const found = await findPostedEarlier(slack.client, row, threadTs);
    if (found) {
      await markPosted(deps.db, shopId, id, found, threadTs ?? null);
      return 'found posted';
    }
  }
  const turn = await takeChannelTurn(deps.db, shopId, row.channelId, CHANNEL_GAP_MS);
  if (turn.waitMs) return later(job, Math.max(50, turn.waitMs), 'the channel’s pace: one post a second');
  await markSending(deps.db, shopId, id, turn.at);
  let ts: string;
  try {
    const answer = await slack.client.chat.postMessage({
      channel: row.channelId,
      text: message.text,
      blocks: message.blocks,
      unfurl_links: false,
      unfurl_media: false,
      metadata: { event_type: METADATA_TYPE, event_payload: { alert_id: row.id } },
      ...(threadTs ? { thread_ts: threadTs } : {}),
    });
    ts = String(answer.ts);
  } catch (e) {
    return failed(deps, row, e, job);
  }
  await markPosted(deps.db, shopId, id, ts, threadTs ?? null);
  return threadTs ? 'replied in thread' : 'posted';
}

/** The message a post that lost its answer left, by its metadata; undefined when not found or the look-up is not allowed (the post is then tried again). */
async function findPostedEarlier(client: WebClient, row: SlackAlertRow, threadTs: string | undefined): Promise<string | undefined> {
  const oldest = String(Math.floor(row.sendingAt!.getTime() / 1000) - 5);
  try {
    const answer = threadTs
      ? await client.conversations.replies({ channel: row.channelId, ts: threadTs, oldest, include_all_metadata: true, limit: 200 })
      : await client.conversations.history({ channel: row.channelId, oldest, include_all_metadata: true, limit: 200 });
    const hit = answer.messages?.find((m) => m.metadata?.event_type === METADATA_TYPE && (m.metadata.event_payload as { alert_id?: unknown } | undefined)?.alert_id === row.id);
    return hit?.ts;
  } catch {
    return undefined;
  }
}

async function failed(deps: AlertDeps, row: SlackAlertRow, e: unknown, job: Job | undefined): Promise<never | string> {
  const p = slackProblem(e);
  const { db } = deps;
  switch (p.kind) {
    case 'rate_limited':
      await noteFailure(db, row.shopId, row.id, `rate_limited: retry after ${p.retryAfterMs} ms`, false);
      return later(job, p.retryAfterMs, `Slack asked to wait ${p.retryAfterMs} ms`);
    case 'connection':
      await markConnectionBroken(db, row.shopId, p.code);
      await markUndelivered(db, row.shopId, row.id, p.code);
      deps.logger?.warn({ shopId: row.shopId, code: p.code }, 'slack: the token no longer works; the connection is marked broken');
      return 'connection broken';
    case 'channel':
      await markChannel(db, row.shopId, row.channelId, p.code);
      await markUndelivered(db, row.shopId, row.id, p.code);
      return 'channel broken';
    case 'refused':
      await markUndelivered(db, row.shopId, row.id, p.code);
      return 'refused';
    case 'unavailable':
      // A hang-up may come after Slack took the post: the next run looks for it first.
      await noteFailure(db, row.shopId, row.id, p.code, true);
      if (isLastTry(job)) await markUndelivered(db, row.shopId, row.id, p.code);
      throw new Error(`Slack is unavailable (${p.code})`);
  }
}

/**
 * The first messages of an object's threads, updated in place (chat.update) with the object as
 * it is now: a return decided in the console loses its buttons and says who decided and when.
 * Idempotent: the message is rebuilt from the current data each time.
 */
export async function updateInPlace(deps: AlertDeps, render: RenderAlert, shopId: string, objectType: SlackAlertObject, objectId: string, job?: Job): Promise<number> {
  const roots = await postedRoots(deps.db, shopId, objectType, objectId);
  if (!roots.length) return 0;
  const slack = await slackClientFor(deps, shopId);
  if (!slack || slack.connection.status === 'broken') return 0;
  let updated = 0;
  for (const root of roots) {
    const message = await render(deps, root);
    if (!message) continue;
    try {
      await slack.client.chat.update({ channel: root.channelId, ts: root.ts!, text: message.text, blocks: message.blocks });
    } catch (e) {
      const p = slackProblem(e);
      if (p.kind === 'rate_limited') return later(job, p.retryAfterMs, `Slack asked to wait ${p.retryAfterMs} ms`);
      if (p.kind === 'unavailable') throw new Error(`Slack is unavailable (${p.code})`);
      if (p.kind === 'connection') {
        await markConnectionBroken(deps.db, shopId, p.code);
        return updated;
      }
      if (p.kind === 'channel') await markChannel(deps.db, shopId, root.channelId, p.code);
      // A message deleted in Slack, or a channel gone: nothing left to update there.
      continue;
    }
    await markUpdatedInPlace(deps.db, shopId, root.id);
    updated++;
  }
  return updated;
}

import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { sqlState } from '../../core/db/errors.ts';
import { slackAlerts, type SlackAlertObject, type SlackAlertStatus } from './slack.alerts.tables.ts';
import { slackChannels } from './slack.tables.ts';
import type { SlackAlertKind } from './slack.model.ts';

export type SlackAlertRow = typeof slackAlerts.$inferSelect;

export interface NewAlert {
  shopId: string;
  kind: SlackAlertKind;
  eventName: string;
  eventId: string;
  eventAt: Date;
  event: Record<string, unknown>;
  objectType: SlackAlertObject;
  objectId: string;
  channelId: string;
}

/** The row of an event's alert in a channel: written once, found again by a job run twice. */
export async function recordAlert(db: Db, a: NewAlert): Promise<SlackAlertRow> {
  const dedupeKey = `${a.eventId}:${a.channelId}`;
  const { eventId: _id, ...rest } = a;
  await db.insert(slackAlerts).values({ ...rest, dedupeKey }).onConflictDoNothing({ target: slackAlerts.dedupeKey });
  const [row] = await db.select().from(slackAlerts).where(and(eq(slackAlerts.shopId, a.shopId), eq(slackAlerts.dedupeKey, dedupeKey)));
  return row!;
}

export async function findAlert(db: Db, shopId: string, id: string): Promise<SlackAlertRow | undefined> {
  const [row] = await db.select().from(slackAlerts).where(and(eq(slackAlerts.shopId, shopId), eq(slackAlerts.id, id)));
  return row;
}

const sameThread = (r: SlackAlertRow) =>
  and(eq(slackAlerts.shopId, r.shopId), eq(slackAlerts.objectType, r.objectType), eq(slackAlerts.objectId, r.objectId), eq(slackAlerts.channelId, r.channelId));

/** An alert of the same object and channel from an earlier event that is still owed: `r` waits for it (order per object). */
export async function earlierPending(db: Db, r: SlackAlertRow): Promise<SlackAlertRow | undefined> {
  const [row] = await db
    .select()
    .from(slackAlerts)
    .where(and(sameThread(r), eq(slackAlerts.status, 'pending'), sql`(${slackAlerts.eventAt}, ${slackAlerts.seq}) < (select event_at, seq from slack_alerts where id = ${r.id})`))
    .limit(1);
  return row;
}

/** The first message of the object's thread in the channel (posted or being posted), if any. */
export async function threadRoot(db: Db, r: Pick<SlackAlertRow, 'shopId' | 'objectType' | 'objectId' | 'channelId'>): Promise<SlackAlertRow | undefined> {
  const [row] = await db
    .select()
    .from(slackAlerts)
    .where(and(eq(slackAlerts.shopId, r.shopId), eq(slackAlerts.objectType, r.objectType), eq(slackAlerts.objectId, r.objectId), eq(slackAlerts.channelId, r.channelId), eq(slackAlerts.root, true)));
  return row;
}

/**
 * Makes `id` the first message of its object's thread in its channel; false when another
 * alert holds that place (the unique index on roots is the lock: two quick events never open
 * two threads).
 */
export async function claimRoot(db: Db, shopId: string, id: string): Promise<boolean> {
  try {
    await db.transaction(async (tx) => {
      await tx.update(slackAlerts).set({ root: true, updatedAt: new Date() }).where(and(eq(slackAlerts.shopId, shopId), eq(slackAlerts.id, id)));
    });
    return true;
  } catch (e) {
    if (sqlState(e) === '23505') return false;
    throw e;
  }
}

/** The roots of an object's threads that were posted, in every channel: what chat.update changes when the object moves on. */
export async function postedRoots(db: Db, shopId: string, objectType: SlackAlertObject, objectId: string): Promise<SlackAlertRow[]> {
  return db
    .select()
    .from(slackAlerts)
    .where(and(eq(slackAlerts.shopId, shopId), eq(slackAlerts.objectType, objectType), eq(slackAlerts.objectId, objectId), eq(slackAlerts.root, true), eq(slackAlerts.status, 'posted')));
}

/**
 * Takes the channel's next turn to post: at most one post per `gapMs` per shop and channel,
 * decided in one statement (two jobs at once cannot both take it). Answers `waitMs` 0 and the
 * turn's time when taken, else how long until the turn comes.
 */
export async function takeChannelTurn(db: Db, shopId: string, channelId: string, gapMs: number): Promise<{ waitMs: number; at: Date }> {
  const now = new Date();
  const taken = await db
    .insert(slackChannels)
    .values({ shopId, channelId, lastPostAt: now })
    .onConflictDoUpdate({
      target: [slackChannels.shopId, slackChannels.channelId],
      set: { lastPostAt: now },
      setWhere: sql`${slackChannels.lastPostAt} is null or ${slackChannels.lastPostAt} <= ${new Date(now.getTime() - gapMs).toISOString()}::timestamptz`,
    })
    .returning({ at: slackChannels.lastPostAt });
  if (taken.length) return { waitMs: 0, at: now };
  const [row] = await db.select({ at: slackChannels.lastPostAt }).from(slackChannels).where(and(eq(slackChannels.shopId, shopId), eq(slackChannels.channelId, channelId)));
  return { waitMs: Math.max(1, (row?.at?.getTime() ?? now.getTime()) + gapMs - now.getTime()), at: now };
}

/**
 * About to post: one more attempt, and a mark that a post may be on its way (looked for before
 * posting again). `at`: the channel's turn it took (takeChannelTurn), so that the sends of one
 * channel are stamped at least the gap apart, as the turns were taken.
 */
export async function markSending(db: Db, shopId: string, id: string, at: Date): Promise<void> {
  await db
    .update(slackAlerts)
    .set({ attempts: sql`${slackAlerts.attempts} + 1`, sendingAt: at, updatedAt: new Date() })
    .where(and(eq(slackAlerts.shopId, shopId), eq(slackAlerts.id, id)));
}

export async function markPosted(db: Db, shopId: string, id: string, ts: string, threadTs: string | null): Promise<void> {
  const now = new Date();
  await db
    .update(slackAlerts)
    .set({ status: 'posted', ts, threadTs, postedAt: now, lastError: null, updatedAt: now })
    .where(and(eq(slackAlerts.shopId, shopId), eq(slackAlerts.id, id), eq(slackAlerts.status, 'pending')));
}

/** Still owed after a failure: what went wrong; `sent: false` when Slack surely did not take the post (its answer said so). */
export async function noteFailure(db: Db, shopId: string, id: string, error: string, sent: boolean): Promise<void> {
  await db
    .update(slackAlerts)
    .set({ lastError: error.slice(0, 500), updatedAt: new Date(), ...(sent ? {} : { sendingAt: null }) })
    .where(and(eq(slackAlerts.shopId, shopId), eq(slackAlerts.id, id)));
}

/** Given up: the console lists it with a retry. It no longer holds its thread's first place, so a later alert of the object may open the thread. */
export async function markUndelivered(db: Db, shopId: string, id: string, error: string): Promise<void> {
  await db
    .update(slackAlerts)
    .set({ status: 'undelivered', root: false, lastError: error.slice(0, 500), updatedAt: new Date() })
    .where(and(eq(slackAlerts.shopId, shopId), eq(slackAlerts.id, id), eq(slackAlerts.status, 'pending')));
}

/** An undelivered alert owed again (the console's retry); false when it is not undelivered (posted meanwhile, or retried already). */
export async function markRetried(db: Db, shopId: string, id: string): Promise<boolean> {
  const rows = await db
    .update(slackAlerts)
    .set({ status: 'pending', attempts: 0, updatedAt: new Date() })
    .where(and(eq(slackAlerts.shopId, shopId), eq(slackAlerts.id, id), eq(slackAlerts.status, 'undelivered')))
    .returning({ id: slackAlerts.id });
  return rows.length > 0;
}

/**
 * Moves an owed alert to another channel (the route was changed since it was recorded): its
 * dedupe key follows (`<event id>:<channel id>`). False when the event already has an alert in
 * that channel.
 */
export async function moveAlertToChannel(db: Db, row: SlackAlertRow, channelId: string): Promise<boolean> {
  const eventId = row.dedupeKey.slice(0, row.dedupeKey.length - row.channelId.length - 1);
  const dedupeKey = `${eventId}:${channelId}`;
  const [taken] = await db.select({ id: slackAlerts.id }).from(slackAlerts).where(eq(slackAlerts.dedupeKey, dedupeKey));
  if (taken) return false;
  await db
    .update(slackAlerts)
    .set({ channelId, dedupeKey, root: false, ts: null, threadTs: null, sendingAt: null, updatedAt: new Date() })
    .where(and(eq(slackAlerts.shopId, row.shopId), eq(slackAlerts.id, row.id)));
  return true;
}

export async function markUpdatedInPlace(db: Db, shopId: string, id: string): Promise<void> {
  await db.update(slackAlerts).set({ updatedInPlaceAt: new Date(), updatedAt: new Date() }).where(and(eq(slackAlerts.shopId, shopId), eq(slackAlerts.id, id)));
}

/** The shop's alerts, newest first, of one status or all. */
export async function listAlerts(db: Db, shopId: string, status: SlackAlertStatus | undefined, limit = 200): Promise<SlackAlertRow[]> {
  return db
    .select()
    .from(slackAlerts)
    .where(and(eq(slackAlerts.shopId, shopId), status ? eq(slackAlerts.status, status) : undefined))
    .orderBy(desc(slackAlerts.createdAt))
    .limit(limit);
}

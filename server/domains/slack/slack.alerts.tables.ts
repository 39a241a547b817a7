import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { shops } from '../shops/shops.tables.ts';
import type { SlackAlertKind } from './slack.model.ts';

export const slackAlertStatuses = ['pending', 'posted', 'undelivered'] as const;
export type SlackAlertStatus = (typeof slackAlertStatuses)[number];
export const slackAlertObjects = ['return', 'conversation', 'notice', 'system'] as const;
export type SlackAlertObject = (typeof slackAlertObjects)[number];

/**
 * Every alert madoguchi posts (or owes) to a shop's Slack channel, one row per event and
 * channel (`dedupe_key`): written `pending` before the post, so a job run again finds it and
 * never posts twice; `posted` with the message's `ts` (for chat.update and thread replies);
 * `undelivered` when Slack kept refusing or failing (the console lists it, with a retry).
 *
 * The first alert of an object in a channel opens its thread: it is the row with `root` set,
 * at most one per (shop, object, channel) by a unique index, which is the lock that keeps two
 * quick events from opening two threads. Later alerts of the object reply in that thread.
 */
export const slackAlerts = pgTable(
  'slack_alerts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Insertion order: breaks ties between events of the same instant (a return filed straight into review). */
    seq: bigint('seq', { mode: 'number' }).notNull().generatedAlwaysAsIdentity(),
    shopId: uuid('shop_id')
      .notNull()
      .references(() => shops.id, { onDelete: 'cascade' }),
    /** `<event id>:<channel id>`: one post per event and channel, whatever the job's runs. */
    dedupeKey: text('dedupe_key').notNull(),
    kind: text('kind').$type<SlackAlertKind>().notNull(),
    /** The domain event it says, with its payload (ids only, never personal data): the message is built again from it on a retry. */
    eventName: text('event_name').notNull(),
    eventAt: timestamp('event_at', { withTimezone: true }).notNull(),
    event: jsonb('event').$type<Record<string, unknown>>().notNull(),
    objectType: text('object_type').$type<SlackAlertObject>().notNull(),
    objectId: text('object_id').notNull(),
    channelId: text('channel_id').notNull(),
    /** The thread's first message of its object in its channel (see above). */
    root: boolean('root').notNull().default(false),
    ts: text('ts'),
    /** The thread it replied in (the root's ts); null for a root. */
    threadTs: text('thread_ts'),
    status: text('status').$type<SlackAlertStatus>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    /** A post was sent and its answer may be lost (a crash): the next run looks for it before posting again. */
    sendingAt: timestamp('sending_at', { withTimezone: true }),
    postedAt: timestamp('posted_at', { withTimezone: true }),
    /** The root's last chat.update (its object changed). */
    updatedInPlaceAt: timestamp('updated_in_place_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('slack_alerts_dedupe_key').on(t.dedupeKey),
    uniqueIndex('slack_alerts_root_key').on(t.shopId, t.objectType, t.objectId, t.channelId).where(sql`${t.root}`),
    index('slack_alerts_object_idx').on(t.shopId, t.objectType, t.objectId, t.channelId, t.eventAt),
    index('slack_alerts_shop_status_idx').on(t.shopId, t.status, t.createdAt),
    check('slack_alerts_status_check', sql`${t.status} in ('pending', 'posted', 'undelivered')`),
  ],
);

import { sql } from 'drizzle-orm';
import { boolean, check, index, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { shops, users } from '../shops/shops.tables.ts';
import type { SlackAlertKind, SlackConnectionStatus, SlackConnectionVia, SlackLinkVia } from './slack.model.ts';

/**
 * A shop's Slack connection: one per shop (a workspace may serve several shops). Its bot token,
 * and for a pasted app its signing secret, are sealed (core/sealed.ts, bound to the shop) and
 * never leave the server.
 */
export const slackConnections = pgTable(
  'slack_connections',
  {
    shopId: uuid('shop_id')
      .primaryKey()
      .references(() => shops.id, { onDelete: 'cascade' }),
    teamId: text('team_id').notNull(),
    teamName: text('team_name'),
    enterpriseId: text('enterprise_id'),
    appId: text('app_id'),
    botUserId: text('bot_user_id').notNull(),
    botId: text('bot_id'),
    via: text('via').$type<SlackConnectionVia>().notNull(),
    /** seal(token, `slack-token:<shopId>`). */
    botTokenSealed: text('bot_token_sealed').notNull(),
    /** A pasted app's signing secret, seal(secret, `slack-signing:<shopId>`); null: the deployment's app (SLACK_SIGNING_SECRET). */
    signingSecretSealed: text('signing_secret_sealed'),
    scopes: text('scopes').array().notNull().default(sql`'{}'::text[]`),
    /** Where alerts go unless a route says otherwise. */
    defaultChannelId: text('default_channel_id'),
    installedBy: uuid('installed_by').references(() => users.id, { onDelete: 'set null' }),
    status: text('status').$type<SlackConnectionStatus>().notNull().default('ok'),
    /** Slack's error code that broke it (`token_revoked`, …). */
    brokenReason: text('broken_reason'),
    brokenAt: timestamp('broken_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('slack_connections_team_idx').on(t.teamId),
    check('slack_connections_via_check', sql`${t.via} in ('oauth', 'token')`),
    check('slack_connections_status_check', sql`${t.status} in ('ok', 'broken')`),
  ],
);

/** The channels a shop's alerts go to, with what Slack last said of each (a channel archived or the bot removed breaks it). */
export const slackChannels = pgTable(
  'slack_channels',
  {
    shopId: uuid('shop_id')
      .notNull()
      .references(() => shops.id, { onDelete: 'cascade' }),
    channelId: text('channel_id').notNull(),
    name: text('name'),
    /** Slack's error code (`channel_not_found`, `not_in_channel`, `is_archived`); null: fine as far as we know. */
    brokenReason: text('broken_reason'),
    brokenAt: timestamp('broken_at', { withTimezone: true }),
    /** When the last alert was handed to Slack here: the channel's pace (one post a second, slack.alerts.ts). */
    lastPostAt: timestamp('last_post_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.shopId, t.channelId] })],
);

/** Per shop and alert kind: the channel it goes to (null: the connection's default channel), or muted. No row: default channel, not muted. */
export const slackRoutes = pgTable(
  'slack_routes',
  {
    shopId: uuid('shop_id')
      .notNull()
      .references(() => shops.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<SlackAlertKind>().notNull(),
    channelId: text('channel_id'),
    muted: boolean('muted').notNull().default(false),
    updatedBy: uuid('updated_by').references(() => users.id, { onDelete: 'set null' }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.shopId, t.kind] })],
);

/** A madoguchi person of a shop linked to a Slack person of the shop's workspace: what they do from Slack is done as them, with their role in the shop now. */
export const slackUserLinks = pgTable(
  'slack_user_links',
  {
    shopId: uuid('shop_id')
      .notNull()
      .references(() => shops.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    teamId: text('team_id').notNull(),
    slackUserId: text('slack_user_id').notNull(),
    via: text('via').$type<SlackLinkVia>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.shopId, t.userId] }),
    uniqueIndex('slack_user_links_slack_key').on(t.shopId, t.teamId, t.slackUserId),
    check('slack_user_links_via_check', sql`${t.via} in ('email', 'confirmed')`),
  ],
);

/**
 * What Slack sent that was acted on, by its own id (an event's `event_id`, an interaction's
 * team + action ts + user, a command's trigger id): a retry (`x-slack-retry-num`) or a replay
 * finds its key and does nothing. Pruned after a few days (Slack retries within minutes).
 */
export const slackIncoming = pgTable('slack_incoming', {
  key: text('key').primaryKey(),
  teamId: text('team_id'),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
});

import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { shops } from '../shops/shops.tables.ts';
import { campaignStatuses, recipientStatuses, type CampaignChannels, type CampaignStatus, type CampaignTarget, type RecipientStatus, type StartFailure } from './notices.campaigns.model.ts';

const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(', '));

/**
 * A delay notice sent to the customers of the orders it targets, shown as a banner, or both.
 * `version` is the optimistic lock every change names; `template_version_id` is the shop's
 * copy of the wording it is published with (null: the built-in wording of its type), kept as
 * it was, so a later edit of the template never changes a notice already out.
 */
export const noticeCampaigns = pgTable(
  'notice_campaigns',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    shopId: uuid('shop_id')
      .notNull()
      .references(() => shops.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    type: text('type').notNull(),
    templateVersionId: uuid('template_version_id'),
    variables: jsonb('variables').$type<Record<string, unknown>>().notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }),
    channels: jsonb('channels').$type<CampaignChannels>().notNull(),
    target: jsonb('target').$type<CampaignTarget>().notNull(),
    status: text('status').$type<CampaignStatus>().notNull().default('draft'),
    version: integer('version').notNull().default(1),
    /** Recipients written when sending began; null before (the audience is computed then, not at publication). */
    total: integer('total'),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    /**
     * Why a scheduled notice did not begin at its start (checked again then: a next update
     * already past, an end passed, a target that reaches nobody now): it went back to draft with
     * these reasons, shown in the console until it is published again. Null otherwise.
     */
    startFailure: jsonb('start_failure').$type<StartFailure>(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('notice_campaigns_shop_created_idx').on(t.shopId, t.createdAt),
    index('notice_campaigns_status_idx').on(t.status),
    check('notice_campaigns_status_check', sql`${t.status} in (${inList(campaignStatuses)})`),
    check('notice_campaigns_window_check', sql`${t.endsAt} is null or ${t.endsAt} > ${t.startsAt}`),
  ],
);

/**
 * One customer of one campaign: one address (lower-cased), the orders of theirs it concerns,
 * and what became of their mail. All of a campaign's rows are written before anything is
 * sent; they are the record of the work, so a Redis that loses the queue loses nothing.
 * `chunk` groups rows into the bulk queue's jobs (notices.send.ts).
 */
export const noticeRecipients = pgTable(
  'notice_recipients',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    shopId: uuid('shop_id')
      .notNull()
      .references(() => shops.id, { onDelete: 'cascade' }),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => noticeCampaigns.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    customerName: text('customer_name').notNull(),
    orderNumbers: text('order_numbers').array().notNull(),
    chunk: integer('chunk').notNull(),
    status: text('status').$type<RecipientStatus>().notNull().default('queued'),
    reason: text('reason'),
    messageId: text('message_id'),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('notice_recipients_campaign_email_key').on(t.campaignId, t.email),
    index('notice_recipients_campaign_status_chunk_idx').on(t.campaignId, t.status, t.chunk),
    index('notice_recipients_shop_idx').on(t.shopId),
    check('notice_recipients_status_check', sql`${t.status} in (${inList(recipientStatuses)})`),
  ],
);

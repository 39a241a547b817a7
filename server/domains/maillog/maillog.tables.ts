import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { shops } from '../shops/shops.tables.ts';

import type { MailKind, MailStatus, SuppressionReason } from './maillog.model.ts';

export { mailKinds, mailStatuses, suppressionReasons, type MailKind, type MailStatus, type SuppressionReason } from './maillog.model.ts';

/** The most of a DSN kept for the agent: a report is a few KiB; a bounce that quotes a whole mail with its attachments is cut. */
export const RAW_REPORT_MAX = 64 * 1024;

/**
 * Every mail madoguchi sends, one row per message and recipient: what it was about, what the
 * mail server answered, and what became of it later (a DSN). The objects it concerns are kept
 * as plain ids, not foreign keys: the log outlives a deleted conversation or campaign, and it
 * is the proof of what was sent when.
 */
export const mailLog = pgTable(
  'mail_log',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    shopId: uuid('shop_id')
      .notNull()
      .references(() => shops.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<MailKind>().notNull(),
    conversationId: uuid('conversation_id'),
    orderNumber: text('order_number'),
    /** Every order a mail is about, when it is about several (a notice lists each of the customer's orders): the history of each shows it. */
    orderNumbers: text('order_numbers').array(),
    returnId: uuid('return_id'),
    campaignId: uuid('campaign_id'),
    invitationId: uuid('invitation_id'),
    recipient: text('recipient').notNull(),
    subject: text('subject').notNull(),
    /** With its angle brackets, as in the header: `<…@…>`. */
    messageId: text('message_id').notNull(),
    bulk: boolean('bulk').notNull().default(false),
    status: text('status').$type<MailStatus>().notNull().default('queued'),
    /** Why a mail was not sent or not delivered, in words (suppressed: the suppression's reason). */
    reason: text('reason'),
    attempts: integer('attempts').notNull().default(0),
    /** While a sender holds the mail (claimLogRow): no other sends it until then; a claim that lapsed was a sender that died. */
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    /** Whose claim it is (one token per claim, a chunk's mails share theirs): only its holder records the attempt, renews or lets go. */
    leaseToken: uuid('lease_token'),
    /** The mail server's last answer at send time ("250 2.0.0 OK …", "550 5.1.1 …"). */
    smtpResponse: text('smtp_response'),
    /** From the DSN: its Status (5.1.1) and Diagnostic-Code. */
    dsnStatus: text('dsn_status'),
    dsnDiagnostic: text('dsn_diagnostic'),
    /** The delivery report as it came, at most RAW_REPORT_MAX characters. */
    dsnReport: text('dsn_report'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    bouncedAt: timestamp('bounced_at', { withTimezone: true }),
  },
  (t) => [
    // A stable Message-ID is the mail's identity: a retry finds the row instead of adding one.
    uniqueIndex('mail_log_message_key').on(t.shopId, t.messageId),
    index('mail_log_shop_created_idx').on(t.shopId, t.createdAt, t.id),
    index('mail_log_recipient_idx').on(t.shopId, sql`lower(${t.recipient})`),
    index('mail_log_conversation_idx').on(t.shopId, t.conversationId).where(sql`conversation_id is not null`),
    index('mail_log_order_idx').on(t.shopId, t.orderNumber).where(sql`order_number is not null`),
    index('mail_log_order_numbers_idx').using('gin', t.orderNumbers).where(sql`order_numbers is not null`),
    index('mail_log_return_idx').on(t.shopId, t.returnId).where(sql`return_id is not null`),
    index('mail_log_campaign_idx').on(t.shopId, t.campaignId).where(sql`campaign_id is not null`),
    check('mail_log_kind_check', sql`${t.kind} in ('notice', 'portal_code', 'reply', 'return_update', 'invitation')`),
    check('mail_log_status_check', sql`${t.status} in ('queued', 'sent', 'deferred', 'bounced', 'failed', 'suppressed')`),
  ],
);

/**
 * Addresses a shop's bulk mail (notices) no longer goes to: a hard bounce, two soft bounces
 * within 30 days, or the customer's unsubscribe. Transactional mail (portal codes, replies,
 * return updates) still tries: a customer who asked for a code must get the chance of it.
 */
export const mailSuppressions = pgTable(
  'mail_suppressions',
  {
    shopId: uuid('shop_id')
      .notNull()
      .references(() => shops.id, { onDelete: 'cascade' }),
    /** Lower case. */
    address: text('address').notNull(),
    reason: text('reason').$type<SuppressionReason>().notNull(),
    /** The mail whose bounce (or whose unsubscribe link) put the address here. */
    logId: uuid('log_id').references(() => mailLog.id, { onDelete: 'set null' }),
    detail: text('detail'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.shopId, t.address, t.reason] }), check('mail_suppressions_reason_check', sql`${t.reason} in ('hard_bounce', 'soft_bounces', 'unsubscribed')`)],
);

/**
 * When a shop last lifted an address's bounce suppression: the soft bounces before it were
 * dealt with (the customer emptied the mailbox), so only later ones count towards the next.
 */
export const mailSuppressionLifts = pgTable(
  'mail_suppression_lifts',
  {
    shopId: uuid('shop_id')
      .notNull()
      .references(() => shops.id, { onDelete: 'cascade' }),
    /** Lower case. */
    address: text('address').notNull(),
    liftedAt: timestamp('lifted_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.shopId, t.address] })],
);

/** Each shop's key that signs its unsubscribe links; it never leaves the database. */
export const mailKeys = pgTable('mail_keys', {
  shopId: uuid('shop_id')
    .primaryKey()
    .references(() => shops.id, { onDelete: 'cascade' }),
  key: text('key').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

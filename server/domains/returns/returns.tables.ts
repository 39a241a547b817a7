import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { orderLines, orders } from '../orders/orders.tables.ts';
import { shops } from '../shops/shops.tables.ts';
import {
  legalBases,
  noticeChannels,
  rejectionCodes,
  returnKinds,
  returnReasons,
  returnStatuses,
  type LegalBasis,
  type NoticeChannel,
  type OrderSnapshot,
  type RejectionCode,
  type ReturnEvent,
  type ReturnKind,
  type ReturnReason,
  type ReturnStatus,
} from './returns.model.ts';
import type { ReturnTerms } from './returns.terms.schema.ts';

/** Every row belongs to a shop, and goes with it. */
const shopRef = () =>
  uuid('shop_id')
    .notNull()
    .references(() => shops.id, { onDelete: 'cascade' });
/** A return's own rows (items, history, photos) go with the return. */
const returnRef = () =>
  uuid('return_id')
    .notNull()
    .references(() => returnRequests.id, { onDelete: 'cascade' });

const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(', '));

/**
 * Every published version of a shop's return terms; never changed once written. A return is
 * judged by the version in force when its order was placed, so publishing new terms does
 * not change the rules for orders already made.
 */
export const returnTermsVersions = pgTable(
  'return_terms_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    shopId: shopRef(),
    version: integer('version').notNull(),
    terms: jsonb('terms').$type<ReturnTerms>().notNull(),
    publishedAt: timestamp('published_at', { withTimezone: true }).notNull().defaultNow(),
    publishedBy: text('published_by').notNull(),
  },
  (t) => [unique('return_terms_shop_version_key').on(t.shopId, t.version), index('return_terms_shop_published_idx').on(t.shopId, t.publishedAt)],
);

/** Per-shop counter for return numbers ("R-42"), bumped under the row lock. */
export const returnCounters = pgTable('return_counters', {
  shopId: uuid('shop_id')
    .primaryKey()
    .references(() => shops.id, { onDelete: 'cascade' }),
  last: integer('last').notNull().default(0),
});

export const returnRequests = pgTable(
  'return_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    shopId: shopRef(),
    number: integer('number').notNull(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id),
    /** The order as it was when the return was filed: what the return is judged and refunded on (returns.snapshot.ts). */
    orderSnapshot: jsonb('order_snapshot').$type<OrderSnapshot>().notNull(),
    kind: text('kind').$type<ReturnKind>().notNull(),
    reason: text('reason').$type<ReturnReason>().notNull(),
    legalBasis: text('legal_basis').$type<LegalBasis>().notNull(),
    status: text('status').$type<ReturnStatus>().notNull(),
    /** null: the shop had published no terms when the order was placed; the statutory rule applies. */
    termsVersion: integer('terms_version'),
    comment: text('comment'),
    /**
     * When the customer's request reached the shop (到達主義, 民法 §97): the window is judged at
     * this time. The filing's own time from the portal; the time a person recorded when filing a
     * notice that came by mail, phone or chat on the customer's behalf.
     */
    noticeAt: timestamp('notice_at', { withTimezone: true }).notNull().defaultNow(),
    /** How that notice came, when a person filed it on the customer's behalf. */
    noticeChannel: text('notice_channel').$type<NoticeChannel>(),
    source: text('source').$type<'portal' | 'console' | 'api'>().notNull(),
    refundMethod: text('refund_method').$type<'original_payment' | 'bank_transfer'>().notNull(),
    returnLabelByShop: boolean('return_label_by_shop').notNull(),
    keepItem: boolean('keep_item').notNull().default(false),
    /** The policy check at filing: each rule with its outcome and words, for the console. */
    policy: jsonb('policy').$type<unknown>().notNull(),
    /** Why a person must decide (outside the window, high value, flagged customer, …); empty when rules approved it. */
    reviewReasons: text('review_reasons').array().notNull().default(sql`'{}'::text[]`),
    flags: text('flags').array().notNull().default(sql`'{}'::text[]`),
    /** The refund as computed now (the same code the portal preview used); the final one at refund. */
    refund: jsonb('refund').$type<unknown>().notNull(),
    refundTotal: integer('refund_total').notNull(),
    /** The terms' limit up to which agents and contractors act alone (kept: the version never changes). */
    refundLimit: integer('refund_limit').notNull(),
    feesIncluded: boolean('fees_included').notNull().default(false),
    exchangeItems: jsonb('exchange_items').$type<unknown>(),
    rejectionCode: text('rejection_code').$type<RejectionCode>(),
    decisionNote: text('decision_note'),
    carrier: text('carrier'),
    trackingNumber: text('tracking_number'),
    shipBy: timestamp('ship_by', { withTimezone: true }),
    shippedAt: timestamp('shipped_at', { withTimezone: true }),
    receivedAt: timestamp('received_at', { withTimezone: true }),
    refundedAt: timestamp('refunded_at', { withTimezone: true }),
    /**
     * A withdrawal the shop recorded for the customer: when it reached the shop and how. A
     * statutory cancellation or a claim on the shop's fault stands (民法 §540②), so the shop's
     * people cancel such a return only as a record of the customer's own withdrawal.
     */
    withdrawalReceivedAt: timestamp('withdrawal_received_at', { withTimezone: true }),
    withdrawalChannel: text('withdrawal_channel').$type<NoticeChannel>(),
    /** When the refund account was deleted, its purpose served (returns.jobs.ts, purgeBankDetails). */
    bankPurgedAt: timestamp('bank_purged_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('return_requests_shop_number_key').on(t.shopId, t.number),
    index('return_requests_shop_status_idx').on(t.shopId, t.status, t.createdAt),
    index('return_requests_order_idx').on(t.orderId),
    check('return_requests_refund_check', sql`${t.refundTotal} >= 0`),
    check('return_requests_status_check', sql`${t.status} in (${inList(returnStatuses)})`),
    check('return_requests_kind_check', sql`${t.kind} in (${inList(returnKinds)})`),
    check('return_requests_reason_check', sql`${t.reason} in (${inList(returnReasons)})`),
    check('return_requests_basis_check', sql`${t.legalBasis} in (${inList(legalBases)})`),
    check('return_requests_notice_channel_check', sql`${t.noticeChannel} is null or ${t.noticeChannel} in (${inList(noticeChannels)})`),
    check('return_requests_withdrawal_check', sql`(${t.withdrawalChannel} is null) = (${t.withdrawalReceivedAt} is null) and (${t.withdrawalChannel} is null or ${t.withdrawalChannel} in (${inList(noticeChannels)}))`),
    check('return_requests_rejection_check', sql`${t.rejectionCode} is null or ${t.rejectionCode} in (${inList(rejectionCodes)})`),
  ],
);

export const returnItems = pgTable(
  'return_items',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    shopId: shopRef(),
    returnId: returnRef(),
    /**
     * The order's line as it is now; null once the shop platform pushed the order without it.
     * The return keeps its line number and is judged on its filing-time snapshot, so a dropped
     * line never blocks the push or strands the return (the view shows it as gone).
     */
    orderLineId: uuid('order_line_id').references(() => orderLines.id, { onDelete: 'set null' }),
    lineNo: integer('line_no').notNull(),
    quantity: integer('quantity').notNull(),
  },
  (t) => [unique('return_items_line_key').on(t.returnId, t.lineNo), check('return_items_quantity_check', sql`${t.quantity} > 0`)],
);

/** Every move of a return: who, from what, to what, and why. Appended only. */
export const returnTransitions = pgTable(
  'return_transitions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    shopId: shopRef(),
    returnId: returnRef(),
    event: text('event').$type<ReturnEvent | 'file'>().notNull(),
    fromStatus: text('from_status').$type<ReturnStatus>(),
    toStatus: text('to_status').$type<ReturnStatus>().notNull(),
    actorKind: text('actor_kind').$type<'user' | 'api_key' | 'system' | 'customer'>().notNull(),
    actorId: text('actor_id'),
    actorName: text('actor_name').notNull(),
    reasonCode: text('reason_code'),
    note: text('note'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('return_transitions_return_idx').on(t.returnId, t.createdAt)],
);

/** Photos the customer sent with a claim (a defect, a wrong item); the bytes sit in the file storage. */
export const returnPhotos = pgTable(
  'return_photos',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    shopId: shopRef(),
    returnId: returnRef(),
    storageKey: text('storage_key').notNull(),
    contentType: text('content_type').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    filename: text('filename').notNull(),
    /** The order the customer chose them in. */
    position: integer('position').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('return_photos_return_idx').on(t.returnId)],
);

/** The account a bank-transfer refund goes to; personal data (see returns.bank.ts). */
export const returnBankAccounts = pgTable('return_bank_accounts', {
  returnId: uuid('return_id')
    .primaryKey()
    .references(() => returnRequests.id, { onDelete: 'cascade' }),
  shopId: uuid('shop_id')
    .notNull()
    .references(() => shops.id, { onDelete: 'cascade' }),
  bankName: text('bank_name').notNull(),
  branchName: text('branch_name').notNull(),
  accountType: text('account_type').$type<'ordinary' | 'current'>().notNull(),
  accountNumber: text('account_number').notNull(),
  holderKana: text('holder_kana').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

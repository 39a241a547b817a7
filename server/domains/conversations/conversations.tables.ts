import { sql } from 'drizzle-orm';
import { boolean, check, customType, index, integer, jsonb, pgTable, smallint, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { shops, users } from '../shops/shops.tables.ts';
import { activeStatuses } from './conversations.machine.ts';

export const conversationStatuses = ['open', 'pending', 'waiting_merchant', 'snoozed', 'resolved', 'closed'] as const;
export type ConversationStatus = (typeof conversationStatuses)[number];
export const priorities = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof priorities)[number];
export const channels = ['chat', 'email', 'api'] as const;
export type Channel = (typeof channels)[number];

/**
 * A person who wrote to the shop. `externalId` is set only for customers the shop's server
 * vouched for with a signed widget token; anonymous visitors give a name and an email.
 */
export const customers = pgTable(
  'customers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    shopId: uuid('shop_id')
      .notNull()
      .references(() => shops.id, { onDelete: 'cascade' }),
    externalId: text('external_id'),
    name: text('name').notNull(),
    email: text('email'),
    verified: boolean('verified').notNull().default(false),
    locale: text('locale').notNull().default('ja'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('customers_shop_external_key').on(t.shopId, t.externalId),
    index('customers_shop_email_idx').on(t.shopId, t.email),
  ],
);

/** The widget's credential between page loads: a random token, stored as SHA-256. */
export const customerSessions = pgTable(
  'customer_sessions',
  {
    id: text('id').primaryKey(),
    shopId: uuid('shop_id')
      .notNull()
      .references(() => shops.id, { onDelete: 'cascade' }),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('customer_sessions_customer_idx').on(t.customerId)],
);

/**
 * A moment of a conversation's SLA summary, read as ISO 8601 text, or '-infinity' (which a
 * Date cannot hold): one form however the row was read (a column's text, `to_jsonb`'s).
 */
const slaMoment = customType<{ data: string; driverData: string }>({
  dataType: () => 'timestamp with time zone',
  fromDriver: (v) => {
    const t = Date.parse(v);
    return Number.isFinite(t) ? new Date(t).toISOString() : v;
  },
});

export const conversations = pgTable(
  'conversations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    shopId: uuid('shop_id')
      .notNull()
      .references(() => shops.id, { onDelete: 'cascade' }),
    /** Per-shop running number people say on the phone: "#128". */
    number: integer('number').notNull(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    channel: text('channel').$type<Channel>().notNull(),
    subject: text('subject'),
    orderNumber: text('order_number'),
    status: text('status').$type<ConversationStatus>().notNull().default('open'),
    priority: text('priority').$type<Priority>().notNull().default('normal'),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    assigneeId: uuid('assignee_id').references(() => users.id, { onDelete: 'set null' }),
    /** Waiting for an agent with free capacity (auto-assignment found everyone full). */
    awaitingAssignment: boolean('awaiting_assignment').notNull().default(false),
    lastSeq: integer('last_seq').notNull().default(0),
    customerReadSeq: integer('customer_read_seq').notNull().default(0),
    agentReadSeq: integer('agent_read_seq').notNull().default(0),
    /** Agent replies up to here went to the customer by mail (they were not read in time). */
    customerMailedSeq: integer('customer_mailed_seq').notNull().default(0),
    snoozedUntil: timestamp('snoozed_until', { withTimezone: true }),
    mergedIntoId: uuid('merged_into_id'),
    lastMessageAt: timestamp('last_message_at', { withTimezone: true }),
    lastCustomerMessageAt: timestamp('last_customer_message_at', { withTimezone: true }),
    firstResponseAt: timestamp('first_response_at', { withTimezone: true }),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /**
     * The inbox's order (newest activity first) and its cursor. Kept to the millisecond, the
     * precision of the cursor and of a JavaScript Date, so the inbox orders and pages on the
     * column itself, through the indexes below.
     */
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    /**
     * The SLA badge's inputs, summed up over the conversation's open clocks (met_at null) by a
     * trigger on sla_clocks (migration 0036), so a list reads a row's badge from the row itself:
     * the badge is then a comparison with the moment of the request (slaBadgeJsonSql). Whether
     * any clock is open; the soonest due time; the moment from which the badge says at risk and
     * breached (minus infinity once that alert has fired in the clock's cycle). Never written
     * by the service.
     */
    slaOpen: boolean('sla_open').notNull().default(false),
    slaDueAt: slaMoment('sla_due_at'),
    slaAtRiskFrom: slaMoment('sla_at_risk_from'),
    slaBreachedFrom: slaMoment('sla_breached_from'),
  },
  (t) => [
    unique('conversations_shop_number_key').on(t.shopId, t.number),
    // The inbox's views, each in its order (updated_at, id), read backwards: all statuses, by status, by assignee, by priority.
    // Every chat message rewrites updated_at, so each index here is written at every message:
    // a tag is filtered along the view's index rather than through a GIN index on tags, which
    // cost the chat's group commit 0.2 ms of PostgreSQL CPU per batch (bench/chat/roundtrips.ts).
    index('conversations_shop_updated_idx').on(t.shopId, t.updatedAt, t.id),
    index('conversations_shop_status_idx').on(t.shopId, t.status, t.updatedAt, t.id),
    // The active view (three statuses) in its order: through the status index above, a shop's
    // active rows were all read and sorted for each page (3,479 in the bench's big shop), and
    // all my shops did so in every shop. Rows leave it when they stop being active. Its
    // predicate is written from the statuses the inbox's active view filters by (inboxFilter),
    // so the planner can prove the view's rows are in it; a status added there is a schema change.
    index('conversations_shop_active_idx')
      .on(t.shopId, t.updatedAt, t.id)
      .where(sql`${t.status} in (${sql.raw(activeStatuses.map((s) => `'${s}'`).join(', '))}) and ${t.mergedIntoId} is null`),
    index('conversations_shop_assignee_updated_idx').on(t.shopId, t.assigneeId, t.updatedAt, t.id),
    index('conversations_shop_priority_idx').on(t.shopId, t.priority, t.updatedAt, t.id),
    index('conversations_shop_assignee_idx').on(t.shopId, t.assigneeId, t.status),
    index('conversations_shop_customer_idx').on(t.shopId, t.customerId),
    index('conversations_waiting_idx').on(t.shopId, t.createdAt).where(sql`${t.awaitingAssignment}`),
    check(
      'conversations_status_check',
      sql`${t.status} in ('open', 'pending', 'waiting_merchant', 'snoozed', 'resolved', 'closed')`,
    ),
    check('conversations_priority_check', sql`${t.priority} in ('low', 'normal', 'high', 'urgent')`),
    check('conversations_channel_check', sql`${t.channel} in ('chat', 'email', 'api')`),
  ],
);

/** Per-shop counter for conversation numbers, bumped under the row lock. */
export const conversationCounters = pgTable('conversation_counters', {
  shopId: uuid('shop_id')
    .primaryKey()
    .references(() => shops.id, { onDelete: 'cascade' }),
  last: integer('last').notNull().default(0),
});

export const authorKinds = ['customer', 'agent', 'system'] as const;
export type AuthorKind = (typeof authorKinds)[number];
export const messageKinds = ['text', 'note', 'event'] as const;
export type MessageKind = (typeof messageKinds)[number];

/** What an internal status event says (conversations.events.ts); names are kept as they were then. */
export const statusEventActions = ['assigned', 'unassigned', 'snoozed', 'resolved', 'reopened', 'closed', 'woke'] as const;

export interface StatusEventData {
  action: (typeof statusEventActions)[number];
  /** Who did it; null for madoguchi itself (a snooze that ran out). */
  by: string | null;
  /** assigned: to whom. */
  assignee?: string;
  /** snoozed: until when (ISO). */
  until?: string;
}

/**
 * Exactly once in the record: `clientId` is made by the sender and unique per conversation,
 * so a resend after a lost ack finds the stored message instead of writing a second one.
 */
export const messages = pgTable(
  'messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    shopId: uuid('shop_id')
      .notNull()
      .references(() => shops.id, { onDelete: 'cascade' }),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    clientId: text('client_id').notNull(),
    authorKind: text('author_kind').$type<AuthorKind>().notNull(),
    authorId: uuid('author_id'),
    authorName: text('author_name').notNull(),
    /** `note` is internal: never sent to the customer on any path. */
    kind: text('kind').$type<MessageKind>().notNull().default('text'),
    body: text('body').notNull(),
    /**
     * A change of the conversation's state (assigned, snoozed, resolved…) as data, so each
     * reader sees it in their own language. Set only on `event` messages, and such events are
     * internal: like notes, they never reach the customer (conversations.events.ts).
     */
    statusEvent: jsonb('status_event').$type<StatusEventData>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('messages_conversation_seq_key').on(t.conversationId, t.seq),
    unique('messages_conversation_client_key').on(t.conversationId, t.clientId),
    check('messages_author_check', sql`${t.authorKind} in ('customer', 'agent', 'system')`),
    check('messages_kind_check', sql`${t.kind} in ('text', 'note', 'event')`),
  ],
);

/** @mentions in internal notes; the mentioned person is notified and can mark it read. */
export const mentions = pgTable(
  'mentions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    shopId: uuid('shop_id')
      .notNull()
      .references(() => shops.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    messageId: uuid('message_id')
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    readAt: timestamp('read_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('mentions_user_idx').on(t.userId, t.readAt)],
);

export const csatRatings = pgTable(
  'csat_ratings',
  {
    conversationId: uuid('conversation_id')
      .primaryKey()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    shopId: uuid('shop_id')
      .notNull()
      .references(() => shops.id, { onDelete: 'cascade' }),
    rating: smallint('rating').notNull(),
    comment: text('comment'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('csat_shop_time_idx').on(t.shopId, t.createdAt), check('csat_rating_check', sql`${t.rating} between 1 and 5`)],
);

/**
 * What the inbox's text search looks in, kept apart from the conversation rows the chat
 * rewrites at every message: a conversation's subject, order number and customer's name, as
 * `text` (NFKC-folded and lower-cased by `search_text`) and as `grams` (`search_grams`: every
 * character and every pair of neighbouring characters, each prefixed with the shop's key, so
 * that one GIN index looks a word up within one shop). Japanese has no spaces between words
 * and its words are often two characters long, so pairs find 山田 or 配送 where trigrams
 * cannot. Written by triggers on conversations and customers (migration 0034), never by the
 * service; searched by conversations.search.repository.ts.
 */
export const conversationSearch = pgTable(
  'conversation_search',
  {
    conversationId: uuid('conversation_id')
      .primaryKey()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    shopId: uuid('shop_id').notNull(),
    text: text('text').notNull(),
    grams: text('grams').array().notNull(),
  },
  (t) => [index('conversation_search_grams_idx').using('gin', t.grams).with({ fastupdate: false })],
);

import { sql } from 'drizzle-orm';
import { bigserial, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { shops, users } from '../shops/shops.tables.ts';
import type { Platform, RejectedOrder, StoreError, StoreStatus, StoreVia, SyncTrigger } from './stores.model.ts';

/**
 * A shop's connection to its store on a platform (one per platform): its tokens sealed
 * (core/sealed.ts, aad `store:<kind>:<connection id>`), the adapter's cursor, and the schedule
 * and health of its syncs. Everything that must happen later is in these rows and the outbox,
 * never only in Redis.
 */
export const storeConnections = pgTable(
  'store_connections',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    shopId: uuid('shop_id')
      .notNull()
      .references(() => shops.id, { onDelete: 'cascade' }),
    platform: text('platform').$type<Platform>().notNull(),
    /** Shopify: `my-shop.myshopify.com`; BASE: the shop's id. */
    account: text('account').notNull(),
    accountName: text('account_name'),
    via: text('via').$type<StoreVia>().notNull(),
    accessSealed: text('access_sealed').notNull(),
    refreshSealed: text('refresh_sealed'),
    /** What signs the platform's webhooks (Shopify: the app's API secret key). */
    webhookSecretSealed: text('webhook_secret_sealed'),
    tokenExpiresAt: timestamp('token_expires_at', { withTimezone: true }),
    scopes: text('scopes').array().notNull().default(sql`'{}'::text[]`),
    status: text('status').$type<StoreStatus>().notNull().default('ok'),
    brokenReason: text('broken_reason'),
    brokenAt: timestamp('broken_at', { withTimezone: true }),
    backfillDays: integer('backfill_days').notNull().default(30),
    /** The adapter's own cursor (e.g. `{ since }`), written at the end of each good run. */
    state: jsonb('state').$type<Record<string, unknown>>().notNull().default({}),
    /** When the schedule runs it next; null while broken. */
    nextSyncAt: timestamp('next_sync_at', { withTimezone: true }),
    /** Set while a run holds the connection (a lease: a run that died frees it after 15 minutes). */
    syncStartedAt: timestamp('sync_started_at', { withTimezone: true }),
    /** Runs failed in a row: the back-off grows with it. */
    failures: integer('failures').notNull().default(0),
    lastSyncAt: timestamp('last_sync_at', { withTimezone: true }),
    lastSuccessAt: timestamp('last_success_at', { withTimezone: true }),
    /** Orders created or changed in madoguchi by this connection. */
    ordersReceived: integer('orders_received').notNull().default(0),
    lastError: jsonb('last_error').$type<StoreError>(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('store_connections_shop_platform_key').on(t.shopId, t.platform),
    index('store_connections_due_idx').on(t.nextSyncAt),
    check('store_connections_platform_check', sql`${t.platform} in ('shopify', 'base')`),
    check('store_connections_via_check', sql`${t.via} in ('token', 'oauth')`),
    check('store_connections_status_check', sql`${t.status} in ('ok', 'broken')`),
    check('store_connections_backfill_check', sql`${t.backfillDays} between 1 and 365`),
  ],
);

/** One sync run of a connection, kept for the console (the last 100 per connection). */
export const storeSyncRuns = pgTable(
  'store_sync_runs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    connectionId: uuid('connection_id')
      .notNull()
      .references(() => storeConnections.id, { onDelete: 'cascade' }),
    shopId: uuid('shop_id')
      .notNull()
      .references(() => shops.id, { onDelete: 'cascade' }),
    trigger: text('trigger').$type<SyncTrigger>().notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    received: integer('received').notNull().default(0),
    created: integer('created').notNull().default(0),
    updated: integer('updated').notNull().default(0),
    unchanged: integer('unchanged').notNull().default(0),
    rejected: integer('rejected').notNull().default(0),
    /** The first rejected orders with their reasons (at most 20). */
    rejections: jsonb('rejections').$type<RejectedOrder[]>().notNull().default([]),
    error: jsonb('error').$type<StoreError>(),
  },
  (t) => [index('store_sync_runs_connection_idx').on(t.connectionId, t.startedAt)],
);

/**
 * Webhooks as received (the inbox): stored with their job in one transaction, answered at once,
 * worked after. The platform's delivery id makes a second delivery a no-op.
 */
export const storeWebhooks = pgTable(
  'store_webhooks',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    connectionId: uuid('connection_id')
      .notNull()
      .references(() => storeConnections.id, { onDelete: 'cascade' }),
    shopId: uuid('shop_id')
      .notNull()
      .references(() => shops.id, { onDelete: 'cascade' }),
    webhookId: text('webhook_id').notNull(),
    topic: text('topic').notNull(),
    payload: jsonb('payload').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp('processed_at', { withTimezone: true }),
    error: text('error'),
  },
  (t) => [uniqueIndex('store_webhooks_delivery_key').on(t.connectionId, t.webhookId), index('store_webhooks_received_idx').on(t.receivedAt)],
);

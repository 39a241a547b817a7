import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { shops } from '../domains/shops/shops.tables.ts';

/**
 * Work that must happen after a commit (a mail, a timer, an alert), written in the same
 * transaction as the change that causes it and handed to BullMQ by the dispatcher. A crash
 * or a Redis outage delays it; it never loses it. The row, with its payload, is the record
 * of the work until a worker has done it (`completed_at`) or given up on it (`failed_at`):
 * a Redis that loses its data (a restart without persistence, a failover) loses only copies,
 * and the rows that were handed over but never finished are handed over again. Finished rows
 * are deleted by a daily job after OUTBOX_RETENTION_DAYS (failed ones OUTBOX_FAILED_RETENTION_DAYS;
 * see pruneOutbox in outbox.ts).
 */
export const outbox = pgTable(
  'outbox',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    shopId: uuid('shop_id').references(() => shops.id, { onDelete: 'cascade' }),
    topic: text('topic').notNull(),
    /** Kept until the work is done; emptied then (mail payloads carry links with secret tokens). */
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    /** A job with this key is added once, however often the row is dispatched. */
    dedupeKey: text('dedupe_key'),
    /** For timers: BullMQ holds the job until then. */
    runAt: timestamp('run_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** Handed to BullMQ (first time). */
    dispatchedAt: timestamp('dispatched_at', { withTimezone: true }),
    /**
     * The BullMQ key prefix it was handed to (`<REDIS_KEY_PREFIX>bull`): only that queue's
     * processes hand it over again, since only they know whether their Redis lost it.
     */
    dispatchedTo: text('dispatched_to'),
    /** A worker finished it (or another row's job with the same dedupe key did its work). */
    completedAt: timestamp('completed_at', { withTimezone: true }),
    /** The job failed for good (a domain error, or its retries ran out). */
    failedAt: timestamp('failed_at', { withTimezone: true }),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
  },
  (t) => [
    index('outbox_pending_idx').on(t.id).where(sql`${t.dispatchedAt} is null`),
    // Handed over, not finished: what a restart or a Redis that lost its data hands over again.
    index('outbox_unfinished_idx').on(t.dispatchedTo, t.id).where(sql`${t.dispatchedAt} is not null and ${t.completedAt} is null and ${t.failedAt} is null`),
    // Any row by its key, finished or not: an event said again under its fixed id adds no second job (see events/commit.ts).
    index('outbox_dedupe_key_idx').on(t.dedupeKey).where(sql`${t.dedupeKey} is not null`),
    index('outbox_unfinished_key_idx').on(t.dedupeKey).where(sql`${t.dedupeKey} is not null and ${t.completedAt} is null and ${t.failedAt} is null`),
  ],
);

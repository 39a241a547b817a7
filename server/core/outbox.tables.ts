import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { shops } from '../domains/shops/shops.tables.ts';

/**
 * Work that must happen after a commit (a mail, a timer, an alert), written in the same
 * transaction as the change that causes it and handed to BullMQ by the dispatcher. A crash
 * or a Redis outage delays it; it never loses it.
 */
export const outbox = pgTable(
  'outbox',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    shopId: uuid('shop_id').references(() => shops.id, { onDelete: 'cascade' }),
    topic: text('topic').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    /** A job with this key is added once, however often the row is dispatched. */
    dedupeKey: text('dedupe_key'),
    /** For timers: BullMQ holds the job until then. */
    runAt: timestamp('run_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    dispatchedAt: timestamp('dispatched_at', { withTimezone: true }),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
  },
  (t) => [index('outbox_pending_idx').on(t.id).where(sql`${t.dispatchedAt} is null`)],
);

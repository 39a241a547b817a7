import { sql } from 'drizzle-orm';
import { check, index, pgTable, timestamp, uuid } from 'drizzle-orm/pg-core';
import { shops, users } from '../shops/shops.tables.ts';
import { conversations } from '../conversations/conversations.tables.ts';

/**
 * Time an agent spent with a conversation open and in front of them. The console sends a
 * heartbeat while it is; a heartbeat within the gap extends the last span, a later one
 * starts a new span, so a tab left open overnight does not bill the night.
 */
export const workSpans = pgTable(
  'work_spans',
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
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    endedAt: timestamp('ended_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('work_spans_shop_time_idx').on(t.shopId, t.startedAt),
    index('work_spans_open_idx').on(t.userId, t.conversationId, t.endedAt),
    check('work_spans_order_check', sql`${t.endedAt} >= ${t.startedAt}`),
  ],
);

import { integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { shops } from '../shops/shops.tables.ts';

/**
 * When a shop was last told about each kind of system trouble (`key`: `jobs_failing`,
 * `dependency_down:mail`, …), so it is told at most once per TROUBLE_EVERY_MS however many
 * jobs fail or mails wait, and however often the processes restart. `notes` counts the
 * occurrences noted since that alert (the ones it stood for).
 */
export const systemTroubles = pgTable(
  'system_troubles',
  {
    shopId: uuid('shop_id')
      .notNull()
      .references(() => shops.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    alertedAt: timestamp('alerted_at', { withTimezone: true }).notNull(),
    notedAt: timestamp('noted_at', { withTimezone: true }).notNull(),
    notes: integer('notes').notNull().default(1),
  },
  (t) => [primaryKey({ columns: [t.shopId, t.key] })],
);

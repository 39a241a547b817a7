import { index, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { shops, users } from '../shops/shops.tables.ts';

/** A saved reply: Handlebars in Japanese and English, with customer and order variables. */
export const cannedReplies = pgTable(
  'canned_replies',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    shopId: uuid('shop_id')
      .notNull()
      .references(() => shops.id, { onDelete: 'cascade' }),
    shortcut: text('shortcut').notNull(),
    title: text('title').notNull(),
    bodyJa: text('body_ja').notNull(),
    bodyEn: text('body_en').notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique('canned_replies_shop_shortcut_key').on(t.shopId, t.shortcut), index('canned_replies_shop_idx').on(t.shopId)],
);

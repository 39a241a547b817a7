import { jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { shops, users } from '../shops/shops.tables.ts';
import type { SavedMapping } from './orders.csv.layout.ts';

/**
 * A shop's column mapping for order files no preset knows (its own spreadsheet, another platform):
 * madoguchi field → the file's header as written, plus values for columns the file lacks. One per shop.
 */
export const orderImportMappings = pgTable('order_import_mappings', {
  shopId: uuid('shop_id')
    .primaryKey()
    .references(() => shops.id, { onDelete: 'cascade' }),
  name: text('name'),
  columns: jsonb('columns').$type<SavedMapping['columns']>().notNull(),
  defaults: jsonb('defaults').$type<SavedMapping['defaults']>().notNull().default({}),
  updatedBy: uuid('updated_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { shops } from '../shops/shops.tables.ts';
import { conversations, messages } from '../conversations/conversations.tables.ts';

/**
 * A file sent in a conversation. Uploaded first (no message yet), then sent with a message;
 * the bytes live behind the storage interface under `storageKey`, never in the database.
 */
export const attachments = pgTable(
  'attachments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    shopId: uuid('shop_id')
      .notNull()
      .references(() => shops.id, { onDelete: 'cascade' }),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    messageId: uuid('message_id').references(() => messages.id, { onDelete: 'cascade' }),
    storageKey: text('storage_key').notNull().unique(),
    filename: text('filename').notNull(),
    /** What the bytes are (sniffed), not what the uploader claimed. */
    contentType: text('content_type').notNull(),
    size: integer('size').notNull(),
    sha256: text('sha256').notNull(),
    uploadedByKind: text('uploaded_by_kind').$type<'customer' | 'agent'>().notNull(),
    uploadedById: uuid('uploaded_by_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('attachments_conversation_idx').on(t.conversationId),
    index('attachments_message_idx').on(t.messageId),
    check('attachments_size_check', sql`${t.size} > 0`),
  ],
);

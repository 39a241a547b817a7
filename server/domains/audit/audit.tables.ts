import { bigint, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { shops } from '../shops/shops.tables.ts';

/**
 * Append-only: a trigger (migration 0001) refuses UPDATE and DELETE, so not even a bug in
 * our own code can rewrite history.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    shopId: uuid('shop_id').references(() => shops.id),
    actorType: text('actor_type').$type<'user' | 'api_key' | 'system'>().notNull(),
    actorId: text('actor_id'),
    actorLabel: text('actor_label').notNull(),
    action: text('action').notNull(),
    objectType: text('object_type').notNull(),
    objectId: text('object_id'),
    summary: jsonb('summary').$type<Record<string, unknown>>().notNull().default({}),
    requestId: text('request_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('audit_shop_time_idx').on(t.shopId, t.createdAt),
    index('audit_shop_object_idx').on(t.shopId, t.objectType, t.objectId),
    index('audit_shop_actor_idx').on(t.shopId, t.actorId),
  ],
);

/**
 * Each shop's key for the digests the trail keeps instead of personal data (what someone
 * searched for). It never leaves the database, so a digest read from the trail or an export
 * cannot be matched against guessed addresses; the owner asks the server instead.
 */
export const auditKeys = pgTable('audit_keys', {
  shopId: uuid('shop_id')
    .primaryKey()
    .references(() => shops.id, { onDelete: 'cascade' }),
  key: text('key').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const roles = ['owner', 'staff', 'agent', 'contractor'] as const;
export type Role = (typeof roles)[number];

export const shops = pgTable(
  'shops',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    timezone: text('timezone').notNull().default('Asia/Tokyo'),
    locale: text('locale').notNull().default('ja'),
    allowedOrigins: text('allowed_origins').array().notNull().default(sql`'{}'::text[]`),
    /** HMAC key for widget identity tokens the shop's server signs; owners rotate it. */
    widgetSecret: text('widget_secret'),
    /** The display name in the From of mail to the shop's customers; null: the shop's name. */
    mailSenderName: text('mail_sender_name'),
    /** Auto-assign new chats round-robin among online agents with free capacity. */
    autoAssign: boolean('auto_assign').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check('shops_locale_check', sql`${t.locale} in ('ja', 'en')`)],
);

export const users = pgTable('users', {
  id: uuid('id').primaryKey().defaultRandom(),
  /** Stored lower-cased; unique across the deployment (one person, one sign-in). */
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  passwordHash: text('password_hash').notNull(),
  locale: text('locale').notNull().default('ja'),
  disabledAt: timestamp('disabled_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** A person's role in one shop; a contractor may hold memberships in several shops. */
export const memberships = pgTable(
  'memberships',
  {
    shopId: uuid('shop_id')
      .notNull()
      .references(() => shops.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role').$type<Role>().notNull(),
    /** How many open conversations auto-assignment gives this person at once. */
    capacity: integer('capacity').notNull().default(5),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.shopId, t.userId] }),
    index('memberships_user_idx').on(t.userId),
    check('memberships_role_check', sql`${t.role} in ('owner', 'staff', 'agent', 'contractor')`),
  ],
);

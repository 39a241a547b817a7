import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const roles = ['owner', 'staff', 'agent', 'contractor'] as const;
export type Role = (typeof roles)[number];
export const replyTimes = ['minutes', 'hours', 'day'] as const;
export type ReplyTime = (typeof replyTimes)[number];

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
    /** The shop's colour on the widget and the returns portal, "#rrggbb"; null = madoguchi's green. */
    widgetColor: text('widget_color'),
    /** A short welcome above the widget's pre-chat form, per language; null = the widget's own words. */
    widgetGreetingJa: text('widget_greeting_ja'),
    widgetGreetingEn: text('widget_greeting_en'),
    /** The shop's privacy notice (https), linked beside the email field: APPI §21 wants the purpose told at collection. */
    privacyUrl: text('privacy_url'),
    /** "Typically replies within …" shown to customers; null = not said. */
    replyTime: text('reply_time').$type<ReplyTime>(),
    /** Where the shop ships from (a prefecture, as orders write it): the origin of route-targeted notices (2024年問題) for orders that name none. */
    originPrefecture: text('origin_prefecture'),
    /** Notice mails a minute this shop's campaigns may send (its mail provider's limit); 0 = no limit. */
    noticeMailsPerMinute: integer('notice_mails_per_minute').notNull().default(0),
    /** How customers reach the shop about a delay notice (mail address, phone, hours; a few lines), printed in every notice; null = not set, and no notice can be published. */
    noticeContact: text('notice_contact'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('shops_locale_check', sql`${t.locale} in ('ja', 'en')`),
    check('shops_reply_time_check', sql`${t.replyTime} in ('minutes', 'hours', 'day')`),
    check('shops_notice_mails_per_minute_check', sql`${t.noticeMailsPerMinute} >= 0`),
  ],
);

/**
 * Where the widget was loaded from, by the Origin header of its config request (nothing else is
 * trusted): the merchant's console says where it was seen and which origins still need allowing.
 * One row per shop and origin, at most WIDGET_SIGHTINGS_CAP origins per shop.
 */
export const widgetSightings = pgTable(
  'widget_sightings',
  {
    shopId: uuid('shop_id')
      .notNull()
      .references(() => shops.id, { onDelete: 'cascade' }),
    origin: text('origin').notNull(),
    /** Whether the shop allowed the origin when it was last seen. */
    allowed: boolean('allowed').notNull(),
    firstSeen: timestamp('first_seen', { withTimezone: true }).notNull().defaultNow(),
    lastSeen: timestamp('last_seen', { withTimezone: true }).notNull().defaultNow(),
    /** Loads recorded, at most one per origin per throttle interval (see shops.sightings.ts). */
    count: integer('count').notNull().default(1),
  },
  (t) => [primaryKey({ columns: [t.shopId, t.origin] })],
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

import { index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { shops, users } from '../shops/shops.tables.ts';
import type { NoticeText, NoticeType } from './notices.types.ts';

/** A shop's own copy of a notice type, under a name of its choosing ("年末年始（北海道向け）"). */
export const noticeTemplates = pgTable(
  'notice_templates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    shopId: uuid('shop_id')
      .notNull()
      .references(() => shops.id, { onDelete: 'cascade' }),
    type: text('type').$type<NoticeType>().notNull(),
    name: text('name').notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique('notice_templates_shop_name_key').on(t.shopId, t.name), index('notice_templates_shop_idx').on(t.shopId)],
);

/**
 * Every saved wording of a copy; never changed once written, so a campaign that names a version
 * sends exactly what was previewed, whatever is saved later. `shop_id` is repeated here so that
 * a campaign's version is found by (shop, id) without trusting the template join alone.
 */
export const noticeTemplateVersions = pgTable(
  'notice_template_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    shopId: uuid('shop_id')
      .notNull()
      .references(() => shops.id, { onDelete: 'cascade' }),
    templateId: uuid('template_id')
      .notNull()
      .references(() => noticeTemplates.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    wording: jsonb('wording').$type<NoticeText>().notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  // Two people saving from the same version at once: the second insert of that number fails (409).
  (t) => [unique('notice_template_versions_template_version_key').on(t.templateId, t.version), index('notice_template_versions_shop_idx').on(t.shopId)],
);

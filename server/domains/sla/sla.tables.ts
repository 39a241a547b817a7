import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { shops } from '../shops/shops.tables.ts';
import { conversations } from '../conversations/conversations.tables.ts';

/** Opening hours per weekday (0 = Sunday), each a list of ["HH:MM", "HH:MM"] in the shop's time zone. */
export type WeeklyHours = Record<'0' | '1' | '2' | '3' | '4' | '5' | '6', Array<[string, string]>>;

export const businessHours = pgTable('business_hours', {
  shopId: uuid('shop_id')
    .primaryKey()
    .references(() => shops.id, { onDelete: 'cascade' }),
  weekly: jsonb('weekly').$type<WeeklyHours>().notNull(),
  /** Closed on Japanese public holidays (from @holiday-jp/holiday_jp). */
  observeJpHolidays: boolean('observe_jp_holidays').notNull().default(true),
  /** Extra closed days, "YYYY-MM-DD" in the shop's time zone (年末年始, 棚卸し). */
  closedDates: text('closed_dates').array().notNull().default(sql`'{}'::text[]`),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Targets in business minutes. A policy with `priority` null applies to every priority without its own. */
export const slaPolicies = pgTable(
  'sla_policies',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    shopId: uuid('shop_id')
      .notNull()
      .references(() => shops.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    priority: text('priority'),
    firstResponseMinutes: integer('first_response_minutes'),
    nextResponseMinutes: integer('next_response_minutes'),
    resolutionMinutes: integer('resolution_minutes'),
    /** "At risk" fires when this share of the target has been used. */
    atRiskPercent: integer('at_risk_percent').notNull().default(80),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('sla_policies_shop_idx').on(t.shopId),
    check('sla_policies_percent_check', sql`${t.atRiskPercent} between 1 and 99`),
  ],
);

export const slaMetrics = ['first_response', 'next_response', 'resolution'] as const;
export type SlaMetric = (typeof slaMetrics)[number];

/**
 * One running clock per conversation and metric. Elapsed business time is banked in
 * `elapsedMs` whenever the clock pauses; `runningSince` is null while paused.
 */
export const slaClocks = pgTable(
  'sla_clocks',
  {
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    metric: text('metric').$type<SlaMetric>().notNull(),
    shopId: uuid('shop_id')
      .notNull()
      .references(() => shops.id, { onDelete: 'cascade' }),
    targetMs: bigint('target_ms', { mode: 'number' }).notNull(),
    atRiskPercent: integer('at_risk_percent').notNull(),
    elapsedMs: bigint('elapsed_ms', { mode: 'number' }).notNull().default(0),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    runningSince: timestamp('running_since', { withTimezone: true }),
    /** Wall-clock moments, computed on business hours, while the clock runs. */
    atRiskAt: timestamp('at_risk_at', { withTimezone: true }),
    dueAt: timestamp('due_at', { withTimezone: true }),
    atRiskFiredAt: timestamp('at_risk_fired_at', { withTimezone: true }),
    breachedAt: timestamp('breached_at', { withTimezone: true }),
    metAt: timestamp('met_at', { withTimezone: true }),
    /** Bumped on every change so a stale timer job sees it is stale. */
    version: integer('version').notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.conversationId, t.metric] }),
    index('sla_clocks_shop_due_idx').on(t.shopId, t.dueAt),
    check('sla_clocks_metric_check', sql`${t.metric} in ('first_response', 'next_response', 'resolution')`),
  ],
);

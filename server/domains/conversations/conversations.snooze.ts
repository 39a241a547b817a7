import { DateTime } from 'luxon';
import type { Db } from '../../core/db/client.ts';
import { notFound } from '../../core/errors.ts';
import { findShop } from '../shops/shops.repository.ts';
import { addBusinessMs, defaultCalendar, type BusinessCalendar } from '../sla/sla.clock.ts';
import { findBusinessHours } from '../sla/sla.repository.ts';

/** The snooze choices the console offers besides a date and time of the agent's own. */
export const snoozePresets = ['tomorrow', 'next_monday'] as const;
export type SnoozePreset = (typeof snoozePresets)[number];

/** When the shop opens on `day` or the first open day after it. */
function openingFrom(day: DateTime, calendar: BusinessCalendar): Date {
  // The first open moment at or after the day's midnight: one business millisecond in, less that millisecond.
  return new Date(addBusinessMs(day.toJSDate(), 1, calendar).getTime() - 1);
}

/**
 * The moment a preset means for this shop, in its time zone: "tomorrow" is the next business
 * day's opening (the shop's hours, closed days and holidays), "next Monday" the opening on
 * the coming Monday (or the first open day after it). A shop without hours has the SLA's default
 * week (Monday to Friday 9:00–18:00, closed on Japanese holidays), so Friday's "tomorrow" is Monday.
 */
export async function snoozePresetTime(db: Db, shopId: string, preset: SnoozePreset, now: Date): Promise<Date> {
  const shop = await findShop(db, shopId);
  if (!shop) throw notFound('shop');
  const hours = await findBusinessHours(db, shopId);
  const calendar: BusinessCalendar = hours
    ? { timeZone: shop.timezone, weekly: hours.weekly, observeJpHolidays: hours.observeJpHolidays, closedDates: hours.closedDates }
    : { ...defaultCalendar, timeZone: shop.timezone };
  const today = DateTime.fromJSDate(now, { zone: shop.timezone }).startOf('day');
  // luxon: Monday is 1; "next Monday" on a Monday is a week later.
  const day = preset === 'tomorrow' ? today.plus({ days: 1 }) : today.plus({ days: 8 - today.weekday });
  return openingFrom(day, calendar);
}

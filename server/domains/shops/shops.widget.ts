import { type Actor, requireRole } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { notFound } from '../../core/errors.ts';
import { addBusinessMs, businessMsBetween, type BusinessCalendar } from '../sla/sla.clock.ts';
import { findBusinessHours } from '../sla/sla.repository.ts';
import { shopColors } from './shops.color.ts';
import { findShop, type ShopRow } from './shops.repository.ts';
import { latestSightings, recordSighting } from './shops.sightings.repository.ts';
import type { ReplyTime } from './shops.tables.ts';

/** What the widget shows before the pre-chat form; only for a page on an origin the shop allowed. */
export interface WidgetConfig {
  allowed: true;
  id: string;
  name: string;
  locale: 'ja' | 'en';
  timezone: string;
  color: string;
  textColor: string;
  greeting: { ja: string | null; en: string | null };
  privacyUrl: string | null;
  replyTime: ReplyTime | null;
  /** Null when the shop has not set its business hours (then nothing is claimed). */
  hours: { open: boolean; nextOpenAt: string | null } | null;
  /** The domain mail comes from (MAIL_FROM's): a visitor at a mobile carrier address is told to allow it. */
  mailDomain: string | null;
}

export type WidgetConfigAnswer = WidgetConfig | { allowed: false };

const ORIGIN_MAX = 200;

/** The Origin header when it is one (scheme://host[:port], nothing else); anything else is not recorded. */
export function originOf(header: string | undefined): string | null {
  if (!header || header.length > ORIGIN_MAX) return null;
  try {
    const u = new URL(header);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === header ? header : null;
  } catch {
    return null;
  }
}

/** Open now, and when it opens next if not: from the shop's own calendar only. */
export function hoursStatus(calendar: BusinessCalendar, now: Date): { open: boolean; nextOpenAt: string | null } {
  if (businessMsBetween(now, new Date(now.getTime() + 60_000), calendar) > 0) return { open: true, nextOpenAt: null };
  try {
    // The first business millisecond after now ends 1 ms after the opening.
    return { open: false, nextOpenAt: new Date(addBusinessMs(now, 1, calendar).getTime() - 1).toISOString() };
  } catch {
    return { open: false, nextOpenAt: null };
  }
}

async function configOf(db: Db, shop: ShopRow, now: Date, mailDomain: string | null): Promise<WidgetConfig> {
  const hours = await findBusinessHours(db, shop.id);
  const calendar = hours && { timeZone: shop.timezone, weekly: hours.weekly, observeJpHolidays: hours.observeJpHolidays, closedDates: hours.closedDates };
  return {
    allowed: true,
    id: shop.id,
    name: shop.name,
    locale: shop.locale as 'ja' | 'en',
    timezone: shop.timezone,
    ...shopColors(shop.widgetColor),
    greeting: { ja: shop.widgetGreetingJa, en: shop.widgetGreetingEn },
    privacyUrl: shop.privacyUrl,
    replyTime: shop.replyTime,
    hours: calendar ? hoursStatus(calendar, now) : null,
    mailDomain,
  };
}

/**
 * The widget's start: the shop's look and hours for a page on an allowed origin, `{ allowed:
 * false }` for any other (the widget then stays hidden). The page's Origin header is the only
 * thing trusted and is recorded as a sighting; a request without one (the shop's own server,
 * curl) is answered as allowed, since nothing here is secret, and not recorded.
 */
export async function widgetConfig(db: Db, shopId: string, originHeader: string | undefined, now = new Date(), mailDomain: string | null = null): Promise<WidgetConfigAnswer> {
  const shop = await findShop(db, shopId);
  if (!shop) throw notFound('shop');
  const origin = originOf(originHeader);
  if (originHeader !== undefined && originHeader !== '' && !origin) return { allowed: false };
  if (origin) {
    const allowed = shop.allowedOrigins.includes(origin);
    await recordSighting(db, shop.id, origin, allowed);
    if (!allowed) return { allowed: false };
  }
  return configOf(db, shop, now, mailDomain);
}

/** Where the widget was seen (owner, staff): the console's "seen on" line and its warning about origins not allowed. */
export async function listWidgetSightings(db: Db, actor: Actor) {
  requireRole(actor, 'owner', 'staff');
  return (await latestSightings(db, actor.shopId)).map((s) => ({ ...s, firstSeen: s.firstSeen.toISOString(), lastSeen: s.lastSeen.toISOString() }));
}

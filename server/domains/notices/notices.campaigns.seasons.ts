import { desc, eq, isNotNull, and, count } from 'drizzle-orm';
import { z } from 'zod';
import { type Actor, requireRole } from '../../core/actor.ts';
import type { Db } from '../../core/db/client.ts';
import { orders } from '../orders/orders.tables.ts';
import { AUDIENCE_READERS } from './notices.target.audience.ts';
import { addDays, tokyoDay } from './notices.format.ts';

export const seasons = ['ochugen', 'oseibo', 'nenmatsu'] as const;
export type Season = (typeof seasons)[number];

/**
 * The busy seasons of Japanese parcel delivery, as month-day spans in Tokyo (domain-jp.md):
 * お中元 early July to mid August, お歳暮 late November to mid December, 年末年始 from the last
 * working days of December to the first week of January (it crosses the year). `cutoff` is the
 * date a gift should be ordered by to arrive in time; `lead` days before the period the banner
 * goes up; `extraDays` the usual extra days carriers announce.
 */
const calendar: Record<Season, { name: { ja: string; en: string }; from: [number, number]; to: [number, number]; cutoff?: [number, number]; extraDays: number }> = {
  ochugen: { name: { ja: 'お中元', en: 'Summer gift season (ochugen)' }, from: [7, 1], to: [8, 15], cutoff: [8, 5], extraDays: 1 },
  oseibo: { name: { ja: 'お歳暮', en: 'Year-end gift season (oseibo)' }, from: [11, 25], to: [12, 15], cutoff: [12, 10], extraDays: 1 },
  nenmatsu: { name: { ja: '年末年始', en: 'New Year holidays' }, from: [12, 28], to: [1, 5], extraDays: 2 },
};
const LEAD_DAYS = 7;

const iso = (y: number, [m, d]: [number, number]) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
const tokyoMidnight = (day: string) => `${day}T00:00:00+09:00`;

/** The season's span that is going on today or comes next. */
export function seasonSpan(season: Season, now: Date): { from: string; to: string; cutoff?: string } {
  const s = calendar[season];
  const today = tokyoDay(now);
  const year = Number(today.slice(0, 4));
  for (const y of [year - 1, year, year + 1]) {
    const from = iso(y, s.from);
    const to = iso(s.to[0] < s.from[0] ? y + 1 : y, s.to);
    if (to >= today) return { from, to, ...(s.cutoff ? { cutoff: iso(y, s.cutoff) } : {}) };
  }
  throw new Error('unreachable: a season recurs every year');
}

/** The carrier most of the shop's recent shipped orders went with: the draft's guess, which the merchant checks. */
async function usualCarrier(db: Db, shopId: string): Promise<string | undefined> {
  const [r] = await db
    .select({ carrier: orders.carrier, n: count() })
    .from(orders)
    .where(and(eq(orders.shopId, shopId), isNotNull(orders.carrier)))
    .groupBy(orders.carrier)
    .orderBy(desc(count()))
    .limit(1);
  return r?.carrier ?? undefined;
}

export const seasonsView = z.object({
  seasons: z.array(
    z.object({
      season: z.enum(seasons),
      name: z.object({ ja: z.string(), en: z.string() }),
      from: z.string(),
      to: z.string(),
      draft: z.record(z.string(), z.unknown()),
    }),
  ),
});

/**
 * A prepared draft for each season, the current or next one first: the seasonal notice with its
 * period, gift cut-off and usual extra days filled in, a banner from a week before the period to
 * its end, for the merchant to check and save (POST notice-campaigns takes `draft` as it is).
 *
 * @example
 * // on 2026-12-05: お歳暮 2026-11-25…2026-12-15 (going on), 年末年始 2026-12-28…2027-01-05, お中元 2027-07-01…
 */
export async function seasonalDrafts(db: Db, actor: Actor, now = new Date()) {
  requireRole(actor, ...AUDIENCE_READERS);
  const carrier = (await usualCarrier(db, actor.shopId)) ?? 'ヤマト運輸';
  const today = tokyoDay(now);
  const list = seasons.map((season) => {
    const s = calendar[season];
    const span = seasonSpan(season, now);
    const start = addDays(span.from, -LEAD_DAYS) > today ? addDays(span.from, -LEAD_DAYS) : today;
    const draft = {
      name: `${s.name.ja}期の配送についてのお知らせ（${span.from.slice(0, 4)}）`,
      type: 'seasonal',
      templateVersionId: null,
      variables: {
        season,
        period_from: span.from,
        period_to: span.to,
        carrier,
        extra_days: s.extraDays,
        regions: [{ ja: '全国', en: 'all regions' }],
        ...(span.cutoff && span.cutoff >= today ? { gift_order_cutoff: span.cutoff } : {}),
      },
      startsAt: tokyoMidnight(start),
      endsAt: tokyoMidnight(addDays(span.to, 1)),
      channels: { banner: true, mail: false, chat: false },
      target: { shipment: 'not_shipped' },
    };
    return { season, name: s.name, from: span.from, to: span.to, draft };
  });
  list.sort((a, b) => a.from.localeCompare(b.from));
  return { seasons: list };
}

import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { shops, widgetSightings } from './shops.tables.ts';

/**
 * Origins not allowed kept per shop: a hostile page cannot grow the table past this by inventing
 * Origin headers. Origins the shop allowed are outside the cap (their number is the shop's own list).
 */
export const WIDGET_SIGHTINGS_CAP = 50;
/** A sighting already recorded this recently is not written again (count and last_seen move at most this often). */
export const SIGHTING_THROTTLE_SECONDS = 30;

/**
 * Records that the widget loaded on `origin`. An allowed origin is always recorded, so a flood of
 * invented origins cannot hide where the shop's real widget runs. A new origin not allowed takes
 * the place of the not-allowed one seen longest ago once the cap is reached, so recent sightings
 * keep showing. One statement, so no read-then-write race beyond the cap's count (two new origins
 * at once may both pass at 49, and the next insert evicts the extra; the cap bounds growth).
 */
export async function recordSighting(db: Db, shopId: string, origin: string, allowed: boolean): Promise<void> {
  const known = sql`exists (select 1 from ${widgetSightings} where shop_id = ${shopId}::uuid and origin = ${origin})`;
  // Data-modifying CTEs share one snapshot: the insert below does not see the evicted rows gone,
  // which does not matter since they are other origins.
  await db.execute(sql`
    with evicted as (
      delete from ${widgetSightings}
      where shop_id = ${shopId}::uuid and not ${allowed} and not ${known}
        and origin in (
          select origin from ${widgetSightings}
          where shop_id = ${shopId}::uuid and not allowed
          order by last_seen, origin
          limit greatest(0, (select count(*) from ${widgetSightings} where shop_id = ${shopId}::uuid and not allowed) - ${WIDGET_SIGHTINGS_CAP} + 1))
      returning 1)
    insert into ${widgetSightings} (shop_id, origin, allowed)
    values (${shopId}::uuid, ${origin}, ${allowed})
    on conflict (shop_id, origin) do update
      set last_seen = now(), count = ${widgetSightings}.count + 1, allowed = excluded.allowed
      where ${widgetSightings}.last_seen < now() - make_interval(secs => ${SIGHTING_THROTTLE_SECONDS})
         or ${widgetSightings}.allowed is distinct from excluded.allowed`);
}

export interface Sighting {
  origin: string;
  /** Allowed by the shop's settings now (the list may have changed since it was seen). */
  allowed: boolean;
  /** Whether it was allowed when last seen. */
  allowedWhenSeen: boolean;
  firstSeen: Date;
  lastSeen: Date;
  count: number;
}

/**
 * Where the shop's widget was seen, the most recent first (at most WIDGET_SIGHTINGS_CAP not allowed, plus the allowed).
 *
 * @example (await latestSightings(db, shopId)).find((s) => s.allowed) // "seen on <origin> at <lastSeen>"
 */
export async function latestSightings(db: Db, shopId: string): Promise<Sighting[]> {
  return db
    .select({
      origin: widgetSightings.origin,
      allowed: sql<boolean>`${widgetSightings.origin} = any(${shops.allowedOrigins})`.mapWith(Boolean),
      allowedWhenSeen: widgetSightings.allowed,
      firstSeen: widgetSightings.firstSeen,
      lastSeen: widgetSightings.lastSeen,
      count: widgetSightings.count,
    })
    .from(widgetSightings)
    .innerJoin(shops, eq(shops.id, widgetSightings.shopId))
    .where(and(eq(widgetSightings.shopId, shopId)))
    .orderBy(desc(widgetSightings.lastSeen), widgetSightings.origin);
}

import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { shops, widgetSightings } from './shops.tables.ts';

/** Distinct origins kept per shop: a hostile page cannot grow the table past this by inventing Origin headers. */
export const WIDGET_SIGHTINGS_CAP = 50;
/** A sighting already recorded this recently is not written again (count and last_seen move at most this often). */
export const SIGHTING_THROTTLE_SECONDS = 30;

/**
 * Records that the widget loaded on `origin`: a new row while the shop has fewer than the cap, else
 * only the origins already known move. One statement, so no read-then-write race beyond the cap's
 * count (two new origins at once may both pass at 49; the cap is a bound on growth, not a quota).
 */
export async function recordSighting(db: Db, shopId: string, origin: string, allowed: boolean): Promise<void> {
  await db.execute(sql`
    insert into ${widgetSightings} (shop_id, origin, allowed)
    select ${shopId}::uuid, ${origin}, ${allowed}
    where (select count(*) from ${widgetSightings} where shop_id = ${shopId}::uuid) < ${WIDGET_SIGHTINGS_CAP}
       or exists (select 1 from ${widgetSightings} where shop_id = ${shopId}::uuid and origin = ${origin})
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
 * Where the shop's widget was seen, the most recent first (at most WIDGET_SIGHTINGS_CAP rows).
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

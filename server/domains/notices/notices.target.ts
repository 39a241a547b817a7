import { and, count, desc, eq, gte, inArray, isNotNull, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { orders } from '../orders/orders.tables.ts';
import { shops } from '../shops/shops.tables.ts';
import type { CampaignTarget } from './notices.campaigns.model.ts';

/** Midnight starting `day` in the shop's own time zone, read from the shop row in the same statement. */
const startOfDay = (shopId: string, day: SQL) => sql`(${day})::timestamp at time zone (select ${shops.timezone} from ${shops} where ${shops.id} = ${shopId})`;

/** The shop's usual origin, for orders that name none of their own. */
const originOf = (shopId: string) => sql`coalesce(${orders.originPrefecture}, (select ${shops.originPrefecture} from ${shops} where ${shops.id} = ${shopId}))`;

/** True when the target narrows nothing: it would concern every order the shop has. */
export function isEmptyTarget(t: CampaignTarget): boolean {
  return (
    !t.orderedFrom &&
    !t.orderedTo &&
    !t.carriers?.length &&
    !t.prefectures?.length &&
    !t.postcodePrefixes?.length &&
    !t.routes?.length &&
    (!t.shipment || t.shipment === 'any') &&
    !t.orderNumbers?.some((n) => n.trim().length > 0)
  );
}

/**
 * The orders of `shopId` that `t` concerns, as one SQL condition: every condition given must
 * hold; within a list, any one value does. Routes (2024年問題: lead times change per origin →
 * destination pair) match the order's own origin, else the shop's.
 */
export function targetWhere(shopId: string, t: CampaignTarget): SQL {
  // A cancelled order is not on its way: no delay notice concerns it.
  const where: (SQL | undefined)[] = [eq(orders.shopId, shopId), isNull(orders.cancelledAt)];
  // Half-open day bounds on the instant, so the (shop, ordered_at) index serves them.
  if (t.orderedFrom) where.push(gte(orders.orderedAt, startOfDay(shopId, sql`${t.orderedFrom}::date`)));
  if (t.orderedTo) where.push(lt(orders.orderedAt, startOfDay(shopId, sql`${t.orderedTo}::date + 1`)));
  if (t.carriers?.length) where.push(inArray(sql`lower(${orders.carrier})`, t.carriers.map((c) => c.toLowerCase())));
  if (t.prefectures?.length) where.push(inArray(orders.prefecture, t.prefectures));
  if (t.postcodePrefixes?.length) {
    const digits = sql`replace(coalesce(${orders.postcode}, ''), '-', '')`;
    where.push(or(...t.postcodePrefixes.map((p) => sql`${digits} like ${`${p}%`}`)));
  }
  if (t.routes?.length) {
    const origin = originOf(shopId);
    where.push(or(...t.routes.map((r) => and(sql`${origin} = ${r.from}`, eq(orders.prefecture, r.to)))));
  }
  if (t.shipment === 'shipped_not_delivered') where.push(isNotNull(orders.shippedAt), isNull(orders.deliveredAt));
  if (t.shipment === 'not_shipped') where.push(isNull(orders.shippedAt), isNull(orders.deliveredAt));
  // A list of numbers always constrains: the schema drops blank lines (an empty list is no
  // condition, refused for sending by isEmptyTarget), and a list of nothing but blanks stored
  // before that matches nothing, never every order.
  if (t.orderNumbers?.length) {
    const numbers = t.orderNumbers.map((n) => n.trim()).filter((n) => n.length > 0);
    where.push(numbers.length ? inArray(orders.orderNumber, numbers) : sql`false`);
  }
  return and(...where)!;
}

/** The address a customer is one recipient by: the order's, lower-cased. */
export const customerKey = sql<string>`lower(${orders.customerEmail})`;

/** How many orders and distinct customers `t` concerns, and how they spread over prefectures and carriers. */
export async function audienceCounts(db: Db, shopId: string, t: CampaignTarget) {
  const where = targetWhere(shopId, t);
  const [totals, byPrefecture, byCarrier] = await Promise.all([
    db.select({ orders: count(), customers: sql<number>`count(distinct ${customerKey})` }).from(orders).where(where),
    db
      .select({ prefecture: orders.prefecture, orders: count() })
      .from(orders)
      .where(where)
      .groupBy(orders.prefecture)
      .orderBy(desc(count()), orders.prefecture),
    db
      .select({ carrier: orders.carrier, orders: count() })
      .from(orders)
      .where(where)
      .groupBy(orders.carrier)
      .orderBy(desc(count()), orders.carrier),
  ]);
  return {
    orders: Number(totals[0]?.orders ?? 0),
    customers: Number(totals[0]?.customers ?? 0),
    byPrefecture: byPrefecture.map((r) => ({ prefecture: r.prefecture, orders: Number(r.orders) })),
    byCarrier: byCarrier.map((r) => ({ carrier: r.carrier, orders: Number(r.orders) })),
  };
}

/** Whether `t` concerns any order at all: one indexed probe, where publication and the start need no counts. */
export async function reachesAnyOrder(db: Db, shopId: string, t: CampaignTarget): Promise<boolean> {
  const [r] = await db.select({ id: orders.id }).from(orders).where(targetWhere(shopId, t)).limit(1);
  return !!r;
}

/** A few of the orders `t` concerns, newest first. */
export function audienceSample(db: Db, shopId: string, t: CampaignTarget, limit = 10) {
  return db
    .select({
      orderNumber: orders.orderNumber,
      orderedAt: orders.orderedAt,
      customerName: orders.customerName,
      email: orders.customerEmail,
      prefecture: orders.prefecture,
      carrier: orders.carrier,
    })
    .from(orders)
    .where(targetWhere(shopId, t))
    .orderBy(desc(orders.orderedAt), orders.orderNumber)
    .limit(limit);
}

/** Which of `numbers` the shop has an order with. */
export async function knownOrderNumbers(db: Db, shopId: string, numbers: string[]): Promise<Set<string>> {
  const known = new Set<string>();
  for (let i = 0; i < numbers.length; i += 1000) {
    const part = numbers.slice(i, i + 1000);
    const rows = await db.select({ n: orders.orderNumber }).from(orders).where(and(eq(orders.shopId, shopId), inArray(orders.orderNumber, part)));
    for (const r of rows) known.add(r.n);
  }
  return known;
}

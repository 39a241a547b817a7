import { sql } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { isoSql } from '../../core/db/statement.ts';

/** The SQL of a customer's other conversations, orders and returns (conversations.related.ts): all scoped by the shop, each capped. */

export const RELATED_LIMIT = 20;

/**
 * What else the customer of conversation `conversationId` has with the shop, in one statement,
 * as the JSON the route answers (RelatedDto), or undefined when the shop has no such
 * conversation. Each part newest first, at most RELATED_LIMIT:
 * - the customer's other conversations (not merged away): theirs, and, when `byAddress` (the
 *   viewer may see contact data) and the customer is verified, those of the shop's other
 *   verified customers with that address (addresses are stored lower-cased). An unverified
 *   contact's address is anyone's claim and joins nothing. The customers first (by id, and by
 *   address through customers_shop_email_idx), then their conversations
 *   (conversations_shop_customer_idx), sorted in an order no index serves: the planner would
 *   otherwise read the shop's history backwards for a customer whose conversations are old;
 * - the orders placed with that address, or named by the conversation or one of the customer's
 *   own others (one found by address is another contact's claim);
 * - the returns of those orders.
 * Five statements before, one after the other (the conversation, its customer, the three
 * parts); the values each needs from the one before travel inside (as arrays, so each part is
 * still an index's condition).
 */
export async function relatedJson(db: Db, shopId: string, conversationId: string, byAddress: boolean): Promise<string | undefined> {
  const shop = sql`${shopId}::uuid`;
  const r = (await db.execute(sql`
    with c as materialized (
      select id, customer_id, order_number from conversations where shop_id = ${shop} and id = ${conversationId}::uuid
    ), address as materialized (
      select lower(cu.email) as email from customers cu
      where cu.shop_id = ${shop} and cu.id = (select customer_id from c) and cu.verified and cu.email is not null and ${byAddress}::boolean
    ), others as materialized (
      select o.id, o.customer_id, o.number, o.status, o.subject, o.order_number, o.updated_at from conversations o
      where o.shop_id = ${shop} and o.id <> ${conversationId}::uuid and o.merged_into_id is null
        and o.customer_id = any(array(
          select x.id from customers x where x.shop_id = ${shop} and x.id = (select customer_id from c)
          union
          select x.id from customers x where x.shop_id = ${shop} and x.verified and x.email = (select email from address)))
      order by o.updated_at + interval '0 ms' desc, o.id desc limit ${RELATED_LIMIT}
    ), orders_of as materialized (
      select r.id, r.order_number, r.ordered_at, r.total, r.shipped_at, r.delivered_at from orders r
      where r.shop_id = ${shop} and (lower(r.customer_email) = (select email from address)
        or r.order_number = any(array(
          select order_number from c where order_number is not null
          union
          select o.order_number from others o where o.customer_id = (select customer_id from c) and o.order_number is not null)))
      order by r.ordered_at desc, r.id desc limit ${RELATED_LIMIT}
    ), returns_of as materialized (
      select rr.id, rr.number, rr.status, rr.order_id, rr.created_at from return_requests rr
      where rr.shop_id = ${shop} and rr.order_id = any(array(select id from orders_of))
      order by rr.created_at desc, rr.id desc limit ${RELATED_LIMIT}
    )
    select json_build_object(
      'conversations', coalesce((select json_agg(json_build_object('id', o.id, 'number', o.number, 'status', o.status, 'subject', o.subject, 'updatedAt', ${isoSql(sql`o.updated_at`)})
        order by o.updated_at desc, o.id desc) from others o), '[]'),
      'orders', coalesce((select json_agg(json_build_object('orderNumber', r.order_number, 'orderedAt', ${isoSql(sql`r.ordered_at`)}, 'total', r.total,
        'shippedAt', ${isoSql(sql`r.shipped_at`)}, 'deliveredAt', ${isoSql(sql`r.delivered_at`)}) order by r.ordered_at desc, r.id desc) from orders_of r), '[]'),
      'returns', coalesce((select json_agg(json_build_object('id', rr.id, 'number', rr.number, 'status', rr.status, 'orderNumber', r.order_number, 'createdAt', ${isoSql(sql`rr.created_at`)})
        order by rr.created_at desc, rr.id desc) from returns_of rr join orders_of r on r.id = rr.order_id), '[]')
    )::text as json
    from c`)) as unknown as { rows: Array<{ json: string }> };
  return r.rows[0]?.json;
}

import { and, desc, eq, inArray, isNull, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { orders } from '../orders/orders.tables.ts';
import { returnRequests } from '../returns/returns.tables.ts';
import { conversations, customers } from './conversations.tables.ts';

/** The SQL of a customer's other conversations, orders and returns (conversations.related.ts); all scoped by the shop, each capped. */

const LIMIT = 20;

/**
 * The customer's other conversations: theirs, and, given a vouched-for `email`, those of the
 * shop's other verified customers with that address (addresses are stored lower-cased). An
 * unverified contact's address is anyone's claim and joins nothing.
 */
export async function otherConversations(db: Db, shopId: string, customerId: string, email: string | null, exceptId: string) {
  // The customers first (by id, and by address through customers_shop_email_idx), then their
  // conversations (conversations_shop_customer_idx), sorted: a customer's history costs what
  // it holds, not what the shop holds.
  const same = email ? or(eq(customers.id, customerId), and(eq(customers.verified, true), eq(customers.email, email.toLowerCase()))) : eq(customers.id, customerId);
  const whose = db.select({ id: customers.id }).from(customers).where(and(eq(customers.shopId, shopId), same));
  return db
    .select({
      id: conversations.id,
      customerId: conversations.customerId,
      number: conversations.number,
      status: conversations.status,
      subject: conversations.subject,
      orderNumber: conversations.orderNumber,
      updatedAt: conversations.updatedAt,
    })
    .from(conversations)
    .where(and(eq(conversations.shopId, shopId), inArray(conversations.customerId, whose), ne(conversations.id, exceptId), isNull(conversations.mergedIntoId)))
    // An order no index serves: the planner would otherwise read the shop's history backwards
    // for a customer whose conversations are old.
    .orderBy(desc(sql`${conversations.updatedAt} + interval '0 ms'`))
    .limit(LIMIT);
}

/** Orders placed with the customer's vouched-for address, or named by one of their own conversations. */
export async function customerOrders(db: Db, shopId: string, email: string | null, orderNumbers: string[]) {
  const match = [
    ...(email ? [sql`lower(${orders.customerEmail}) = lower(${email})`] : []),
    ...(orderNumbers.length ? [inArray(orders.orderNumber, orderNumbers)] : []),
  ];
  if (!match.length) return [];
  return db
    .select({ id: orders.id, orderNumber: orders.orderNumber, orderedAt: orders.orderedAt, total: orders.total, shippedAt: orders.shippedAt, deliveredAt: orders.deliveredAt })
    .from(orders)
    .where(and(eq(orders.shopId, shopId), or(...match)))
    .orderBy(desc(orders.orderedAt))
    .limit(LIMIT);
}

export async function returnsOfOrders(db: Db, shopId: string, orderIds: string[]) {
  if (!orderIds.length) return [];
  return db
    .select({ id: returnRequests.id, number: returnRequests.number, status: returnRequests.status, orderId: returnRequests.orderId, createdAt: returnRequests.createdAt })
    .from(returnRequests)
    .where(and(eq(returnRequests.shopId, shopId), inArray(returnRequests.orderId, orderIds)))
    .orderBy(desc(returnRequests.createdAt))
    .limit(LIMIT);
}

import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { conversations } from '../conversations/conversations.tables.ts';
import { returnRequests } from '../returns/returns.tables.ts';
import { orders } from './orders.tables.ts';

/** Read-only looks into the neighbouring domains' tables: what names an order, for the order page. */

/** The order's row id, without its lines. */
export async function orderIdOf(db: Db, shopId: string, orderNumber: string): Promise<string | undefined> {
  const [row] = await db.select({ id: orders.id }).from(orders).where(and(eq(orders.shopId, shopId), eq(orders.orderNumber, orderNumber)));
  return row?.id;
}

/** A conversation names its order by number (the customer typed it, or the widget was opened from the order). */
export function conversationsNaming(db: Db, shopId: string, orderNumber: string) {
  return db
    .select({ id: conversations.id, number: conversations.number, subject: conversations.subject, status: conversations.status, updatedAt: conversations.updatedAt })
    .from(conversations)
    .where(and(eq(conversations.shopId, shopId), eq(conversations.orderNumber, orderNumber)))
    .orderBy(desc(conversations.createdAt))
    .limit(100);
}

/** A return request points at the order's row (return_requests_order_idx). */
export function returnsOf(db: Db, shopId: string, orderId: string) {
  return db
    .select({ id: returnRequests.id, number: returnRequests.number, kind: returnRequests.kind, status: returnRequests.status, createdAt: returnRequests.createdAt })
    .from(returnRequests)
    .where(and(eq(returnRequests.shopId, shopId), eq(returnRequests.orderId, orderId)))
    .orderBy(desc(returnRequests.number))
    .limit(100);
}

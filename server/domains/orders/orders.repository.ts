import { and, asc, desc, eq, gt, ilike, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../core/db/client.ts';
import { orderLines, orders } from './orders.tables.ts';

export type OrderRow = typeof orders.$inferSelect;
export type OrderLineRow = typeof orderLines.$inferSelect;
export type OrderWithLines = OrderRow & { lines: OrderLineRow[] };
export type OrderFields = Omit<typeof orders.$inferInsert, 'id' | 'shopId' | 'createdAt' | 'updatedAt'>;
export type LineFields = Pick<OrderLineRow, 'lineNo' | 'sku' | 'name' | 'quantity' | 'unitPrice' | 'taxRate'>;

async function withLines(db: Db, shopId: string, rows: OrderRow[]): Promise<OrderWithLines[]> {
  if (!rows.length) return [];
  const lines = await db
    .select()
    .from(orderLines)
    .where(and(eq(orderLines.shopId, shopId), inArray(orderLines.orderId, rows.map((r) => r.id))))
    .orderBy(asc(orderLines.lineNo));
  return rows.map((r) => ({ ...r, lines: lines.filter((l) => l.orderId === r.id) }));
}

export async function findOrder(db: Db, shopId: string, orderNumber: string, opts: { forUpdate?: boolean } = {}): Promise<OrderWithLines | undefined> {
  const q = db.select().from(orders).where(and(eq(orders.shopId, shopId), eq(orders.orderNumber, orderNumber)));
  const [row] = opts.forUpdate ? await q.for('update') : await q;
  return row ? (await withLines(db, shopId, [row]))[0] : undefined;
}

export async function findOrders(db: Db, shopId: string, orderNumbers: string[]): Promise<Map<string, OrderWithLines>> {
  if (!orderNumbers.length) return new Map();
  const rows = await db.select().from(orders).where(and(eq(orders.shopId, shopId), inArray(orders.orderNumber, orderNumbers)));
  return new Map((await withLines(db, shopId, rows)).map((o) => [o.orderNumber, o]));
}

/**
 * Inserts or replaces the order and its lines by (shop, order number). Lines keep their ids
 * by line number, so later records that point at a line survive a re-push.
 */
export async function upsertOrder(db: Db, shopId: string, fields: OrderFields, lines: LineFields[]): Promise<{ id: string; inserted: boolean }> {
  const now = new Date();
  const [row] = await db
    .insert(orders)
    .values({ ...fields, shopId, updatedAt: now })
    .onConflictDoUpdate({ target: [orders.shopId, orders.orderNumber], set: { ...fields, updatedAt: now } })
    // xmax = 0 only for a freshly inserted row: tells a create from a concurrent writer's update.
    .returning({ id: orders.id, inserted: sql<boolean>`(xmax = 0)` });
  const orderId = row!.id;
  await db
    .insert(orderLines)
    .values(lines.map((l) => ({ ...l, shopId, orderId })))
    .onConflictDoUpdate({
      target: [orderLines.orderId, orderLines.lineNo],
      set: {
        sku: sql`excluded.sku`,
        name: sql`excluded.name`,
        quantity: sql`excluded.quantity`,
        unitPrice: sql`excluded.unit_price`,
        taxRate: sql`excluded.tax_rate`,
      },
    });
  await db.delete(orderLines).where(and(eq(orderLines.shopId, shopId), eq(orderLines.orderId, orderId), gt(orderLines.lineNo, lines.length)));
  return { id: orderId, inserted: row!.inserted };
}

export interface OrderPageCursor {
  orderedAt: Date;
  id: string;
}

export async function listOrders(
  db: Db,
  shopId: string,
  opts: { q?: string; limit: number; after?: OrderPageCursor },
): Promise<OrderWithLines[]> {
  const where: (SQL | undefined)[] = [eq(orders.shopId, shopId)];
  if (opts.q) {
    const like = `%${opts.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(
      or(
        ilike(orders.orderNumber, `${opts.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`),
        ilike(orders.customerName, like),
        eq(sql`lower(${orders.customerEmail})`, opts.q.toLowerCase()),
        eq(orders.customerPhone, opts.q),
      ),
    );
  }
  if (opts.after) {
    where.push(
      or(
        lt(orders.orderedAt, opts.after.orderedAt),
        and(eq(orders.orderedAt, opts.after.orderedAt), lt(orders.id, opts.after.id)),
      ),
    );
  }
  const rows = await db
    .select()
    .from(orders)
    .where(and(...where))
    .orderBy(desc(orders.orderedAt), desc(orders.id))
    .limit(opts.limit);
  return withLines(db, shopId, rows);
}

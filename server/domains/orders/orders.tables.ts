import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, timestamp, unique, uuid, type AnyPgColumn } from 'drizzle-orm/pg-core';
import { storeConnections } from '../stores/stores.tables.ts';
import { shops } from '../shops/shops.tables.ts';

/** The order snapshot pushed by the shop platform or imported from CSV. Money is integer yen, tax included. */
export const orders = pgTable(
  'orders',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    shopId: uuid('shop_id')
      .notNull()
      .references(() => shops.id, { onDelete: 'cascade' }),
    orderNumber: text('order_number').notNull(),
    orderedAt: timestamp('ordered_at', { withTimezone: true }).notNull(),
    customerName: text('customer_name').notNull(),
    customerEmail: text('customer_email').notNull(),
    customerPhone: text('customer_phone'),
    postcode: text('postcode'),
    prefecture: text('prefecture'),
    address: text('address'),
    shippingFee: integer('shipping_fee').notNull().default(0),
    codFee: integer('cod_fee').notNull().default(0),
    couponCode: text('coupon_code'),
    couponDiscount: integer('coupon_discount').notNull().default(0),
    paymentMethod: text('payment_method').notNull(),
    carrier: text('carrier'),
    trackingNumber: text('tracking_number'),
    shippedAt: timestamp('shipped_at', { withTimezone: true }),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    /** Where this order ships from, when not from the shop's usual place (shops.origin_prefecture): route-targeted notices read it. */
    originPrefecture: text('origin_prefecture'),
    /** The platform cancelled it (Shopify's cancelled_at, BASE's cancelled): notices skip it, the portal takes no return on it. */
    cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
    /** The store connection that last wrote it (server/domains/stores); null for the API and CSV. */
    connectionId: uuid('connection_id').references((): AnyPgColumn => storeConnections.id, { onDelete: 'set null' }),
    /** The platform's own id of the order (Shopify's numeric id, BASE's unique_key). */
    externalId: text('external_id'),
    /** The platform's updated time of the snapshot stored: an older snapshot (a late webhook) never overwrites a newer one. */
    externalUpdatedAt: timestamp('external_updated_at', { withTimezone: true }),
    /** Lines + shipping + COD − coupon; kept so lists need not sum lines. */
    total: integer('total').notNull(),
    source: text('source').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('orders_shop_number_key').on(t.shopId, t.orderNumber),
    index('orders_shop_ordered_idx').on(t.shopId, t.orderedAt),
    // A customer's orders by their address (the conversation's related panel, the search by email).
    index('orders_shop_email_idx').on(t.shopId, sql`lower(${t.customerEmail})`),
    // A store's orders (unlinked when it is replaced or disconnected) without a scan of every shop's orders.
    index('orders_connection_idx').on(t.connectionId).where(sql`${t.connectionId} is not null`),
    check('orders_money_check', sql`${t.shippingFee} >= 0 and ${t.codFee} >= 0 and ${t.couponDiscount} >= 0 and ${t.total} >= 0`),
  ],
);

export const orderLines = pgTable(
  'order_lines',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    shopId: uuid('shop_id')
      .notNull()
      .references(() => shops.id, { onDelete: 'cascade' }),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    lineNo: integer('line_no').notNull(),
    sku: text('sku').notNull(),
    name: text('name').notNull(),
    quantity: integer('quantity').notNull(),
    unitPrice: integer('unit_price').notNull(),
    taxRate: integer('tax_rate').notNull(),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
  },
  (t) => [
    unique('order_lines_order_line_key').on(t.orderId, t.lineNo),
    check('order_lines_check', sql`${t.quantity} > 0 and ${t.unitPrice} >= 0 and ${t.taxRate} in (8, 10)`),
  ],
);

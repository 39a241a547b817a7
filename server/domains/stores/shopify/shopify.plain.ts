import type { z } from 'zod';
import { legacyId, type GqlOrder, type gqlAddress, type gqlMoney, type Money, type PlainAddress, type PlainOrder, type RestOrder, type restAddress, type restMoney } from './shopify.shapes.ts';

/** The GraphQL node and the webhook JSON of an order, as the one shape the mapping reads. */

const s = (v: string | null | undefined) => (v ?? '').trim();
const gm = (m: z.output<typeof gqlMoney>): Money => ({ amount: m.shopMoney.amount, currency: m.shopMoney.currencyCode });
/** REST amounts are in the shop's currency; `*_set.shop_money` says which one when present. */
const rm = (amount: string, set: z.output<typeof restMoney> | null | undefined, currency: string): Money =>
  set ? { amount: set.shop_money.amount, currency: set.shop_money.currency_code } : { amount, currency };

const gqlAddr = (a: z.output<typeof gqlAddress> | null | undefined): PlainAddress | null =>
  a
    ? { firstName: s(a.firstName), lastName: s(a.lastName), zip: s(a.zip), provinceCode: s(a.provinceCode), province: s(a.province), city: s(a.city), address1: s(a.address1), address2: s(a.address2), phone: s(a.phone), countryCode: s(a.countryCodeV2) }
    : null;
const restAddr = (a: z.output<typeof restAddress> | null | undefined): PlainAddress | null =>
  a
    ? { firstName: s(a.first_name), lastName: s(a.last_name), zip: s(a.zip), provinceCode: s(a.province_code), province: s(a.province), city: s(a.city), address1: s(a.address1), address2: s(a.address2), phone: s(a.phone), countryCode: s(a.country_code) }
    : null;

export function plainOfGql(o: GqlOrder): PlainOrder {
  return {
    id: o.legacyResourceId ?? legacyId(o.id),
    name: o.name,
    email: s(o.email),
    phone: s(o.phone),
    orderedAt: o.processedAt ?? o.createdAt,
    updatedAt: o.updatedAt,
    cancelledAt: o.cancelledAt ?? null,
    currency: o.currencyCode,
    taxesIncluded: o.taxesIncluded,
    gateways: o.paymentGatewayNames,
    discountCodes: o.discountCodes,
    currentTotal: gm(o.currentTotalPriceSet),
    totalDiscounts: o.totalDiscountsSet ? gm(o.totalDiscountsSet) : null,
    customer: { firstName: s(o.customer?.firstName), lastName: s(o.customer?.lastName) },
    address: gqlAddr(o.shippingAddress) ?? gqlAddr(o.billingAddress),
    lines: o.lineItems.nodes.map((l) => ({
      id: legacyId(l.id),
      sku: s(l.sku),
      variantId: l.variant ? legacyId(l.variant.id) : '',
      name: l.name,
      quantity: l.quantity,
      unitPrice: gm(l.originalUnitPriceSet),
      taxes: l.taxLines.map((t) => ({ rate: t.rate ?? null, price: gm(t.priceSet) })),
      discounts: l.discountAllocations.map((d) => gm(d.allocatedAmountSet)),
    })),
    shipping: o.shippingLines.nodes.map((l) => ({
      title: l.title,
      price: gm(l.originalPriceSet),
      taxes: l.taxLines.map((t) => ({ rate: t.rate ?? null, price: gm(t.priceSet) })),
      discounts: l.discountAllocations.map((d) => gm(d.allocatedAmountSet)),
    })),
    fulfillments: o.fulfillments.map((f) => ({
      createdAt: f.createdAt,
      deliveredAt: f.deliveredAt ?? null,
      status: f.status.toLowerCase(),
      company: s(f.trackingInfo[0]?.company),
      number: s(f.trackingInfo[0]?.number),
    })),
  };
}

export function plainOfRest(o: RestOrder): PlainOrder {
  const cur = o.currency;
  const taxes = (ts: RestOrder['line_items'][number]['tax_lines']) => ts.map((t) => ({ rate: t.rate ?? null, price: rm(t.price, t.price_set, cur) }));
  const discounts = (ds: RestOrder['line_items'][number]['discount_allocations']) => ds.map((d) => rm(d.amount, d.amount_set, cur));
  return {
    id: legacyId(o.id),
    name: o.name,
    email: s(o.email) || s(o.contact_email) || s(o.customer?.email),
    phone: s(o.phone) || s(o.customer?.phone),
    orderedAt: o.processed_at ?? o.created_at,
    updatedAt: o.updated_at,
    cancelledAt: o.cancelled_at ?? null,
    currency: cur,
    taxesIncluded: o.taxes_included,
    gateways: o.payment_gateway_names,
    discountCodes: o.discount_codes.map((d) => d.code),
    currentTotal: rm(o.current_total_price, o.current_total_price_set, cur),
    totalDiscounts: o.total_discounts ? { amount: o.total_discounts, currency: cur } : null,
    customer: { firstName: s(o.customer?.first_name), lastName: s(o.customer?.last_name) },
    address: restAddr(o.shipping_address) ?? restAddr(o.billing_address),
    lines: o.line_items.map((l) => ({
      id: legacyId(l.id),
      sku: s(l.sku),
      variantId: l.variant_id ? legacyId(l.variant_id) : '',
      name: l.name,
      quantity: l.quantity,
      unitPrice: rm(l.price, l.price_set, cur),
      taxes: taxes(l.tax_lines),
      discounts: discounts(l.discount_allocations),
    })),
    shipping: o.shipping_lines.map((l) => ({ title: l.title, price: rm(l.price, l.price_set, cur), taxes: taxes(l.tax_lines), discounts: discounts(l.discount_allocations) })),
    fulfillments: o.fulfillments.map((f) => ({
      createdAt: f.created_at,
      // REST has no delivered time: a fulfillment whose shipment status is `delivered` was last changed when it was.
      deliveredAt: f.shipment_status === 'delivered' ? (f.updated_at ?? null) : null,
      status: s(f.status).toLowerCase(),
      company: s(f.tracking_company),
      number: s(f.tracking_number),
    })),
  };
}

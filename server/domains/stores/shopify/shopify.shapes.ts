import { z } from 'zod';

/**
 * What madoguchi reads of a Shopify order, in the two shapes Shopify sends it: the Admin
 * GraphQL `Order` node (the fields shopify.queries.ts asks for) and the REST-shaped JSON of the
 * `orders/*` webhooks. Only the fields the mapping uses are named; anything else Shopify adds
 * passes by. Both are turned into one {@link PlainOrder} (shopify.plain.ts), so an order read by a backfill and the
 * same order pushed by a webhook map to the same thing.
 */

const str = z.string();
const optStr = z.string().nullish();

// GraphQL ---------------------------------------------------------------------------------

export const gqlMoney = z.object({ shopMoney: z.object({ amount: str, currencyCode: str }) });
const gqlTaxLine = z.object({ rate: z.number().nullish(), priceSet: gqlMoney });
const gqlAllocation = z.object({ allocatedAmountSet: gqlMoney });
export const gqlAddress = z.object({
  firstName: optStr,
  lastName: optStr,
  zip: optStr,
  provinceCode: optStr,
  province: optStr,
  city: optStr,
  address1: optStr,
  address2: optStr,
  phone: optStr,
  countryCodeV2: optStr,
});

export const gqlOrder = z.object({
  id: str,
  legacyResourceId: str.optional(),
  name: str,
  email: optStr,
  phone: optStr,
  createdAt: str,
  processedAt: optStr,
  updatedAt: str,
  cancelledAt: optStr,
  currencyCode: str,
  taxesIncluded: z.boolean(),
  paymentGatewayNames: z.array(str),
  discountCodes: z.array(str).default([]),
  currentTotalPriceSet: gqlMoney,
  totalDiscountsSet: gqlMoney.nullish(),
  customer: z.object({ firstName: optStr, lastName: optStr }).nullish(),
  shippingAddress: gqlAddress.nullish(),
  billingAddress: gqlAddress.nullish(),
  lineItems: z.object({
    nodes: z.array(
      z.object({
        id: str,
        sku: optStr,
        name: str,
        quantity: z.number().int(),
        variant: z.object({ id: str }).nullish(),
        originalUnitPriceSet: gqlMoney,
        taxLines: z.array(gqlTaxLine).default([]),
        discountAllocations: z.array(gqlAllocation).default([]),
      }),
    ),
  }),
  shippingLines: z.object({
    nodes: z.array(
      z.object({
        title: str,
        originalPriceSet: gqlMoney,
        taxLines: z.array(gqlTaxLine).default([]),
        discountAllocations: z.array(gqlAllocation).default([]),
      }),
    ),
  }),
  fulfillments: z
    .array(
      z.object({
        createdAt: str,
        deliveredAt: optStr,
        status: str,
        trackingInfo: z.array(z.object({ company: optStr, number: optStr })).default([]),
      }),
    )
    .default([]),
});
export type GqlOrder = z.output<typeof gqlOrder>;

// REST (webhooks) ------------------------------------------------------------------------

export const restMoney = z.object({ shop_money: z.object({ amount: str, currency_code: str }) });
const restTaxLine = z.object({ price: str, rate: z.number().nullish(), price_set: restMoney.nullish() });
const restAllocation = z.object({ amount: str, amount_set: restMoney.nullish() });
export const restAddress = z.object({
  first_name: optStr,
  last_name: optStr,
  zip: optStr,
  province_code: optStr,
  province: optStr,
  city: optStr,
  address1: optStr,
  address2: optStr,
  phone: optStr,
  country_code: optStr,
});

export const restOrder = z.object({
  id: z.union([z.number(), str]),
  name: str,
  email: optStr,
  contact_email: optStr,
  phone: optStr,
  created_at: str,
  processed_at: optStr,
  updated_at: str,
  cancelled_at: optStr,
  currency: str,
  taxes_included: z.boolean(),
  payment_gateway_names: z.array(str).default([]),
  discount_codes: z.array(z.object({ code: str })).default([]),
  current_total_price: str,
  current_total_price_set: restMoney.nullish(),
  total_discounts: optStr,
  customer: z.object({ first_name: optStr, last_name: optStr, email: optStr, phone: optStr }).nullish(),
  shipping_address: restAddress.nullish(),
  billing_address: restAddress.nullish(),
  line_items: z.array(
    z.object({
      id: z.union([z.number(), str]),
      sku: optStr,
      name: str,
      quantity: z.number().int(),
      variant_id: z.union([z.number(), str]).nullish(),
      price: str,
      price_set: restMoney.nullish(),
      tax_lines: z.array(restTaxLine).default([]),
      discount_allocations: z.array(restAllocation).default([]),
    }),
  ),
  shipping_lines: z
    .array(
      z.object({
        title: str,
        price: str,
        price_set: restMoney.nullish(),
        tax_lines: z.array(restTaxLine).default([]),
        discount_allocations: z.array(restAllocation).default([]),
      }),
    )
    .default([]),
  fulfillments: z
    .array(
      z.object({
        created_at: str,
        updated_at: optStr,
        status: optStr,
        shipment_status: optStr,
        tracking_company: optStr,
        tracking_number: optStr,
      }),
    )
    .default([]),
});
export type RestOrder = z.output<typeof restOrder>;

/** The fulfillments/* webhooks: only the order they belong to is read (the order is fetched again). */
export const restFulfillment = z.object({ order_id: z.union([z.number(), str]) });

// One shape for both --------------------------------------------------------------------

/** An amount as Shopify writes it ("1980.0"), with the currency it is in. */
export interface Money {
  amount: string;
  currency: string;
}

export interface PlainAddress {
  firstName: string;
  lastName: string;
  zip: string;
  provinceCode: string;
  province: string;
  city: string;
  address1: string;
  address2: string;
  phone: string;
  countryCode: string;
}

export interface PlainLine {
  id: string;
  sku: string;
  variantId: string;
  name: string;
  quantity: number;
  unitPrice: Money;
  taxes: Array<{ rate: number | null; price: Money }>;
  discounts: Money[];
}

export interface PlainOrder {
  id: string;
  name: string;
  email: string;
  phone: string;
  orderedAt: string;
  updatedAt: string;
  cancelledAt: string | null;
  currency: string;
  taxesIncluded: boolean;
  gateways: string[];
  discountCodes: string[];
  currentTotal: Money;
  totalDiscounts: Money | null;
  customer: { firstName: string; lastName: string };
  address: PlainAddress | null;
  lines: PlainLine[];
  shipping: Array<{ title: string; price: Money; taxes: Array<{ rate: number | null; price: Money }>; discounts: Money[] }>;
  fulfillments: Array<{ createdAt: string; deliveredAt: string | null; status: string; company: string; number: string }>;
}

/** The numeric id of a GID (`gid://shopify/Order/450789469` → `450789469`). */
export const legacyId = (gid: string | number) => String(gid).replace(/^gid:\/\/shopify\/\w+\//, '');

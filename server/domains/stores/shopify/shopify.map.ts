import type { z } from 'zod';
import { withoutNul } from '../../../core/nul.ts';
import { prefectures, type OrderInputJson, type PaymentMethod } from '../../orders/orders.schema.ts';
import type { StoreOrder } from '../stores.port.ts';
import { plainOfGql, plainOfRest } from './shopify.plain.ts';
import { gqlOrder, restFulfillment, restOrder, type Money, type PlainAddress, type PlainOrder } from './shopify.shapes.ts';

/**
 * A Shopify order as madoguchi's order: the yen the customer really paid per line (discount
 * allocations taken off, tax added when the shop's prices exclude it), shipping after its
 * discounts, the COD fee apart from the goods, the address in Japanese order. What this maps
 * adds up to Shopify's `currentTotalPriceSet` for an order as sold; refunds and edits after the
 * sale lower Shopify's current total but not what was sold, and this maps what was sold (the
 * returns desk needs the lines as bought), so for those orders the two totals differ.
 */

/** An order that cannot be madoguchi's as it is (not in yen, a fraction of a yen, a shape Shopify does not send). */
export class MappingError extends Error {
  override readonly name = 'MappingError';
  constructor(
    readonly orderNumber: string,
    readonly reason: string,
    readonly ja: string,
  ) {
    super(`${orderNumber}: ${reason}`);
  }
}

const YEN = /^(\d+)(?:\.0*)?$/;

/** "1980.0" → 1980; another currency or a fraction of a yen is refused, never rounded. */
export function yenOf(m: Money, orderNumber: string): number {
  if (m.currency !== 'JPY') {
    throw new MappingError(orderNumber, `the shop's currency is ${m.currency}; madoguchi stores yen`, `ショップの通貨が ${m.currency} です。madoguchi は円の注文だけを扱います。`);
  }
  const match = YEN.exec(m.amount.trim());
  if (!match) throw new MappingError(orderNumber, `the amount "${m.amount}" is not whole yen`, `金額「${m.amount}」が円単位の整数ではありません。`);
  return Number(match[1]);
}

/** JP-13 → 東京都 (Shopify's codes follow JIS X 0401, the order of `prefectures`); a prefecture written out is taken as it is. */
export function prefectureOf(a: Pick<PlainAddress, 'provinceCode' | 'province'>): (typeof prefectures)[number] | undefined {
  const code = /^JP-(\d{2})$/.exec(a.provinceCode);
  if (code) return prefectures[Number(code[1]) - 1];
  return prefectures.find((p) => p === a.province.normalize('NFKC'));
}

const CJK = /[\u3040-\u30ff\u3400-\u9fff]/;

/** Family name first for a Japanese name or address (山田 太郎), given name first otherwise. */
export function personName(first: string, last: string, country: string): string {
  const japanese = country === 'JP' || CJK.test(first + last);
  return (japanese ? [last, first] : [first, last]).filter(Boolean).join(' ');
}

const gatewayRules: Array<[RegExp, PaymentMethod]> = [
  [/cash on delivery|\bcod\b|代金引換|代引/i, 'cod'],
  [/bank|銀行|振込|furikomi/i, 'bank_transfer'],
  [/konbini|convenience|コンビニ|seven.?eleven|lawson|familymart|ファミリーマート|ローソン/i, 'convenience_store'],
  [/後払い|paidy|atone|np.?atobarai|afterpay|deferred/i, 'deferred'],
  [/キャリア決済|docomo|ドコモ|au かんたん|au pay かんたん|softbank まとめて|carrier billing/i, 'carrier_billing'],
  [/paypay|paypal|amazon pay|apple pay|google pay|line pay|merpay|楽天ペイ|rakuten pay|電子マネー/i, 'e_money'],
  [/shopify_payments|shopify payments|credit|card|クレジット|stripe|komoju|gmo|bogus/i, 'credit_card'],
];

/** Shopify's payment gateway names → madoguchi's method; a gift card alongside another gateway does not count. */
export function paymentMethodOf(gateways: readonly string[]): PaymentMethod {
  const named = gateways.filter((g) => g && g !== 'gift_card');
  for (const g of named) {
    const rule = gatewayRules.find(([re]) => re.test(g));
    if (rule) return rule[1];
  }
  return 'other';
}

/** A COD fee as Japanese shops add it: a shipping line or an item named 代引手数料 (or the like). */
export const isCodFee = (title: string) => /(代引|代金引換|\bcod\b|cash on delivery).{0,6}(手数料|fee)/i.test(title.normalize('NFKC'));

const carriers: Array<[RegExp, string]> = [
  [/yamato|ヤマト|クロネコ/i, 'ヤマト運輸'],
  [/sagawa|佐川/i, '佐川急便'],
  [/japan post|日本郵便|ゆうパック|yu-?pack/i, '日本郵便'],
  [/seino|西濃/i, '西濃運輸'],
  [/fukuyama|福山/i, '福山通運'],
];
/** Shopify's tracking companies ("Yamato (JA)", "Japan Post (EN)") as madoguchi names carriers; any other as written. */
export const carrierOf = (company: string) => carriers.find(([re]) => re.test(company))?.[1] ?? company;

/** Digits of a Japanese phone number as people write them: +81 90-1234-5678 (or +81 090…, +81 (0)90…) → 090-1234-5678. Undefined when it is not one. */
export function phoneOf(raw: string): string | undefined {
  const v = raw.normalize('NFKC').replace(/[\s()]/g, '').replace(/^\+81-?0?/, '0');
  return /^\+?[\d-]{10,16}$/.test(v) ? v : undefined;
}

/** 1500001 / 150-0001 → 150-0001; undefined for anything else (a foreign postcode is not kept, the order is). */
export function postcodeOf(raw: string): string | undefined {
  const d = raw.normalize('NFKC').replace(/[\s-]/g, '');
  return /^\d{7}$/.test(d) ? `${d.slice(0, 3)}-${d.slice(3)}` : undefined;
}

type Line = OrderInputJson['lines'][number];

/**
 * What a line cost the customer per unit, tax included. A total that does not divide over the
 * quantity becomes two lines of the same sku a yen apart (3 × 1000 less 100 → 2 × 967 and 1 × 966).
 */
export function splitLine(base: Omit<Line, 'quantity' | 'unitPrice'>, quantity: number, paid: number): Line[] {
  const unit = Math.floor(paid / quantity);
  const over = paid - unit * quantity;
  const lines: Line[] = [];
  if (over > 0) lines.push({ ...base, quantity: over, unitPrice: unit + 1 });
  if (quantity - over > 0) lines.push({ ...base, quantity: quantity - over, unitPrice: unit });
  return lines;
}

/** Two Shopify lines of one sku at one price (e.g. with different properties) are one of madoguchi's. */
function mergeLines(lines: Line[]): Line[] {
  const out: Line[] = [];
  for (const l of lines) {
    const same = out.find((o) => o.sku === l.sku && o.unitPrice === l.unitPrice && o.taxRate === l.taxRate);
    if (same) same.quantity += l.quantity;
    else out.push({ ...l });
  }
  return out;
}

const rateOf = (taxes: PlainOrder['lines'][number]['taxes']): 10 | 8 => (taxes.some((t) => t.rate !== null && Math.abs(t.rate - 0.08) < 1e-9) ? 8 : 10);

/** Builds madoguchi's order from either shape. */
export function mapPlainOrder(o: PlainOrder): StoreOrder {
  const n = o.name;
  const yen = (m: Money) => yenOf(m, n);
  yen(o.currentTotal);
  const sum = (ms: Money[]) => ms.reduce((s, m) => s + yen(m), 0);
  const paymentMethod = paymentMethodOf(o.gateways);
  const cod = paymentMethod === 'cod';

  let codFee = 0;
  let allocated = 0;
  const goods: Line[] = [];
  for (const l of o.lines) {
    if (l.quantity <= 0) continue;
    const discount = sum(l.discounts);
    allocated += discount;
    const paid = yen(l.unitPrice) * l.quantity - discount + (o.taxesIncluded ? 0 : sum(l.taxes.map((t) => t.price)));
    if (cod && isCodFee(l.name)) {
      codFee += paid;
      continue;
    }
    const sku = (l.sku || (l.variantId ? `shopify-variant-${l.variantId}` : `shopify-line-${l.id}`)).slice(0, 64);
    goods.push(...splitLine({ sku, name: l.name.slice(0, 200) || sku, taxRate: rateOf(l.taxes), tags: [] }, l.quantity, paid));
  }

  let shippingFee = 0;
  for (const s of o.shipping) {
    const discount = sum(s.discounts);
    allocated += discount;
    const paid = yen(s.price) - discount + (o.taxesIncluded ? 0 : sum(s.taxes.map((t) => t.price)));
    if (cod && isCodFee(s.title)) codFee += paid;
    else shippingFee += paid;
  }

  // Shopify allocates every discount to lines and shipping; one it did not (an older order, an app's) is the coupon.
  const unallocated = o.totalDiscounts ? yen(o.totalDiscounts) - allocated : 0;

  const a = o.address;
  const name = personName(a?.firstName || o.customer.firstName, a?.lastName || o.customer.lastName, a?.countryCode ?? '') || o.email;
  const phone = phoneOf(a?.phone || o.phone);
  const postcode = a ? postcodeOf(a.zip) : undefined;
  const prefecture = a ? prefectureOf(a) : undefined;
  const address = a ? [`${a.city}${a.address1}`, a.address2].filter(Boolean).join(' ').slice(0, 300) : '';

  const shipped = o.fulfillments.filter((f) => !['cancelled', 'error', 'failure'].includes(f.status)).sort((x, y) => Date.parse(x.createdAt) - Date.parse(y.createdAt));
  const tracked = shipped.find((f) => f.number || f.company);
  // Delivered when every parcel is: the last of their times. A ship date alone leaves it unset (the returns rules treat that as an estimate).
  const delivered = shipped.length > 0 && shipped.every((f) => f.deliveredAt) ? shipped.map((f) => f.deliveredAt!).sort((x, y) => Date.parse(y) - Date.parse(x))[0] : undefined;

  const input: OrderInputJson = {
    orderedAt: o.orderedAt,
    customer: {
      name: name.slice(0, 120),
      email: o.email,
      ...(phone ? { phone } : {}),
      ...(postcode ? { postcode } : {}),
      ...(prefecture ? { prefecture } : {}),
      ...(address ? { address } : {}),
    },
    lines: mergeLines(goods),
    shippingFee,
    codFee,
    ...(unallocated > 0 ? { coupon: { ...(o.discountCodes[0] ? { code: o.discountCodes[0] } : {}), discount: unallocated } } : {}),
    paymentMethod,
    ...(tracked?.company ? { carrier: carrierOf(tracked.company) } : {}),
    ...(tracked?.number ? { trackingNumber: tracked.number } : {}),
    shippedAt: shipped[0]?.createdAt ?? null,
    deliveredAt: delivered ?? null,
    cancelledAt: o.cancelledAt,
  };
  return { orderNumber: n, externalId: o.id, updatedAt: new Date(o.updatedAt), input };
}

const refuse = (what: string, e: z.ZodError, id: unknown): never => {
  const first = e.issues[0];
  const where = first ? `${first.path.join('.')}: ${first.message}` : 'unreadable';
  throw new MappingError(typeof id === 'string' ? id : '?', `${what} is not an order as Shopify sends it (${where})`, `Shopify の注文として読み取れませんでした（${where}）。`);
};

/** An `Order` node of the Admin GraphQL API (backfill, reconcile, a fulfillment's order). */
export function mapGraphqlOrder(node: unknown): StoreOrder {
  const r = gqlOrder.safeParse(withoutNul(node));
  if (!r.success) return refuse('the GraphQL order', r.error, (node as { name?: unknown })?.name);
  return mapPlainOrder(plainOfGql(r.data));
}

/** The JSON of an `orders/create`, `orders/updated` or `orders/cancelled` webhook. */
export function mapWebhookOrder(payload: unknown): StoreOrder {
  const r = restOrder.safeParse(withoutNul(payload));
  if (!r.success) return refuse('the webhook', r.error, (payload as { name?: unknown })?.name);
  return mapPlainOrder(plainOfRest(r.data));
}

export const orderTopics = ['orders/create', 'orders/updated', 'orders/cancelled'] as const;
export const fulfillmentTopics = ['fulfillments/create', 'fulfillments/update'] as const;

/** What a webhook asks for: an order to map as sent, an order to fetch again by id, or nothing madoguchi keeps. */
export function webhookAction(topic: string, payload: unknown): { kind: 'order'; order: StoreOrder } | { kind: 'fetch'; orderId: string } | { kind: 'ignore' } {
  if ((orderTopics as readonly string[]).includes(topic)) return { kind: 'order', order: mapWebhookOrder(payload) };
  if ((fulfillmentTopics as readonly string[]).includes(topic)) {
    const r = restFulfillment.safeParse(payload);
    if (!r.success) return refuse('the fulfillment webhook', r.error, undefined);
    return { kind: 'fetch', orderId: String(r.data.order_id) };
  }
  return { kind: 'ignore' };
}

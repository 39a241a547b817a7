import { z } from 'zod';
import { withoutNul } from '../../../core/nul.ts';
import { prefectures, type PaymentMethod } from '../../orders/orders.schema.ts';
import type { StoreOrder } from '../stores.port.ts';

/**
 * BASE API v1 `GET /1/orders/detail/:unique_key` → madoguchi's order, pure.
 *
 * Field names follow BASE's documentation (docs.thebase.in/docs/api/orders/detail, and its
 * earlier copy in github.com/baseinc/api-docs): times are unix seconds, prices are whole yen
 * with tax included (BASE shows and charges tax-included prices), `total` is what the buyer paid
 * (消費税、手数料含む). Where the documentation says nothing, the assumption is written at the
 * field below; the `total` check at the end catches a payload that does not add up as assumed,
 * and such an order is refused with its reason rather than stored with wrong yen.
 */

const yen = z.number().int();
const unix = z.number().int().positive();
const text = z.string().nullish();

/** A name, address and phone as BASE gives them, for the buyer and for the delivery. */
const person = {
  first_name: text,
  last_name: text,
  zip_code: text,
  prefecture: text,
  address: text,
  address2: text,
  tel: text,
};

export const baseOrderItem = z.looseObject({
  order_item_id: z.number().int().nullish(),
  item_id: z.number().int(),
  variation_id: z.number().int().nullish(),
  /**
   * The shop's own product code for the variation (品番), where the shop set one. Not in the
   * documented example; read when present, since a shop's own code is a better sku than ids.
   */
  variation_identifier: text,
  item_identifier: text,
  title: z.string(),
  variation: text,
  price: yen,
  amount: z.number().int().positive(),
  total: yen.nullish(),
  status: text,
  shipping_fee: yen.nullish(),
  /**
   * BASE's documented payload carries no tax rate per item. Shops selling food at the reduced
   * rate (軽減税率, 8%) mark it on the item; we read `tax_rate` (8 / 10, or 0.08 / 0.1) when the
   * payload has it and take the standard 10% otherwise. An assumption: see the module comment.
   */
  tax_rate: z.union([z.number(), z.string()]).nullish(),
});
export type BaseOrderItem = z.infer<typeof baseOrderItem>;

export const baseOrder = z.looseObject({
  unique_key: z.string().min(1),
  ordered: unix,
  cancelled: unix.nullish(),
  dispatched: unix.nullish(),
  modified: unix.nullish(),
  payment: z.string(),
  shipping_method: text,
  shipping_fee: yen.nullish(),
  cod_fee: yen.nullish(),
  total: yen,
  ...person,
  mail_address: text,
  dispatch_status: text,
  delivery_company_id: z.number().int().nullish(),
  tracking_number: text,
  order_receiver: z.looseObject(person).nullish(),
  order_discount: z.looseObject({ discount: yen.nullish(), note: text }).nullish(),
  order_header_coin: z.looseObject({ discount: yen.nullish(), note: text }).nullish(),
  order_amount_adjustment: z.looseObject({ adjusted_amount: yen.nullish() }).nullish(),
  order_items: z.array(baseOrderItem).min(1),
});
export type BaseOrder = z.infer<typeof baseOrder>;

/** One order of BASE, mapped for core (which validates `input` with orderInput). */
export type MappedOrder = StoreOrder;

/** Why an order of BASE was not mapped (kept out, with a reason the console shows). */
export interface MapRefusal {
  orderNumber: string;
  reason: string;
  ja: string;
}

export type MapResult = { ok: true; order: MappedOrder } | { ok: false; refusal: MapRefusal };

/**
 * BASE's payment codes (the list in orders and orders/detail) onto madoguchi's methods. A code
 * BASE adds later is 'other' rather than a refused order.
 */
const payments: Record<string, PaymentMethod> = {
  creditcard: 'credit_card',
  cod: 'cod', // 代金引換
  bt: 'bank_transfer', // 銀行振込 (ショップ口座)
  base_bt: 'bank_transfer', // 銀行振込 (BASE口座)
  cvs: 'convenience_store', // コンビニ決済
  carrier_01: 'carrier_billing', // ドコモ
  carrier_02: 'carrier_billing', // au
  carrier_03: 'carrier_billing', // ソフトバンク
  atobarai: 'deferred', // 後払い決済
  bnpl: 'deferred', // Pay ID あと払い
  bnpl_installment: 'deferred',
  paypal: 'e_money',
  amazon_pay: 'e_money',
  coin: 'e_money', // BASE のコイン決済
};

export const paymentOf = (code: string): PaymentMethod => payments[code] ?? 'other';

/** BASE's carrier names (GET /1/delivery_companies) as madoguchi's notices and estimates write them. */
const carrierNames: Record<string, string> = { クロネコヤマト: 'ヤマト運輸', ヤマト: 'ヤマト運輸' };
export const carrierName = (name: string) => carrierNames[name.trim()] ?? name.trim();

/** Unix seconds as an ISO time in Japan (+09:00), as the shop reads its BASE admin. */
export function jst(seconds: number): string {
  const local = new Date(seconds * 1000 + 9 * 3_600_000).toISOString().slice(0, 19);
  return `${local}+09:00`;
}

/** 8 for the reduced rate, 10 otherwise (see baseOrderItem.tax_rate). */
export function taxRateOf(item: BaseOrderItem): 8 | 10 {
  const r = Number(item.tax_rate);
  return r === 8 || r === 0.08 ? 8 : 10;
}

/**
 * A sku for a line: the shop's own code where BASE has one, else one built from BASE's ids
 * (`base-<item_id>-<variation_id>`), stable across syncs so a return names the same product.
 */
export function skuOf(item: BaseOrderItem): string {
  const own = (item.variation_identifier ?? item.item_identifier ?? '').trim();
  if (own) return own.slice(0, 64);
  return item.variation_id ? `base-${item.item_id}-${item.variation_id}` : `base-${item.item_id}`;
}

const digits = (v: string) => v.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));
/** Kept only when it is one madoguchi takes (an overseas postcode or phone is left out, not refused). */
const postcodeOf = (v: string | null | undefined) => (v && /^\d{3}[-ー－]?\d{4}$/.test(digits(v.trim())) ? v.trim() : undefined);
const phoneOf = (v: string | null | undefined) => (v && /^\+?[\d-]{10,16}$/.test(digits(v.trim()).replace(/[ー－‐−]/g, '-')) ? v.trim() : undefined);
const prefectureOf = (v: string | null | undefined) => (prefectures as readonly string[]).includes(v?.trim() ?? '') ? (v!.trim() as (typeof prefectures)[number]) : undefined;
const joined = (...parts: Array<string | null | undefined>) => parts.map((p) => p?.trim()).filter(Boolean).join(' ');

/**
 * Maps one order. `carriers` is BASE's delivery company list (id → name) for the carrier's name.
 * Lines: the items not cancelled (all of them when the whole order is cancelled, since an order
 * keeps at least one line). The yen: goods + shipping + COD − discounts must equal BASE's
 * `total`, or the order is refused with both sums in its reason.
 */
export function mapBaseOrder(raw: unknown, carriers: ReadonlyMap<number, string> = new Map()): MapResult {
  // PostgreSQL stores no NUL character: one in BASE's text is taken out, not a failed save of the whole page.
  const clean = withoutNul(raw);
  const parsed = baseOrder.safeParse(clean);
  const key = String((clean as { unique_key?: unknown } | null)?.unique_key ?? '');
  if (!parsed.success) {
    const where = parsed.error.issues[0];
    const path = where?.path.join('.') ?? '';
    return { ok: false, refusal: { orderNumber: key, reason: `BASE sent an order madoguchi cannot read (${path}: ${where?.message})`, ja: `BASE の注文データを読み取れませんでした（${path}）。` } };
  }
  const o = parsed.data;
  const live = o.order_items.filter((i) => i.status !== 'cancelled');
  const items = live.length > 0 ? live : o.order_items;

  // One line per sku and price: BASE may list the same variation twice (added to the cart twice).
  const lines = new Map<string, { sku: string; name: string; quantity: number; unitPrice: number; taxRate: 8 | 10 }>();
  for (const i of items) {
    const sku = skuOf(i);
    const rate = taxRateOf(i);
    const k = `${sku}\u0000${i.price}\u0000${rate}`;
    const had = lines.get(k);
    if (had) had.quantity += i.amount;
    else lines.set(k, { sku, name: joined(i.title, i.variation).slice(0, 200), quantity: i.amount, unitPrice: i.price, taxRate: rate });
  }
  const goods = [...lines.values()].reduce((s, l) => s + l.quantity * l.unitPrice, 0);

  // Shipping is set on the order or per item (BASE: 注文に対して指定している場合と、商品ごとに指定している場合がある);
  // assumed: per item when the order's own fee is null.
  const shippingFee = o.shipping_fee ?? items.reduce((s, i) => s + (i.shipping_fee ?? 0), 0);
  const codFee = o.cod_fee ?? 0;
  // Discounts: the shop's coupon (order_discount), BASE coins spent (order_header_coin), and a
  // downward adjustment by the shop (order_amount_adjustment). An upward adjustment is a line of its own.
  const adjusted = o.order_amount_adjustment?.adjusted_amount ?? 0;
  const discount = (o.order_discount?.discount ?? 0) + (o.order_header_coin?.discount ?? 0) + Math.max(0, -adjusted);
  if (adjusted > 0) lines.set('adjustment', { sku: 'base-adjustment', name: '金額調整', quantity: 1, unitPrice: adjusted, taxRate: 10 });
  const computed = goods + Math.max(0, adjusted) + shippingFee + codFee - discount;
  if (computed !== o.total) {
    return {
      ok: false,
      refusal: {
        orderNumber: o.unique_key,
        reason: `the order's parts add up to ${computed} yen but BASE's total is ${o.total} yen`,
        ja: `注文の内訳の合計（${computed}円）が BASE の合計金額（${o.total}円）と一致しません。`,
      },
    };
  }

  const to = o.order_receiver && (o.order_receiver.address || o.order_receiver.zip_code) ? o.order_receiver : o;
  const carrier = o.delivery_company_id ? carriers.get(o.delivery_company_id) : undefined;
  const noteOf = [o.order_discount?.note, o.order_header_coin?.note].find((n) => n?.trim());
  const paymentMethod = paymentOf(o.payment);
  const input: MappedOrder['input'] = {
    orderedAt: jst(o.ordered),
    customer: {
      name: joined(o.last_name, o.first_name) || joined(to.last_name, to.first_name),
      email: o.mail_address?.trim() ?? '',
      phone: phoneOf(o.tel) ?? phoneOf(to.tel),
      postcode: postcodeOf(to.zip_code),
      prefecture: prefectureOf(to.prefecture),
      address: joined(to.address, to.address2) || undefined,
    },
    lines: [...lines.values()].map((l) => ({ ...l, tags: [] })),
    shippingFee,
    // A COD fee on an order paid otherwise would be refused by madoguchi; BASE charges it only for 代金引換.
    codFee: paymentMethod === 'cod' ? codFee : 0,
    ...(discount > 0 ? { coupon: { ...(noteOf ? { code: noteOf.trim().slice(0, 64) } : {}), discount } } : {}),
    paymentMethod,
    ...(carrier ? { carrier: carrierName(carrier).slice(0, 64) } : {}),
    ...(o.tracking_number?.trim() ? { trackingNumber: o.tracking_number.trim().slice(0, 64) } : {}),
    // BASE knows the day it shipped, never the day it arrived: deliveredAt stays unset, and the
    // returns rules count from an estimate (see orders' delivery estimate).
    shippedAt: o.dispatched ? jst(Math.max(o.dispatched, o.ordered)) : null,
    cancelledAt: o.cancelled ? jst(o.cancelled) : null,
  };
  if (paymentMethod !== 'cod' && codFee > 0) {
    return { ok: false, refusal: { orderNumber: o.unique_key, reason: `a COD fee of ${codFee} yen on an order paid by ${o.payment}`, ja: `代金引換でない注文（${o.payment}）に代引き手数料（${codFee}円）が付いています。` } };
  }
  return {
    ok: true,
    order: {
      orderNumber: o.unique_key,
      externalId: o.unique_key,
      updatedAt: new Date((o.modified ?? Math.max(o.ordered, o.dispatched ?? 0, o.cancelled ?? 0)) * 1000),
      input,
    },
  };
}

import { z } from 'zod';
import { said } from '../../core/messages.ts';
import { shopIdParams } from '../shops/shops.schema.ts';
import { prefectures, shipmentStatuses } from './orders.model.ts';

export { prefectures, shipmentStatuses, type ShipmentStatus } from './orders.model.ts';

export const paymentMethods = [
  'credit_card', 'cod', 'bank_transfer', 'convenience_store', 'carrier_billing', 'deferred', 'e_money', 'other',
] as const;
export type PaymentMethod = (typeof paymentMethods)[number];

export const orderNumber = z
  .string()
  .regex(
    /^#?[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/,
    said('注文番号は英数字と「_」「.」「-」の1〜64文字です（先頭の「#」は可：#1001）', 'expected 1–64 letters, digits, "_", "." or "-", optionally after a leading "#" (#1001)'),
  );

/** Where an order came from: the API, a CSV import, or a connected store. */
export const orderSources = ['api', 'csv', 'shopify', 'base'] as const;
export type OrderSource = (typeof orderSources)[number];

/** Totals are stored as PostgreSQL integers; no small shop's order comes near this. */
export const MAX_ORDER_TOTAL = 2_000_000_000;

const yen = z.number().int(said('円単位の整数で入力してください', 'expected whole yen')).min(0).max(100_000_000);
const when = z.iso.datetime({ offset: true, message: said('日時は 2026-11-25T10:00:00+09:00 のように時差付きで入力してください', 'expected an ISO 8601 date-time with offset, e.g. 2026-11-25T10:00:00+09:00') });

export const postcode = z
  .string()
  .trim()
  .transform((v) => v.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0)).replace(/[ー－‐−]/g, '-'))
  .pipe(z.string().regex(/^\d{3}-?\d{4}$/, said('郵便番号は 150-0001 のように入力してください', 'expected a postcode such as 150-0001')))
  .transform((v) => `${v.replace('-', '').slice(0, 3)}-${v.replace('-', '').slice(3)}`);

export const phone = z
  .string()
  .trim()
  .transform((v) => v.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0)).replace(/[ー－‐−]/g, '-'))
  .pipe(z.string().regex(/^\+?[\d-]{10,16}$/, said('電話番号は 03-1234-5678 のように入力してください', 'expected a phone number such as 03-1234-5678')));

/** A product tag as the return terms name it: compared after NFKC and lower case, so 「ＳＡＬＥ」 is "sale". */
export const productTag = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .transform((t) => t.normalize('NFKC').toLowerCase());

export const orderLineInput = z.strictObject({
  sku: z.string().trim().min(1).max(64),
  name: z.string().trim().min(1).max(200),
  quantity: z.number().int().min(1).max(10_000),
  unitPrice: yen.describe('yen, tax included'),
  taxRate: z.union([z.literal(10), z.literal(8)]).describe('10 (standard) or 8 (reduced)'),
  tags: z
    .array(productTag)
    .max(20)
    .default([])
    .describe('product tags the return terms refer to (sale, underwear, made_to_order, …)'),
});

export const orderInput = z
  .strictObject({
    orderedAt: when,
    customer: z.strictObject({
      name: z.string().trim().min(1).max(120),
      email: z.email({ message: said('メールアドレスの形式で入力してください（例：taro@example.jp）。', 'expected an email address') }).max(254),
      phone: phone.optional(),
      postcode: postcode.optional(),
      prefecture: z.enum(prefectures, { message: said('都道府県は「東京都」のように入力してください', 'expected a prefecture such as 東京都') }).optional(),
      address: z.string().trim().min(1).max(300).optional(),
    }),
    lines: z.array(orderLineInput).min(1, said('注文には明細が1行以上必要です', 'an order has at least one line')).max(500),
    shippingFee: yen.default(0),
    codFee: yen.default(0).describe('代引き手数料'),
    coupon: z.strictObject({ code: z.string().trim().max(64).optional(), discount: yen }).optional(),
    paymentMethod: z.enum(paymentMethods),
    carrier: z.string().trim().max(64).optional(),
    trackingNumber: z.string().trim().max(64).optional(),
    /** Where the parcel ships from, when not from the shop's usual prefecture (its settings). */
    originPrefecture: z.enum(prefectures, { message: said('都道府県は「東京都」のように入力してください', 'expected a prefecture such as 東京都') }).optional(),
    shippedAt: when.nullable().optional(),
    deliveredAt: when.nullable().optional(),
    /** The platform cancelled the order: notices skip it and the return portal does not take it. */
    cancelledAt: when.nullable().optional(),
  })
  .superRefine((o, ctx) => {
    const goods = o.lines.reduce((s, l) => s + l.quantity * l.unitPrice, 0);
    if (goods + o.shippingFee + o.codFee > MAX_ORDER_TOTAL) {
      ctx.addIssue({ code: 'custom', path: ['lines'], message: `the order adds up to more than ${MAX_ORDER_TOTAL.toLocaleString('en')} yen` });
    }
    if ((o.coupon?.discount ?? 0) > goods) {
      ctx.addIssue({ code: 'custom', path: ['coupon', 'discount'], message: `the coupon (${o.coupon?.discount} yen) exceeds the goods (${goods} yen)` });
    }
    if (o.codFee > 0 && o.paymentMethod !== 'cod') {
      ctx.addIssue({ code: 'custom', path: ['codFee'], message: said('代引き手数料は支払方法が代金引換（cod）の注文にだけ付けられます', 'a COD fee needs paymentMethod "cod"') });
    }
    if (o.shippedAt && o.deliveredAt && Date.parse(o.deliveredAt) < Date.parse(o.shippedAt)) {
      ctx.addIssue({ code: 'custom', path: ['deliveredAt'], message: said('配達日時が発送日時より前になっています', 'delivered before it was shipped') });
    }
    if (o.cancelledAt && Date.parse(o.cancelledAt) < Date.parse(o.orderedAt)) {
      ctx.addIssue({ code: 'custom', path: ['cancelledAt'], message: said('キャンセル日時が注文日時より前になっています', 'cancelled before it was ordered') });
    }
    if (o.shippedAt && Date.parse(o.shippedAt) < Date.parse(o.orderedAt)) {
      ctx.addIssue({ code: 'custom', path: ['shippedAt'], message: said('発送日時が注文日時より前になっています', 'shipped before it was ordered') });
    }
    // The return window counts from delivery: a delivery before the order would open it early.
    if (o.deliveredAt && Date.parse(o.deliveredAt) < Date.parse(o.orderedAt)) {
      ctx.addIssue({ code: 'custom', path: ['deliveredAt'], message: said('配達日時が注文日時より前になっています', 'delivered before it was ordered') });
    }
    const seen = new Set<string>();
    o.lines.forEach((l, i) => {
      const key = `${l.sku}\u0000${l.unitPrice}\u0000${l.taxRate}`;
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['lines', i, 'sku'], message: `sku ${l.sku} appears twice at the same price; add the quantities` });
      seen.add(key);
    });
  });

export type OrderInput = z.output<typeof orderInput>;
/** An order as the platform sends it, before defaults (tags, fees) are filled in. */
export type OrderInputJson = z.input<typeof orderInput>;

export const orderParams = shopIdParams.extend({ orderNumber });

export const maskableFields = ['email', 'phone', 'postcode', 'address'] as const;
export type MaskableField = (typeof maskableFields)[number];

export const revealBody = z.strictObject({
  field: z.enum(maskableFields),
  reason: z.string().trim().min(5, said('理由を5文字以上で書いてください', 'say why in a few words (at least 5 characters)')).max(500),
});

/** A calendar day in the shop's time zone; 2026-02-30 is refused, not rolled over to March, and years stay within what PostgreSQL's date takes. */
export const calendarDay = z
  .string()
  .regex(/^(19|2\d)\d{2}-\d{2}-\d{2}$/, said('日付は 2026-11-25 の形で入力してください', 'expected a date such as 2026-11-25'))
  .refine((d) => {
    const t = new Date(`${d}T00:00:00Z`);
    return !Number.isNaN(t.getTime()) && t.toISOString().startsWith(d);
  }, said('存在しない日付です', 'there is no such date'));

export const listOrdersQuery = z
  .strictObject({
    q: z.string().trim().min(1).max(120).optional().describe('order number prefix, customer name, or exact email/phone (email/phone only for viewers who see contact data)'),
    from: calendarDay.optional().describe("first day ordered (YYYY-MM-DD, the shop's time zone), included"),
    to: calendarDay.optional().describe("last day ordered (YYYY-MM-DD, the shop's time zone), included"),
    status: z.enum(shipmentStatuses, { message: said('状態は unshipped・shipped・delivered のいずれかです', 'expected unshipped, shipped or delivered') }).optional(),
    carrier: z.string().trim().min(1).max(64).optional().describe('the carrier as written on the order (exact, case-insensitive)'),
    prefecture: z.enum(prefectures, { message: said('都道府県は「東京都」のように入力してください', 'expected a prefecture such as 東京都') }).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().max(200).optional().describe('nextCursor of the previous page'),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, { path: ['to'], message: said('終了日は開始日と同じかそれより後にしてください', 'the last day is before the first day') });

export type OrderFilter = z.output<typeof listOrdersQuery>;

const lineView = orderLineInput.extend({ lineNo: z.number().int(), subtotal: z.number().int() });

export const orderView = z.object({
  id: z.uuid(),
  orderNumber: z.string(),
  orderedAt: z.string(),
  customer: z.object({
    name: z.string(),
    email: z.string(),
    phone: z.string().nullable(),
    postcode: z.string().nullable(),
    prefecture: z.string().nullable(),
    address: z.string().nullable(),
  }),
  masked: z.array(z.enum(maskableFields)).describe('fields masked for this viewer; reveal one with a reason'),
  lines: z.array(lineView),
  shippingFee: z.number().int(),
  codFee: z.number().int(),
  coupon: z.object({ code: z.string().nullable(), discount: z.number().int() }).nullable(),
  paymentMethod: z.enum(paymentMethods),
  carrier: z.string().nullable(),
  trackingNumber: z.string().nullable(),
  shippedAt: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  cancelledAt: z.string().nullable(),
  status: z.enum(shipmentStatuses),
  total: z.number().int(),
  source: z.enum(orderSources),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const upsertResult = z.object({
  result: z.enum(['created', 'updated', 'unchanged']),
  order: orderView,
  dryRun: z.boolean().describe('true: judged and answered as it would be, nothing stored'),
});

/** `?dryRun=true`: a try of the call (the first-run checklist's sample), answered as it would be and stored nowhere. */
export const putOrderQuery = z.strictObject({
  dryRun: z.enum(['true', 'false'], { message: said('dryRun は true か false で指定してください。', 'dryRun is true or false') }).optional(),
});

/** Where an import's columns came from: madoguchi's own names, a platform's export, or the shop's saved mapping. */
export const importPresets = ['madoguchi', 'shopify', 'base', 'stores', 'colorme', 'makeshop', 'custom'] as const;
export const importPreset = z.enum(importPresets);
export type ImportPreset = (typeof importPresets)[number];

/** madoguchi's import columns, the keys of a column mapping (orders.csv.rows.ts describes each). */
export const importFields = [
  'order_number', 'ordered_at', 'customer_name', 'customer_email', 'customer_phone', 'postcode', 'prefecture', 'address',
  'sku', 'item_name', 'quantity', 'unit_price', 'tax_rate', 'tags', 'shipping_fee', 'cod_fee', 'coupon_code', 'coupon_discount',
  'payment_method', 'carrier', 'tracking_number', 'shipped_at', 'delivered_at', 'origin_prefecture', 'cancelled_at',
] as const;
export const importField = z.enum(importFields, { message: said('madoguchi の取り込み項目ではありません', 'not one of madoguchi\'s import fields') });
export type ImportField = (typeof importFields)[number];

const mappingHeader = z.string().trim().min(1, said('列の名前を入れてください', 'name the column')).max(200);
const mappingDefaults = z.strictObject({
  taxRate: z.union([z.literal(10), z.literal(8)], { message: said('税率は 10 か 8 です', 'expected 10 or 8') }).optional(),
  paymentMethod: z.enum(paymentMethods).optional(),
});

/** PUT …/orders/import/mapping: the shop's mapping for a file no preset knows. */
export const importMappingInput = z.strictObject({
  name: z.string().trim().min(1).max(60).optional(),
  columns: z.partialRecord(importField, mappingHeader),
  defaults: mappingDefaults.optional(),
  headers: z.array(z.string().max(200)).max(500).optional().describe("the file's header row (from the preview): every mapped header must be in it"),
});
export type ImportMappingInput = z.output<typeof importMappingInput>;

export const importMappingView = z.object({
  name: z.string().nullable(),
  columns: z.partialRecord(importField, z.string()),
  defaults: mappingDefaults,
  updatedAt: z.string(),
});
export type ImportMappingView = z.infer<typeof importMappingView>;

export const importFieldInfo = z.object({
  field: importField,
  required: z.boolean(),
  level: z.enum(['key', 'order', 'line']),
  ja: z.string(),
  en: z.string(),
});

export const importMappingAnswer = z.object({ mapping: importMappingView.nullable(), fields: z.array(importFieldInfo) });

export const importQuery = z.strictObject({
  encoding: z.enum(['auto', 'utf-8', 'shift_jis']).default('auto'),
  mapping: z.enum(['auto', 'saved'], { message: said('mapping は auto か saved です', 'mapping is auto or saved') }).default('auto'),
});

export const importPreview = z.object({
  encoding: z.enum(['utf-8', 'shift_jis']),
  headers: z.array(z.string()),
  preset: importPreset.nullable().describe("a platform's export (or madoguchi's own columns) recognised from the header row"),
  savedMapping: z.boolean().describe('a saved mapping exists and every header it names is in this file'),
  suggested: z.record(importField, z.string().nullable()),
  sampleRows: z.array(z.array(z.string())).describe('the first 5 data rows in header order, contact cells masked'),
  missing: z.array(importField).describe('required fields no header is suggested for'),
});

export const importReport = z.object({
  preset: importPreset,
  encoding: z.enum(['utf-8', 'shift_jis']),
  rows: z.number().int(),
  orders: z.object({ created: z.number().int(), updated: z.number().int(), unchanged: z.number().int(), rejected: z.number().int() }),
  errors: z.array(
    z.object({
      line: z.number().int(),
      orderNumber: z.string().nullable(),
      column: z.string().nullable(),
      reason: z.string(),
      ja: z.string().describe('the reason in Japanese'),
    }),
  ),
});

const conversationLink = z.object({ id: z.uuid(), number: z.number().int(), subject: z.string().nullable(), status: z.string(), updatedAt: z.string() });
const returnLink = z.object({ id: z.uuid(), number: z.number().int(), kind: z.string(), status: z.string(), createdAt: z.string() });

export const orderLinks = z.object({
  conversations: z.array(conversationLink).describe('conversations that name this order, newest first'),
  returns: z.array(returnLink).describe('return requests filed on this order, newest first'),
  mail: z.null().describe('mail sent about this order: not recorded per order yet (a later issue); always null for now'),
});

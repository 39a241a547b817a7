/**
 * The order exports of the shop platforms small Japanese shops use, read as they are: each preset says
 * which of the platform's columns fill which of madoguchi's, and how a value is derived when no one
 * column holds it. The import report names the platform's own column.
 *
 * Sources of the layouts (header names exactly as the platforms write them):
 * - Shopify: the admin's Orders → Export CSV ("orders_export.csv"), documented in Shopify's help
 *   (help.shopify.com/manual/orders/export-orders) and seen in many tools that read it. One row per
 *   line item; the order's own columns are filled on its first row only.
 * - BASE: 注文情報のCSVダウンロード (Shift_JIS), header row as tools reading it spell it:
 *   注文ID, 注文日時, 氏(請求先), 名(請求先), 郵便番号(請求先) … 商品名, バリエーション, 価格, 税率, 数量,
 *   合計金額, 送料, 支払い方法, 代引き手数料, 発送状況, 商品ID, 種類ID, 購入元, 配送日, 配送時間帯, 注文メモ,
 *   調整金額 (newer files add 商品コード, 種類コード, JAN / GTIN). One row per item, order columns repeated.
 * - カラーミーショップ: 受注データ (sales_all.csv, Shift_JIS): 売上ID, 受注日, 購入者 名前, 購入者 メールアドレス,
 *   購入者 郵便番号/都道府県/住所/電話番号, 配送先 名前/郵便番号/都道府県名/住所/電話番号, 購入商品 商品ID,
 *   購入商品 商品名, 購入商品 販売価格(消費税込), 購入商品 販売個数, 送料合計, 決済方法, 決済手数料, 割引金額,
 *   発送日時 — from the open-source readers of that file (label_me, a Laravel importer); no official list was
 *   found, and 購入商品 型番 / 購入商品 消費税率 are read when present (names not confirmed).
 * - MakeShop: 注文出力用テンプレート (manual.makeshop.jp, "注文出力用テンプレートの設定"): 日付 (2022/8/10),
 *   注文時間 (hhmmss), 注文番号 (P…), 処理状況, 注文者 are as documented; the merchant chooses the other
 *   columns of a template, so those are read under the names that list uses where found and common
 *   alternatives otherwise (メールアドレス, 電話番号, 郵便番号, 都道府県, 住所, 商品名, 独自商品コード, 数量,
 *   販売価格, 送料, 代引手数料, 決済方法).
 * - STORES: no documented column list of its order CSV was found; the preset reads the names of STORES'
 *   order screen (注文番号, 注文日時, 購入者名, 購入者メールアドレス, 配送先…, アイテム名, アイテムID,
 *   バリエーション, 単価, 数量, 送料, 決済方法, 発送日) and is the least certain of the five. A file it does
 *   not fit falls through to the column-mapping step.
 */
import type { Field, RawValues } from './orders.csv.rows.ts';
import type { ImportPreset } from './orders.schema.ts';
import { isJapan, paymentOf, phoneOf, postcodeOf, prefectureOf, rateOf, yenOf } from './orders.presets.values.ts';

/** A cell of the current record by its header as written; '' when the file has no such column. */
export type Get = (header: string) => string;

/** A value read from one or more columns; `from[0]` (or the first present) is the column the report names. */
export interface Derived {
  from: readonly string[];
  read: (get: Get) => string | undefined;
}

export type Pick = string | Derived;

export type PlatformPreset = Exclude<ImportPreset, 'madoguchi' | 'custom'>;

export interface OrderRecord {
  get: Get;
  values: RawValues;
  /** Reasons a derived value could not be made, per field (reported at the field's column). */
  problems: Partial<Record<Field, string>>;
}

export interface Preset {
  id: PlatformPreset;
  label: string;
  /** Columns without which no order can be read: a file that looks like this platform's but lacks one is refused naming it. */
  needs: readonly string[];
  /** Further columns typical of the layout: with `needs`, they recognise it. */
  marks: readonly string[];
  columns: Partial<Record<Field, Pick>>;
  /** Runs once per order over its records, first row first: values only the whole order gives. */
  finishOrder?: (records: OrderRecord[]) => void;
}

const blank = (s: string | undefined) => s === undefined || s.trim() === '';
const firstOf = (get: Get, ...headers: string[]) => headers.map((h) => get(h).trim()).find((v) => v !== '') ?? '';
const orUndefined = (s: string) => (s === '' ? undefined : s);

const derive = (from: readonly string[], read: (get: Get) => string | undefined): Derived => ({ from, read });
const firstNonBlank = (...from: string[]) => derive(from, (get) => orUndefined(firstOf(get, ...from)));
const payment = (...from: string[]) => derive(from, (get) => (blank(firstOf(get, ...from)) ? undefined : paymentOf(firstOf(get, ...from))));
const prefecture = (...from: string[]) => derive(from, (get) => orUndefined(firstOf(get, ...from)) && prefectureOf(firstOf(get, ...from)));
const phone = (...from: string[]) => derive(from, (get) => orUndefined(phoneOf(firstOf(get, ...from))));
const joined = (sep: string, ...from: string[]) =>
  derive(from, (get) => orUndefined(from.map((h) => get(h).trim()).filter(Boolean).join(sep)));
/** A tax-rate column where there is one, else the standard rate (most goods). */
const taxOrStandard = (...from: string[]) => derive(from, (get) => firstOf(get, ...from) || '10');

// ---------------------------------------------------------------------------------------------------------------
// Shopify

/** Tax lines of an order: Shopify writes `Tax 1 Name` (`JCT 10%`) and `Tax 1 Value` up to five, on the first row. */
function shopifyTaxLines(get: Get): { rate: number; value: number }[] {
  const lines: { rate: number; value: number }[] = [];
  for (let i = 1; i <= 5; i++) {
    const rate = rateOf(get(`Tax ${i} Name`));
    const value = yenOf(get(`Tax ${i} Value`));
    if (rate !== null && value !== null && !lines.some((l) => l.rate === rate)) lines.push({ rate, value });
  }
  return lines;
}

/**
 * Which lines are 8% and which 10% when an order has both: the split whose tax (tax-included prices,
 * rounded down per rate as Japanese receipts do) comes closest to the tax lines, if one split is clearly
 * closest. Orders of more than 16 lines with two rates are not guessed at.
 */
function splitRates(amounts: number[], taxes: { rate: number; value: number }[]): number[] | null {
  if (amounts.length > 16 || taxes.length !== 2) return null;
  const [a, b] = taxes as [{ rate: number; value: number }, { rate: number; value: number }];
  let best: { miss: number; mask: number } | null = null;
  let tie = false;
  for (let mask = 0; mask < 1 << amounts.length; mask++) {
    let sumA = 0;
    let sumB = 0;
    amounts.forEach((x, i) => ((mask >> i) & 1 ? (sumA += x) : (sumB += x)));
    const miss = Math.abs(Math.floor((sumA * a.rate) / (100 + a.rate)) - a.value) + Math.abs(Math.floor((sumB * b.rate) / (100 + b.rate)) - b.value);
    if (!best || miss < best.miss) {
      best = { miss, mask };
      tie = false;
    } else if (miss === best.miss) tie = true;
  }
  // Discounts move the tax a little; more than a few yen per line is not a match.
  if (!best || tie || best.miss > 2 * amounts.length) return null;
  return amounts.map((_, i) => ((best.mask >> i) & 1 ? a.rate : b.rate));
}

function shopifyTax(records: OrderRecord[]): void {
  const taxes = shopifyTaxLines(records[0]!.get).filter((t) => t.rate === 8 || t.rate === 10);
  if (taxes.length <= 1) {
    const rate = String(taxes[0]?.rate ?? 10);
    for (const r of records) r.values.tax_rate = rate;
    return;
  }
  const amounts = records.map((r) => (yenOf(r.get('Lineitem price')) ?? 0) * (yenOf(r.get('Lineitem quantity')) ?? 0));
  const rates = splitRates(amounts, taxes);
  records.forEach((r, i) => {
    if (rates) r.values.tax_rate = String(rates[i]);
    else r.problems.tax_rate = 'the order has 8% and 10% tax lines and the line prices do not tell which line is which; split it or import it with a tax_rate column';
  });
}

/** COD is a manual payment method in Shopify; its fee, where a shop charges one, is not a column of the export. */
const shopify: Preset = {
  id: 'shopify',
  label: 'Shopify',
  needs: ['Name', 'Email', 'Created at', 'Lineitem quantity', 'Lineitem name', 'Lineitem price', 'Lineitem sku'],
  marks: ['Financial Status', 'Fulfillment Status', 'Billing Name', 'Shipping Name', 'Shipping Province', 'Payment Method', 'Lineitem compare at price'],
  columns: {
    order_number: 'Name',
    ordered_at: 'Created at',
    customer_name: firstNonBlank('Billing Name', 'Shipping Name'),
    customer_email: 'Email',
    customer_phone: phone('Shipping Phone', 'Billing Phone', 'Phone'),
    postcode: derive(['Shipping Zip', 'Billing Zip'], (get) => orUndefined(postcodeOf(firstOf(get, 'Shipping Zip', 'Billing Zip')))),
    prefecture: derive(['Shipping Province', 'Shipping Province Name', 'Shipping Country'], (get) => {
      if (!isJapan(get('Shipping Country'))) return undefined;
      const p = firstOf(get, 'Shipping Province', 'Shipping Province Name');
      return p ? prefectureOf(p) : undefined;
    }),
    address: derive(['Shipping Address1', 'Shipping City', 'Shipping Address2', 'Shipping Street'], (get) => {
      const street = get('Shipping Address1').trim() ? [get('Shipping Address1'), get('Shipping Address2')] : [get('Shipping Street')];
      return orUndefined([get('Shipping City'), ...street].map((s) => s.trim()).filter(Boolean).join(' '));
    }),
    sku: 'Lineitem sku',
    item_name: 'Lineitem name',
    quantity: 'Lineitem quantity',
    unit_price: 'Lineitem price',
    tax_rate: derive(['Tax 1 Name', 'Tax 1 Value'], () => undefined),
    shipping_fee: 'Shipping',
    coupon_code: 'Discount Code',
    coupon_discount: 'Discount Amount',
    payment_method: payment('Payment Method'),
    shipped_at: 'Fulfilled at',
    cancelled_at: 'Cancelled at',
  },
  finishOrder: (records) => {
    shopifyTax(records);
    // A free order (a 100% discount) names no gateway.
    const first = records[0]!;
    if (first.values.payment_method === undefined && blank(first.get('Payment Method'))) first.values.payment_method = 'other';
  },
};

// ---------------------------------------------------------------------------------------------------------------
// BASE

/** Several variations of one item share its 商品コード; 種類コード (or the variation's id) tells them apart. */
const baseSku = derive(['商品ID', '種類コード', '商品コード', '種類ID'], (get) => {
  const variation = get('種類コード').trim();
  if (variation) return variation;
  const code = get('商品コード').trim();
  const kind = get('種類ID').trim();
  if (code) return kind && get('バリエーション').trim() ? `${code}-${kind}` : code;
  const id = get('商品ID').trim();
  return orUndefined(kind && get('バリエーション').trim() ? `${id}-${kind}` : id);
});

const base: Preset = {
  id: 'base',
  label: 'BASE',
  needs: ['注文ID', '注文日時', '氏(請求先)', '名(請求先)', 'メールアドレス(請求先)', '商品名', '価格', '数量', '支払い方法', '商品ID'],
  marks: ['郵便番号(配送先)', '都道府県(配送先)', '住所(配送先)', 'バリエーション', '発送状況', '種類ID', '代引き手数料', '調整金額'],
  columns: {
    order_number: '注文ID',
    ordered_at: '注文日時',
    customer_name: joined(' ', '氏(請求先)', '名(請求先)'),
    customer_email: 'メールアドレス(請求先)',
    customer_phone: phone('電話番号(請求先)', '電話番号(配送先)'),
    postcode: firstNonBlank('郵便番号(配送先)', '郵便番号(請求先)'),
    prefecture: prefecture('都道府県(配送先)', '都道府県(請求先)'),
    address: derive(['住所(配送先)', '住所2(配送先)', '住所(請求先)', '住所2(請求先)'], (get) => {
      const ship = [get('住所(配送先)'), get('住所2(配送先)')].map((s) => s.trim()).filter(Boolean);
      const bill = [get('住所(請求先)'), get('住所2(請求先)')].map((s) => s.trim()).filter(Boolean);
      return orUndefined((ship.length ? ship : bill).join(' '));
    }),
    sku: baseSku,
    item_name: derive(['商品名', 'バリエーション'], (get) => {
      const name = get('商品名').trim();
      const v = get('バリエーション').trim();
      return orUndefined(v && name ? `${name}（${v}）` : name);
    }),
    quantity: '数量',
    unit_price: '価格',
    tax_rate: taxOrStandard('税率'),
    shipping_fee: '送料',
    cod_fee: '代引き手数料',
    payment_method: payment('支払い方法'),
    // 調整金額: the shop's own adjustment; a reduction is what madoguchi keeps as a discount.
    coupon_discount: derive(['調整金額'], (get) => {
      const v = yenOf(get('調整金額'));
      return v !== null && v < 0 ? String(-v) : undefined;
    }),
  },
};

// ---------------------------------------------------------------------------------------------------------------
// カラーミーショップ

const colorme: Preset = {
  id: 'colorme',
  label: 'カラーミーショップ',
  needs: ['売上ID', '受注日', '購入者 名前', '購入者 メールアドレス', '購入商品 商品ID', '購入商品 商品名', '購入商品 販売価格(消費税込)', '購入商品 販売個数', '決済方法'],
  marks: ['購入者 郵便番号', '購入者 都道府県', '購入者 住所', '配送先 名前', '配送先 都道府県名', '送料合計', '売上詳細ID'],
  columns: {
    order_number: '売上ID',
    ordered_at: '受注日',
    customer_name: '購入者 名前',
    customer_email: '購入者 メールアドレス',
    customer_phone: phone('購入者 電話番号', '配送先 電話番号'),
    postcode: firstNonBlank('配送先 郵便番号', '購入者 郵便番号'),
    prefecture: prefecture('配送先 都道府県名', '購入者 都道府県'),
    address: firstNonBlank('配送先 住所', '購入者 住所'),
    sku: firstNonBlank('購入商品 型番', '購入商品 商品ID'),
    item_name: '購入商品 商品名',
    quantity: '購入商品 販売個数',
    unit_price: '購入商品 販売価格(消費税込)',
    tax_rate: taxOrStandard('購入商品 消費税率'),
    shipping_fee: '送料合計',
    payment_method: payment('決済方法'),
    // 決済手数料 is the COD fee on a COD order; other fees (コンビニ) have no place in madoguchi's order.
    cod_fee: derive(['決済手数料', '決済方法'], (get) => (paymentOf(get('決済方法')) === 'cod' ? orUndefined(get('決済手数料').trim()) : undefined)),
    coupon_discount: firstNonBlank('割引金額'),
    shipped_at: '発送日時',
  },
};

// ---------------------------------------------------------------------------------------------------------------
// MakeShop

/** 日付 `2022/8/10` and 注文時間 `103309` (hhmmss) make the order's time. */
const makeshopOrderedAt = derive(['日付', '注文時間'], (get) => {
  const day = get('日付').trim();
  if (!day) return undefined;
  const t = get('注文時間').trim();
  if (!/^\d{1,6}$/.test(t)) return t ? `${day} ${t}` : day;
  const hms = t.padStart(6, '0');
  return `${day} ${hms.slice(0, 2)}:${hms.slice(2, 4)}:${hms.slice(4, 6)}`;
});

const makeshop: Preset = {
  id: 'makeshop',
  label: 'MakeShop',
  needs: ['日付', '注文番号', '注文者', '商品名', '数量'],
  marks: ['注文時間', '処理状況', '注文者(振り仮名)', '独自商品コード', '販売価格', '決済方法'],
  columns: {
    order_number: '注文番号',
    ordered_at: makeshopOrderedAt,
    customer_name: '注文者',
    customer_email: firstNonBlank('メールアドレス', '注文者メールアドレス'),
    customer_phone: phone('電話番号', '注文者電話番号'),
    postcode: firstNonBlank('郵便番号', '注文者郵便番号'),
    prefecture: prefecture('都道府県', '注文者都道府県'),
    address: firstNonBlank('住所', '注文者住所'),
    sku: firstNonBlank('独自商品コード', '商品コード', '商品番号'),
    item_name: '商品名',
    quantity: '数量',
    unit_price: firstNonBlank('販売価格', '単価', '価格'),
    tax_rate: taxOrStandard('税率'),
    shipping_fee: '送料',
    cod_fee: firstNonBlank('代引手数料', '代引き手数料'),
    payment_method: payment('決済方法', '支払方法'),
  },
};

// ---------------------------------------------------------------------------------------------------------------
// STORES (layout not confirmed: see the top of this file)

const stores: Preset = {
  id: 'stores',
  label: 'STORES',
  needs: ['注文番号', '注文日時', '購入者名', '購入者メールアドレス', 'アイテム名', '単価', '数量', '決済方法'],
  marks: ['アイテムID', 'バリエーション', '配送先郵便番号', '配送先都道府県', '配送先住所', '送料', '発送日'],
  columns: {
    order_number: '注文番号',
    ordered_at: '注文日時',
    customer_name: '購入者名',
    customer_email: '購入者メールアドレス',
    customer_phone: phone('購入者電話番号', '配送先電話番号'),
    postcode: firstNonBlank('配送先郵便番号'),
    prefecture: prefecture('配送先都道府県'),
    address: firstNonBlank('配送先住所'),
    sku: derive(['アイテムID', 'SKU', 'バリエーション'], (get) => {
      const id = firstOf(get, 'SKU', 'アイテムID');
      const v = get('バリエーション').trim();
      return orUndefined(get('SKU').trim() || (v && id ? `${id}-${v}` : id));
    }),
    item_name: derive(['アイテム名', 'バリエーション'], (get) => {
      const name = get('アイテム名').trim();
      const v = get('バリエーション').trim();
      return orUndefined(v && name ? `${name}（${v}）` : name);
    }),
    quantity: '数量',
    unit_price: '単価',
    tax_rate: taxOrStandard('税率'),
    shipping_fee: '送料',
    cod_fee: '代引き手数料',
    payment_method: payment('決済方法'),
    shipped_at: '発送日',
  },
};

/** In the order they are tried; the best-recognised one wins. */
export const presets: readonly Preset[] = [shopify, base, colorme, makeshop, stores];

export const presetById = (id: PlatformPreset) => presets.find((p) => p.id === id)!;

/** The exports of the Japanese platforms: BASE, カラーミーショップ, MakeShop, STORES (sources: orders.presets.ts). */
import { derive, firstNonBlank, firstOf, joined, orUndefined, payment, phone, prefecture, taxOrStandard, type Preset } from './orders.presets.read.ts';
import { paymentOf, yenOf } from './orders.presets.values.ts';

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

export const base: Preset = {
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

export const colorme: Preset = {
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

export const makeshop: Preset = {
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

export const stores: Preset = {
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

import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { orderInput, prefectures } from '../../../server/domains/orders/orders.schema.ts';
import {
  carrierOf,
  mapGraphqlOrder,
  mapWebhookOrder,
  MappingError,
  paymentMethodOf,
  personName,
  phoneOf,
  postcodeOf,
  prefectureOf,
  splitLine,
  webhookAction,
  yenOf,
} from '../../../server/domains/stores/shopify/shopify.map.ts';

const fixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(`../../fixtures/shopify/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;

/** What madoguchi's order adds up to, as orders.service's toRecord counts it. */
function totalOf(input: unknown): number {
  const o = orderInput.parse(input);
  return o.lines.reduce((s, l) => s + l.quantity * l.unitPrice, 0) + o.shippingFee + o.codFee - (o.coupon?.discount ?? 0);
}
const shopifyTotal = (amount: string) => Number(amount);

describe('shopify mapping: a GraphQL order node', () => {
  it('maps a paid, discounted, delivered order to the yen the customer paid, totalling Shopify’s current total', () => {
    const node = fixture('order-1001.graphql.json');
    const o = mapGraphqlOrder(node);
    expect(o.orderNumber).to.equal('#1001');
    expect(o.externalId).to.equal('5960000001001');
    expect(o.updatedAt.toISOString()).to.equal('2026-11-22T05:31:00.000Z');
    expect(o.input).to.deep.include({
      orderedAt: '2026-11-20T01:15:00Z',
      shippingFee: 550,
      codFee: 0,
      paymentMethod: 'credit_card',
      carrier: 'ヤマト運輸',
      trackingNumber: '4321-5678-9012',
      shippedAt: '2026-11-21T02:00:00Z',
      deliveredAt: '2026-11-22T05:30:00Z',
      cancelledAt: null,
    });
    expect(o.input.customer).to.deep.equal({
      name: '山田 花子',
      email: 'hanako@example.jp',
      phone: '090-1234-5678',
      postcode: '150-0001',
      prefecture: '東京都',
      address: '渋谷区神宮前1-2-3 メゾン神宮前101',
    });
    // 3 × 3300 less 442 of the 500 yen coupon = 9458, which does not divide by 3: two lines a yen apart.
    expect(o.input.lines).to.deep.equal([
      { sku: 'TSHIRT-M', name: 'オーガニックコットンTシャツ - M', quantity: 2, unitPrice: 3153, taxRate: 10, tags: [] },
      { sku: 'TSHIRT-M', name: 'オーガニックコットンTシャツ - M', quantity: 1, unitPrice: 3152, taxRate: 10, tags: [] },
      { sku: 'COFFEE-10', name: 'ドリップコーヒー 10袋', quantity: 1, unitPrice: 1238, taxRate: 8, tags: [] },
    ]);
    expect(o.input.coupon, 'the coupon is already in the lines').to.equal(undefined);
    const current = (node.currentTotalPriceSet as { shopMoney: { amount: string } }).shopMoney.amount;
    expect(totalOf(o.input)).to.equal(shopifyTotal(current));
  });

  it('maps 代金引換 to COD and its 代引手数料 shipping line to the COD fee, not shipping; a ship date alone leaves delivery unset', () => {
    const node = fixture('order-1002-cod.graphql.json');
    const o = mapGraphqlOrder(node);
    expect(o.input).to.deep.include({ paymentMethod: 'cod', shippingFee: 800, codFee: 330, carrier: '日本郵便', deliveredAt: null, shippedAt: '2026-11-25T07:59:00Z' });
    expect(o.input.customer).to.deep.equal({ name: '佐藤 一郎', email: 'ichiro@example.jp', phone: '06-1234-5678', postcode: '530-0001', prefecture: '大阪府', address: '大阪市北区梅田1-1-1' });
    expect(o.input.lines.map((l) => [l.sku, l.quantity, l.unitPrice, l.taxRate])).to.deep.equal([
      ['SOAP-01', 2, 1100, 10],
      ['HONEY-500', 1, 2160, 8],
    ]);
    expect(totalOf(o.input)).to.equal(shopifyTotal((node.currentTotalPriceSet as { shopMoney: { amount: string } }).shopMoney.amount));
  });

  it('passes madoguchi’s own order schema', () => {
    for (const f of ['order-1001.graphql.json', 'order-1002-cod.graphql.json']) expect(orderInput.safeParse(mapGraphqlOrder(fixture(f)).input).success, f).to.equal(true);
  });

  it('refuses a node that is not an order, naming the field', () => {
    const node = fixture('order-1001.graphql.json');
    delete node.lineItems;
    expect(() => mapGraphqlOrder(node)).to.throw(MappingError, /lineItems/);
  });
});

describe('shopify mapping: the REST payload of a webhook', () => {
  it('maps orders/updated of an order to what the GraphQL node of the same order maps to', () => {
    const rest = mapWebhookOrder(fixture('orders-updated-1001.webhook.json'));
    const gql = mapGraphqlOrder(fixture('order-1001.graphql.json'));
    const instant = (v: unknown) => (typeof v === 'string' ? Date.parse(v) : v);
    const { orderedAt, shippedAt, deliveredAt, ...restRest } = rest.input;
    const { orderedAt: o2, shippedAt: s2, deliveredAt: d2, ...gqlRest } = gql.input;
    expect(restRest).to.deep.equal(gqlRest);
    expect([orderedAt, shippedAt, deliveredAt].map(instant)).to.deep.equal([o2, s2, d2].map(instant));
    expect([rest.orderNumber, rest.externalId, rest.updatedAt.getTime()]).to.deep.equal([gql.orderNumber, gql.externalId, gql.updatedAt.getTime()]);
  });

  it('adds the line’s tax when the shop’s prices exclude it, so unit prices are tax-included yen', () => {
    const payload = fixture('orders-create-1004-tax-excluded.webhook.json');
    const o = mapWebhookOrder(payload);
    // 3 × 1000 − 100 + 290 tax = 3190 over 3.
    expect(o.input.lines.map((l) => [l.sku, l.quantity, l.unitPrice])).to.deep.equal([
      ['GLASS-2', 1, 1064],
      ['GLASS-2', 2, 1063],
    ]);
    expect(o.input).to.deep.include({ shippingFee: 550, paymentMethod: 'bank_transfer' });
    expect(o.input.customer).to.deep.include({ name: '鈴木 健二', postcode: '060-0001', prefecture: '北海道', phone: '011-222-3333' });
    expect(totalOf(o.input)).to.equal(shopifyTotal(payload.current_total_price as string));
  });

  it('maps a cancelled COD order as sold (a 代引き手数料 item is the COD fee), with its cancellation time', () => {
    const payload = fixture('orders-cancelled-1005-cod.webhook.json');
    const o = mapWebhookOrder(payload);
    expect(o.input).to.deep.include({ paymentMethod: 'cod', codFee: 330, shippingFee: 770, cancelledAt: '2026-11-27T12:00:00+09:00', shippedAt: null });
    expect(o.input.lines.map((l) => [l.sku, l.quantity, l.unitPrice])).to.deep.equal([['CANDLE-S', 2, 1650]]);
    // Shopify's current total is 0 after the cancellation; madoguchi keeps what was sold.
    expect(totalOf(o.input)).to.equal(shopifyTotal(payload.total_price as string));
    expect(shopifyTotal(payload.current_total_price as string)).to.equal(0);
  });

  it('refuses an order of a shop that is not in yen, saying so', () => {
    expect(() => mapWebhookOrder(fixture('orders-create-1006-usd.webhook.json')))
      .to.throw(MappingError)
      .with.property('reason', "the shop's currency is USD; madoguchi stores yen");
  });

  it('asks for the order again on a fulfillment webhook, and ignores topics it does not keep', () => {
    expect(webhookAction('fulfillments/create', fixture('fulfillments-create-1002.webhook.json'))).to.deep.equal({ kind: 'fetch', orderId: '5960000001002' });
    expect(webhookAction('fulfillments/update', { order_id: '5960000001002' })).to.deep.equal({ kind: 'fetch', orderId: '5960000001002' });
    expect(webhookAction('products/update', {})).to.deep.equal({ kind: 'ignore' });
    expect(webhookAction('orders/create', fixture('orders-updated-1001.webhook.json')).kind).to.equal('order');
  });
});

describe('shopify mapping: the pieces', () => {
  it('reads yen exactly and refuses fractions and other currencies', () => {
    expect(['1980', '1980.0', '1980.00', ' 0.0'].map((amount) => yenOf({ amount, currency: 'JPY' }, '#1'))).to.deep.equal([1980, 1980, 1980, 0]);
    for (const amount of ['19.99', '1980.5', '-1', '1,980', '']) expect(() => yenOf({ amount, currency: 'JPY' }, '#1'), amount).to.throw(MappingError);
    expect(() => yenOf({ amount: '10', currency: 'USD' }, '#1')).to.throw(MappingError, /USD/);
  });

  it('knows all 47 prefectures by Shopify’s code (JIS order) and by name', () => {
    expect(prefectureOf({ provinceCode: 'JP-01', province: '' })).to.equal('北海道');
    expect(prefectureOf({ provinceCode: 'JP-13', province: 'Tokyo' })).to.equal('東京都');
    expect(prefectureOf({ provinceCode: 'JP-47', province: '' })).to.equal('沖縄県');
    prefectures.forEach((p, i) => expect(prefectureOf({ provinceCode: `JP-${String(i + 1).padStart(2, '0')}`, province: '' })).to.equal(p));
    expect(prefectureOf({ provinceCode: '', province: '京都府' })).to.equal('京都府');
    expect(prefectureOf({ provinceCode: 'CA', province: 'California' })).to.equal(undefined);
    expect(prefectureOf({ provinceCode: 'JP-48', province: '' })).to.equal(undefined);
  });

  it('splits a line that does not divide into two of the same sku a yen apart, and keeps one that does', () => {
    const base = { sku: 'A', name: 'a', taxRate: 10 as const, tags: [] };
    expect(splitLine(base, 3, 2900)).to.deep.equal([
      { ...base, quantity: 2, unitPrice: 967 },
      { ...base, quantity: 1, unitPrice: 966 },
    ]);
    expect(splitLine(base, 4, 4000)).to.deep.equal([{ ...base, quantity: 4, unitPrice: 1000 }]);
    expect(splitLine(base, 1, 999)).to.deep.equal([{ ...base, quantity: 1, unitPrice: 999 }]);
  });

  it('maps payment gateway names to madoguchi’s methods', () => {
    const cases: Array<[string[], string]> = [
      [['Cash on Delivery (COD)'], 'cod'],
      [['代金引換'], 'cod'],
      [['shopify_payments'], 'credit_card'],
      [['gift_card', 'shopify_payments'], 'credit_card'],
      [['Bank Deposit'], 'bank_transfer'],
      [['銀行振込'], 'bank_transfer'],
      [['KOMOJU - コンビニ決済'], 'convenience_store'],
      [['Paidy'], 'deferred'],
      [['PayPay'], 'e_money'],
      [['manual'], 'other'],
      [[], 'other'],
    ];
    for (const [gateways, method] of cases) expect(paymentMethodOf(gateways), gateways.join(',')).to.equal(method);
  });

  it('writes names, phones, postcodes and carriers as Japanese shops do', () => {
    expect(personName('太郎', '山田', 'JP')).to.equal('山田 太郎');
    expect(personName('Taro', 'Yamada', 'JP')).to.equal('Yamada Taro');
    expect(personName('Pat', 'Lee', 'US')).to.equal('Pat Lee');
    expect(personName('', '山田', '')).to.equal('山田');
    expect(phoneOf('+81 90-1234-5678')).to.equal('090-1234-5678');
    expect(phoneOf('+819012345678')).to.equal('09012345678');
    expect(phoneOf('０３－１２３４－５６７８')).to.equal('03-1234-5678');
    expect(phoneOf('12')).to.equal(undefined);
    // The trunk 0 written after the country code as well (+81 090…, +81 (0)90…) is one 0, not two.
    expect(['+81 090-1234-5678', '+81 (0)90-1234-5678', '+81-3-1234-5678'].map(phoneOf)).to.deep.equal(['090-1234-5678', '090-1234-5678', '03-1234-5678']);
    expect(postcodeOf('1500001')).to.equal('150-0001');
    expect(postcodeOf('94103')).to.equal(undefined);
    expect(['Yamato (JA)', 'Sagawa (EN)', 'Japan Post (JA)', 'Seino', 'DHL Express'].map(carrierOf)).to.deep.equal(['ヤマト運輸', '佐川急便', '日本郵便', '西濃運輸', 'DHL Express']);
  });
});

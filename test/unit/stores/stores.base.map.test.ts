import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { orderInput } from '../../../server/domains/orders/orders.schema.ts';
import { jst, mapBaseOrder, paymentOf, skuOf, type MappedOrder } from '../../../server/domains/stores/base/base.map.ts';

/** A payload of test/fixtures/base, as BASE's GET /1/orders/detail/:unique_key answers it. */
const fixture = (name: string) => (JSON.parse(readFileSync(new URL(`../../fixtures/base/${name}.json`, import.meta.url), 'utf8')) as { order: Record<string, unknown> }).order;
const carriers = new Map([[1, 'クロネコヤマト'], [2, '佐川急便']]);

function mapped(name: string, over: Record<string, unknown> = {}): MappedOrder {
  const r = mapBaseOrder({ ...fixture(name), ...over }, carriers);
  if (!r.ok) throw new Error(`${name} was refused: ${r.refusal.reason}`);
  return r.order;
}

/** The total as madoguchi computes it (orders.service.ts), after orderInput's defaults. */
function totalOf(m: MappedOrder): number {
  const o = orderInput.parse(m.input);
  const goods = o.lines.reduce((s, l) => s + l.quantity * l.unitPrice, 0);
  return goods + o.shippingFee + o.codFee - (o.coupon?.discount ?? 0);
}

describe('BASE order mapping (orders/detail → madoguchi order)', () => {
  for (const name of ['card', 'cod', 'dispatched', 'cancelled', 'reduced']) {
    it(`${name}: madoguchi's input is valid and its total equals BASE's total`, () => {
      const m = mapped(name);
      expect(totalOf(m)).to.equal(fixture(name).total);
    });
  }

  it('takes a NUL character out of BASE’s text (PostgreSQL stores none: one failed the save of the whole page)', () => {
    const card = fixture('card');
    const items = (card.order_items as Array<Record<string, unknown>>).map((i, n) => (n === 0 ? { ...i, title: `${String(i.title)}\u0000` } : i));
    const m = mapped('card', { order_items: items, last_name: '山田\u0000' });
    expect(JSON.stringify(m.input)).not.to.include('\\u0000');
    expect(m.input.customer.name).to.match(/^山田 /);
  });

  it('a card order: unique_key is the order number, the time is Japan time, the family name first, the delivery address, the coupon by its name', () => {
    const m = mapped('card');
    expect(m.orderNumber).to.equal('154D88A39E454289');
    expect(m.externalId).to.equal('154D88A39E454289');
    expect(m.updatedAt.toISOString()).to.equal('2025-12-03T00:00:00.000Z');
    expect(m.input.orderedAt).to.equal('2025-12-03T09:00:00+09:00');
    expect(m.input.customer).to.deep.equal({
      name: '山田 太郎',
      email: 'taro@example.jp',
      phone: '03-1234-5678',
      postcode: '150-0043',
      prefecture: '東京都',
      address: '渋谷区道玄坂 2-10-12 新大宗ビル3号館 531号',
    });
    expect(m.input.paymentMethod).to.equal('credit_card');
    expect(m.input.lines).to.deep.equal([
      { sku: 'base-1000-101', name: 'Tシャツ サイズM', quantity: 2, unitPrice: 2000, taxRate: 10, tags: [] },
      { sku: 'base-1001-201', name: 'ロングTシャツ サイズL', quantity: 1, unitPrice: 2800, taxRate: 10, tags: [] },
    ]);
    expect(m.input.shippingFee).to.equal(500);
    expect(m.input.codFee).to.equal(0);
    expect(m.input.coupon).to.deep.equal({ code: '初売りクーポン', discount: 1000 });
    expect(m.input.shippedAt).to.equal(null);
    expect(m.input.cancelledAt).to.equal(null);
    expect(m.input).not.to.have.property('deliveredAt');
  });

  it('代金引換: payment cod with its fee, the buyer’s own address when there is no separate delivery address, a line without variation', () => {
    const m = mapped('cod');
    expect(m.input.paymentMethod).to.equal('cod');
    expect(m.input.codFee).to.equal(330);
    expect(m.input.shippingFee).to.equal(800);
    expect(m.input.customer.prefecture).to.equal('大阪府');
    expect(m.input.customer.address).to.equal('大阪市北区梅田 1-1-1');
    expect(m.input.lines[0]).to.include({ sku: 'base-2000', name: '帆布トートバッグ' });
  });

  it('dispatched: the ship time from `dispatched`, the carrier by BASE’s company list, the tracking number; no delivery time (BASE does not know it)', () => {
    const m = mapped('dispatched');
    expect(m.input.shippedAt).to.equal(jst(1764900000));
    expect(m.input.carrier).to.equal('ヤマト運輸');
    expect(m.input.trackingNumber).to.equal('1234-5678-9012');
    expect(m.input.deliveredAt).to.equal(undefined);
    expect(m.updatedAt.getTime()).to.equal(1764900000 * 1000);
  });

  it('cancelled: cancelledAt from `cancelled`, the lines kept (an order has at least one)', () => {
    const m = mapped('cancelled');
    expect(m.input.cancelledAt).to.equal('2025-12-04T09:00:00+09:00');
    expect(m.input.lines).to.have.length(2);
  });

  it('a reduced-rate food item is 8%, the shop’s own product code is the sku, BASE coins count as a discount', () => {
    const m = mapped('reduced');
    expect(m.input.lines.map((l) => [l.sku, l.taxRate])).to.deep.equal([['COFFEE-200G', 8], ['base-3001', 10]]);
    expect(m.input.paymentMethod).to.equal('convenience_store');
    expect(m.input.coupon).to.deep.equal({ code: 'コイン「HOGEコイン」の利用', discount: 200 });
  });

  it('a partly cancelled order keeps only the items still ordered', () => {
    const order = fixture('card');
    const items = order.order_items as Array<Record<string, unknown>>;
    const r = mapBaseOrder({ ...order, total: 6300 - 2800, order_items: [items[0], { ...items[1], status: 'cancelled' }] });
    expect(r.ok).to.equal(true);
    if (r.ok) expect(r.order.input.lines.map((l) => l.sku)).to.deep.equal(['base-1000-101']);
  });

  it('an amount adjustment by the shop: downward is a discount, upward a line of its own; the total still matches', () => {
    const down = mapped('card', { order_amount_adjustment: { adjusted_amount: -300 }, total: 6000 });
    expect(down.input.coupon?.discount).to.equal(1300);
    expect(totalOf(down)).to.equal(6000);
    const up = mapped('card', { order_amount_adjustment: { adjusted_amount: 500 }, total: 6800 });
    expect(up.input.lines.at(-1)).to.include({ sku: 'base-adjustment', name: '金額調整', unitPrice: 500 });
    expect(totalOf(up)).to.equal(6800);
  });

  it('shipping set per item (the order’s own fee null) is the sum of the items’ fees', () => {
    const order = fixture('card');
    const items = (order.order_items as Array<Record<string, unknown>>).map((i) => ({ ...i, shipping_fee: 400 }));
    const m = mapped('card', { shipping_fee: null, shipping_method: null, order_items: items, total: 6300 - 500 + 800 });
    expect(m.input.shippingFee).to.equal(800);
  });

  it('an order whose parts do not add up to BASE’s total is refused with both sums, in English and Japanese', () => {
    const r = mapBaseOrder({ ...fixture('card'), total: 9999 });
    expect(r.ok).to.equal(false);
    if (!r.ok) {
      expect(r.refusal.orderNumber).to.equal('154D88A39E454289');
      expect(r.refusal.reason).to.include('6300').and.include('9999');
      expect(r.refusal.ja).to.include('一致しません');
    }
  });

  it('a payload missing what an order needs is refused, naming the field', () => {
    const r = mapBaseOrder({ ...fixture('card'), order_items: [] });
    expect(r.ok).to.equal(false);
    if (!r.ok) expect(r.refusal.reason).to.include('order_items');
    const n = mapBaseOrder({ ...fixture('card'), ordered: 'yesterday' });
    expect(n.ok).to.equal(false);
  });

  it('an overseas phone or postcode is left out rather than refusing the order', () => {
    const m = mapped('cod', { zip_code: 'SW1A 1AA', prefecture: 'London', tel: '+44 20 7946 0958' });
    expect(m.input.customer.postcode).to.equal(undefined);
    expect(m.input.customer.prefecture).to.equal(undefined);
    expect(m.input.customer.phone).to.equal(undefined);
    expect(() => orderInput.parse(m.input)).not.to.throw();
  });

  it('every payment code BASE documents has a madoguchi method; an unknown one is other', () => {
    expect(['creditcard', 'cod', 'bt', 'base_bt', 'cvs', 'carrier_01', 'carrier_02', 'carrier_03', 'atobarai', 'paypal', 'amazon_pay', 'coin'].map(paymentOf)).to.deep.equal([
      'credit_card', 'cod', 'bank_transfer', 'bank_transfer', 'convenience_store', 'carrier_billing', 'carrier_billing', 'carrier_billing', 'deferred', 'e_money', 'e_money', 'e_money',
    ]);
    expect(paymentOf('something_new')).to.equal('other');
  });

  it('skus are stable across syncs: the same item and variation give the same sku', () => {
    const item = { item_id: 5, variation_id: 7, title: 'x', price: 1, amount: 1 };
    expect(skuOf(item)).to.equal('base-5-7');
    expect(skuOf({ ...item })).to.equal(skuOf(item));
  });
});

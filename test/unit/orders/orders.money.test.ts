import { expect } from 'chai';
import { orderInput } from '../../../server/domains/orders/orders.schema.ts';
import { toRecord } from '../../../server/domains/orders/orders.service.ts';
import { anOrder } from '../../fixtures/builders.ts';

describe('order snapshot money', () => {
  it('totals lines, shipping and COD, less the coupon, in integer yen', () => {
    const input = orderInput.parse(anOrder({ paymentMethod: 'cod', codFee: 330, coupon: { code: 'W', discount: 500 } }));
    const { fields, lines } = toRecord(input, 'api');
    expect(fields.total).to.equal(2750 * 2 + 864 + 770 + 330 - 500);
    expect(Number.isInteger(fields.total)).to.equal(true);
    expect(lines.map((l) => [l.lineNo, l.taxRate])).to.deep.equal([[1, 10], [2, 8]]);
  });

  it('keeps each line tax rate (10% standard, 8% reduced) and refuses others', () => {
    expect(orderInput.safeParse(anOrder({ lines: [{ sku: 'A', name: 'a', quantity: 1, unitPrice: 100, taxRate: 8 }] })).success).to.equal(true);
    expect(orderInput.safeParse(anOrder({ lines: [{ sku: 'A', name: 'a', quantity: 1, unitPrice: 100, taxRate: 5 as 8 }] })).success).to.equal(false);
  });

  it('refuses a coupon larger than the goods, negative money and fractions of a yen', () => {
    for (const bad of [
      anOrder({ coupon: { discount: 6365 } }),
      anOrder({ shippingFee: -1 }),
      anOrder({ lines: [{ sku: 'A', name: 'a', quantity: 1, unitPrice: 99.5, taxRate: 10 }] }),
    ]) {
      expect(orderInput.safeParse(bad).success).to.equal(false);
    }
    expect(orderInput.safeParse(anOrder({ coupon: { discount: 6364 } })).success).to.equal(true);
  });
});

describe('order snapshot dates', () => {
  it('refuses a delivery before the order, which would open the return window early', () => {
    const r = orderInput.safeParse(anOrder({ orderedAt: '2026-11-20T10:00:00+09:00', shippedAt: null, deliveredAt: '2026-11-19T10:00:00+09:00' }));
    expect(r.success).to.equal(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).to.deep.equal(['deliveredAt']);
    expect(orderInput.safeParse(anOrder({ orderedAt: '2026-11-20T10:00:00+09:00', shippedAt: null, deliveredAt: '2026-11-21T10:00:00+09:00' })).success).to.equal(true);
  });
});

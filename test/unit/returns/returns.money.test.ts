import { expect } from 'chai';
import { DomainError } from '../../../server/core/errors.ts';
import { allocateCoupon, computeRefund, type MoneyLine, type MoneyOrder, type RefundBreakdown, type RefundRequest } from '../../../server/domains/returns/returns.money.ts';
import { returnTermsInput, statutoryTerms, type ReturnTermsInput } from '../../../server/domains/returns/returns.terms.schema.ts';

const line = (lineNo: number, quantity: number, unitPrice: number, taxRate: 8 | 10 = 10): MoneyLine => ({ lineNo, quantity, unitPrice, taxRate });

const terms = (deductions: ReturnTermsInput['deductions'] = {}, paidBy: Partial<ReturnTermsInput['returnShippingPaidBy']> = {}) =>
  returnTermsInput.parse({
    acceptsReturns: true,
    windowDays: 14,
    returnShippingPaidBy: { size: 'customer', not_as_expected: 'customer', changed_mind: 'customer', late_delivery: 'shop', ...paidBy },
    deductions,
  });

/** Every deduction a shop may state, so a test can show which ones do not apply. */
const everyDeduction = terms({ returnShipping: 800, outboundShipping: true, codFee: true, transferFee: 440, restockingPercent: 10 });

/** Line 1: 2 × ¥3,000 at 10%; line 2: 1 × ¥1,080 at 8%; shipping ¥770, paid by card. */
const anOrder = (over: Partial<MoneyOrder> = {}): MoneyOrder => ({
  lines: [line(1, 2, 3000, 10), line(2, 1, 1080, 8)],
  shippingFee: 770,
  codFee: 0,
  couponDiscount: 0,
  paymentMethod: 'credit_card',
  ...over,
});

const aRequest = (over: Partial<RefundRequest> = {}): RefundRequest => ({
  order: anOrder(),
  items: [{ lineNo: 1, quantity: 1 }],
  earlier: [],
  feesRefundedEarlier: false,
  basis: 'terms',
  reason: 'changed_mind',
  terms: terms(),
  refundMethod: 'original_payment',
  returnLabelByShop: false,
  ...over,
});

const everything = [{ lineNo: 1, quantity: 2 }, { lineNo: 2, quantity: 1 }];
const kinds = (b: RefundBreakdown) => b.deductions.map((d) => d.kind);

/** Runs fn and returns the DomainError it throws. */
const thrown = (fn: () => unknown): DomainError => {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(DomainError);
    return e as DomainError;
  }
  throw new Error('expected a DomainError');
};

describe('returns money: coupon spread', () => {
  it('spreads the coupon by line subtotal and gives the rounding remainder to the last line', () => {
    const shares = allocateCoupon([line(1, 1, 1000), line(2, 1, 1000), line(3, 1, 1000)], 100);
    expect([...shares]).to.deep.equal([[1, 33], [2, 33], [3, 34]]);
  });

  it('finds the last line by lineNo, whatever order the lines come in', () => {
    const shares = allocateCoupon([line(3, 1, 1000), line(1, 1, 1000), line(2, 1, 1000)], 100);
    expect(shares.get(3)).to.equal(34);
    expect(shares.get(1)).to.equal(33);
  });

  it('never gives a free last line a share, so it cannot go negative', () => {
    const shares = allocateCoupon([line(1, 1, 1000), line(2, 1, 999), line(3, 1, 0)], 100);
    expect([...shares]).to.deep.equal([[1, 50], [2, 50], [3, 0]]);
  });

  it('hands the remainder out from the last line back when no single line can take it all', () => {
    const shares = allocateCoupon([line(1, 1, 1), line(2, 1, 1), line(3, 1, 1)], 2);
    expect([...shares]).to.deep.equal([[1, 0], [2, 1], [3, 1]]);
  });

  it('gives every line 0 for no coupon, and its whole subtotal for a coupon of the whole goods', () => {
    expect([...allocateCoupon([line(1, 2, 500), line(2, 1, 300)], 0)]).to.deep.equal([[1, 0], [2, 0]]);
    expect([...allocateCoupon([line(1, 2, 500), line(2, 1, 300)], 1300)]).to.deep.equal([[1, 1000], [2, 300]]);
  });

  it('stays exact where discount × subtotal passes 2^53', () => {
    const shares = allocateCoupon([line(1, 1, 1_999_999_999), line(2, 1, 1)], 1_999_999_999);
    expect([...shares]).to.deep.equal([[1, 1_999_999_998], [2, 1]]);
  });

  it('sums exactly to the discount for many orders', () => {
    let seed = 42;
    const rand = (n: number) => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648), seed % n);
    for (let i = 0; i < 300; i++) {
      const lines = Array.from({ length: 1 + rand(6) }, (_, j) => line(j + 1, 1 + rand(5), rand(20_000)));
      const goods = lines.reduce((a, l) => a + l.quantity * l.unitPrice, 0);
      const discount = rand(goods + 1);
      const shares = allocateCoupon(lines, discount);
      expect([...shares.values()].reduce((a, b) => a + b, 0)).to.equal(discount);
      for (const l of lines) expect(shares.get(l.lineNo)).to.be.within(0, l.quantity * l.unitPrice);
    }
  });

  it('refuses a coupon larger than the goods', () => {
    const e = thrown(() => allocateCoupon([line(1, 1, 100)], 101));
    expect(e.code).to.equal('invalid_input');
    expect(e.message).to.equal('the coupon (¥101) is larger than the goods (¥100)');
  });
});

describe('returns money: lines and tax', () => {
  it('returns a whole order of mixed 8% and 10% lines with the coupon taken off each, tax per rate', () => {
    // Coupon 700 over 7080: line 1 floor(700×6000/7080) = 593, line 2 floor(700×1080/7080) = 106, +1 remainder → 107.
    const b = computeRefund(aRequest({ order: anOrder({ couponDiscount: 700 }), items: everything }));
    expect(b.lines).to.deep.equal([
      { lineNo: 1, quantity: 2, unitPrice: 3000, taxRate: 10, gross: 6000, couponShare: 593, net: 5407 },
      { lineNo: 2, quantity: 1, unitPrice: 1080, taxRate: 8, gross: 1080, couponShare: 107, net: 973 },
    ]);
    expect(b.goods).to.equal(6380);
    expect(b.fees).to.deep.equal([{ kind: 'outbound_shipping', amount: 770 }]);
    expect(b.byTaxRate).to.deep.equal([
      { rate: 8, amount: 973, tax: Math.floor((973 * 8) / 108) },
      { rate: 10, amount: 5407 + 770, tax: Math.floor((6177 * 10) / 110) },
    ]);
    expect(b.total).to.equal(6380 + 770);
    expect(b.exchange).to.equal(null);
  });

  it('leaves out a tax rate with nothing given back', () => {
    const b = computeRefund(aRequest({ items: [{ lineNo: 1, quantity: 1 }] }));
    expect(b.byTaxRate).to.deep.equal([{ rate: 10, amount: 3000, tax: 272 }]);
  });

  it('lists the lines by lineNo whatever order they were asked in', () => {
    const b = computeRefund(aRequest({ items: [{ lineNo: 2, quantity: 1 }, { lineNo: 1, quantity: 1 }] }));
    expect(b.lines.map((l) => l.lineNo)).to.deep.equal([1, 2]);
  });

  it('returns a line in two parts that add up exactly to the whole line’s net', () => {
    // Coupon 100 over 3500: line 1 (3 × ¥1,000) gets 85, line 2 gets 14 + 1.
    const order = anOrder({ lines: [line(1, 3, 1000), line(2, 1, 500)], couponDiscount: 100 });
    const whole = computeRefund(aRequest({ order, items: [{ lineNo: 1, quantity: 3 }] })).lines[0];
    const first = computeRefund(aRequest({ order, items: [{ lineNo: 1, quantity: 1 }] })).lines[0];
    const second = computeRefund(aRequest({ order, items: [{ lineNo: 1, quantity: 2 }], earlier: [{ lineNo: 1, quantity: 1 }] })).lines[0];
    expect([whole?.couponShare, first?.couponShare, second?.couponShare]).to.deep.equal([85, 28, 57]);
    expect((first?.net ?? 0) + (second?.net ?? 0)).to.equal(whole?.net);
    expect(whole?.net).to.equal(2915);
  });

  it('returns a line one unit at a time with the coupon parts summing to its share', () => {
    const order = anOrder({ lines: [line(1, 3, 1000), line(2, 1, 500)], couponDiscount: 100 });
    const parts = [0, 1, 2].map((r) => computeRefund(aRequest({ order, items: [{ lineNo: 1, quantity: 1 }], earlier: r ? [{ lineNo: 1, quantity: r }] : [] })).lines[0]?.couponShare);
    expect(parts).to.deep.equal([28, 28, 29]);
  });

  it('gives only integers for many orders, however the lines are split', () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648), seed % n);
    for (let i = 0; i < 200; i++) {
      const lines = Array.from({ length: 1 + rand(4) }, (_, j) => line(j + 1, 2 + rand(4), 1 + rand(9999), rand(2) ? 10 : 8));
      const goods = lines.reduce((a, l) => a + l.quantity * l.unitPrice, 0);
      const order = anOrder({ lines, couponDiscount: rand(goods + 1), codFee: rand(2) ? 330 : 0 });
      const first = lines.map((l) => ({ lineNo: l.lineNo, quantity: 1 }));
      const rest = lines.map((l) => ({ lineNo: l.lineNo, quantity: l.quantity - 1 }));
      const a = computeRefund(aRequest({ order, items: first, terms: everyDeduction, refundMethod: 'bank_transfer' }));
      const b = computeRefund(aRequest({ order, items: rest, earlier: first, terms: everyDeduction, refundMethod: 'bank_transfer' }));
      expect(a.goods + b.goods).to.equal(goods - order.couponDiscount);
      for (const n of [a, b].flatMap((x) => [x.goods, x.total, x.clamped, ...x.byTaxRate.flatMap((r) => [r.amount, r.tax]), ...x.deductions.map((d) => d.amount)])) {
        expect(Number.isInteger(n), String(n)).to.equal(true);
      }
    }
  });
});

describe('returns money: fees', () => {
  const cod = anOrder({ paymentMethod: 'cod', codFee: 330 });

  it('gives back shipping and the COD fee when a changed-mind return completes a COD order', () => {
    const b = computeRefund(aRequest({ order: cod, items: everything, refundMethod: 'bank_transfer' }));
    expect(b.fees).to.deep.equal([{ kind: 'outbound_shipping', amount: 770 }, { kind: 'cod_fee', amount: 330 }]);
    expect(b.feesIncluded).to.equal(true);
    expect(b.deductions).to.deep.equal([]);
    expect(b.total).to.equal(7080 + 770 + 330);
  });

  it('gives the COD fee back and takes it again when the terms deduct it', () => {
    const b = computeRefund(aRequest({ order: cod, items: everything, refundMethod: 'bank_transfer', terms: terms({ codFee: true }) }));
    expect(b.fees).to.deep.equal([{ kind: 'outbound_shipping', amount: 770 }, { kind: 'cod_fee', amount: 330 }]);
    expect(b.deductions).to.deep.equal([{ kind: 'cod_fee', amount: 330 }]);
    expect(b.total).to.equal(7080 + 770);
  });

  it('takes outbound shipping back again when the terms deduct it', () => {
    const b = computeRefund(aRequest({ items: everything, terms: terms({ outboundShipping: true }) }));
    expect(b.fees).to.deep.equal([{ kind: 'outbound_shipping', amount: 770 }]);
    expect(b.deductions).to.deep.equal([{ kind: 'outbound_shipping', amount: 770 }]);
    expect(b.total).to.equal(7080);
  });

  it('keeps the fees on a partial return of the customer’s choice, and gives them with the return that completes the order', () => {
    const partial = computeRefund(aRequest({ order: cod, items: [{ lineNo: 1, quantity: 1 }] }));
    expect([partial.fees, partial.feesIncluded]).to.deep.equal([[], false]);
    const last = computeRefund(aRequest({ order: cod, items: [{ lineNo: 1, quantity: 1 }], earlier: [{ lineNo: 2, quantity: 1 }, { lineNo: 1, quantity: 1 }] }));
    expect(last.fees.map((f) => f.kind)).to.deep.equal(['outbound_shipping', 'cod_fee']);
    expect(last.feesIncluded).to.equal(true);
  });

  for (const basis of ['defect', 'shop_error'] as const) {
    it(`gives back shipping and the COD fee on a partial ${basis} return, with no deductions even when the terms state them`, () => {
      const b = computeRefund(aRequest({ order: cod, basis, reason: basis === 'defect' ? 'defective' : 'wrong_item', terms: everyDeduction, refundMethod: 'bank_transfer', returnLabelByShop: true }));
      expect(b.fees).to.deep.equal([{ kind: 'outbound_shipping', amount: 770 }, { kind: 'cod_fee', amount: 330 }]);
      expect(b.feesIncluded).to.equal(true);
      expect(b.deductions).to.deep.equal([]);
      expect(b.total).to.equal(3000 + 770 + 330);
    });
  }

  it('gives the fees back only once: not again after an earlier refund gave them', () => {
    const fault = computeRefund(aRequest({ order: cod, basis: 'defect', reason: 'defective', feesRefundedEarlier: true }));
    expect([fault.fees, fault.feesIncluded, fault.total]).to.deep.equal([[], false, 3000]);
    const completing = computeRefund(aRequest({ order: cod, items: [{ lineNo: 1, quantity: 1 }], earlier: [{ lineNo: 1, quantity: 1 }, { lineNo: 2, quantity: 1 }], feesRefundedEarlier: true }));
    expect([completing.fees, completing.feesIncluded]).to.deep.equal([[], false]);
  });

  it('gives the fees back the same when the customer keeps the item', () => {
    const b = computeRefund(aRequest({ order: cod, items: everything, keepItem: true }));
    expect(b.fees.map((f) => f.kind)).to.deep.equal(['outbound_shipping', 'cod_fee']);
  });

  it('lists no fee of ¥0 and puts fees in the 10% rate', () => {
    const b = computeRefund(aRequest({ order: anOrder({ shippingFee: 0, lines: [line(1, 1, 1080, 8)] }), items: [{ lineNo: 1, quantity: 1 }] }));
    expect([b.fees, b.feesIncluded]).to.deep.equal([[], true]);
    const withFee = computeRefund(aRequest({ order: anOrder({ lines: [line(1, 1, 1080, 8)] }), items: [{ lineNo: 1, quantity: 1 }] }));
    expect(withFee.byTaxRate).to.deep.equal([{ rate: 8, amount: 1080, tax: 80 }, { rate: 10, amount: 770, tax: 70 }]);
  });
});

describe('returns money: deductions', () => {
  it('deducts nothing under the statutory fallback, whatever the return', () => {
    const b = computeRefund(aRequest({ basis: 'statutory', terms: statutoryTerms, items: everything, refundMethod: 'bank_transfer', returnLabelByShop: true, order: anOrder({ codFee: 330 }) }));
    expect(b.deductions).to.deep.equal([]);
    expect(b.total).to.equal(7080 + 770 + 330);
  });

  it('deducts a restocking percent of the goods, rounded down', () => {
    const b = computeRefund(aRequest({ items: [{ lineNo: 2, quantity: 1 }], terms: terms({ restockingPercent: 15 }) }));
    expect(b.deductions).to.deep.equal([{ kind: 'restocking', amount: 162 }]);
    expect(b.total).to.equal(1080 - 162);
  });

  it('deducts the transfer fee on a bank transfer and not on a refund to the original payment', () => {
    const t = terms({ transferFee: 440 });
    expect(computeRefund(aRequest({ terms: t, refundMethod: 'bank_transfer' })).deductions).to.deep.equal([{ kind: 'transfer_fee', amount: 440 }]);
    expect(computeRefund(aRequest({ terms: t, refundMethod: 'original_payment' })).deductions).to.deep.equal([]);
  });

  it('deducts no transfer fee when nothing is left to transfer', () => {
    const b = computeRefund(aRequest({ order: anOrder({ lines: [line(1, 1, 0)], shippingFee: 0 }), terms: terms({ transferFee: 440 }), refundMethod: 'bank_transfer' }));
    expect([b.deductions, b.total, b.clamped]).to.deep.equal([[], 0, 0]);
  });

  describe('return shipping by label', () => {
    const t = terms({ returnShipping: 800 }, { size: 'shop' });
    const table: Array<[string, Partial<RefundRequest>, boolean]> = [
      ['the shop sends a label and the customer pays for this reason', { returnLabelByShop: true, reason: 'changed_mind' }, true],
      ['the shop pays return shipping for this reason', { returnLabelByShop: true, reason: 'size' }, false],
      ['the customer ships it themselves', { returnLabelByShop: false, reason: 'changed_mind' }, false],
      ['the customer keeps the item', { returnLabelByShop: true, reason: 'changed_mind', keepItem: true }, false],
      ['the reason is not the customer’s choice', { returnLabelByShop: true, reason: 'defective', basis: 'goodwill' }, false],
      ['the shop is at fault', { returnLabelByShop: true, reason: 'changed_mind', basis: 'defect' }, false],
    ];
    for (const [when, over, deducted] of table) {
      it(`${deducted ? 'deducts' : 'does not deduct'} it when ${when}`, () => {
        const b = computeRefund(aRequest({ terms: t, ...over }));
        expect(b.deductions).to.deep.equal(deducted ? [{ kind: 'return_shipping', amount: 800 }] : []);
      });
    }
    it('deducts nothing for return shipping when the terms state no amount', () => {
      expect(computeRefund(aRequest({ terms: terms({}), returnLabelByShop: true })).deductions).to.deep.equal([]);
    });
  });

  it('lists every deduction that applies in the fixed order, and only those the terms state', () => {
    const b = computeRefund(aRequest({ order: anOrder({ codFee: 330 }), items: everything, terms: everyDeduction, refundMethod: 'bank_transfer', returnLabelByShop: true }));
    expect(kinds(b)).to.deep.equal(['return_shipping', 'outbound_shipping', 'cod_fee', 'transfer_fee', 'restocking']);
    expect(b.total).to.equal(7080 + 1100 - (800 + 770 + 330 + 440 + 708));
    expect(kinds(computeRefund(aRequest({ items: everything, terms: terms({ codFee: true }) })))).to.deep.equal([]);
  });

  it('never pays back less than 0: deductions above the refund are clamped', () => {
    const b = computeRefund(aRequest({ order: anOrder({ lines: [line(1, 2, 300)], shippingFee: 0 }), terms: terms({ returnShipping: 800, transferFee: 440 }), refundMethod: 'bank_transfer', returnLabelByShop: true }));
    expect(b.deductions).to.deep.equal([{ kind: 'return_shipping', amount: 800 }]);
    expect([b.total, b.clamped]).to.deep.equal([0, 500]);
    const c = computeRefund(aRequest({ order: anOrder({ lines: [line(1, 2, 300)], shippingFee: 0 }), terms: terms({ transferFee: 440 }), refundMethod: 'bank_transfer' }));
    expect([c.total, c.clamped]).to.deep.equal([0, 140]);
  });

  it('reports clamped 0 when the deductions fit', () => {
    expect(computeRefund(aRequest({ terms: terms({ restockingPercent: 10 }) })).clamped).to.equal(0);
  });
});

describe('returns money: exchanges', () => {
  const item = (unitPrice: number, quantity = 1) => ({ sku: 'TS-M', name: 'T-shirt M', quantity, unitPrice, taxRate: 10 as const });

  it('asks the customer for the difference when the new item costs more, and refunds nothing', () => {
    const b = computeRefund(aRequest({ exchange: [item(3500)], terms: terms({ restockingPercent: 10 }) }));
    expect(b.exchange).to.deep.equal({ newItems: [{ ...item(3500), subtotal: 3500 }], newItemsTotal: 3500, difference: 500 });
    expect([b.total, b.deductions]).to.deep.equal([0, []]);
  });

  it('refunds the difference when the new item costs less, less the transfer fee on a bank transfer', () => {
    const t = terms({ transferFee: 200 });
    const card = computeRefund(aRequest({ exchange: [item(1200, 2)], terms: t }));
    expect([card.exchange?.newItemsTotal, card.exchange?.difference, card.total]).to.deep.equal([2400, -600, 600]);
    const bank = computeRefund(aRequest({ exchange: [item(1200, 2)], terms: t, refundMethod: 'bank_transfer' }));
    expect(bank.deductions).to.deep.equal([{ kind: 'transfer_fee', amount: 200 }]);
    expect(bank.total).to.equal(400);
  });

  it('charges no transfer fee when the customer pays the difference', () => {
    const b = computeRefund(aRequest({ exchange: [item(3500)], terms: terms({ transferFee: 200 }), refundMethod: 'bank_transfer' }));
    expect([b.deductions, b.total]).to.deep.equal([[], 0]);
  });

  it('adds the return label the customer pays for to the difference', () => {
    const b = computeRefund(aRequest({ exchange: [item(3000)], terms: terms({ returnShipping: 800 }), returnLabelByShop: true }));
    expect(b.deductions).to.deep.equal([{ kind: 'return_shipping', amount: 800 }]);
    expect([b.exchange?.difference, b.total]).to.deep.equal([800, 0]);
  });

  it('keeps the sale: an exchange of the whole order gives back no fees and takes none', () => {
    const whole = computeRefund(aRequest({ items: everything, exchange: [item(7850)] }));
    expect([whole.feesIncluded, whole.fees, whole.exchange?.difference]).to.deep.equal([false, [], 7850 - 7080]);
    const kept = computeRefund(aRequest({ items: everything, exchange: [item(7850)], terms: terms({ outboundShipping: true }) }));
    expect(kept.deductions).to.deep.equal([]);
    expect(kept.exchange?.difference).to.equal(7850 - 7080);
  });

  it('credits the returned units at their price, the coupon staying with the order', () => {
    const b = computeRefund(aRequest({ order: anOrder({ couponDiscount: 600 }), exchange: [item(3000)] }));
    expect(b.lines[0]).to.include({ gross: 3000, couponShare: 0, net: 3000 });
    expect(b.exchange?.difference).to.equal(0);
  });

  it('on the shop’s fault replaces the item at no cost either way, and deducts nothing', () => {
    const b = computeRefund(aRequest({ basis: 'defect', reason: 'defective', exchange: [item(3000)], terms: everyDeduction, refundMethod: 'bank_transfer', returnLabelByShop: true }));
    expect(b.deductions).to.deep.equal([]);
    expect([b.exchange?.difference, b.total, b.feesIncluded]).to.deep.equal([0, 0, false]);
  });

  it('counts only settled returns (received or later) when deciding that a return completes the order', () => {
    // Line 1 is in another return still waiting for its parcel: this one does not complete the order yet.
    const waiting = computeRefund(aRequest({ items: [{ lineNo: 2, quantity: 1 }], earlier: [{ lineNo: 1, quantity: 2 }], settledEarlier: [] }));
    expect([waiting.feesIncluded, waiting.fees]).to.deep.equal([false, []]);
    const settled = computeRefund(aRequest({ items: [{ lineNo: 2, quantity: 1 }], earlier: [{ lineNo: 1, quantity: 2 }], settledEarlier: [{ lineNo: 1, quantity: 2 }] }));
    expect(settled.feesIncluded).to.equal(true);
    expect(settled.fees).to.deep.equal([{ kind: 'outbound_shipping', amount: 770 }]);
  });

  it('treats an empty exchange list as a plain refund', () => {
    const b = computeRefund(aRequest({ exchange: [] }));
    expect([b.exchange, b.total]).to.deep.equal([null, 3000]);
  });
});

describe('returns money: refusing a request that does not fit the order', () => {
  const table: Array<[string, Partial<RefundRequest>, string | RegExp, Array<string | number>]> = [
    ['no items', { items: [] }, 'choose at least one item to return', ['items']],
    ['a line not on the order', { items: [{ lineNo: 3, quantity: 1 }] }, 'line 3 is not on this order', ['items', 0, 'lineNo']],
    ['the same line twice', { items: [{ lineNo: 1, quantity: 1 }, { lineNo: 1, quantity: 1 }] }, 'line 1 is listed twice', ['items', 1, 'lineNo']],
    ['a quantity of 0', { items: [{ lineNo: 1, quantity: 0 }] }, 'the quantity of line 1 must be a positive whole number', ['items', 0, 'quantity']],
    ['a negative quantity', { items: [{ lineNo: 1, quantity: -1 }] }, /positive whole number/, ['items', 0, 'quantity']],
    ['a fractional quantity', { items: [{ lineNo: 1, quantity: 1.5 }] }, /positive whole number/, ['items', 0, 'quantity']],
    [
      'more than is left after earlier returns',
      { order: anOrder({ lines: [line(1, 1, 100), line(2, 3, 100)] }), items: [{ lineNo: 2, quantity: 2 }], earlier: [{ lineNo: 2, quantity: 1 }, { lineNo: 2, quantity: 1 }] },
      'only 1 of line 2 is left to return',
      ['items', 0, 'quantity'],
    ],
    ['a line already returned in full', { items: [{ lineNo: 2, quantity: 1 }], earlier: [{ lineNo: 2, quantity: 1 }] }, 'none of line 2 is left to return', ['items', 0, 'quantity']],
    ['more than the line holds', { items: [{ lineNo: 1, quantity: 3 }] }, 'only 2 of line 1 is left to return', ['items', 0, 'quantity']],
    ['an earlier return of a line not on the order', { earlier: [{ lineNo: 9, quantity: 1 }] }, 'line 9 is not on this order', ['earlier', 0, 'lineNo']],
    ['an exchange item of quantity 0', { exchange: [{ sku: 'X', name: 'x', quantity: 0, unitPrice: 100, taxRate: 10 }] }, 'the quantity of exchange item X must be a positive whole number', ['exchange', 0, 'quantity']],
    ['an exchange item at a negative price', { exchange: [{ sku: 'X', name: 'x', quantity: 1, unitPrice: -1, taxRate: 10 }] }, 'the price of exchange item X must be whole yen, not negative', ['exchange', 0, 'unitPrice']],
    ['an exchange item at a fraction of a yen', { exchange: [{ sku: 'X', name: 'x', quantity: 1, unitPrice: 99.5, taxRate: 10 }] }, /must be whole yen/, ['exchange', 0, 'unitPrice']],
    ['a coupon larger than the goods', { order: anOrder({ couponDiscount: 7081 }) }, 'the coupon (¥7081) is larger than the goods (¥7080)', ['order', 'couponDiscount']],
  ];
  for (const [what, over, message, path] of table) {
    it(`refuses ${what}`, () => {
      const e = thrown(() => computeRefund(aRequest(over)));
      expect(e.code).to.equal('invalid_input');
      if (typeof message === 'string') expect(e.message).to.equal(message);
      else expect(e.message).to.match(message);
      expect((e.details as { path: unknown }).path).to.deep.equal(path);
    });
  }

  it('accepts a coupon of exactly the goods', () => {
    expect(computeRefund(aRequest({ order: anOrder({ couponDiscount: 7080 }), items: everything })).goods).to.equal(0);
  });
});

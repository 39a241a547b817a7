import { expect } from 'chai';
import type { MoneyOrder } from '../../../server/domains/returns/returns.money.ts';
import { computeRefusedDelivery } from '../../../server/domains/returns/returns.money.refused.ts';
import { returnTermsInput, statutoryTerms, type ReturnTermsInput } from '../../../server/domains/returns/returns.terms.schema.ts';
import { describeTerms } from '../../../server/domains/returns/returns.terms.text.ts';

const terms = (refusedDelivery?: ReturnTermsInput['refusedDelivery']) =>
  returnTermsInput.parse({
    acceptsReturns: true,
    windowDays: 14,
    returnShippingPaidBy: { size: 'customer', not_as_expected: 'customer', changed_mind: 'customer', late_delivery: 'shop' },
    // Deductions for returns of choice do not apply to a refusal: only refusedDelivery does.
    deductions: { outboundShipping: true, codFee: true, transferFee: 440, restockingPercent: 10 },
    ...(refusedDelivery ? { refusedDelivery } : {}),
  });

/** 2 × ¥3,000 (10%) + 1 × ¥1,080 (8%), coupon ¥500, shipping ¥770. */
const order = (over: Partial<MoneyOrder> = {}): MoneyOrder => ({
  lines: [
    { lineNo: 1, quantity: 2, unitPrice: 3000, taxRate: 10 },
    { lineNo: 2, quantity: 1, unitPrice: 1080, taxRate: 8 },
  ],
  shippingFee: 770,
  codFee: 0,
  couponDiscount: 500,
  paymentMethod: 'credit_card',
  ...over,
});
const paid = 6000 + 1080 - 500 + 770;

describe('returns money: refused deliveries (受け取り拒否)', () => {
  it('gives back everything paid when the refusal was the shop’s fault, whatever the terms charge', () => {
    const r = computeRefusedDelivery({ order: order(), fault: 'shop', terms: terms({ chargeShipping: true, returnShippingFee: 900 }), refundMethod: 'original_payment' });
    expect(r.total).to.equal(paid);
    expect(r.deductions).to.deep.equal([]);
    expect(r.refused).to.deep.equal({ paid: true, owed: 0 });
  });

  it('keeps nothing for a refusal of the customer’s when the terms say nothing (statutory or silent terms)', () => {
    for (const t of [statutoryTerms, terms()]) {
      const r = computeRefusedDelivery({ order: order(), fault: 'customer', terms: t, refundMethod: 'original_payment' });
      expect(r.total).to.equal(paid);
      expect(r.deductions).to.deep.equal([]);
    }
  });

  it('keeps the outbound shipping and the carrier’s fee back when the terms charge a refusal, and nothing else the terms deduct on returns', () => {
    const r = computeRefusedDelivery({ order: order(), fault: 'customer', terms: terms({ chargeShipping: true, returnShippingFee: 900 }), refundMethod: 'original_payment' });
    expect(r.deductions).to.deep.equal([
      { kind: 'return_shipping', amount: 900 },
      { kind: 'outbound_shipping', amount: 770 },
    ]);
    expect(r.total).to.equal(paid - 770 - 900);
    // The tax per rate is of what was given back before the charges: goods after the coupon, and shipping at 10%.
    expect(r.byTaxRate.reduce((s, t) => s + t.amount, 0)).to.equal(paid);
  });

  it('refunds nothing for a COD order, which was never paid, and shows what the terms charge as owed', () => {
    const cod = order({ paymentMethod: 'cod', codFee: 330 });
    const charged = computeRefusedDelivery({ order: cod, fault: 'customer', terms: terms({ chargeShipping: true, returnShippingFee: 900 }), refundMethod: 'bank_transfer' });
    expect(charged.total).to.equal(0);
    expect(charged.refused).to.deep.equal({ paid: false, owed: 770 + 900 });
    const shopFault = computeRefusedDelivery({ order: cod, fault: 'shop', terms: terms({ chargeShipping: true, returnShippingFee: 900 }), refundMethod: 'bank_transfer' });
    expect(shopFault.total).to.equal(0);
    expect(shopFault.refused).to.deep.equal({ paid: false, owed: 0 });
  });

  it('applies none of the deductions the terms state for returns (transfer fee, restocking) to a refusal: only its own section counts', () => {
    const t = terms({ chargeShipping: false });
    const transfer = computeRefusedDelivery({ order: order({ paymentMethod: 'bank_transfer' }), fault: 'customer', terms: t, refundMethod: 'bank_transfer' });
    expect(transfer.deductions).to.deep.equal([]);
    expect(transfer.total).to.equal(paid);
  });
});

describe('return terms text: refused deliveries', () => {
  it('states what a refusal costs only when the terms charge it', () => {
    const heading = (t: ReturnType<typeof terms>, l: 'ja' | 'en') => describeTerms(t, l).find((s) => s.heading === (l === 'ja' ? '受け取り拒否' : 'Refused deliveries'));
    expect(heading(terms(), 'ja')).to.equal(undefined);
    expect(heading(terms({ chargeShipping: true, returnShippingFee: 900 }), 'ja')!.lines[0]).to.include('返送料 900円').and.include('代金引換');
    expect(heading(terms({ chargeShipping: true }), 'en')!.lines[0]).to.include('deduct the original shipping from the refund');
  });
});

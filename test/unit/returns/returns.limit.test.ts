import { expect } from 'chai';
import { DomainError } from '../../../server/core/errors.ts';
import {
  allowedEvents,
  assertTransition,
  assertWithinRefundLimit,
  contextOf,
  heldToRefundLimit,
  isOverRefundLimit,
  refundLimitOf,
} from '../../../server/domains/returns/returns.machine.ts';
import { returnActorRoles } from '../../../server/domains/returns/returns.model.ts';
import { computeRefund, type MoneyOrder, type RefundRequest } from '../../../server/domains/returns/returns.money.ts';
import { returnTermsInput, statutoryTerms, type ReturnTermsInput } from '../../../server/domains/returns/returns.terms.schema.ts';

/** The agents' limit these tests hold returns to (the default of a shop's terms). */
const LIMIT = 10_000;

const terms = (deductions: ReturnTermsInput['deductions'] = {}) =>
  returnTermsInput.parse({
    acceptsReturns: true,
    windowDays: 14,
    returnShippingPaidBy: { size: 'customer', not_as_expected: 'customer', changed_mind: 'customer' },
    deductions,
    agentRefundLimit: LIMIT,
  });

/** Two units at `unitPrice` (10%), shipping ¥770 and a COD fee of ¥330, paid cash on delivery. */
const codOrder = (unitPrice: number): MoneyOrder => ({
  lines: [{ lineNo: 1, quantity: 2, unitPrice, taxRate: 10 }],
  shippingFee: 770,
  codFee: 330,
  couponDiscount: 0,
  paymentMethod: 'cod',
});

const request = (over: Partial<RefundRequest>): RefundRequest => ({
  order: codOrder(6000),
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

/** A stored return as the machine reads it, with this refund and the limit. */
const stored = (refundTotal: number) => ({ refundTotal, refundLimit: LIMIT, kind: 'return', legalBasis: 'terms' as const, policy: { checks: [] } });

describe('returns refund limit: one rule in the machine', () => {
  it('holds a return to the agents’ limit of the terms that judge it', () => {
    expect(refundLimitOf(terms())).to.equal(LIMIT);
    expect(refundLimitOf({ agentRefundLimit: 3000 })).to.equal(3000);
    expect(refundLimitOf(statutoryTerms)).to.equal(statutoryTerms.agentRefundLimit);
  });

  it('holds agents and contractors to it, and nobody else', () => {
    expect(returnActorRoles.filter(heldToRefundLimit)).to.deep.equal(['agent', 'contractor']);
  });

  describe('at the edge', () => {
    it('leaves a refund of exactly the limit to an agent or contractor', () => {
      expect(isOverRefundLimit(stored(LIMIT))).to.equal(false);
      expect(contextOf(stored(LIMIT)).overRefundLimit).to.equal(false);
      for (const role of ['agent', 'contractor'] as const) {
        expect(assertTransition('needs_review', 'approve', role, contextOf(stored(LIMIT))), role).to.equal('approved');
        expect(allowedEvents('inspected', role, contextOf(stored(LIMIT))), role).to.include('start_refund');
        expect(() => assertWithinRefundLimit(role, stored(LIMIT)), role).not.to.throw();
      }
    });

    it('sends a refund one yen over the limit to a merchant', () => {
      expect(isOverRefundLimit(stored(LIMIT + 1))).to.equal(true);
      for (const role of ['agent', 'contractor'] as const) {
        expect(() => assertTransition('needs_review', 'approve', role, contextOf(stored(LIMIT + 1))), role)
          .to.throw(DomainError)
          .that.deep.includes({ code: 'forbidden', details: { event: 'approve', role, roles: ['owner', 'staff'], overRefundLimit: true } });
        expect(allowedEvents('inspected', role, contextOf(stored(LIMIT + 1))), role).to.deep.equal([]);
        expect(() => assertWithinRefundLimit(role, stored(LIMIT + 1)), role)
          .to.throw(DomainError)
          .that.deep.includes({ code: 'forbidden', details: { overRefundLimit: true } });
      }
      for (const role of ['owner', 'staff'] as const) {
        expect(assertTransition('needs_review', 'approve', role, contextOf(stored(LIMIT + 1))), role).to.equal('approved');
        expect(() => assertWithinRefundLimit(role, stored(LIMIT + 1)), role).not.to.throw();
      }
    });
  });

  describe('on the refund as returns.money computes it', () => {
    it('judges each return by its own refund, not by what earlier returns of the order refunded', () => {
      const first = computeRefund(request({}));
      // The second unit completes the order: it brings back shipping and the COD fee (¥6,000 + ¥770 + ¥330).
      const second = computeRefund(request({ earlier: [{ lineNo: 1, quantity: 1 }], settledEarlier: [{ lineNo: 1, quantity: 1 }] }));
      expect([first.total, second.total]).to.deep.equal([6000, 7100]);
      expect(first.total + second.total).to.be.above(LIMIT);
      expect(isOverRefundLimit(stored(first.total))).to.equal(false);
      expect(isOverRefundLimit(stored(second.total))).to.equal(false);
    });

    it('counts the shipping and COD fee a completing return gives back: goods within the limit can be over it', () => {
      const whole = computeRefund(request({ order: codOrder(4750), items: [{ lineNo: 1, quantity: 2 }] }));
      expect(whole.goods).to.equal(9500);
      expect(whole.total).to.equal(9500 + 770 + 330);
      expect(isOverRefundLimit(stored(whole.total))).to.equal(true);
    });

    it('counts the fees as the terms leave them: deducted again, the same return is within the limit', () => {
      const whole = computeRefund(request({ order: codOrder(4750), items: [{ lineNo: 1, quantity: 2 }], terms: terms({ outboundShipping: true, codFee: true }) }));
      expect(whole.total).to.equal(9500);
      expect(isOverRefundLimit(stored(whole.total))).to.equal(false);
    });

    it('counts no fees an earlier refund already gave back', () => {
      const whole = computeRefund(request({ order: codOrder(4750), items: [{ lineNo: 1, quantity: 2 }], feesRefundedEarlier: true }));
      expect(whole.total).to.equal(9500);
      expect(isOverRefundLimit(stored(whole.total))).to.equal(false);
    });

    it('lets goods and fees that come to exactly the limit stay with the agents', () => {
      // ¥4,450 × 2 + ¥770 + ¥330 = ¥10,000.
      const whole = computeRefund(request({ order: codOrder(4450), items: [{ lineNo: 1, quantity: 2 }] }));
      expect(whole.total).to.equal(LIMIT);
      expect(isOverRefundLimit(stored(whole.total))).to.equal(false);
    });
  });
});

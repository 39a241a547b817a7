import { expect } from 'chai';
import { DomainError } from '../../../server/core/errors.ts';
import { allowedEvents, assertTransition, contextOf, rejectionCodesFor, rejectionFactsOf } from '../../../server/domains/returns/returns.machine.ts';
import { expiresUnshipped, legalBases, rejectionCodes, type LegalBasis, type RejectionCode } from '../../../server/domains/returns/returns.model.ts';
import { customerNotice, type NoticeFacts } from '../../../server/domains/returns/returns.notify.ts';
import { checkPolicy, type PolicyInput } from '../../../server/domains/returns/returns.policy.ts';
import { statutoryTerms } from '../../../server/domains/returns/returns.terms.schema.ts';

/**
 * What a return's legal basis allows once it is filed: the reasons it may be rejected for, and
 * whether it lapses when the parcel is late. A claim on the shop's fault is never refused for a
 * window or a tag, a statutory cancellation never for conditions, and neither lapses.
 */

const windowCheck = (ok: boolean, blocking = true) => ({ rule: 'window', ok, blocking, ja: '', en: '' });
const accepted = { rule: 'returns_accepted', ok: true, blocking: true, ja: '', en: '' };
const stored = (legalBasis: LegalBasis, checks: unknown[] = []) => ({ refundTotal: 1000, refundLimit: 10_000, kind: 'return', legalBasis, policy: { checks } });

const forbiddenForShopFault: RejectionCode[] = ['outside_window', 'non_returnable_item', 'returns_not_accepted', 'condition_not_met'];

describe('returns: what a legal basis allows after filing', () => {
  describe('rejection reasons', () => {
    for (const basis of ['defect', 'shop_error', 'late_delivery'] as const) {
      it(`a ${basis} claim may be rejected only for what was found, missing evidence, suspected abuse or another reason`, () => {
        const fits = rejectionCodesFor(rejectionFactsOf(stored(basis, [windowCheck(true, false)])));
        expect(fits).to.deep.equal(['no_defect_found', 'missing_evidence', 'suspected_abuse', 'other']);
      });
      for (const code of forbiddenForShopFault) {
        it(`refuses rejecting a ${basis} claim as ${code} with 400 on reasonCode, naming the reasons that fit`, () => {
          let caught: unknown;
          try {
            assertTransition('needs_review', 'reject', 'owner', { ...contextOf(stored(basis)), reasonCode: code });
          } catch (e) {
            caught = e;
          }
          expect(caught).to.be.instanceOf(DomainError);
          expect(caught).to.include({ code: 'invalid_input' });
          expect((caught as DomainError).details).to.deep.equal({ path: ['reasonCode'], allowed: ['no_defect_found', 'missing_evidence', 'suspected_abuse', 'other'] });
        });
      }
    }

    it('a statutory cancellation found inside its 8 days is never rejected for the window, conditions, tags or the shop’s policy', () => {
      expect(rejectionCodesFor(rejectionFactsOf(stored('statutory', [windowCheck(true)])))).to.deep.equal(['suspected_abuse', 'other']);
      expect(() => assertTransition('needs_review', 'reject', 'staff', { ...contextOf(stored('statutory', [windowCheck(true)])), reasonCode: 'condition_not_met' })).to.throw(DomainError, /does not fit/);
    });

    it('a statutory cancellation whose delivery date was only estimated may be found outside the window by a person', () => {
      expect(rejectionCodesFor(rejectionFactsOf(stored('statutory', [windowCheck(false, false)])))).to.deep.equal(['outside_window', 'suspected_abuse', 'other']);
    });

    it('a return under the shop’s terms may be refused for its conditions or a non-returnable product, not for a window it met', () => {
      expect(rejectionCodesFor(rejectionFactsOf(stored('terms', [accepted, windowCheck(true)])))).to.deep.equal(['non_returnable_item', 'condition_not_met', 'missing_evidence', 'suspected_abuse', 'other']);
      expect(rejectionCodesFor(rejectionFactsOf(stored('terms', [accepted])))).to.include('outside_window');
    });

    it('every basis has reasons, all of them the model’s', () => {
      for (const basis of legalBases) {
        const fits = rejectionCodesFor({ basis, windowConfirmed: false, returnsAccepted: false });
        expect(fits.length, basis).to.be.greaterThan(1);
        expect(fits.every((c) => rejectionCodes.includes(c))).to.equal(true);
      }
    });
  });

  describe('the date to send the parcel by', () => {
    it('is a deadline only under the shop’s own terms or goodwill', () => {
      expect(legalBases.filter(expiresUnshipped)).to.deep.equal(['terms', 'goodwill']);
    });

    for (const basis of ['statutory', 'defect', 'shop_error', 'late_delivery'] as const) {
      it(`never lets a ${basis} return expire, not even by the timer`, () => {
        expect(allowedEvents('awaiting_shipment', 'system', contextOf(stored(basis)))).to.not.include('expire');
        expect(() => assertTransition('awaiting_shipment', 'expire', 'system', contextOf(stored(basis)))).to.throw(DomainError, /does not expire/);
      });
    }

    it('lets the timer expire a return under the terms', () => {
      expect(assertTransition('awaiting_shipment', 'expire', 'system', contextOf(stored('terms')))).to.equal('expired');
    });
  });

  describe('what the customer is told', () => {
    const facts = (over: Partial<NoticeFacts>): NoticeFacts => ({
      status: 'rejected',
      shipBy: null,
      returnLabelByShop: true,
      keepItem: false,
      refundTotal: 1000,
      rejectionCode: 'other',
      decisionNote: null,
      basis: 'defect',
      policy: { checks: [] },
      ...over,
    });
    const text = (n: ReturnType<typeof customerNotice>) => [...n!.ja, ...n!.en].join('\n');

    it('never tells a defect claimant that the return period has passed, even for a rejection recorded before the rules refused it', () => {
      const said = text(customerNotice(facts({ rejectionCode: 'outside_window' })));
      expect(said).to.not.include('返品期間').and.not.include('return period');
      expect(said).to.include('担当者の判断により');
    });

    it('says what was checked when nothing was found: the defect, the item sent, the delivery date', () => {
      expect(text(customerNotice(facts({ rejectionCode: 'no_defect_found' })))).to.include('不良が確認できなかった');
      expect(text(customerNotice(facts({ rejectionCode: 'no_defect_found', basis: 'shop_error' })))).to.include('ご注文どおりの商品');
      expect(text(customerNotice(facts({ rejectionCode: 'no_defect_found', basis: 'late_delivery' })))).to.include('お約束の期日までにお届け');
    });

    const shipBy = new Date('2026-12-20T14:59:59Z');
    it('gives a statutory cancellation a date to aim for, says the request stands after it and that the refund waits for the goods', () => {
      const said = text(customerNotice(facts({ status: 'awaiting_shipment', basis: 'statutory', shipBy })));
      expect(said).to.include('2026年12月20日を目安に').and.include('取り消されません').and.include('商品が当店に届いてから');
      expect(said).to.not.include('終了します');
    });

    it('tells a return under the terms that the request ends at its deadline, as the timer does', () => {
      const said = text(customerNotice(facts({ status: 'ship_reminder', basis: 'terms', shipBy })));
      expect(said).to.include('2026年12月20日までに').and.include('お申し込みは終了します');
    });
  });

  describe('late delivery and items not as described', () => {
    const input = (over: Partial<PolicyInput>): PolicyInput => ({
      reason: 'late_delivery',
      kind: 'return',
      termsVersion: null,
      terms: statutoryTerms,
      deliveredAt: new Date('2026-11-20T15:00:00Z'),
      shippedAt: null,
      items: [{ lineNo: 1, name: 'リネンシャツ', tags: [] }],
      conditionsConfirmed: false,
      refundTotal: 3000,
      recentReturns: 0,
      now: new Date('2027-01-15T00:00:00Z'),
      ...over,
    });

    it('takes a late delivery as the shop’s failure: no window, reviewed by a person', () => {
      const r = checkPolicy(input({}));
      expect(r).to.include({ basis: 'late_delivery', eligible: true, autoApprove: false });
      expect(r.reviewReasons).to.include('basis_late_delivery');
      expect(r.windowEndsAt).to.equal(null);
      expect(r.checks.find((c) => c.rule === 'shop_fault')?.ja).to.include('履行遅滞');
    });

    it('judges an item not as described as a defect claim', () => {
      const r = checkPolicy(input({ reason: 'not_as_described' }));
      expect(r.basis).to.equal('defect');
      expect(r.checks.find((c) => c.rule === 'shop_fault')?.ja).to.include('商品説明と違う');
    });
  });
});

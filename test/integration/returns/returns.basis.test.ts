import { expect } from 'chai';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { dbKinds } from '../../helpers/env.ts';
import { eventually } from '../../helpers/eventually.ts';
import { anOrder } from '../../fixtures/builders.ts';
import { daysAgo, filed, move, moved, openDesk, publish, pushOrder, someTerms, type Desk } from './returns.helpers.ts';

/**
 * A return's legal basis decides what it may be refused for: a claim on the shop's fault (a
 * defect, an item not as described, the wrong item, late delivery) never for a window, a tag,
 * the shop's opt-out or its conditions, and a statutory cancellation inside its 8 days never for
 * conditions. The customer is never told "the return period has passed" for such a claim.
 */
for (const kind of dbKinds) {
  describe(`[${kind}] what a return may be refused for, by its legal basis`, () => {
    let server: TestServer;
    /** Terms published, every return reviewed by a person. */
    let d: Desk;
    /** No terms published: the statutory rule. */
    let plain: Desk;

    before(async () => {
      server = await startServer(kind);
      d = await openDesk(server);
      await publish(d, someTerms({ autoApprove: { enabled: false, maxAmount: 0 } }));
      plain = await openDesk(server);
    });
    after(() => server.close());

    const mailTo = (email: string, says: string) => eventually(async () => server.smtp.mails.find((m) => m.to.includes(email) && m.text.includes(says)), `a mail to ${email} saying ${says}`);

    it('refuses a defect claim rejected for the window, a tag, the shop’s opt-out or its conditions with 400, and offers only the reasons that fit', async () => {
      const order = await pushOrder(d);
      const r = await filed(d.owner, d.shop.id, { orderNumber: order.number, reason: 'defective' });
      expect(r).to.include({ legalBasis: 'defect', status: 'needs_review' });
      expect(r.rejectionCodes).to.deep.equal(['no_defect_found', 'missing_evidence', 'suspected_abuse', 'other']);
      for (const reasonCode of ['outside_window', 'non_returnable_item', 'returns_not_accepted', 'condition_not_met']) {
        const res = await move(d.as.agent, d.shop.id, r.id, { event: 'reject', reasonCode, expectedStatus: 'needs_review' });
        expect(res.status, `${reasonCode}: ${res.text}`).to.equal(400);
        expect(res.body.error.code).to.equal('invalid_input');
        expect(res.body.error.details).to.deep.equal({ path: ['reasonCode'], allowed: ['no_defect_found', 'missing_evidence', 'suspected_abuse', 'other'] });
      }
      expect((await d.owner.get(`/api/shops/${d.shop.id}/returns/${r.id}`)).body.status, 'nothing was written').to.equal('needs_review');
      const rejected = await moved(d.as.agent, d.shop.id, r.id, { event: 'reject', reasonCode: 'no_defect_found', note: '写真では傷が確認できませんでした' });
      expect(rejected).to.include({ status: 'rejected', rejectionCode: 'no_defect_found' });
      const mail = await mailTo(order.email, '不良が確認できなかったため');
      expect(mail.text).not.to.include('返品期間').and.not.to.include('return period');
    });

    it('never rejects a statutory cancellation inside its 8 days for the window or for conditions, only for what a person found', async () => {
      const order = await pushOrder(plain);
      const r = await filed(plain.owner, plain.shop.id, { orderNumber: order.number, reason: 'changed_mind' });
      expect(r).to.include({ legalBasis: 'statutory', status: 'needs_review' });
      expect(r.rejectionCodes).to.deep.equal(['suspected_abuse', 'other']);
      for (const reasonCode of ['outside_window', 'condition_not_met', 'non_returnable_item', 'returns_not_accepted']) {
        const res = await move(plain.as.staff, plain.shop.id, r.id, { event: 'reject', reasonCode });
        expect(res.status, reasonCode).to.equal(400);
      }
      await moved(plain.as.staff, plain.shop.id, r.id, { event: 'reject', reasonCode: 'suspected_abuse', note: '同じ商品で3回目のお申し込みのため、確認させてください' });
    });

    it('takes late delivery as the shop’s failure: past any window, the shop pays shipping and gives the fees back, nothing deducted', async () => {
      // No terms here, so a change of mind has 8 days; this parcel came 20 days ago.
      const order = await pushOrder(plain, { orderedAt: daysAgo(30), shippedAt: daysAgo(25), deliveredAt: daysAgo(20) });
      const r = await filed(plain.owner, plain.shop.id, { orderNumber: order.number, reason: 'late_delivery' });
      expect(r).to.include({ legalBasis: 'late_delivery', status: 'needs_review', returnLabelByShop: true });
      expect(r.reviewReasons).to.deep.equal(['basis_late_delivery']);
      expect(r.refund.fees).to.deep.equal([{ kind: 'outbound_shipping', amount: 770 }]);
      expect(r.refund.deductions).to.deep.equal([]);
      expect(r.rejectionCodes).to.deep.equal(['no_defect_found', 'missing_evidence', 'suspected_abuse', 'other']);
      await moved(plain.as.staff, plain.shop.id, r.id, { event: 'reject', reasonCode: 'no_defect_found', note: '配送記録ではお約束の日にお届けしています' });
      await mailTo(order.email, 'お約束の期日までにお届けしていたことを確認したため');
    });

    it('rejects a statutory request inside its 8 days or a claim on the shop’s fault only with a note, the reason the customer is mailed; a request under the terms needs none', async () => {
      const cases = [
        { desk: plain, reason: 'changed_mind', basis: 'statutory' },
        { desk: d, reason: 'defective', basis: 'defect' },
        { desk: d, reason: 'wrong_item', basis: 'shop_error' },
        { desk: d, reason: 'late_delivery', basis: 'late_delivery' },
      ];
      for (const c of cases) {
        const order = await pushOrder(c.desk);
        const r = await filed(c.desk.owner, c.desk.shop.id, { orderNumber: order.number, reason: c.reason });
        expect(r).to.include({ legalBasis: c.basis, status: 'needs_review' });
        for (const reasonCode of ['other', 'suspected_abuse']) {
          const res = await move(c.desk.as.staff, c.desk.shop.id, r.id, { event: 'reject', reasonCode, expectedStatus: 'needs_review' });
          expect(res.status, `${c.basis}, ${reasonCode}: ${res.text}`).to.equal(400);
          expect(res.body.error.code).to.equal('invalid_input');
          expect(res.body.error.details.path).to.deep.equal(['note']);
          expect(res.body.error.details.say.ja).to.include('メモ（note）');
          expect(res.body.error.details.say.en).to.include('the note');
        }
        expect((await c.desk.owner.get(`/api/shops/${c.desk.shop.id}/returns/${r.id}`)).body.status, `${c.basis}: nothing was written`).to.equal('needs_review');
        const why = `ご注文 ${order.number} は既に全額返金済みのため（${c.basis}）`;
        const rejected = await moved(c.desk.as.staff, c.desk.shop.id, r.id, { event: 'reject', reasonCode: 'other', note: why });
        expect(rejected).to.include({ status: 'rejected', rejectionCode: 'other', decisionNote: why });
        const mail = await mailTo(order.email, `理由: ${why}`);
        expect(mail.text).to.include('次の理由により、今回のお申し込みはお受けできませんでした。').and.include(`Reason: ${why}`);
        expect(mail.text).not.to.include('担当者の判断により');
      }
      // What the shop's own terms grant may be refused by code alone, as before.
      const order = await pushOrder(d);
      const r = await filed(d.owner, d.shop.id, { orderNumber: order.number, reason: 'changed_mind' });
      expect(r).to.include({ legalBasis: 'terms', status: 'needs_review' });
      expect(await moved(d.as.staff, d.shop.id, r.id, { event: 'reject', reasonCode: 'condition_not_met' })).to.include({ status: 'rejected' });
    });

    it('judges an item not as described (「商品説明と違う」) as a defect claim, even for a sale item under terms that deduct fees', async () => {
      const base = anOrder();
      const order = await pushOrder(d, { lines: [{ ...base.lines[0]!, tags: ['sale'] }, base.lines[1]!] });
      const r = await filed(d.owner, d.shop.id, { orderNumber: order.number, reason: 'not_as_described' });
      expect(r).to.include({ legalBasis: 'defect', returnLabelByShop: true });
      expect(r.refund.deductions).to.deep.equal([]);
      expect(r.policy.checks.find((c: { rule: string }) => c.rule === 'shop_fault').ja).to.include('商品説明と違う');
    });
  });
}

import { expect } from 'chai';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { dbKinds } from '../../helpers/env.ts';
import { anOrder } from '../../fixtures/builders.ts';
import { returnAnswer, returnListAnswer } from '../../../server/domains/returns/returns.answers.schema.ts';
import { daysAgo, eventsOf, fileReturn, filed, openDesk, previewReturn, publish, pushOrder, someTerms, type Desk } from './returns.helpers.ts';

const DAY = 86_400_000;
type Check = { rule: string; ok: boolean; blocking: boolean };

for (const kind of dbKinds) {
  describe(`[${kind}] filing a return through the API`, () => {
    let server: TestServer;
    let d: Desk;

    before(async () => {
      server = await startServer(kind);
      d = await openDesk(server);
      await publish(d, someTerms());
    });
    after(() => server.close());

    const list = async (desk = d) => (await desk.owner.get(`/api/shops/${desk.shop.id}/returns`)).body;

    it('approves a return within the terms’ auto-approval amount at once and asks for the parcel by the shipping deadline', async () => {
      const order = await pushOrder(d);
      const started = Date.now();
      const r = await filed(d.platform, d.shop.id, { orderNumber: order.number });
      expect(r).to.include({ status: 'awaiting_shipment', legalBasis: 'terms', termsVersion: 1, source: 'api', refundTotal: 2750 });
      expect(r.reviewReasons).to.deep.equal([]);
      expect(eventsOf(r)).to.deep.equal(['file', 'auto_approve', 'request_shipment']);
      expect(r.history.map((h: { to: string }) => h.to)).to.deep.equal(['requested', 'approved', 'awaiting_shipment']);
      // The end (24:00 JST) of the 10th day after the approval day (民法 §140/§141).
      const lastDayOf = (ms: number) => new Date(ms + 10 * DAY + 9 * 3_600_000).toISOString().slice(0, 10);
      expect([lastDayOf(started), lastDayOf(Date.now())]).to.include(new Date(Date.parse(r.shipBy) + 9 * 3_600_000).toISOString().slice(0, 10));
      expect(r.shipBy).to.match(/T14:59:59\.999Z$/);
      const audit = await d.owner.get(`/api/shops/${d.shop.id}/audit?objectId=${r.id}`);
      expect(audit.body.events.map((e: { action: string; actorType: string }) => [e.action, e.actorType])).to.deep.equal([['return.filed', 'api_key']]);
    });

    it('sends a return above the auto-approval amount to review, flagged high value', async () => {
      const order = await pushOrder(d);
      const r = await filed(d.owner, d.shop.id, { orderNumber: order.number, items: [{ lineNo: 1, quantity: 2 }] });
      expect(r).to.include({ status: 'needs_review', refundTotal: 5500, source: 'console', shipBy: null });
      expect(r.flags).to.include('high_value');
      expect(r.reviewReasons).to.include('above_auto_approve_amount');
      expect(eventsOf(r)).to.deep.equal(['file', 'send_to_review']);
    });

    it('flags a customer with three returns of their choice in 180 days, and counts no defect claim against them', async () => {
      const email = `regular-${Date.now()}@example.jp`;
      const mine = () => pushOrder(d, { customer: { ...anOrder().customer, email } });
      for (let i = 0; i < 3; i++) {
        const r = await filed(d.owner, d.shop.id, { orderNumber: (await mine()).number, reason: 'defective' });
        expect(r.flags).not.to.include('frequent_returns');
      }
      const afterDefects = await filed(d.owner, d.shop.id, { orderNumber: (await mine()).number, items: [{ lineNo: 2, quantity: 1 }] });
      expect(afterDefects.flags).not.to.include('frequent_returns');
      for (let i = 0; i < 2; i++) await filed(d.owner, d.shop.id, { orderNumber: (await mine()).number, items: [{ lineNo: 2, quantity: 1 }] });
      const fourth = await filed(d.owner, d.shop.id, { orderNumber: (await mine()).number, items: [{ lineNo: 2, quantity: 1 }] });
      expect(fourth.flags).to.include('frequent_returns');
      expect(fourth.status).to.equal('needs_review');
    });

    it('refuses a change of mind after the window with 400 and the failed check, and writes nothing', async () => {
      // No terms in this shop: the statutory 8 days from delivery, long gone.
      const plain = await openDesk(server);
      const order = await pushOrder(plain, { orderedAt: daysAgo(20), shippedAt: daysAgo(19), deliveredAt: daysAgo(18) });
      const before = await list(plain);
      const r = await fileReturn(plain.owner, plain.shop.id, { orderNumber: order.number });
      expect(r.status, r.text).to.equal(400);
      expect(r.body.error.code).to.equal('invalid_input');
      const failed = r.body.error.details.checks as Check[];
      expect(failed.map((c) => [c.rule, c.ok, c.blocking])).to.deep.equal([['window', false, true]]);
      expect(r.body.error.message).to.include('outside 8-day window');
      expect(await list(plain)).to.deep.equal(before);
      const audit = await plain.owner.get(`/api/shops/${plain.shop.id}/audit?action=return.filed`);
      expect(audit.body.events).to.deep.equal([]);
      // A defect is never held to the window; and the refused filing used no return number.
      const defect = await filed(plain.owner, plain.shop.id, { orderNumber: order.number, reason: 'defective' });
      expect(defect).to.include({ legalBasis: 'defect', number: 1 });
    });

    it('refuses a change of mind on a sale item, but takes the same item back as a defect, giving back shipping and the COD fee with nothing deducted', async () => {
      const base = anOrder();
      const order = await pushOrder(d, {
        paymentMethod: 'cod',
        codFee: 330,
        lines: [{ ...base.lines[0]!, tags: ['SALE'] }, base.lines[1]!],
      });
      const refused = await fileReturn(d.owner, d.shop.id, { orderNumber: order.number });
      expect(refused.status, refused.text).to.equal(400);
      const failed = refused.body.error.details.checks as Check[];
      expect(failed.map((c) => c.rule)).to.deep.equal(['non_returnable']);
      expect((await list()).returns.map((x: { orderNumber: string }) => x.orderNumber)).not.to.include(order.number);

      const r = await filed(d.owner, d.shop.id, { orderNumber: order.number, reason: 'defective' });
      expect(r).to.include({ legalBasis: 'defect', status: 'needs_review', returnLabelByShop: true, refundMethod: 'bank_transfer' });
      expect(r.reviewReasons).to.deep.equal(['basis_defect']);
      expect(r.refund.fees).to.deep.equal([
        { kind: 'outbound_shipping', amount: 770 },
        { kind: 'cod_fee', amount: 330 },
      ]);
      expect(r.refund.deductions).to.deep.equal([]);
      expect(r.refund.total).to.equal(2750 + 770 + 330);
      expect(r.refundTotal).to.equal(r.refund.total);
      const tag = r.policy.checks.find((c: Check) => c.rule === 'non_returnable');
      expect(tag).to.include({ ok: true, blocking: false });
    });

    it('refuses bank details from a contractor with 403, on filing and preview, writing nothing; what they may see stays masked', async () => {
      const order = await pushOrder(d, { paymentMethod: 'cod', codFee: 330 });
      const bankAccount = { bankName: 'みずほ銀行', branchName: '渋谷支店', accountType: 'ordinary', accountNumber: '1234567', holderKana: 'タナカ タロウ' };
      for (const call of [fileReturn, previewReturn]) {
        const r = await call(d.as.contractor, d.shop.id, { orderNumber: order.number, bankAccount });
        expect(r.status, r.text).to.equal(403);
        expect(r.body.error.code).to.equal('forbidden');
        expect(r.body.error.message).to.include('contractor may not enter bank details');
        expect(r.body.error.details.say.ja).to.include('口座情報を入力できません');
        expect(r.text).not.to.include('1234567');
      }
      // An order number of no order gets the same answer: nothing to learn from it.
      expect((await fileReturn(d.as.contractor, d.shop.id, { orderNumber: 'NO-SUCH-1', bankAccount })).status).to.equal(403);
      expect((await list()).returns.map((x: { orderNumber: string }) => x.orderNumber)).not.to.include(order.number);
      // The same filing without them is the contractor's to make; the merchant enters the account.
      const r = await filed(d.as.contractor, d.shop.id, { orderNumber: order.number });
      expect(r.bankAccount).to.equal(null);
      const byOwner = await filed(d.owner, d.shop.id, { orderNumber: order.number, items: [{ lineNo: 2, quantity: 1 }], bankAccount });
      expect(byOwner.bankAccount).to.include({ accountNumber: '1234567', masked: false });
      const seen = await d.as.contractor.get(`/api/shops/${d.shop.id}/returns/${byOwner.id}`);
      expect(seen.body.bankAccount).to.include({ accountNumber: '*****67', masked: true });
      const listed = await d.as.contractor.get(`/api/shops/${d.shop.id}/returns`);
      expect(listed.text).not.to.include('1234567').and.not.include('タナカ');
      // The API reference's schemas are the answers' shapes, strictly: the return for its owner (whole) and a contractor (masked), and the list.
      const whole = await d.owner.get(`/api/shops/${d.shop.id}/returns/${byOwner.id}`);
      expect(whole.body.bankAccount).to.include({ accountNumber: '1234567', masked: false });
      for (const [who, view] of [['owner', whole.body], ['contractor', seen.body]] as const) expect(returnAnswer.safeParse(view).error?.issues ?? [], who).to.deep.equal([]);
      expect(returnListAnswer.safeParse(listed.body).error?.issues ?? []).to.deep.equal([]);
      expect(listed.body.returns.length).to.be.above(0);
    });

    it('refuses a quantity above what was bought with 400', async () => {
      const order = await pushOrder(d);
      const r = await fileReturn(d.owner, d.shop.id, { orderNumber: order.number, items: [{ lineNo: 1, quantity: 3 }] });
      expect(r.status, r.text).to.equal(400);
      expect(r.body.error.details).to.include({ lineNo: 1, left: 2 });
      expect(r.body.error.details.path).to.deep.equal(['items', 0, 'quantity']);
    });

    it('lets a second return take only what the first left: asking for more is 400 "left"', async () => {
      const order = await pushOrder(d);
      await filed(d.owner, d.shop.id, { orderNumber: order.number, items: [{ lineNo: 1, quantity: 1 }] });
      const second = await fileReturn(d.owner, d.shop.id, { orderNumber: order.number, items: [{ lineNo: 1, quantity: 2 }] });
      expect(second.status, second.text).to.equal(400);
      expect(second.body.error.message).to.include('left');
      expect(second.body.error.details).to.include({ lineNo: 1, left: 1 });
      const last = await filed(d.owner, d.shop.id, { orderNumber: order.number, items: [{ lineNo: 1, quantity: 1 }] });
      expect(last.refundTotal).to.equal(2750);
      const none = await fileReturn(d.owner, d.shop.id, { orderNumber: order.number, items: [{ lineNo: 1, quantity: 1 }] });
      expect(none.status).to.equal(400);
      expect(none.body.error.message).to.include('none of line 1 is left');
    });

    it('when two returns of the last units are filed at once, one is filed and the other is 400 "left"', async () => {
      const order = await pushOrder(d);
      const ask = { orderNumber: order.number, items: [{ lineNo: 1, quantity: 2 }] };
      const [a, b] = await Promise.all([fileReturn(d.owner, d.shop.id, ask), fileReturn(d.as.staff, d.shop.id, ask)]);
      expect([a.status, b.status].sort()).to.deep.equal([201, 400]);
      const lost = a.status === 400 ? a : b;
      expect(lost.body.error.message).to.include('left');
      const mine = (await list()).returns.filter((x: { orderNumber: string }) => x.orderNumber === order.number);
      expect(mine).to.have.length(1);
    });

    it('refuses a line number that is not on the order with 400', async () => {
      const order = await pushOrder(d);
      const r = await fileReturn(d.owner, d.shop.id, { orderNumber: order.number, items: [{ lineNo: 9, quantity: 1 }] });
      expect(r.status, r.text).to.equal(400);
      expect(r.body.error.details).to.include({ lineNo: 9 });
    });

    it('answers an order number of another shop with 404', async () => {
      const other = await openDesk(server);
      const theirs = await pushOrder(other);
      const r = await fileReturn(d.owner, d.shop.id, { orderNumber: theirs.number });
      expect(r.status, r.text).to.equal(404);
      expect((await previewReturn(d.owner, d.shop.id, { orderNumber: theirs.number })).status).to.equal(404);
      expect((await fileReturn(d.owner, other.shop.id, { orderNumber: theirs.number })).status).to.equal(404);
      expect((await list(other)).returns).to.deep.equal([]);
    });

    it('refuses malformed filings with 400 and the fields at fault', async () => {
      const order = await pushOrder(d);
      const cases: Array<[string, Record<string, unknown>, string]> = [
        ['no items', { items: [] }, 'items'],
        ['a line listed twice', { items: [{ lineNo: 1, quantity: 1 }, { lineNo: 1, quantity: 1 }] }, 'items.1.lineNo'],
        ['a fractional quantity', { items: [{ lineNo: 1, quantity: 0.5 }] }, 'items.0.quantity'],
        ['an unknown reason', { reason: 'bored' }, 'reason'],
        ['exchange items on a return', { exchange: [{ sku: 'MUG-002', name: '青いマグ', quantity: 1, unitPrice: 2750, taxRate: 10 }] }, 'exchange'],
        ['an unknown field', { refundTo: 'points' }, ''],
      ];
      for (const [name, patch, path] of cases) {
        const r = await fileReturn(d.owner, d.shop.id, { orderNumber: order.number, ...patch });
        expect(r.status, name).to.equal(400);
        expect(r.body.error.details.map((x: { path: string }) => x.path), name).to.include(path);
      }
    });

    it('previews the same refund the filing then stores, and the preview writes nothing', async () => {
      const order = await pushOrder(d, { coupon: { code: 'AKI10', discount: 637 } });
      const ask = { orderNumber: order.number, items: [{ lineNo: 1, quantity: 1 }, { lineNo: 2, quantity: 1 }] };
      const before = await list();
      const preview = await previewReturn(d.owner, d.shop.id, ask);
      expect(preview.status, preview.text).to.equal(200);
      expect(preview.body).to.include({ basis: 'terms', eligible: true, termsVersion: 1 });
      expect(await list()).to.deep.equal(before);
      const r = await filed(d.owner, d.shop.id, ask);
      expect(r.refund).to.deep.equal(preview.body.refund);
      expect(r.refundTotal).to.equal(preview.body.refund.total);
      // ¥637 over ¥5,500 of mugs and ¥864 of cookies: 550 and 86, the remaining yen to the last line; one mug of two carries half its share.
      expect(r.refund.lines.map((l: { lineNo: number; couponShare: number; net: number }) => [l.lineNo, l.couponShare, l.net])).to.deep.equal([
        [1, 275, 2475],
        [2, 87, 777],
      ]);
      expect(r.refundTotal).to.equal(3252);
    });
  });
}

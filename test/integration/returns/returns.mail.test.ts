import { expect } from 'chai';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { dbKinds } from '../../helpers/env.ts';
import { eventually } from '../../helpers/eventually.ts';
import type { SinkMail } from '../../helpers/smtp.ts';
import { filed, moved, openDesk, publish, pushOrder, someTerms, type Desk } from './returns.helpers.ts';

for (const kind of dbKinds) {
  describe(`[${kind}] mail to the customer about their return`, () => {
    let server: TestServer;
    let d: Desk;

    before(async () => {
      server = await startServer(kind);
      d = await openDesk(server);
      await publish(d, someTerms({ autoApprove: { enabled: true, maxAmount: 3000 } }));
    });
    after(() => server.close());

    const mailTo = (email: string, says: string) =>
      eventually(async () => server.smtp.mails.find((m) => m.to.includes(email) && m.text.includes(says)), `a mail to ${email} saying ${says}`);

    /** Japanese first, then English after the separator, and the return's number in each part. */
    function expectBilingual(m: SinkMail, number: number, ja: string, en: string) {
      expect(m.subject).to.include(`R-${number}`);
      const split = m.text.indexOf('\n----\n');
      expect(split, 'the separator between the languages').to.be.greaterThan(0);
      const [jaPart, enPart] = [m.text.slice(0, split), m.text.slice(split)];
      expect(jaPart).to.include(ja).and.include(`受付番号 R-${number}`);
      expect(enPart).to.include(en).and.include(`R-${number}`);
      expect(enPart).not.to.include(ja);
    }

    it('tells the customer their request was received, in Japanese and then English, to the order’s address only', async () => {
      const order = await pushOrder(d);
      const r = await filed(d.owner, d.shop.id, { orderNumber: order.number, items: [{ lineNo: 1, quantity: 2 }] });
      expect(r.status).to.equal('needs_review');
      const m = await mailTo(order.email, 'お申し込みを受け付けました。');
      expect(m.to).to.deep.equal([order.email]);
      // From the shop (its name, with no sender name set), on the deployment's address.
      expect(m.raw.from?.value[0]).to.include({ name: d.shop.name, address: 'no-reply@madoguchi.localhost' });
      expectBilingual(m, r.number, 'お申し込みを受け付けました。', 'We have received your request');
      expect(m.text).to.include(order.number).and.include(`/shops/${d.shop.id}/return-terms`);
    });

    it('tells the customer, once a person approves, to send the item back by the deadline', async () => {
      const order = await pushOrder(d);
      const r = await filed(d.owner, d.shop.id, { orderNumber: order.number, items: [{ lineNo: 1, quantity: 2 }] });
      await mailTo(order.email, 'お申し込みを受け付けました。');
      const approved = await moved(d.as.staff, d.shop.id, r.id, { event: 'approve' });
      const m = await mailTo(order.email, 'お申し込みを承認しました。');
      expectBilingual(m, r.number, 'お申し込みを承認しました。', 'Your request is approved.');
      const deadline = new Date(approved.shipBy).toLocaleDateString('ja-JP', { timeZone: 'Asia/Tokyo', year: 'numeric', month: 'long', day: 'numeric' });
      expect(m.text).to.include(`${deadline}までに商品をご返送ください。`).and.include('Please send the item back by');
      // The terms make the customer pay the return of a change of mind, with no label from the shop.
      expect(m.text).to.include('元払いにてご返送ください');
    });

    it('sends both mails for a return the rules approve at once', async () => {
      const order = await pushOrder(d);
      const r = await filed(d.platform, d.shop.id, { orderNumber: order.number });
      expect(r.status).to.equal('awaiting_shipment');
      expectBilingual(await mailTo(order.email, 'お申し込みを受け付けました。'), r.number, 'お申し込みを受け付けました。', 'We have received your request');
      expectBilingual(await mailTo(order.email, 'お申し込みを承認しました。'), r.number, 'お申し込みを承認しました。', 'Your request is approved.');
    });
  });
}

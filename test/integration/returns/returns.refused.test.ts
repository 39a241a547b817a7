import { expect } from 'chai';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { dbKinds } from '../../helpers/env.ts';
import { moved, openDesk, publish, pushOrder, someTerms, type Desk } from './returns.helpers.ts';

for (const kind of dbKinds) {
  describe(`[${kind}] refused deliveries (受け取り拒否)`, () => {
    let server: TestServer;
    let d: Desk;
    before(async () => {
      server = await startServer(kind);
      d = await openDesk(server);
      await publish(d, someTerms({ refusedDelivery: { chargeShipping: true, returnShippingFee: 900 }, agentRefundLimit: 100_000 }));
    });
    after(() => server.close());

    const refused = (body: Record<string, unknown>, as = d.as.agent) => as.post(`/api/shops/${d.shop.id}/returns/refused-deliveries`, body);
    // 2 mugs × ¥2,750 + cookies ¥864 + shipping ¥770, shipped and not delivered.
    const undelivered = (over: Record<string, unknown> = {}) => pushOrder(d, { deliveredAt: null, ...over });

    it('records a refusal of the customer’s as received, keeping only the shipping the terms charge, and mails the customer', async () => {
      const order = await undelivered();
      const r = await refused({ orderNumber: order.number, fault: 'customer', note: '配達員より受取拒否' });
      expect(r.status, r.text).to.equal(201);
      expect(r.body).to.include({ kind: 'refused_delivery', status: 'received', legalBasis: 'terms' });
      expect(r.body.refund.deductions).to.deep.equal([
        { kind: 'return_shipping', amount: 900 },
        { kind: 'outbound_shipping', amount: 770 },
      ]);
      expect(r.body.refundTotal).to.equal(5500 + 864 + 770 - 770 - 900);
      expect(r.body.items.map((i: { lineNo: number; quantity: number }) => [i.lineNo, i.quantity])).to.deep.equal([[1, 2], [2, 1]]);
      const mail = await server.smtp.waitFor((m) => m.to.includes(order.email) && m.subject.includes(`R-${r.body.number}`));
      expect(mail.text).to.include('受け取り拒否').and.include('5,464円');
      const next = await moved(d.as.agent, d.shop.id, r.body.id, { event: 'inspect', expectedStatus: 'received' });
      expect(next.allowedEvents).to.include('start_refund').and.not.include('close');
      const refunding = await moved(d.as.agent, d.shop.id, r.body.id, { event: 'start_refund', expectedStatus: 'inspected' });
      expect(refunding.refundTotal).to.equal(r.body.refundTotal);
      expect(refunding.refund).to.deep.equal(r.body.refund);
      const done = await moved(d.owner, d.shop.id, r.body.id, { event: 'refund_succeeded', expectedStatus: 'refund_pending' });
      expect(done.status).to.equal('refunded');
    });

    it('gives everything back when the shop was at fault', async () => {
      const order = await undelivered();
      const r = await refused({ orderNumber: order.number, fault: 'shop' });
      expect(r.body).to.include({ legalBasis: 'shop_error', refundTotal: 5500 + 864 + 770 });
      expect(r.body.refund.deductions).to.deep.equal([]);
    });

    it('refunds nothing for a refused COD parcel, shows what is owed, and lets the case be closed after inspection', async () => {
      const order = await undelivered({ paymentMethod: 'cod', codFee: 330 });
      const r = await refused({ orderNumber: order.number, fault: 'customer' });
      expect(r.body.refundTotal).to.equal(0);
      expect(r.body.refund.refused).to.deep.equal({ paid: false, owed: 770 + 900 });
      const inspected = await moved(d.as.contractor, d.shop.id, r.body.id, { event: 'inspect', expectedStatus: 'received' });
      expect(inspected.allowedEvents).to.include('close');
      const closed = await moved(d.as.contractor, d.shop.id, r.body.id, { event: 'close', expectedStatus: 'inspected' });
      expect(closed.status).to.equal('closed');
      const mail = await server.smtp.waitFor((m) => m.to.includes(order.email) && m.text.includes('代金引換'));
      expect(mail.text).to.include('1,670円');
    });

    it('refuses a delivered order, a second case for the same parcel, an unknown order and a bad fault, writing nothing', async () => {
      const delivered = await pushOrder(d);
      expect((await refused({ orderNumber: delivered.number, fault: 'customer' })).status).to.equal(409);
      const order = await undelivered();
      expect((await refused({ orderNumber: order.number, fault: 'customer' })).status).to.equal(201);
      expect((await refused({ orderNumber: order.number, fault: 'customer' })).status).to.equal(409);
      expect((await refused({ orderNumber: 'NO-SUCH-9', fault: 'customer' })).status).to.equal(404);
      const bad = await refused({ orderNumber: order.number, fault: 'carrier' });
      expect(bad.status).to.equal(400);
      expect(bad.body.error.code).to.equal('invalid_input');
      const list = await d.owner.get(`/api/shops/${d.shop.id}/returns?limit=100`);
      expect(list.body.returns.filter((r: { orderNumber: string }) => r.orderNumber === order.number)).to.have.length(1);
      expect(list.body.returns.filter((r: { orderNumber: string }) => r.orderNumber === delivered.number)).to.have.length(0);
    });

    it('cannot be filed by a customer from the portal’s kinds, nor as a kind of an ordinary return', async () => {
      const order = await undelivered();
      const r = await d.owner.post(`/api/shops/${d.shop.id}/returns`, { orderNumber: order.number, kind: 'refused_delivery', reason: 'changed_mind', items: [{ lineNo: 1, quantity: 1 }] });
      expect(r.status).to.equal(400);
    });
  });
}

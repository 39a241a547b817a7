import { expect } from 'chai';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { dbKinds } from '../../helpers/env.ts';
import { filed, moved, openDesk, publish, pushOrder, someTerms, type Desk } from './returns.helpers.ts';

for (const kind of dbKinds) {
  describe(`[${kind}] exchanges`, () => {
    let server: TestServer;
    let d: Desk;
    before(async () => {
      server = await startServer(kind);
      d = await openDesk(server);
      await publish(d, someTerms({ autoApprove: { enabled: false, maxAmount: 0 }, exchangesAccepted: true }));
    });
    after(() => server.close());

    const setItems = (returnId: string, body: Record<string, unknown>, as = d.as.agent) => as.put(`/api/shops/${d.shop.id}/returns/${returnId}/exchange-items`, body);
    const mugL = { sku: 'MUG-001-L', name: 'マグカップ（大）', quantity: 1, unitPrice: 3300, taxRate: 10 };
    const mugS = { sku: 'MUG-001-S', name: 'マグカップ（小）', quantity: 1, unitPrice: 2200, taxRate: 10 };

    it('starts as the same item at the same price, and the shop sets what it sends: the difference either side pays', async () => {
      const order = await pushOrder(d);
      const r = await filed(d.owner, d.shop.id, { orderNumber: order.number, kind: 'exchange', reason: 'size' });
      expect(r.refund.exchange.difference).to.equal(0);
      expect(r.exchangeItems).to.deep.equal([{ sku: 'MUG-001', name: 'マグカップ', quantity: 1, unitPrice: 2750, taxRate: 10 }]);
      const bigger = await setItems(r.id, { items: [mugL], expectedStatus: 'needs_review' });
      expect(bigger.status, bigger.text).to.equal(200);
      expect(bigger.body.refund.exchange.difference).to.equal(3300 - 2750);
      expect(bigger.body.refundTotal).to.equal(0);
      const smaller = await setItems(r.id, { items: [mugS] });
      expect(smaller.body.refund.exchange.difference).to.equal(2200 - 2750);
      expect(smaller.body.refundTotal).to.equal(2750 - 2200);
      const audit = await d.owner.get(`/api/shops/${d.shop.id}/audit?objectId=${r.id}&action=return.exchange_items_set`);
      expect(audit.body.events).to.have.length(2);
    });

    it('lets contractors set no prices, and holds agents to the refund limit', async () => {
      const order = await pushOrder(d);
      const r = await filed(d.owner, d.shop.id, { orderNumber: order.number, kind: 'exchange', reason: 'size' });
      expect((await setItems(r.id, { items: [{ ...mugS, unitPrice: 0 }] }, d.as.contractor)).status).to.equal(403);
      // someTerms' agent limit is ¥3,000: a free replacement would refund the whole ¥2,750 credit, within it; ¥0 items on two mugs' worth is not.
      const two = await filed(d.owner, d.shop.id, { orderNumber: order.number, kind: 'exchange', reason: 'size', items: [{ lineNo: 1, quantity: 1 }] });
      expect((await setItems(two.id, { items: [{ ...mugS, unitPrice: 0 }] }, d.as.agent)).status).to.equal(200);
      const order2 = await pushOrder(d);
      const both = await filed(d.owner, d.shop.id, { orderNumber: order2.number, kind: 'exchange', reason: 'size', items: [{ lineNo: 1, quantity: 2 }] });
      const over = await setItems(both.id, { items: [{ ...mugS, unitPrice: 0 }] }, d.as.agent);
      expect(over.status).to.equal(403);
      expect(over.body.error.details.overRefundLimit).to.equal(true);
      expect((await setItems(both.id, { items: [{ ...mugS, unitPrice: 0 }] }, d.owner)).status).to.equal(200);
    });

    it('refuses a return that is no exchange, one past inspection, a stale status and bad items, changing nothing', async () => {
      const order = await pushOrder(d);
      const plain = await filed(d.owner, d.shop.id, { orderNumber: order.number, items: [{ lineNo: 2, quantity: 1 }] });
      expect((await setItems(plain.id, { items: [mugL] })).status).to.equal(409);
      const ex = await filed(d.owner, d.shop.id, { orderNumber: order.number, kind: 'exchange', reason: 'size' });
      expect((await setItems(ex.id, { items: [mugL], expectedStatus: 'approved' })).status).to.equal(409);
      for (const bad of [{ items: [] }, { items: [{ ...mugL, unitPrice: -1 }] }, { items: [{ ...mugL, quantity: 1.5 }] }, { items: [mugL], extra: 1 }]) {
        expect((await setItems(ex.id, bad)).status, JSON.stringify(bad)).to.equal(400);
      }
      for (const [event, from] of [['approve', 'needs_review'], ['receive', 'awaiting_shipment'], ['inspect', 'received'], ['start_exchange', 'inspected']] as const) {
        await moved(d.owner, d.shop.id, ex.id, { event, expectedStatus: from });
      }
      expect((await setItems(ex.id, { items: [mugL] })).status).to.equal(409);
      const after = await d.owner.get(`/api/shops/${d.shop.id}/returns/${ex.id}`);
      expect(after.body.refund.exchange.difference).to.equal(0);
    });
  });
}

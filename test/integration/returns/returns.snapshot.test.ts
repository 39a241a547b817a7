import { expect } from 'chai';
import type { OrderInputJson as OrderInput } from '../../../server/domains/orders/orders.schema.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { dbKinds } from '../../helpers/env.ts';
import { anOrder } from '../../fixtures/builders.ts';
import { reasonsReportAnswer, returnAnswer } from '../../../server/domains/returns/returns.answers.schema.ts';
import { filed, moved, openDesk, publish, pushOrder, someTerms, type Desk, type PushedOrder } from './returns.helpers.ts';

/**
 * A return is judged and refunded on the order as it was when it was filed. The shop platform
 * may push the order again afterwards (a line cancelled, prices corrected): the return's refund
 * does not move, it is never stranded, and the shop's people see what changed.
 */
for (const kind of dbKinds) {
  describe(`[${kind}] a return and the order pushed again after it was filed`, () => {
    let server: TestServer;
    let d: Desk;

    before(async () => {
      server = await startServer(kind);
      d = await openDesk(server);
      await publish(d, someTerms({ autoApprove: { enabled: false, maxAmount: 0 } }));
    });
    after(() => server.close());

    /** The platform pushes the same order number again, with the same customer, and the changes given. */
    async function pushAgain(order: PushedOrder, change: Partial<OrderInput>) {
      const now = new Date().toISOString();
      const body = anOrder({ orderedAt: now, shippedAt: now, deliveredAt: now, customer: { ...anOrder().customer, email: order.email }, ...change });
      const r = await d.platform.put(`/api/shops/${d.shop.id}/orders/${order.number}`, body);
      expect(r.status, r.text).to.equal(200);
    }

    const mugs = (quantity: number, unitPrice: number, sku = 'MUG-001') => [
      { sku, name: 'マグカップ', quantity, unitPrice, taxRate: 10 as const },
      { sku: 'SNK-100', name: 'クッキー', quantity: 1, unitPrice: 864, taxRate: 8 as const },
    ];

    /** Approve, receive, inspect and start the refund; returns the view at refund_pending. */
    async function toRefund(id: string) {
      await moved(d.owner, d.shop.id, id, { event: 'approve' });
      await moved(d.owner, d.shop.id, id, { event: 'receive' });
      await moved(d.owner, d.shop.id, id, { event: 'inspect' });
      return moved(d.owner, d.shop.id, id, { event: 'start_refund' });
    }

    it('refunds what was filed after the platform lowers the quantity and the price, and the return closes', async () => {
      const order = await pushOrder(d);
      const r = await filed(d.owner, d.shop.id, { orderNumber: order.number, items: [{ lineNo: 1, quantity: 2 }] });
      expect(r.refundTotal).to.equal(5500);
      await pushAgain(order, { lines: mugs(1, 1000) });

      const refunding = await toRefund(r.id);
      expect(refunding).to.include({ status: 'refund_pending', refundTotal: 5500 });
      expect(refunding.refund.lines).to.deep.equal([{ lineNo: 1, quantity: 2, unitPrice: 2750, taxRate: 10, gross: 5500, couponShare: 0, net: 5500 }]);
      await moved(d.owner, d.shop.id, r.id, { event: 'refund_succeeded' });
      expect((await moved(d.owner, d.shop.id, r.id, { event: 'close' })).status).to.equal('closed');
    });

    it('takes a push that drops the line a return was filed on, shows the line gone, and the return still refunds and closes', async () => {
      const order = await pushOrder(d);
      const r = await filed(d.owner, d.shop.id, { orderNumber: order.number, items: [{ lineNo: 2, quantity: 1 }] });
      // The platform cancelled the cookies: only the mugs are left on the order.
      await pushAgain(order, { lines: [mugs(2, 2750)[0]!] });

      const view = (await d.as.agent.get(`/api/shops/${d.shop.id}/returns/${r.id}`)).body;
      expect(view.items).to.deep.equal([{ lineNo: 2, quantity: 1, sku: 'SNK-100', name: 'クッキー', unitPrice: 864, taxRate: 8, tags: [], removedFromOrder: true }]);
      expect(view.orderChangedSinceFiling.lines).to.deep.equal([{ lineNo: 2, then: { sku: 'SNK-100', name: 'クッキー', quantity: 1, unitPrice: 864, taxRate: 8 }, now: null }]);
      const refunding = await toRefund(r.id);
      expect(refunding).to.include({ status: 'refund_pending', refundTotal: 864 });
      await moved(d.owner, d.shop.id, r.id, { event: 'refund_succeeded' });
      expect((await moved(d.owner, d.shop.id, r.id, { event: 'close' })).status).to.equal('closed');
      // The order itself reads as the platform pushed it last, without the line.
      const now = await d.owner.get(`/api/shops/${d.shop.id}/orders/${order.number}`);
      expect(now.status, now.text).to.equal(200);
      expect(now.body.lines.map((l: { lineNo: number }) => l.lineNo)).to.deep.equal([1]);
    });

    it('keeps the filed price when only the prices move', async () => {
      const order = await pushOrder(d);
      const r = await filed(d.owner, d.shop.id, { orderNumber: order.number, items: [{ lineNo: 1, quantity: 1 }] });
      await pushAgain(order, { lines: mugs(2, 824), coupon: { code: 'WINTER', discount: 500 } });
      expect((await toRefund(r.id)).refundTotal).to.equal(2750);
    });

    it('shows the shop’s people what changed since filing, and the items as they were filed', async () => {
      const order = await pushOrder(d);
      const r = await filed(d.owner, d.shop.id, { orderNumber: order.number, items: [{ lineNo: 1, quantity: 2 }] });
      expect(r.orderChangedSinceFiling).to.equal(null);
      await pushAgain(order, { lines: mugs(1, 1000), shippingFee: 0 });
      const view = (await d.as.contractor.get(`/api/shops/${d.shop.id}/returns/${r.id}`)).body;
      expect(view.items).to.deep.equal([{ lineNo: 1, quantity: 2, sku: 'MUG-001', name: 'マグカップ', unitPrice: 2750, taxRate: 10, tags: [], removedFromOrder: false }]);
      // The push also moved the order's dates (pushed "now" again); the money is what matters here.
      const changed = view.orderChangedSinceFiling;
      expect(changed.fields.filter((f: { field: string }) => !f.field.endsWith('At'))).to.deep.equal([{ field: 'shippingFee', then: 770, now: 0 }]);
      expect({ lines: changed.lines }).to.deep.equal({
        lines: [{ lineNo: 1, then: { sku: 'MUG-001', name: 'マグカップ', quantity: 2, unitPrice: 2750, taxRate: 10 }, now: { sku: 'MUG-001', name: 'マグカップ', quantity: 1, unitPrice: 1000, taxRate: 10 } }],
      });
      // The API reference's schema is the answer's shape, strictly, with the changes since filing in it.
      expect(returnAnswer.safeParse(view).error?.issues ?? []).to.deep.equal([]);
    });

    it('still files a return of another line when a push left less of a line than earlier returns took', async () => {
      const order = await pushOrder(d);
      await filed(d.owner, d.shop.id, { orderNumber: order.number, items: [{ lineNo: 1, quantity: 2 }] });
      await pushAgain(order, { lines: mugs(1, 2750) });
      const cookies = await filed(d.owner, d.shop.id, { orderNumber: order.number, items: [{ lineNo: 2, quantity: 1 }] });
      expect(cookies.refundTotal).to.equal(864);
      const more = await d.owner.post(`/api/shops/${d.shop.id}/returns`, { orderNumber: order.number, reason: 'size', items: [{ lineNo: 1, quantity: 1 }] });
      expect(more.status, more.text).to.equal(400);
      expect(more.body.error.message).to.include('none of line 1 is left');
    });

    it('counts a return in the reasons report under the product it returned, not the one the line holds now', async () => {
      const fresh = await openDesk(server);
      await publish(fresh, someTerms());
      const order = await pushOrder(fresh);
      await filed(fresh.owner, fresh.shop.id, { orderNumber: order.number, reason: 'size', items: [{ lineNo: 1, quantity: 1 }] });
      const now = new Date().toISOString();
      const again = anOrder({ orderedAt: now, shippedAt: now, deliveredAt: now, customer: { ...anOrder().customer, email: order.email }, lines: mugs(2, 2750, 'MUG-999') });
      expect((await fresh.platform.put(`/api/shops/${fresh.shop.id}/orders/${order.number}`, again)).status).to.equal(200);
      const report = (await fresh.owner.get(`/api/shops/${fresh.shop.id}/returns/reasons`)).body;
      expect(report.products.map((p: { sku: string; quantity: number }) => [p.sku, p.quantity])).to.deep.equal([['MUG-001', 1]]);
      // The API reference's schema is the answer's shape, strictly.
      expect(reasonsReportAnswer.safeParse(report).error?.issues ?? []).to.deep.equal([]);
    });
  });
}

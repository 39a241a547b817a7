import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { oneDbKind } from '../../helpers/env.ts';
import { anOrder, newOrderNumber } from '../../fixtures/builders.ts';
import { openDesk, type Desk } from '../returns/returns.helpers.ts';
import { csrfOf, signInToPortal } from '../returns/portal.visitor.ts';

/** What orders from shop platforms bring: names such as #1001, and cancellations. */
for (const kind of oneDbKind()) {
  describe(`[${kind}] orders as shop platforms name and cancel them`, () => {
    let server: TestServer;
    let d: Desk;
    before(async () => {
      server = await startServer(kind);
      d = await openDesk(server);
    });
    after(() => server.close());

    it('takes an order number with a leading # (Shopify’s #1001), stored and answered as written; other odd characters are still a 400 in both languages', async () => {
      const number = `#${newOrderNumber()}`;
      const r = await d.platform.put(`/api/shops/${d.shop.id}/orders/${encodeURIComponent(number)}`, anOrder());
      expect(r.status, r.text).to.equal(201);
      expect(r.body.order.orderNumber).to.equal(number);
      expect((await d.owner.get(`/api/shops/${d.shop.id}/orders/${encodeURIComponent(number)}`)).body.orderNumber).to.equal(number);
      const bad = await d.platform.put(`/api/shops/${d.shop.id}/orders/${encodeURIComponent('##1')}`, anOrder());
      expect(bad.status).to.equal(400);
      expect(bad.body.error.details[0].ja).to.include('先頭の「#」は可');
    });

    it('records a cancellation (not before the order); a customer who types the number without its # finds the order, and is sent to the shop instead of filing a return on it', async () => {
      const number = `#${newOrderNumber()}`;
      const email = `buyer-${randomBytes(4).toString('hex')}@example.jp`;
      const now = new Date().toISOString();
      const base = anOrder({ orderedAt: now, shippedAt: now, deliveredAt: now, customer: { ...anOrder().customer, email } });
      const early = await d.platform.put(`/api/shops/${d.shop.id}/orders/${encodeURIComponent(number)}`, { ...base, cancelledAt: '2020-01-01T00:00:00+09:00' });
      expect(early.status).to.equal(400);
      expect(early.body.error.details[0]).to.deep.include({ path: 'cancelledAt' });
      const r = await d.platform.put(`/api/shops/${d.shop.id}/orders/${encodeURIComponent(number)}`, { ...base, cancelledAt: now });
      expect(r.status, r.text).to.equal(201);
      expect(r.body.order.cancelledAt).to.equal(now);

      const v = await signInToPortal(server, d.shop.id, { number: number.slice(1), email, id: r.body.order.id });
      const portal = `/returns/${d.shop.id}`;
      const csrf = csrfOf((await v.get(`${portal}/order`)).html);
      const review = await v.post(`${portal}/confirm`, { csrf, qty_1: '1', kind: 'return', reason: 'changed_mind' });
      expect(review.status).to.equal(409);
      expect(review.html).to.include('この注文はキャンセルされています');
      // The shop's own people may still file (a cancellation after delivery is theirs to judge).
      const filed = await d.owner.post(`/api/shops/${d.shop.id}/returns`, { orderNumber: number, reason: 'changed_mind', items: [{ lineNo: 1, quantity: 1 }] });
      expect(filed.status, filed.text).to.be.oneOf([200, 201]);
    });

    it('a customer typing the number in full width, as a Japanese keyboard does (＃１００１), finds the order on the returns portal', async () => {
      const digits = String(Date.now()).slice(-9);
      const email = `buyer-${randomBytes(4).toString('hex')}@example.jp`;
      const r = await d.platform.put(`/api/shops/${d.shop.id}/orders/${encodeURIComponent(`#${digits}`)}`, anOrder({ customer: { ...anOrder().customer, email } }));
      expect(r.status, r.text).to.equal(201);
      const wide = `＃${digits.replace(/\d/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0))}`;
      const v = await signInToPortal(server, d.shop.id, { number: wide, email, id: r.body.order.id });
      expect((await v.get(`/returns/${d.shop.id}/order`)).status).to.equal(200);
    });

    it('a write that does not mention cancelledAt (older glue code, a CSV without the column) keeps the cancellation; null lifts it', async () => {
      const number = `#${newOrderNumber()}`;
      const url = `/api/shops/${d.shop.id}/orders/${encodeURIComponent(number)}`;
      const cancelledAt = '2026-11-22T10:00:00.000Z';
      expect((await d.platform.put(url, { ...anOrder(), cancelledAt })).status).to.equal(201);
      const again = await d.platform.put(url, anOrder());
      expect(again.status, again.text).to.equal(200);
      expect(again.body).to.deep.include({ result: 'unchanged' });
      expect(again.body.order.cancelledAt).to.equal(cancelledAt);
      const lifted = await d.platform.put(url, { ...anOrder(), cancelledAt: null });
      expect(lifted.body.result).to.equal('updated');
      expect(lifted.body.order.cancelledAt).to.equal(null);
    });
  });
}

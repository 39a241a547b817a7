import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { dbKinds } from '../../helpers/env.ts';
import { anOrder } from '../../fixtures/builders.ts';
import { eventsOf, filed, move, moved, openDesk, publish, pushOrder, someTerms, type Desk } from './returns.helpers.ts';

const roles = ['owner', 'staff', 'agent', 'contractor'] as const;

for (const kind of dbKinds) {
  describe(`[${kind}] moving a return through its states`, () => {
    let server: TestServer;
    let d: Desk;

    before(async () => {
      server = await startServer(kind);
      d = await openDesk(server);
      // Every return waits for a person here; agents and contractors act alone up to ¥3,000.
      await publish(d, someTerms({ autoApprove: { enabled: false, maxAmount: 0 }, agentRefundLimit: 3000 }));
    });
    after(() => server.close());

    /** A return of one mug (¥2,750) or, with `quantity` 2, of both (¥5,500), waiting for review. */
    async function inReview(quantity = 1) {
      const order = await pushOrder(d);
      const r = await filed(d.owner, d.shop.id, { orderNumber: order.number, items: [{ lineNo: 1, quantity }] });
      expect(r.status).to.equal('needs_review');
      return { ...r, order } as { id: string; number: number; refundTotal: number; order: typeof order };
    }

    it('goes the whole way from review to closed, with every step in the history and the audit trail', async () => {
      const r = await inReview();
      const { id } = r;
      const approved = await moved(d.as.agent, d.shop.id, id, { event: 'approve', expectedStatus: 'needs_review', note: '写真で状態を確認しました' });
      expect(approved.status).to.equal('awaiting_shipment');
      expect(approved.shipBy).to.be.a('string');
      expect(approved.decisionNote).to.equal('写真で状態を確認しました');
      const shipped = await moved(d.as.contractor, d.shop.id, id, { event: 'ship', trackingNumber: '4455-6677-8899', carrier: '日本郵便' });
      expect(shipped).to.include({ status: 'in_transit', trackingNumber: '4455-6677-8899', carrier: '日本郵便' });
      expect((await moved(d.as.staff, d.shop.id, id, { event: 'receive' })).receivedAt).to.be.a('string');
      await moved(d.as.staff, d.shop.id, id, { event: 'inspect' });
      const refunding = await moved(d.as.agent, d.shop.id, id, { event: 'start_refund' });
      expect(refunding).to.include({ status: 'refund_pending', refundTotal: 2750 });
      const refunded = await moved(d.owner, d.shop.id, id, { event: 'refund_succeeded' });
      expect(refunded.refundedAt).to.be.a('string');
      const closed = await moved(d.owner, d.shop.id, id, { event: 'close' });
      expect(closed.status).to.equal('closed');
      expect(closed.allowedEvents).to.deep.equal([]);

      expect(closed.history.map((h: { event: string; from: string | null; to: string }) => [h.event, h.from, h.to])).to.deep.equal([
        ['file', null, 'requested'],
        ['send_to_review', 'requested', 'needs_review'],
        ['approve', 'needs_review', 'approved'],
        ['request_shipment', 'approved', 'awaiting_shipment'],
        ['ship', 'awaiting_shipment', 'in_transit'],
        ['receive', 'in_transit', 'received'],
        ['inspect', 'received', 'inspected'],
        ['start_refund', 'inspected', 'refund_pending'],
        ['refund_succeeded', 'refund_pending', 'refunded'],
        ['close', 'refunded', 'closed'],
      ]);
      const by = Object.fromEntries(closed.history.map((h: { event: string; by: string }) => [h.event, h.by]));
      expect(by).to.include({ approve: d.shop.people.agent.name, ship: d.shop.people.contractor.name, request_shipment: 'madoguchi rules', close: d.shop.people.owner.name });
      const times = closed.history.map((h: { at: string }) => Date.parse(h.at));
      expect(times).to.deep.equal([...times].sort((a, b) => a - b));

      const audit = await d.owner.get(`/api/shops/${d.shop.id}/audit?objectId=${id}`);
      const trail = audit.body.events.map((e: { action: string; summary: { from?: string; to?: string } }) => [e.action, e.summary.from ?? null, e.summary.to ?? null]).reverse();
      expect(trail).to.deep.equal([
        ['return.filed', null, null],
        ['return.approve', 'needs_review', 'awaiting_shipment'],
        ['return.ship', 'awaiting_shipment', 'in_transit'],
        ['return.receive', 'in_transit', 'received'],
        ['return.inspect', 'received', 'inspected'],
        ['return.start_refund', 'inspected', 'refund_pending'],
        ['return.refund_succeeded', 'refund_pending', 'refunded'],
        ['return.close', 'refunded', 'closed'],
      ]);
    });

    it('gives the order’s shipping back only with the return that completes it among those whose parcels are back', async () => {
      // A takes both mugs, B the cookies: together the whole order. B's parcel comes back first.
      const order = await pushOrder(d);
      const a = await filed(d.owner, d.shop.id, { orderNumber: order.number, items: [{ lineNo: 1, quantity: 2 }] });
      const b = await filed(d.owner, d.shop.id, { orderNumber: order.number, items: [{ lineNo: 2, quantity: 1 }] });
      const walk = async (id: string) => {
        for (const [event, from] of [['approve', 'needs_review'], ['receive', 'awaiting_shipment'], ['inspect', 'received'], ['start_refund', 'inspected']] as const) {
          await moved(d.owner, d.shop.id, id, { event, expectedStatus: from });
        }
        return (await d.owner.get(`/api/shops/${d.shop.id}/returns/${id}`)).body;
      };
      const bDone = await walk(b.id);
      // A is still waiting for its parcel (it may yet expire): B does not complete the order.
      expect(bDone.refund.fees).to.deep.equal([]);
      const aDone = await walk(a.id);
      expect(aDone.refund.fees).to.deep.equal([{ kind: 'outbound_shipping', amount: 770 }]);
    });

    it('refuses a rejection without a reason code (400) and records one with it', async () => {
      const { id } = await inReview();
      const bare = await move(d.as.agent, d.shop.id, id, { event: 'reject' });
      expect(bare.status, bare.text).to.equal(400);
      expect(bare.body.error.details).to.deep.equal({ path: ['reasonCode'] });
      expect((await d.owner.get(`/api/shops/${d.shop.id}/returns/${id}`)).body.status).to.equal('needs_review');
      const r = await moved(d.as.agent, d.shop.id, id, { event: 'reject', reasonCode: 'condition_not_met', note: 'タグが外されていました' });
      expect(r).to.include({ status: 'rejected', rejectionCode: 'condition_not_met', decisionNote: 'タグが外されていました' });
      expect(r.history.at(-1)).to.include({ event: 'reject', reasonCode: 'condition_not_met' });
      expect(r.allowedEvents).to.deep.equal([]);
    });

    it('refuses a contractor approving a refund above the shop’s limit for agents (403), and lets the owner approve it', async () => {
      const r = await inReview(2);
      expect(r.refundTotal).to.equal(5500);
      const view = await d.as.contractor.get(`/api/shops/${d.shop.id}/returns/${r.id}`);
      expect(view.body).to.include({ overRefundLimit: true, refundLimit: 3000 });
      expect(view.body.allowedEvents).not.to.include('approve');
      for (const role of ['contractor', 'agent'] as const) {
        const refused = await move(d.as[role], d.shop.id, r.id, { event: 'approve' });
        expect(refused.status, role).to.equal(403);
        expect(refused.body.error.details, role).to.include({ overRefundLimit: true });
      }
      const ok = await move(d.owner, d.shop.id, r.id, { event: 'approve' });
      expect(ok.status, ok.text).to.equal(200);
      expect(ok.body.status).to.equal('awaiting_shipment');
    });

    it('answers 409 when the return is no longer in the status the caller saw', async () => {
      const { id } = await inReview();
      const r = await move(d.owner, d.shop.id, id, { event: 'reject', reasonCode: 'other', expectedStatus: 'awaiting_shipment' });
      expect(r.status, r.text).to.equal(409);
      expect(r.body.error.code).to.equal('conflict');
      expect(r.body.error.details).to.deep.equal({ status: 'needs_review' });
      expect((await d.owner.get(`/api/shops/${d.shop.id}/returns/${id}`)).body.history).to.have.length(2);
    });

    it('when two people approve the same return at once, one gets 200 and the other 409', async () => {
      const { id } = await inReview();
      const body = { event: 'approve', expectedStatus: 'needs_review' };
      const [a, b] = await Promise.all([move(d.owner, d.shop.id, id, body), move(d.as.staff, d.shop.id, id, body)]);
      expect([a.status, b.status].sort(), `${a.text} ${b.text}`).to.deep.equal([200, 409]);
      const view = (await d.owner.get(`/api/shops/${d.shop.id}/returns/${id}`)).body;
      expect(view.status).to.equal('awaiting_shipment');
      expect(eventsOf(view).filter((e: string) => e === 'approve')).to.have.length(1);
      const audit = await d.owner.get(`/api/shops/${d.shop.id}/audit?objectId=${id}&action=return.approve`);
      expect(audit.body.events).to.have.length(1);
    });

    it('answers an event the status does not allow with 409 invalid_transition and the events it does allow', async () => {
      const { id } = await inReview();
      const r = await move(d.owner, d.shop.id, id, { event: 'receive' });
      expect(r.status, r.text).to.equal(409);
      expect(r.body.error.code).to.equal('invalid_transition');
      expect(r.body.error.details).to.include({ from: 'needs_review', event: 'receive' });
      expect(r.body.error.details.allowed).to.include.members(['approve', 'reject']).and.not.include('receive');
      // Allowed from the status but not for the role: a merchant records a refund, not an agent.
      const later = await inReview();
      await moved(d.owner, d.shop.id, later.id, { event: 'approve' });
      for (const event of ['receive', 'inspect', 'start_refund']) await moved(d.owner, d.shop.id, later.id, { event });
      const agent = await move(d.as.agent, d.shop.id, later.id, { event: 'refund_succeeded' });
      expect(agent.status).to.equal(403);
    });

    it('answers a return of another shop with 404, whoever asks', async () => {
      const { id } = await inReview();
      const other = await openDesk(server);
      for (const [who, c] of [['their owner', other.owner], ['their key', other.platform]] as const) {
        expect((await c.get(`/api/shops/${other.shop.id}/returns/${id}`)).status, who).to.equal(404);
        expect((await move(c, other.shop.id, id, { event: 'approve' })).status, who).to.equal(404);
      }
      expect((await d.platform.get(`/api/shops/${other.shop.id}/returns/${id}`)).status).to.equal(404);
      expect((await d.owner.get(`/api/shops/${d.shop.id}/returns/${randomUUID()}`)).status).to.equal(404);
      expect((await d.owner.get(`/api/shops/${d.shop.id}/returns/${id}`)).body.status).to.equal('needs_review');
    });

    it('refuses malformed return ids and move bodies with 400', async () => {
      const { id } = await inReview();
      expect((await d.owner.get(`/api/shops/${d.shop.id}/returns/not-a-uuid`)).status).to.equal(400);
      expect((await move(d.owner, d.shop.id, 'R-1', { event: 'approve' })).status).to.equal(400);
      const cases: Array<[string, Record<string, unknown>, string]> = [
        ['an unknown event', { event: 'refund_twice' }, 'event'],
        ['no event', {}, 'event'],
        ['shipping without tracking', { event: 'ship' }, 'trackingNumber'],
        ['a tracking number with spaces', { event: 'ship', trackingNumber: '12 34 56' }, 'trackingNumber'],
        ['a reason code on an approval', { event: 'approve', reasonCode: 'other' }, 'reasonCode'],
        ['an unknown rejection code', { event: 'reject', reasonCode: 'too_ugly' }, 'reasonCode'],
        ['a failed refund without a note', { event: 'refund_failed' }, 'note'],
        ['an unknown expected status', { event: 'approve', expectedStatus: 'pending' }, 'expectedStatus'],
        ['an unknown field', { event: 'approve', refund: 0 }, ''],
      ];
      for (const [name, body, path] of cases) {
        const r = await move(d.owner, d.shop.id, id, body);
        expect(r.status, name).to.equal(400);
        expect(r.body.error.details.map((x: { path: string }) => x.path), name).to.include(path);
      }
      expect((await d.owner.get(`/api/shops/${d.shop.id}/returns/${id}`)).body.history).to.have.length(2);
    });

    it('never shows the customer’s email, phone or address in a return, to any role', async () => {
      const { id, order } = await inReview();
      const { phone, address } = anOrder().customer;
      for (const [role, c] of [...roles.map((role) => [role, d.as[role]] as const), ['api key', d.platform] as const]) {
        const one = await c.get(`/api/shops/${d.shop.id}/returns/${id}`);
        const many = await c.get(`/api/shops/${d.shop.id}/returns`);
        expect(one.status, role).to.equal(200);
        for (const text of [JSON.stringify(one.body), JSON.stringify(many.body)]) {
          expect(text, role).to.include('田中 太郎');
          for (const secret of [order.email, phone!, address!]) expect(text, `${role}: ${secret}`).not.to.include(secret);
        }
      }
      const approved = await moved(d.as.contractor, d.shop.id, id, { event: 'approve' });
      expect(JSON.stringify(approved)).not.to.include(order.email);
    });
  });
}

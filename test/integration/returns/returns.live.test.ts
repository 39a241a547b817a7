import { expect } from 'chai';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { dbKinds } from '../../helpers/env.ts';
import { agentClient, connected, waitFor, type AgentSocket } from '../../helpers/sockets.ts';
import type { ReturnChanged } from '../../../server/domains/returns/returns.changed.ts';
import { filed, moved, openDesk, publish, pushOrder, someTerms, type Desk } from './returns.helpers.ts';

for (const kind of dbKinds) {
  describe(`[${kind}] returns live in the console`, () => {
    let server: TestServer;
    let d: Desk;
    let other: Desk;
    const sockets: AgentSocket[] = [];
    before(async () => {
      server = await startServer(kind);
      d = await openDesk(server);
      other = await openDesk(server);
      await publish(d, someTerms({ autoApprove: { enabled: false, maxAmount: 0 } }));
      await publish(other, someTerms({ autoApprove: { enabled: false, maxAmount: 0 } }));
    });
    afterEach(() => {
      for (const s of sockets.splice(0)) s.close();
    });
    after(() => server.close());

    const console_ = async (desk: Desk, role: 'agent' | 'contractor') => {
      const s = agentClient(server.url, desk.shop.id, desk.as[role].cookie);
      sockets.push(s);
      await connected(s);
      return s;
    };

    it('tells every console of the shop, contractors included, that a return was filed and then moved, with nothing personal in it', async () => {
      const agent = await console_(d, 'agent');
      const contractor = await console_(d, 'contractor');
      const order = await pushOrder(d);
      const filedSeen = [agent, contractor].map((s) => waitFor<ReturnChanged>(s, 'return:changed', (c) => c.event === 'return.needs_review'));
      const r = await filed(d.owner, d.shop.id, { orderNumber: order.number });
      for (const seen of await Promise.all(filedSeen)) {
        expect(seen).to.deep.include({ shopId: d.shop.id, returnId: r.id, number: r.number, status: 'needs_review' });
        expect(Object.keys(seen).sort()).to.deep.equal(['at', 'event', 'number', 'returnId', 'shopId', 'status']);
      }
      const approved = waitFor<ReturnChanged>(agent, 'return:changed', (c) => c.returnId === r.id && c.event === 'return.awaiting_shipment');
      await moved(d.as.staff, d.shop.id, r.id, { event: 'approve' });
      expect((await approved).status).to.equal('awaiting_shipment');
    });

    it('never tells another shop’s console', async () => {
      const outsider = await console_(other, 'agent');
      const heard: ReturnChanged[] = [];
      outsider.on('return:changed', (c) => void heard.push(c));
      const own = await console_(d, 'agent');
      const order = await pushOrder(d);
      // The barrier: the same broadcast reached the shop's own console, so the outsider's would have come by now.
      const seen = waitFor<ReturnChanged>(own, 'return:changed', (c) => c.event === 'return.needs_review');
      const r = await filed(d.owner, d.shop.id, { orderNumber: order.number });
      expect((await seen).returnId).to.equal(r.id);
      // One more round trip through the outsider's own connection after it: whatever was sent to it came first.
      const mine = waitFor<ReturnChanged>(outsider, 'return:changed', (c) => c.shopId === other.shop.id);
      const otherOrder = await pushOrder(other);
      await filed(other.owner, other.shop.id, { orderNumber: otherOrder.number });
      await mine;
      expect(heard.filter((c) => c.shopId !== other.shop.id)).to.deep.equal([]);
    });
  });
}

import { expect } from 'chai';
import { startServer, type TestServer } from '../../helpers/app.ts';
import type { TestClient } from '../../helpers/client.ts';
import { anOrder, makeShop, newOrderNumber, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { conversationPath, customerChat } from './queue.helpers.ts';

/** The conversation's links to the customer's other conversations and orders: shop-scoped, no contact data for anyone. */
describe('[pglite] a customer’s other conversations and orders', function () {
  this.timeout(60_000);
  let server: TestServer;
  let shop: TestShop;
  let other: TestShop;
  let owner: TestClient;

  before(async () => {
    server = await startServer('pglite');
    [shop, other] = await Promise.all([makeShop(server.database), makeShop(server.database)]);
    owner = await signedIn(server.url, shop.people.owner);
  });
  after(() => server.close());

  it('lists the other conversations of the customer and the orders placed with their address, and nothing of another shop', async () => {
    const email = `related-${Date.now()}@example.jp`;
    const mine = newOrderNumber();
    expect((await owner.put(`/api/shops/${shop.id}/orders/${mine}`, anOrder({ customer: { ...anOrder().customer, email } }))).status).to.be.oneOf([200, 201]);
    // The same address at another shop: its order is not this shop's business.
    const theirs = newOrderNumber();
    const otherOwner = await signedIn(server.url, other.people.owner);
    expect((await otherOwner.put(`/api/shops/${other.id}/orders/${theirs}`, anOrder({ customer: { ...anOrder().customer, email } }))).status).to.be.oneOf([200, 201]);
    const first = await customerChat(server, shop.id, { email });
    await owner.patch(conversationPath(shop.id, first.conversationId), { status: 'resolved' });
    first.w.disconnect();
    const second = await customerChat(server, shop.id, { email });

    const contractor = await signedIn(server.url, shop.people.contractor);
    for (const as of [owner, contractor]) {
      const r = await as.get(`${conversationPath(shop.id, second.conversationId)}/related`);
      expect(r.status, r.text).to.equal(200);
      expect(r.body.conversations.map((c: { id: string }) => c.id)).to.deep.equal([first.conversationId]);
      expect(r.body.orders.map((o: { orderNumber: string }) => o.orderNumber)).to.deep.equal([mine]);
      expect(r.body.returns).to.deep.equal([]);
      expect(JSON.stringify(r.body), 'no contact data').to.not.contain(email);
    }
    // Another shop's person cannot read it.
    const stranger = await signedIn(server.url, other.people.agent);
    expect([403, 404]).to.include((await stranger.get(`/api/shops/${shop.id}/conversations/${second.conversationId}/related`)).status);
    second.w.disconnect();
  });
});

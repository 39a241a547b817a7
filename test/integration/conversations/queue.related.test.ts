import { expect } from 'chai';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { TestClient } from '../../helpers/client.ts';
import { anOrder, makeShop, newOrderNumber, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { conversationPath, customerChat, openTicket } from './queue.helpers.ts';
import { relatedView } from '../../../server/domains/conversations/conversations.schema.ts';

/** The conversation's links to the customer's other conversations and orders: shop-scoped, no contact data for anyone, nothing joined by a typed address. */
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

  it("lists the customer's own other conversations and, for a customer the shop vouched for, the orders of their address; nothing of another shop", async () => {
    const email = `related-${Date.now()}@example.jp`;
    const mine = newOrderNumber();
    expect((await owner.put(`/api/shops/${shop.id}/orders/${mine}`, anOrder({ customer: { ...anOrder().customer, email } }))).status).to.be.oneOf([200, 201]);
    // The same address at another shop: its order is not this shop's business.
    const theirs = newOrderNumber();
    const otherOwner = await signedIn(server.url, other.people.owner);
    expect((await otherOwner.put(`/api/shops/${other.id}/orders/${theirs}`, anOrder({ customer: { ...anOrder().customer, email } }))).status).to.be.oneOf([200, 201]);
    // The shop's system opens two tickets for its customer (a verified contact, by the shop's id for them).
    const key = await owner.post(`/api/shops/${shop.id}/api-keys`, { name: 'related' });
    const platform = new TestClient(server.url).withKey(key.body.key);
    const externalId = `cust-${Date.now()}`;
    const first = await openTicket(platform, shop.id, { email, externalId });
    const second = await openTicket(platform, shop.id, { email, externalId });
    expect(first.status, first.text).to.equal(201);
    const related = (as: TestClient, id: string) => as.get(`${conversationPath(shop.id, id)}/related`);

    const seen = await related(owner, second.body.id);
    expect(seen.status, seen.text).to.equal(200);
    expect(seen.body.conversations.map((c: { id: string }) => c.id)).to.include(first.body.id);
    expect(seen.body.orders.map((o: { orderNumber: string }) => o.orderNumber)).to.deep.equal([mine]);
    expect(JSON.stringify(seen.body), 'no contact data').to.not.contain(email);
    // The answer is what the API reference says, field for field.
    expect(relatedView.safeParse(seen.body).error?.issues ?? []).to.deep.equal([]);

    // A contractor sees the customer's own conversations, but nothing found by address.
    const contractor = await signedIn(server.url, shop.people.contractor);
    const masked = await related(contractor, second.body.id);
    expect(masked.body.conversations.map((c: { id: string }) => c.id)).to.include(first.body.id);
    expect(masked.body.orders).to.deep.equal([]);

    // Another shop's person cannot read it.
    const stranger = await signedIn(server.url, other.people.agent);
    expect([403, 404]).to.include((await stranger.get(`/api/shops/${shop.id}/conversations/${second.body.id}/related`)).status);
  });

  it('joins nothing by a typed address: a pre-chat visitor, or a contractor probing with a ticket, learns nothing of that address', async () => {
    const email = `victim-${Date.now()}@example.jp`;
    const victims = newOrderNumber();
    expect((await owner.put(`/api/shops/${shop.id}/orders/${victims}`, anOrder({ customer: { ...anOrder().customer, email } }))).status).to.be.oneOf([200, 201]);
    const earlier = await customerChat(server, shop.id, { email });
    earlier.w.disconnect();
    // Someone types the victim's address in the pre-chat form.
    const impostor = await customerChat(server, shop.id, { email });
    const r = await owner.get(`${conversationPath(shop.id, impostor.conversationId)}/related`);
    expect(r.body).to.deep.equal({ conversations: [], orders: [], returns: [] });
    impostor.w.disconnect();
    // A contractor opens a ticket with a guessed address: the answer is the same as for any address.
    const contractor = await signedIn(server.url, shop.people.contractor);
    const probe = await openTicket(contractor, shop.id, { email });
    expect(probe.status, probe.text).to.equal(201);
    const asked = await contractor.get(`${conversationPath(shop.id, probe.body.id)}/related`);
    expect(asked.body).to.deep.equal({ conversations: [], orders: [], returns: [] });
  });
});

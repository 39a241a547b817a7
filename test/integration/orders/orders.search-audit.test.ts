import { expect } from 'chai';
import { startServer, type TestServer } from '../../helpers/app.ts';
import type { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import { anOrder, makeShop, newOrderNumber, signedIn, type TestShop } from '../../fixtures/builders.ts';

/**
 * The trail answers "who looked for whose data" without holding the data: a search's text is
 * often an address, a phone number or a name, so it is kept as a kind, a keyed digest and
 * (for contact data) the contractor's mask.
 */
for (const kind of dbKinds) {
  describe(`[${kind}] the audit trail of order searches`, () => {
    let server: TestServer;
    let shop: TestShop;
    let owner: TestClient;
    let contractor: TestClient;
    const n = newOrderNumber();

    before(async () => {
      server = await startServer(kind, { config: { JOBS: 'off' } });
      shop = await makeShop(server.database);
      owner = await signedIn(server.url, shop.people.owner);
      contractor = await signedIn(server.url, shop.people.contractor);
      expect((await owner.put(`/api/shops/${shop.id}/orders/${n}`, anOrder())).status).to.equal(201);
    });
    after(() => server.close());

    const search = (c: TestClient, q: string) => c.get(`/api/shops/${shop.id}/orders?q=${encodeURIComponent(q)}`);
    const trail = async (query = '') => (await owner.get(`/api/shops/${shop.id}/audit?limit=200${query}`)).body.events as Array<{ action: string; actorId: string; summary: any }>;

    it('records what kind of thing was searched for, masked and digested, never the text, even when nothing was found', async () => {
      expect((await search(owner, 'TARO@example.jp')).body.orders).to.have.length(1);
      expect((await search(owner, '090-1234-5678')).body.orders).to.have.length(1);
      expect((await search(owner, '田中')).body.orders).to.have.length(1);
      expect((await search(contractor, 'taro@example.jp')).body.orders, 'a masked viewer cannot search by address').to.deep.equal([]);

      const events = await trail('&action=orders.listed');
      const text = JSON.stringify(events).toLowerCase();
      for (const personal of ['taro@example.jp', '090-1234-5678', '09012345678', '田中']) expect(text, personal).not.to.include(personal.toLowerCase());
      const searches = events.map((e) => e.summary.search);
      expect(searches.map((s) => s.kind)).to.deep.equal(['email', 'text', 'phone', 'email']);
      expect(searches[0]).to.include({ masked: 't***@e***.jp' });
      expect(searches[2]).to.include({ masked: '***-****-5678' });
      expect(searches[1]).not.to.have.property('masked');
      // The contractor's search found nothing and is in the trail all the same.
      expect(events[0]).to.include({ actorId: shop.people.contractor.id });
      expect(events[0]!.summary.orderNumbers).to.deep.equal([]);
      // The same address typed differently is the same digest; another value is not.
      expect(searches[0].digest).to.equal(searches[3].digest);
      expect(new Set(searches.map((s) => s.digest)).size).to.equal(3);
    });

    it('lets the owner find every search for a value without the trail holding it', async () => {
      const forTaro = await trail('&searched=' + encodeURIComponent('Taro@Example.jp'));
      expect(forTaro.map((e) => e.summary.search.kind)).to.deep.equal(['email', 'email']);
      expect(forTaro.map((e) => e.actorId)).to.have.members([shop.people.contractor.id, shop.people.owner.id]);
      const byPhone = await trail('&searched=' + encodeURIComponent('０９０１２３４５６７８'));
      expect(byPhone).to.have.length(1);
      expect(byPhone[0]!.summary.orderNumbers).to.deep.equal([n]);
      expect(await trail('&searched=' + encodeURIComponent('someone@example.jp'))).to.deep.equal([]);
      const notOwner = await contractor.get(`/api/shops/${shop.id}/audit?searched=taro@example.jp`);
      expect(notOwner.status).to.equal(403);
    });

    it("keeps the order's contact data out of every other row of the trail too", async () => {
      await contractor.get(`/api/shops/${shop.id}/orders/${n}`);
      await owner.put(`/api/shops/${shop.id}/orders/${n}`, anOrder({ customer: { ...anOrder().customer, email: 'taro.new@example.jp', phone: '080-9999-0000' } }));
      const text = JSON.stringify(await trail()).toLowerCase();
      for (const personal of ['taro@example.jp', 'taro.new@example.jp', '090-1234-5678', '080-9999-0000', '渋谷区']) expect(text, personal).not.to.include(personal);
    });
  });
}

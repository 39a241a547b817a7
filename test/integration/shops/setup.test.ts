import { expect } from 'chai';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import { makeShop, signedIn } from '../../fixtures/builders.ts';
import { sampleOrder, sampleOrderNumber } from '../../../server/domains/orders/orders.sample.ts';
import { someTerms } from '../returns/returns.helpers.ts';

const allDay = [['09:00', '18:00']];

for (const kind of dbKinds) {
  describe(`[${kind}] the first-run checklist`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(kind);
    });
    after(() => server.close());

    const stateOf = (body: { steps: { id: string; done: boolean; available: boolean }[] }) =>
      Object.fromEntries(body.steps.map((s) => [s.id, s.available ? s.done : 'coming']));

    it('marks each step done from the shop’s real state, as the owner takes them, up to the sample order sent with a new key', async () => {
      const shop = await makeShop(server.database, undefined, ['owner']);
      const owner = await signedIn(server.url, shop.people.owner);
      const url = `/api/shops/${shop.id}/setup`;

      // A shop opened without the contact its notices print (the builder gives one).
      expect((await owner.patch(`/api/shops/${shop.id}`, { noticeContact: '' })).status).to.equal(200);
      const empty = await owner.get(url);
      expect(empty.status, empty.text).to.equal(200);
      expect(stateOf(empty.body)).to.deep.equal({ widget: false, hours: false, terms: false, people: false, platform: false, notices: false, slack: false });
      expect(empty.body.progress).to.deep.equal({ done: 0, of: 7 });
      expect(empty.body.widget.allowedOrigins).to.deep.equal(['https://shop.example.jp']);

      const hours = await owner.put(`/api/shops/${shop.id}/business-hours`, { weekly: Object.fromEntries(['0', '1', '2', '3', '4', '5', '6'].map((d) => [d, d === '0' || d === '6' ? [] : allDay])), observeJpHolidays: true });
      expect(hours.status, hours.text).to.equal(200);
      const terms = await owner.put(`/api/shops/${shop.id}/return-terms`, someTerms());
      expect(terms.status, terms.text).to.be.oneOf([200, 201]);
      const invited = await owner.post(`/api/shops/${shop.id}/invitations`, { email: `staff-${Date.now()}@test.madoguchi.test`, role: 'staff' });
      expect(invited.status, invited.text).to.equal(201);
      const key = await owner.post(`/api/shops/${shop.id}/api-keys`, { name: 'ショップ連携' });
      const keyOnly = await owner.get(url);
      expect(stateOf(keyOnly.body)).to.include({ hours: true, terms: true, people: true, platform: false });
      expect(keyOnly.body.platform).to.deep.equal({ liveApiKeys: 1, keyLastUsedAt: null, newestOrder: null, stores: [] });
      expect(keyOnly.body.terms.version).to.equal(1);

      // The checklist's curl is a dry run: the key works, the answer is what a real call gets, nothing is stored.
      const platform = new TestClient(server.url).withKey(key.body.key);
      const tried = await platform.put(`/api/shops/${shop.id}/orders/${sampleOrderNumber}?dryRun=true`, sampleOrder);
      expect(tried.status, tried.text).to.equal(200);
      expect(tried.body).to.deep.include({ result: 'created', dryRun: true });
      expect((await owner.get(`/api/shops/${shop.id}/orders/${sampleOrderNumber}`)).status, 'nothing stored').to.equal(404);
      const keyWorks = await owner.get(url);
      expect(stateOf(keyWorks.body).platform).to.equal(false);
      expect(keyWorks.body.platform.keyLastUsedAt).to.be.a('string');
      expect((await platform.put(`/api/shops/${shop.id}/orders/${sampleOrderNumber}?dryRun=maybe`, sampleOrder)).body.error.details[0]).to.include({ path: 'dryRun', ja: 'dryRun は true か false で指定してください。' });

      // Then the platform sends it for real.
      const put = await platform.put(`/api/shops/${shop.id}/orders/${sampleOrderNumber}`, sampleOrder);
      expect(put.status, put.text).to.equal(201);
      const after = await owner.get(url);
      expect(stateOf(after.body)).to.include({ platform: true, widget: false });
      expect(after.body.platform.newestOrder).to.deep.equal({ orderedAt: new Date(sampleOrder.orderedAt).toISOString(), source: 'api' });
      expect(after.body.progress).to.deep.equal({ done: 4, of: 7 });

      // The widget loads on a page the shop has not allowed: seen, said, not done.
      const load = (origin: string) => fetch(`${server.url}/api/public/shops/${shop.id}/widget/config`, { headers: { origin } });
      expect((await load('https://elsewhere.example.jp')).status).to.equal(200);
      const stray = await owner.get(url);
      expect(stray.body.widget.seen).to.deep.include.members([{ origin: 'https://elsewhere.example.jp', allowed: false, lastSeenAt: stray.body.widget.seen[0].lastSeenAt }]);
      expect(stateOf(stray.body).widget).to.equal(false);
      // Then on the shop's own allowed origin.
      await load('https://shop.example.jp');
      const done = await owner.get(url);
      expect(stateOf(done.body).widget).to.equal(true);
      expect(done.body.widget.seen.find((x: { origin: string }) => x.origin === 'https://shop.example.jp')).to.include({ allowed: true });
      expect(done.body.progress).to.deep.equal({ done: 5, of: 7 });
      // Delay notices: once the shop says how customers reach it about one (no notice can be published without). Slack: connect.test.ts.
      expect((await owner.patch(`/api/shops/${shop.id}`, { noticeContact: 'お問い合わせ: support@shop.example.jp（平日10〜17時）' })).status).to.equal(200);
      const noticesReady = await owner.get(url);
      expect(stateOf(noticesReady.body)).to.include({ notices: true, slack: false });
      expect(noticesReady.body.progress).to.deep.equal({ done: 6, of: 7 });
    });

    it('counts a revoked invitation or key as not done, and answers only the owner and staff', async () => {
      const shop = await makeShop(server.database);
      const owner = await signedIn(server.url, shop.people.owner);
      const url = `/api/shops/${shop.id}/setup`;
      expect(stateOf((await owner.get(url)).body).people, 'staff, agent and contractor are members').to.equal(true);

      const solo = await makeShop(server.database, undefined, ['owner']);
      const soloOwner = await signedIn(server.url, solo.people.owner);
      const inv = await soloOwner.post(`/api/shops/${solo.id}/invitations`, { email: `agent-${Date.now()}@test.madoguchi.test`, role: 'agent' });
      expect((await soloOwner.delete(`/api/shops/${solo.id}/invitations/${inv.body.id}`)).status).to.be.oneOf([200, 204]);
      const key = await soloOwner.post(`/api/shops/${solo.id}/api-keys`, { name: 'k' });
      await soloOwner.delete(`/api/shops/${solo.id}/api-keys/${key.body.id}`);
      const now = await soloOwner.get(`/api/shops/${solo.id}/setup`);
      expect(stateOf(now.body).people).to.equal(false);
      expect(now.body.platform.liveApiKeys).to.equal(0);

      expect((await (await signedIn(server.url, shop.people.staff)).get(url)).status).to.equal(200);
      for (const role of ['agent', 'contractor'] as const) {
        expect((await (await signedIn(server.url, shop.people[role])).get(url)).status, role).to.equal(403);
      }
      expect((await owner.get(`/api/shops/${solo.id}/setup`)).status, 'another shop is not named').to.equal(404);
    });
  });
}

import { expect } from 'chai';
import { csatRatings } from '../../../server/domains/conversations/conversations.tables.ts';
import { csatSummary } from '../../../server/domains/csat/csat.service.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { aConversation, aCustomer, aWidgetSession } from '../../fixtures/queue-rows.ts';

for (const kind of dbKinds) {
  describe(`[${kind}] customer satisfaction (CSAT)`, () => {
    let server: TestServer;
    let shop: TestShop;
    let customerId: string;
    let widget: TestClient;

    before(async () => {
      server = await startServer(kind);
      shop = await makeShop(server.database);
      customerId = (await aCustomer(server.database.db, shop.id)).id;
      widget = new TestClient(server.url).withKey(await aWidgetSession(server.database.db, shop.id, customerId));
    });
    after(() => server.close());

    const rate = (client: TestClient, conversationId: string, body: unknown, s = shop) =>
      client.post(`/api/public/shops/${s.id}/widget/conversations/${conversationId}/csat`, body);
    const resolved = async (status: 'resolved' | 'closed' = 'resolved') => (await aConversation(server.database.db, shop.id, customerId, { status, resolvedAt: new Date() })).id;

    it('lets the customer rate a resolved or closed conversation, with a comment', async () => {
      const r = await rate(widget, await resolved(), { rating: 5, comment: '  丁寧な対応ありがとうございました  ' });
      expect(r.status).to.equal(201);
      expect(r.body).to.include({ rating: 5, comment: '丁寧な対応ありがとうございました' });
      expect((await rate(widget, await resolved('closed'), { rating: 4 })).body).to.include({ rating: 4, comment: null });
    });

    it('keeps the first rating: a second one is 409 and changes nothing', async () => {
      const id = await resolved();
      expect((await rate(widget, id, { rating: 2 })).status).to.equal(201);
      const again = await rate(widget, id, { rating: 5 });
      expect(again.status).to.equal(409);
      expect(again.body.error.code).to.equal('conflict');
      const owner = await signedIn(server.url, shop.people.owner);
      const list = await owner.get(`/api/shops/${shop.id}/csat`);
      expect(list.body.ratings.find((x: { conversationId: string }) => x.conversationId === id).rating).to.equal(2);
    });

    it('when two ratings for one conversation arrive at once, one is stored and the other gets 409', async () => {
      const id = await resolved();
      const answers = await Promise.all([rate(widget, id, { rating: 1 }), rate(widget, id, { rating: 5 })]);
      expect(answers.map((a) => a.status).sort()).to.deep.equal([201, 409]);
    });

    it('refuses to rate a conversation that is not resolved yet (409 invalid_transition)', async () => {
      for (const status of ['open', 'pending', 'waiting_merchant', 'snoozed'] as const) {
        const c = await aConversation(server.database.db, shop.id, customerId, { status });
        const r = await rate(widget, c.id, { rating: 3 });
        expect(r.status, status).to.equal(409);
        expect(r.body.error.code).to.equal('invalid_transition');
        expect(r.body.error.message).to.include('解決');
      }
    });

    it("answers another customer's conversation with 404 and missing, unknown or expired tokens with 401", async () => {
      const someoneElse = await aCustomer(server.database.db, shop.id, { name: '他人' });
      const theirs = await aConversation(server.database.db, shop.id, someoneElse.id, { status: 'resolved' });
      expect((await rate(widget, theirs.id, { rating: 5 })).status).to.equal(404);
      const id = await resolved();
      expect((await rate(new TestClient(server.url), id, { rating: 5 })).status).to.equal(401);
      expect((await rate(new TestClient(server.url).withKey('not-a-session'), id, { rating: 5 })).status).to.equal(401);
      const expired = await aWidgetSession(server.database.db, shop.id, customerId, new Date(Date.now() - 1000));
      expect((await rate(new TestClient(server.url).withKey(expired), id, { rating: 5 })).status).to.equal(401);
    });

    it("does not accept a shop's widget token on another shop's path", async () => {
      const other = await makeShop(server.database);
      const c = await aConversation(server.database.db, other.id, (await aCustomer(server.database.db, other.id)).id, { status: 'resolved' });
      expect((await rate(widget, c.id, { rating: 5 }, other)).status).to.equal(401);
    });

    it('validates the rating and the comment (400)', async () => {
      const id = await resolved();
      for (const body of [{ rating: 0 }, { rating: 6 }, { rating: 4.5 }, { rating: '5' }, {}, { rating: 3, comment: 'あ'.repeat(1001) }, { rating: 3, extra: 1 }]) {
        expect((await rate(widget, id, body)).status, JSON.stringify(body).slice(0, 40)).to.equal(400);
      }
      expect((await rate(widget, id, { rating: 3, comment: 'あ'.repeat(1000) })).status).to.equal(201);
    });

    describe('the agents’ report', () => {
      let quiet: TestShop;
      before(async () => {
        quiet = await makeShop(server.database);
        const db = server.database.db;
        const customer = await aCustomer(db, quiet.id);
        const at = [
          ['2026-10-31T23:59:00+09:00', 1], // the last minute of October
          ['2026-11-01T00:00:00+09:00', 5],
          ['2026-11-15T12:00:00+09:00', 4],
          ['2026-11-30T23:59:59+09:00', 5],
          ['2026-12-01T00:00:00+09:00', 2], // December in Tokyo, still November 30 in UTC
        ] as const;
        for (const [when, rating] of at) {
          const c = await aConversation(db, quiet.id, customer.id, { status: 'resolved' });
          await db.insert(csatRatings).values({ conversationId: c.id, shopId: quiet.id, rating, createdAt: new Date(when) });
        }
      });

      it('lists the ratings of Tokyo days from–to, both included, with average and distribution', async () => {
        const agent = await signedIn(server.url, quiet.people.contractor);
        const r = await agent.get(`/api/shops/${quiet.id}/csat?from=2026-11-01&to=2026-11-30`);
        expect(r.status).to.equal(200);
        expect(r.body.summary).to.deep.equal({ count: 3, average: 4.67, distribution: { '1': 0, '2': 0, '3': 0, '4': 1, '5': 2 } });
        expect(r.body.ratings.map((x: { rating: number }) => x.rating)).to.deep.equal([5, 4, 5]);
        expect(await csatSummary(server.database.db, quiet.id, new Date('2026-10-01T00:00:00+09:00'), new Date('2027-01-01T00:00:00+09:00'))).to.deep.equal({
          count: 5,
          average: 3.4,
          distribution: { '1': 1, '2': 1, '3': 0, '4': 1, '5': 2 },
        });
      });

      it('reports no average for a period without ratings, and refuses bad dates with 400', async () => {
        const owner = await signedIn(server.url, quiet.people.owner);
        const empty = await owner.get(`/api/shops/${quiet.id}/csat?from=2025-01-01&to=2025-01-31`);
        expect(empty.body.summary).to.deep.equal({ count: 0, average: null, distribution: { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 } });
        for (const q of ['from=2026-02-30', 'to=2026/11/01', 'from=2026-11-02&to=2026-11-01', 'limit=5']) {
          expect((await owner.get(`/api/shops/${quiet.id}/csat?${q}`)).status, q).to.equal(400);
        }
      });

      it("answers another shop's members with 404", async () => {
        const stranger = await signedIn(server.url, shop.people.owner);
        expect((await stranger.get(`/api/shops/${quiet.id}/csat`)).status).to.equal(404);
      });
    });
  });
}

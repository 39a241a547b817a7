import { expect } from 'chai';
import { insertMembership } from '../../../server/domains/shops/shops.repository.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import { makeShop, signedIn, type TestPerson, type TestShop } from '../../fixtures/builders.ts';
import { conversationPath, customerChat, openTicket } from './queue.helpers.ts';

type Row = { id: string; shopId: string; shopName: string; updatedAt: string; status: string; customer: { name: string; email: string | null } };
type Page = { conversations: Row[]; next: string | null };

const MY_QUEUE = '/api/me/conversations';

for (const kind of dbKinds) {
  describe(`[${kind}] my queue: one inbox over all of a person's shops`, () => {
    let server: TestServer;
    let shopA: TestShop;
    let shopB: TestShop;
    /** Agent in shop A and contractor in shop B. */
    let person: TestPerson;
    let me: TestClient;
    let agentA: TestClient;
    let agentB: TestClient;
    /** In the order they were opened: A1, B1, A2, B2. */
    const t: Record<'a1' | 'b1' | 'a2' | 'b2', Row> = {} as never;
    const emailA = 'taro.suzuki@example.jp';
    const emailB = 'hanako.yamada@example.jp';

    before(async () => {
      server = await startServer(kind);
    });
    after(() => server?.close());

    before(async function () {
      this.timeout(40_000);
      // Shops of their own, with nobody connected, so nothing is auto-assigned behind the test's back.
      [shopA, shopB] = await Promise.all([makeShop(server.database), makeShop(server.database)]);
      person = shopA.people.agent;
      await insertMembership(server.database.db, shopB.id, person.id, 'contractor');
      [me, agentA, agentB] = await Promise.all([signedIn(server.url, person), signedIn(server.url, shopA.people.staff), signedIn(server.url, shopB.people.agent)]);
      t.a1 = (await openTicket(agentA, shopA.id, { name: '鈴木 太郎', email: emailA })).body;
      t.b1 = (await openTicket(agentB, shopB.id, { name: '山田 花子', email: emailB })).body;
      t.a2 = (await openTicket(agentA, shopA.id)).body;
      t.b2 = (await openTicket(agentB, shopB.id)).body;
      expect((await agentB.patch(conversationPath(shopB.id, t.b2.id), { status: 'pending' })).status).to.equal(200);
    });

    const page = async (query = ''): Promise<Page> => {
      const r = await me.get(`${MY_QUEUE}${query ? `?${query}` : ''}`);
      expect(r.status, `${query}: ${r.text}`).to.equal(200);
      return r.body;
    };
    const ids = (rows: Row[]) => rows.map((r) => r.id);

    it("merges both shops' conversations, newest activity first, each with its shop's id and name", async () => {
      const { conversations, next } = await page();
      expect(next).to.equal(null);
      // b2 was touched last (its status changed), then the others in reverse order of opening.
      expect(ids(conversations)).to.deep.equal([t.b2.id, t.a2.id, t.b1.id, t.a1.id]);
      const times = conversations.map((c) => Date.parse(c.updatedAt));
      expect(times).to.deep.equal([...times].sort((x, y) => y - x));
      for (const c of conversations) {
        const shop = c.shopId === shopA.id ? shopA : shopB;
        expect(c.shopName).to.equal(shop.name);
      }
      expect(conversations.map((c) => c.shopId)).to.deep.equal([shopB.id, shopA.id, shopB.id, shopA.id]);
    });

    it('masks contact data by the role in each row’s shop: contractor in B, agent in A', async () => {
      const { conversations } = await page();
      const a1 = conversations.find((c) => c.id === t.a1.id)!;
      const b1 = conversations.find((c) => c.id === t.b1.id)!;
      expect(a1.customer).to.include({ name: '鈴木 太郎', email: emailA });
      expect(b1.customer).to.include({ name: '山田 花子', email: 'h***@e***.jp' });
      const r = await me.get(MY_QUEUE);
      expect(r.text).not.to.include('hanako.yamada');
    });

    it('masks a widget customer of the contractor’s shop too, while the per-shop inbox agrees', async () => {
      const chat = await customerChat(server, shopB.id, { name: '佐藤 美咲', email: 'misaki.sato@example.jp' });
      try {
        const mine = (await page(`shopId=${shopB.id}`)).conversations.find((c) => c.id === chat.conversationId)!;
        expect(mine.customer).to.include({ name: '佐藤 美咲', email: 'm***@e***.jp' });
        const perShop = await me.get(`${conversationPath(shopB.id)}?limit=200`);
        const same = (perShop.body.conversations as Row[]).find((c) => c.id === chat.conversationId)!;
        expect(same.customer).to.deep.equal(mine.customer);
      } finally {
        chat.w.disconnect();
      }
    });

    it('narrows to one of my shops with shopId', async () => {
      const a = await page(`shopId=${shopA.id}`);
      expect(ids(a.conversations)).to.deep.equal([t.a2.id, t.a1.id]);
      expect(a.conversations.every((c) => c.shopId === shopA.id && c.shopName === shopA.name)).to.equal(true);
      const b = await page(`shopId=${shopB.id}&status=pending`);
      expect(ids(b.conversations)).to.deep.equal([t.b2.id]);
    });

    it('answers 404 for a shop I am not in, as for any foreign shop, and 400 for a malformed one', async () => {
      const foreign = await makeShop(server.database);
      await openTicket(await signedIn(server.url, foreign.people.agent), foreign.id);
      const r = await me.get(`${MY_QUEUE}?shopId=${foreign.id}`);
      expect(r.status, r.text).to.equal(404);
      expect(r.body.error.code).to.equal('not_found');
      expect(r.text).not.to.include(foreign.name);
      const all = await page('limit=200');
      expect(all.conversations.some((c) => c.shopId === foreign.id)).to.equal(false);
      const bad = await me.get(`${MY_QUEUE}?shopId=not-a-shop`);
      expect(bad.status).to.equal(400);
      expect(bad.body.error.code).to.equal('invalid_input');
    });

    it('filters by status across shops', async () => {
      expect(ids((await page('status=pending')).conversations)).to.deep.equal([t.b2.id]);
      const open = ids((await page('status=open')).conversations);
      expect(open).to.include.members([t.a1.id, t.a2.id, t.b1.id]);
      expect(open).not.to.include(t.b2.id);
    });

    it('pages with the cursor across shops, every conversation exactly once, in order', async () => {
      const all = ids((await page('limit=200')).conversations);
      expect(all.length).to.be.at.least(4);
      for (const limit of [1, 2, 3]) {
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const p: Page = await page(`limit=${limit}${cursor ? `&before=${cursor}` : ''}`);
          expect(p.conversations.length).to.be.at.most(limit);
          seen.push(...ids(p.conversations));
          cursor = p.next;
        } while (cursor);
        expect(seen, `limit=${limit}`).to.deep.equal(all);
      }
    });

    it('refuses bad filters with 400 invalid_input', async () => {
      for (const q of ['status=asleep', 'assignee=someone', 'limit=0', 'limit=201', 'before=bm90LWEtY3Vyc29y', 'colour=red', 'sla=late']) {
        const r = await me.get(`${MY_QUEUE}?${q}`);
        expect(r.status, q).to.equal(400);
        expect(r.body.error.code, q).to.equal('invalid_input');
      }
    });

    it('is for signed-in people only: an API key or no session is refused', async () => {
      const owner = await signedIn(server.url, shopA.people.owner);
      const key = await owner.post(`/api/shops/${shopA.id}/api-keys`, { name: '基幹システム連携' });
      expect(key.status, key.text).to.equal(201);
      const byKey = await new TestClient(server.url).withKey(key.body.key).get(MY_QUEUE);
      expect(byKey.status, byKey.text).to.be.oneOf([401, 403]);
      expect(byKey.text).not.to.include(t.a1.id);
      const anonymous = await new TestClient(server.url).get(MY_QUEUE);
      expect(anonymous.status).to.equal(401);
    });
  });
}

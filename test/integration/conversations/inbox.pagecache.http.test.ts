import { expect } from 'chai';
import { sql } from 'drizzle-orm';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { countStatements, driverClient } from '../../helpers/db.ts';
import { dbKinds } from '../../helpers/env.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { aConversation, aCustomer } from '../../fixtures/queue-rows.ts';

/**
 * The console's inbox over HTTP with pages kept: a page read again costs the request its
 * session's read alone, which also says whether anything the page shows changed; a change
 * committed meanwhile is shown, and who may see the page is as of the request.
 */
type Page = { conversations: Array<{ id: string; subject: string | null; customer: { email: string | null } }> };

for (const kind of dbKinds) {
  describe(`[${kind}] the console's inbox, kept pages over HTTP`, function () {
    this.timeout(60_000);
    let server: TestServer;
    let shop: TestShop;
    let conversationId: string;
    const path = () => `/api/shops/${shop.id}/conversations?limit=20`;

    before(async () => {
      server = await startServer(kind);
      shop = await makeShop(server.database);
      const customer = await aCustomer(server.database.db, shop.id, { name: '山田 花子', email: 'hanako@example.jp' });
      conversationId = (await aConversation(server.database.db, shop.id, customer.id)).id;
    });
    after(() => server.close());

    it("answers a page read again with the session's read as its only statement, and shows a change committed since", async () => {
      const agent = await signedIn(server.url, shop.people.agent);
      const first = await agent.get(path());
      expect(first.status).to.equal(200);
      const sent: string[] = [];
      const restore = countStatements(driverClient(server.database), sent);
      let again;
      try {
        again = await agent.get(path());
      } finally {
        restore();
      }
      expect(again.status).to.equal(200);
      expect(again.body).to.deep.equal(first.body);
      expect(again.headers.get('content-type')).to.equal('application/json; charset=utf-8');
      // The request's own (the server's jobs may send theirs meanwhile, on the same pool).
      const mine = sent.filter((t) => /from sessions|inbox_changes|from conversations/.test(t));
      expect(mine, mine.join('\n')).to.have.length(1);
      expect(mine[0]).to.match(/from sessions s/).and.match(/inbox_changes/);

      await server.database.db.execute(sql`update conversations set subject = '返品の件' where id = ${conversationId}`);
      const after = (await agent.get(path())).body as Page;
      expect(after.conversations.find((c) => c.id === conversationId)!.subject).to.equal('返品の件');
    });

    it('masks what a contractor may not see, and refuses one who left the shop though their page is kept', async () => {
      const contractor = await signedIn(server.url, shop.people.contractor);
      const masked = (await contractor.get(path())).body as Page;
      expect(masked.conversations[0]!.customer.email).to.not.equal('hanako@example.jp');
      const agent = await signedIn(server.url, shop.people.agent);
      expect(((await agent.get(path())).body as Page).conversations[0]!.customer.email).to.equal('hanako@example.jp');
      expect((await contractor.get(path())).body).to.deep.equal(masked);

      await server.database.db.execute(sql`delete from memberships where shop_id = ${shop.id} and user_id = ${shop.people.contractor.id}`);
      const gone = await contractor.get(path());
      expect(gone.status).to.equal(404);
      expect(JSON.stringify(gone.body)).to.not.include('山田');
    });

    it("answers all my shops read again with the session's read as its only statement, for all of them or one, and refuses a shop not theirs", async () => {
      const other = await makeShop(server.database);
      const agent = await signedIn(server.url, other.people.agent);
      await server.database.db.execute(sql`insert into memberships (shop_id, user_id, role) values (${shop.id}, ${other.people.agent.id}, 'contractor')`);
      const inOther = (await aConversation(server.database.db, other.id, (await aCustomer(server.database.db, other.id)).id)).id;
      for (const query of ['', `&shopId=${shop.id.toUpperCase()}`]) {
        const mine = `/api/me/conversations?limit=20${query}`;
        const first = await agent.get(mine);
        expect(first.status).to.equal(200);
        const sent: string[] = [];
        const restore = countStatements(driverClient(server.database), sent);
        let again;
        try {
          again = await agent.get(mine);
        } finally {
          restore();
        }
        expect(again.status).to.equal(200);
        expect(again.body).to.deep.equal(first.body);
        const own = sent.filter((t) => /from sessions|inbox_changes|from conversations|from memberships/.test(t));
        expect(own, own.join('\n')).to.have.length(1);
        expect(own[0]).to.match(/from sessions s/).and.match(/"mine:tag"/);
      }
      await server.database.db.execute(sql`update conversations set subject = '別の店の件' where id = ${inOther}`);
      const all = (await agent.get('/api/me/conversations?limit=20')).body as Page;
      expect(all.conversations.find((c) => c.id === inOther)!.subject).to.equal('別の店の件');
      // A contractor there: masked.
      expect(all.conversations.find((c) => c.id === conversationId)!.customer.email).to.not.equal('hanako@example.jp');
      // Their role in the shop asked for is read at each request, the page kept or not: its agent, then a contractor again.
      const one = `/api/me/conversations?limit=20&shopId=${shop.id}`;
      const emailIn = async () => ((await agent.get(one)).body as Page).conversations.find((c) => c.id === conversationId)!.customer.email;
      expect(await emailIn()).to.not.equal('hanako@example.jp');
      for (const [role, shown] of [['agent', true], ['contractor', false]] as const) {
        await server.database.db.execute(sql`update memberships set role = ${role} where shop_id = ${shop.id} and user_id = ${other.people.agent.id}`);
        expect(await emailIn() === 'hanako@example.jp', role).to.equal(shown);
      }
      // A search, a later page and the SLA filter are never kept: the session is read alone, without the check.
      const cursor = ((await agent.get('/api/me/conversations?limit=1')).body as { next: string }).next;
      for (const query of ['q=件', `before=${encodeURIComponent(cursor)}`, 'sla=breached']) {
        const sent: string[] = [];
        const restore = countStatements(driverClient(server.database), sent);
        try {
          expect((await agent.get(`/api/me/conversations?${query}`)).status, query).to.equal(200);
        } finally {
          restore();
        }
        const sessions = sent.filter((t) => /from sessions s/.test(t));
        expect(sessions, query).to.have.length(1);
        expect(sessions[0], query).to.not.match(/"mine:tag"/);
      }
      // Another person's session is never answered this one's kept page.
      const owner = await signedIn(server.url, shop.people.owner);
      const theirs = (await owner.get('/api/me/conversations?limit=20')).body as Page;
      expect(theirs.conversations.map((c) => c.id)).to.include(conversationId).and.not.include(inOther);
      const notTheirs = await makeShop(server.database);
      for (const query of [`?shopId=${notTheirs.id}`, '?shopId=not-a-uuid', `?shopId=${shop.id}&shopId=${other.id}`]) {
        const r = await agent.get(`/api/me/conversations${query}`);
        expect(r.status, query).to.equal(query.includes(notTheirs.id) ? 404 : 400);
      }
    });
  });
}

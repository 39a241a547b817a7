import { expect } from 'chai';
import { startServer, type TestServer } from '../../helpers/app.ts';
import type { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import { agentClient, connected, waitFor } from '../../helpers/sockets.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { conversationPath, customerChat, customerSays, openTicket } from './queue.helpers.ts';

type Row = { id: string; number: number; customer: { name: string; email: string | null } };

for (const kind of dbKinds) {
  describe(`[${kind}] the inbox: filters, paging and what contractors see`, () => {
    let server: TestServer;

    before(async () => {
      server = await startServer(kind);
    });
    after(() => server.close());

    describe('filters and paging', () => {
      let shop: TestShop;
      let agent: TestClient;
      const t: Record<'searched' | 'mine' | 'done', Row> = {} as never;

      before(async () => {
        // A shop of its own, with nobody connected, so nothing is auto-assigned behind the test's back.
        shop = await makeShop(server.database);
        agent = await signedIn(server.url, shop.people.agent);
        t.searched = (await openTicket(agent, shop.id, { name: '検索 太郎', tags: ['返品'], priority: 'urgent' })).body;
        t.mine = (await openTicket(agent, shop.id, { tags: ['配送'] })).body;
        t.done = (await openTicket(agent, shop.id)).body;
        expect((await agent.patch(conversationPath(shop.id, t.mine.id), { assigneeId: shop.people.agent.id, status: 'pending' })).status).to.equal(200);
        expect((await agent.patch(conversationPath(shop.id, t.done.id), { status: 'resolved' })).status).to.equal(200);
      });

      const ids = async (query: string) => {
        const r = await agent.get(`${conversationPath(shop.id)}?${query}`);
        expect(r.status, `${query}: ${r.text}`).to.equal(200);
        return (r.body.conversations as Row[]).map((c) => c.id).sort();
      };
      const sorted = (...rows: Row[]) => rows.map((r) => r.id).sort();

      it('filters by status, and "active" means open, pending or waiting on the merchant', async () => {
        expect(await ids('status=pending')).to.deep.equal(sorted(t.mine));
        expect(await ids('status=resolved')).to.deep.equal(sorted(t.done));
        expect(await ids('status=active')).to.deep.equal(sorted(t.searched, t.mine));
      });

      it('filters by assignee: me, none, or a person', async () => {
        expect(await ids('assignee=me')).to.deep.equal(sorted(t.mine));
        expect(await ids('assignee=none')).to.deep.equal(sorted(t.searched, t.done));
        expect(await ids(`assignee=${shop.people.agent.id}`)).to.deep.equal(sorted(t.mine));
        expect(await ids(`assignee=${shop.people.staff.id}`)).to.deep.equal([]);
      });

      it('filters by tag and by priority', async () => {
        expect(await ids(`tag=${encodeURIComponent('返品')}`)).to.deep.equal(sorted(t.searched));
        expect(await ids('priority=urgent')).to.deep.equal(sorted(t.searched));
        expect(await ids('priority=low')).to.deep.equal([]);
      });

      it("searches by conversation number (with or without #) and by the customer's name", async () => {
        expect(await ids(`q=${encodeURIComponent(`#${t.searched.number}`)}`)).to.deep.equal(sorted(t.searched));
        expect(await ids(`q=${t.mine.number}`)).to.deep.equal(sorted(t.mine));
        expect(await ids(`q=${encodeURIComponent('検索')}`)).to.deep.equal(sorted(t.searched));
        expect(await ids(`q=${encodeURIComponent('100%_')}`)).to.deep.equal([]);
      });

      it('pages with a cursor, newest activity first, each conversation exactly once', async () => {
        const all = (await agent.get(`${conversationPath(shop.id)}?limit=200`)).body.conversations.map((c: Row) => c.id);
        expect(all).to.have.length(3);
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const r: { body: { conversations: Row[]; next: string | null } } = await agent.get(`${conversationPath(shop.id)}?limit=2${cursor ? `&before=${cursor}` : ''}`);
          expect(r.body.conversations.length).to.be.at.most(2);
          seen.push(...r.body.conversations.map((c: Row) => c.id));
          cursor = r.body.next;
        } while (cursor);
        expect(seen).to.deep.equal(all);
      });

      it('refuses unknown filters, a foreign cursor and out-of-range limits with 400', async () => {
        for (const q of ['status=asleep', 'assignee=someone', 'limit=0', 'limit=201', 'before=bm90LWEtY3Vyc29y', 'colour=red', 'sla=late']) {
          const r = await agent.get(`${conversationPath(shop.id)}?${q}`);
          expect(r.status, q).to.equal(400);
          expect(r.body.error.code, q).to.equal('invalid_input');
        }
      });
    });

    describe("contractors and customers' contact data", () => {
      it('masks the customer email for contractors in the list and one conversation; agents get it in full', async () => {
        const shop = await makeShop(server.database);
        const [agent, contractor] = await Promise.all([signedIn(server.url, shop.people.agent), signedIn(server.url, shop.people.contractor)]);
        const email = 'hanako.yamada@example.jp';
        const ticket = (await openTicket(agent, shop.id, { name: '山田 花子', email })).body as Row;
        expect(ticket.customer.email).to.equal(email);
        const one = await contractor.get(conversationPath(shop.id, ticket.id));
        expect(one.body.customer).to.include({ name: '山田 花子', email: 'h***@e***.jp' });
        const list = await contractor.get(conversationPath(shop.id));
        expect(list.body.conversations[0].customer.email).to.equal('h***@e***.jp');
        expect(JSON.stringify(list.body)).not.to.include('hanako.yamada');
        expect((await agent.get(conversationPath(shop.id, ticket.id))).body.customer.email).to.equal(email);
      });

      it('sends conversation:updated masked to a contractor’s socket and in full to an agent’s', async () => {
        const shop = await makeShop(server.database);
        const [agent, contractor] = await Promise.all([signedIn(server.url, shop.people.agent), signedIn(server.url, shop.people.contractor)]);
        const agentSocket = agentClient(server.url, shop.id, agent.cookie);
        const contractorSocket = agentClient(server.url, shop.id, contractor.cookie);
        await Promise.all([connected(agentSocket), connected(contractorSocket)]);
        const email = `masked-${Date.now()}@example.jp`;
        const ticket = (await openTicket(agent, shop.id, { email })).body as Row;
        const forContractor = waitFor(contractorSocket, 'conversation:updated', (c: Row & { priority: string }) => c.id === ticket.id && c.priority === 'high');
        const forAgent = waitFor(agentSocket, 'conversation:updated', (c: Row & { priority: string }) => c.id === ticket.id && c.priority === 'high');
        await agent.patch(conversationPath(shop.id, ticket.id), { priority: 'high' });
        expect((await forContractor).customer.email).to.equal('m***@e***.jp');
        expect((await forAgent).customer.email).to.equal(email);
        agentSocket.disconnect();
        contractorSocket.disconnect();
      });

      it("moves the inbox rows of busy conversations live: each customer message sends its row's preview and last sequence number", async () => {
        const shop = await makeShop(server.database);
        const agent = await signedIn(server.url, shop.people.agent);
        const agentSocket = agentClient(server.url, shop.id, agent.cookie);
        await connected(agentSocket);
        const [a, b] = [await customerChat(server, shop.id), await customerChat(server, shop.id)];
        type Live = { id: string; lastMessagePreview?: string; lastSeq: number };
        const rowOf = async (id: string, preview: string) => {
          const rows = await waitFor(agentSocket, 'conversation:activity', (rs: Live[]) => rs.some((c) => c.id === id && c.lastMessagePreview === preview));
          return rows.find((c) => c.id === id);
        };
        const seen = [rowOf(a.conversationId, 'Aの二通目'), rowOf(b.conversationId, 'Bの一通目')];
        // Two conversations in the same moment: both rows arrive, each with its latest message.
        await Promise.all([customerSays(a, 'Aの一通目').then(() => customerSays(a, 'Aの二通目')), customerSays(b, 'Bの一通目')]);
        const [rowA, rowB] = await Promise.all(seen);
        expect([rowA!.lastSeq, rowB!.lastSeq]).to.deep.equal([2, 1]);
        agentSocket.disconnect();
        a.w.disconnect();
        b.w.disconnect();
      });
    });
  });
}

import { expect } from 'chai';
import { and, eq, isNull } from 'drizzle-orm';
import { mentions, messages } from '../../../server/domains/conversations/conversations.tables.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import type { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import { agentClient, ask, cid, connected, waitFor, type AgentSocket } from '../../helpers/sockets.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { conversationPath, openTicket } from './queue.helpers.ts';

for (const kind of dbKinds) {
  describe(`[${kind}] @mentions in internal notes`, () => {
    let server: TestServer;
    let shop: TestShop;
    let agent: TestClient;
    let staffSocket: AgentSocket;
    let conversationId: string;
    let number: number;

    before(async () => {
      server = await startServer(kind);
      shop = await makeShop(server.database);
      agent = await signedIn(server.url, shop.people.agent);
      staffSocket = agentClient(server.url, shop.id, (await signedIn(server.url, shop.people.staff)).cookie);
      await connected(staffSocket);
    });
    beforeEach(async () => {
      const t = await openTicket(agent, shop.id);
      conversationId = t.body.id;
      number = t.body.number;
    });
    after(async () => {
      staffSocket.disconnect();
      await server.close();
    });

    const post = (body: Record<string, unknown>) => agent.post(`${conversationPath(shop.id, conversationId)}/messages`, { clientId: cid(), ...body });
    const mentionsOf = (id: string) => server.database.db.select().from(mentions).where(eq(mentions.conversationId, id));
    /** Messages people wrote: the auto-assigner's status event (staff is online) is not one. */
    const peopleMessagesOf = async (id: string) => (await server.database.db.select().from(messages).where(and(eq(messages.conversationId, id), isNull(messages.statusEvent)))).length;

    it("notifies the mentioned person's console with the author and an excerpt of the note", async () => {
      const body = `@staff 返金の承認をお願いします。${'詳細'.repeat(100)}`;
      const heard = waitFor<{ conversationId: string; excerpt: string }>(staffSocket, 'mention', (m) => m.conversationId === conversationId);
      const r = await post({ kind: 'note', body, mentions: [shop.people.staff.id, shop.people.staff.id] });
      expect(r.status, r.text).to.equal(201);
      const m = await heard;
      expect(m).to.deep.include({ shopId: shop.id, conversationId, number, messageId: r.body.message.id, by: shop.people.agent.name });
      expect(m.excerpt).to.equal(body.slice(0, 140));
      const stored = await mentionsOf(conversationId);
      expect(stored.map((s) => s.userId)).to.deep.equal([shop.people.staff.id]);
    });

    it('works from the console socket too', async () => {
      const agentSocket = agentClient(server.url, shop.id, agent.cookie);
      await connected(agentSocket);
      const heard = waitFor<{ conversationId: string; excerpt: string }>(staffSocket, 'mention', (m) => m.conversationId === conversationId);
      const r = await ask(agentSocket, 'message:send', { conversationId, clientId: cid(), body: '確認してください', kind: 'note', mentions: [shop.people.staff.id] });
      expect(r.ok, JSON.stringify(r)).to.equal(true);
      expect((await heard).excerpt).to.equal('確認してください');
      agentSocket.disconnect();
    });

    it('refuses a mention of someone outside the shop (invalid_input) and stores neither note nor mention', async () => {
      const outsider = (await makeShop(server.database)).people.staff;
      const r = await post({ kind: 'note', body: '外部の人へ', mentions: [shop.people.staff.id, outsider.id] });
      expect(r.status).to.equal(400);
      expect(r.body.error.code).to.equal('invalid_input');
      expect(r.body.error.details).to.deep.equal({ unknown: [outsider.id] });
      expect(await peopleMessagesOf(conversationId), 'only the ticket’s first message').to.equal(1);
      expect(await mentionsOf(conversationId)).to.deep.equal([]);
    });

    it('refuses mentions in a reply the customer would read (invalid_input), storing nothing', async () => {
      const r = await post({ kind: 'text', body: 'お客様への返信', mentions: [shop.people.staff.id] });
      expect(r.status).to.equal(400);
      expect(r.body.error.code).to.equal('invalid_input');
      expect(r.body.error.message).to.match(/internal notes/);
      const viaSocket = await ask(staffSocket, 'message:send', { conversationId, clientId: cid(), body: 'お客様への返信', mentions: [shop.people.agent.id] });
      expect(viaSocket.error).to.equal('invalid_input');
      expect(await peopleMessagesOf(conversationId), 'only the ticket’s first message').to.equal(1);
      expect(await mentionsOf(conversationId)).to.deep.equal([]);
    });
  });
}

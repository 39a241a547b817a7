import { expect } from 'chai';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import { ask, cid } from '../../helpers/sockets.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { conversationPath, customerChat, customerSays, openTicket, storedConversation } from './queue.helpers.ts';

for (const kind of dbKinds) {
  describe(`[${kind}] the ticket queue: tickets by API, merging, and other shops`, () => {
    let server: TestServer;
    let shop: TestShop;
    let owner: TestClient;
    let agent: TestClient;
    let platform: TestClient;

    before(async () => {
      server = await startServer(kind);
      shop = await makeShop(server.database);
      [owner, agent] = await Promise.all([signedIn(server.url, shop.people.owner), signedIn(server.url, shop.people.agent)]);
      const key = await owner.post(`/api/shops/${shop.id}/api-keys`, { name: '基幹システム連携' });
      expect(key.status, key.text).to.equal(201);
      platform = new TestClient(server.url).withKey(key.body.key);
    });
    after(() => server.close());

    const messagesOf = async (id: string) => (await agent.get(`${conversationPath(shop.id, id)}/messages`)).body.messages as Array<{ seq: number; body: string; authorKind: string }>;

    describe('tickets opened by the shop’s systems', () => {
      it("opens a ticket with the customer's first message, waiting for an agent, and audits it as the API key", async () => {
        const r = await openTicket(platform, shop.id, { name: '佐藤 一郎', subject: '配送について', tags: ['配送', '配送'], priority: 'high', body: '届いた箱が潰れていました' });
        expect(r.status, r.text).to.equal(201);
        expect(r.body).to.deep.include({ channel: 'api', status: 'open', subject: '配送について', priority: 'high', tags: ['配送'], lastSeq: 1, awaitingAssignment: true, assignee: null });
        expect(r.body.customer.name).to.equal('佐藤 一郎');
        expect(r.body.lastMessagePreview).to.equal('届いた箱が潰れていました');
        const msgs = await messagesOf(r.body.id);
        expect(msgs.map((m) => [m.seq, m.authorKind, m.body])).to.deep.equal([[1, 'customer', '届いた箱が潰れていました']]);
        const audit = await owner.get(`/api/shops/${shop.id}/audit?objectId=${r.body.id}`);
        expect(audit.body.events.map((e: { action: string; actorType: string }) => [e.action, e.actorType])).to.deep.equal([['conversation.created', 'api_key']]);
      });

      it('finds the same customer again by the shop’s external id, and by email without one', async () => {
        const externalId = `cust-${cid().slice(0, 8)}`;
        const a = await openTicket(platform, shop.id, { externalId, email: 'same-ext@example.jp' });
        const b = await openTicket(platform, shop.id, { externalId, email: 'same-ext@example.jp', name: '佐藤 一郎 (改名)' });
        expect(b.body.customer.id).to.equal(a.body.customer.id);
        expect(b.body.customer.name).to.equal('佐藤 一郎 (改名)');
        expect(b.body.number).to.equal(a.body.number + 1);
        const email = `by-mail-${cid().slice(0, 8)}@example.jp`;
        const c = await openTicket(platform, shop.id, { email });
        const d = await openTicket(platform, shop.id, { email: email.toUpperCase() });
        expect(d.body.customer.id).to.equal(c.body.customer.id);
      });

      it('refuses a ticket without a first message or with a malformed one (400) and stores nothing', async () => {
        const before = (await owner.get(`${conversationPath(shop.id)}?limit=200`)).body.conversations.length;
        const noMessage = await platform.post(conversationPath(shop.id), { customer: { name: '佐藤', email: 'x@example.jp' } });
        expect(noMessage.status).to.equal(400);
        const badEmail = await openTicket(platform, shop.id, { email: 'not-an-email' });
        expect(badEmail.status).to.equal(400);
        expect((await owner.get(`${conversationPath(shop.id)}?limit=200`)).body.conversations.length).to.equal(before);
      });
    });

    describe('merging', () => {
      it("appends the source's messages to the target in order with new sequence numbers and closes the source, pointing at the target", async () => {
        const chat = await customerChat(server, shop.id);
        await customerSays(chat, '一通目');
        await customerSays(chat, '二通目');
        const ticket = await openTicket(agent, shop.id, { email: chat.email, body: 'チケットの最初' });
        expect(ticket.body.customer.id).to.equal(chat.customer.customer.id);
        const r = await agent.post(`${conversationPath(shop.id, ticket.body.id)}/merge`, { sourceId: chat.conversationId });
        expect(r.status, r.text).to.equal(200);
        expect(r.body.lastSeq).to.equal(3);
        expect((await messagesOf(ticket.body.id)).map((m) => [m.seq, m.body])).to.deep.equal([
          [1, 'チケットの最初'],
          [2, '一通目'],
          [3, '二通目'],
        ]);
        const source = await agent.get(conversationPath(shop.id, chat.conversationId));
        expect(source.body).to.include({ status: 'closed', mergedIntoId: ticket.body.id, lastSeq: 2 });
        expect(await messagesOf(chat.conversationId)).to.deep.equal([]);
        const inbox = await agent.get(`${conversationPath(shop.id)}?limit=200`);
        expect(inbox.body.conversations.map((c: { id: string }) => c.id)).not.to.include(chat.conversationId);
        const audit = await owner.get(`/api/shops/${shop.id}/audit?objectId=${ticket.body.id}&action=conversation.merged`);
        expect(audit.body.events).to.have.length(1);
        chat.w.disconnect();
      });

      it('sending to a merged conversation answers conflict with mergedIntoId, from the widget and from the console', async () => {
        const chat = await customerChat(server, shop.id);
        await customerSays(chat, '最初');
        const ticket = await openTicket(agent, shop.id, { email: chat.email });
        await agent.post(`${conversationPath(shop.id, ticket.body.id)}/merge`, { sourceId: chat.conversationId });
        const fromWidget = await ask(chat.w, 'message:send', { conversationId: chat.conversationId, clientId: cid(), body: 'まだですか' });
        expect(fromWidget).to.deep.include({ error: 'conflict', details: { mergedIntoId: ticket.body.id } });
        const fromConsole = await agent.post(`${conversationPath(shop.id, chat.conversationId)}/messages`, { clientId: cid(), body: '返信' });
        expect(fromConsole.status).to.equal(409);
        expect(fromConsole.body.error.details).to.deep.equal({ mergedIntoId: ticket.body.id });
        const change = await agent.patch(conversationPath(shop.id, chat.conversationId), { status: 'open' });
        expect(change.status).to.equal(409);
        expect((await storedConversation(server.database.db, shop.id, ticket.body.id)).lastSeq).to.equal(2);
        chat.w.disconnect();
      });

      it("refuses to merge conversations of different customers (400), or one into itself, and moves nothing", async () => {
        const a = await openTicket(agent, shop.id, { body: 'A の問い合わせ' });
        const b = await openTicket(agent, shop.id, { body: 'B の問い合わせ' });
        const r = await agent.post(`${conversationPath(shop.id, a.body.id)}/merge`, { sourceId: b.body.id });
        expect(r.status).to.equal(400);
        expect(r.body.error.code).to.equal('invalid_input');
        const self = await agent.post(`${conversationPath(shop.id, a.body.id)}/merge`, { sourceId: a.body.id });
        expect(self.status).to.equal(400);
        expect((await messagesOf(a.body.id)).map((m) => m.body)).to.deep.equal(['A の問い合わせ']);
        expect((await storedConversation(server.database.db, shop.id, b.body.id))).to.include({ status: 'open', mergedIntoId: null });
      });
    });

    describe("another shop's conversations", () => {
      it('answers 404 everywhere for a conversation of another shop, and changes nothing in it', async () => {
        const other = await makeShop(server.database);
        const otherOwner = await signedIn(server.url, other.people.owner);
        const theirs = await openTicket(otherOwner, other.id, { body: '他店の問い合わせ' });
        const mine = await openTicket(agent, shop.id);
        const id = theirs.body.id as string;
        const answers = await Promise.all([
          agent.get(conversationPath(shop.id, id)),
          agent.patch(conversationPath(shop.id, id), { status: 'resolved' }),
          agent.get(`${conversationPath(shop.id, id)}/messages`),
          agent.post(`${conversationPath(shop.id, id)}/messages`, { clientId: cid(), body: 'のぞき' }),
          agent.post(`${conversationPath(shop.id, mine.body.id)}/merge`, { sourceId: id }),
          agent.post(`${conversationPath(shop.id, id)}/merge`, { sourceId: mine.body.id }),
          agent.get(conversationPath(other.id, id)),
          agent.get(conversationPath(other.id)),
          platform.get(conversationPath(other.id, id)),
          platform.patch(conversationPath(shop.id, id), { priority: 'low' }),
        ]);
        expect(answers.map((a) => a.status)).to.deep.equal(Array(answers.length).fill(404));
        expect(await storedConversation(server.database.db, other.id, id)).to.include({ status: 'open', priority: 'normal', lastSeq: 1 });
        expect((await storedConversation(server.database.db, shop.id, mine.body.id)).lastSeq).to.equal(1);
      });

      it("merging with another shop's conversation is 404 and leaves ours alone, whichever id sorts first", async () => {
        const other = await makeShop(server.database);
        const otherOwner = await signedIn(server.url, other.people.owner);
        const mine = (await openTicket(agent, shop.id)).body.id as string;
        // The merge locks in id order; a foreign id sorting before ours once made ours merge into itself.
        const foreign: { lower?: string; higher?: string } = {};
        while (!foreign.lower || !foreign.higher) {
          const id = (await openTicket(otherOwner, other.id)).body.id as string;
          foreign[id < mine ? 'lower' : 'higher'] ??= id;
        }
        for (const id of [foreign.lower, foreign.higher]) {
          expect((await agent.post(`${conversationPath(shop.id, mine)}/merge`, { sourceId: id })).status).to.equal(404);
          expect((await agent.post(`${conversationPath(shop.id, id)}/merge`, { sourceId: mine })).status).to.equal(404);
        }
        expect(await storedConversation(server.database.db, shop.id, mine)).to.include({ status: 'open', mergedIntoId: null, lastSeq: 1 });
      });
    });
  });
}

import { expect } from 'chai';
import { startServer, type TestServer } from '../../helpers/app.ts';
import type { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import { eventually } from '../../helpers/eventually.ts';
import { ask, cid } from '../../helpers/sockets.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { conversationPath, customerChat, customerSays, nextJobResult, storedConversation } from './queue.helpers.ts';

for (const kind of dbKinds) {
  describe(`[${kind}] the ticket queue: status, fields and snooze over HTTP`, () => {
    let server: TestServer;
    let shop: TestShop;
    let agent: TestClient;
    let staff: TestClient;
    let owner: TestClient;

    before(async () => {
      server = await startServer(kind);
      shop = await makeShop(server.database);
      [agent, staff, owner] = await Promise.all([signedIn(server.url, shop.people.agent), signedIn(server.url, shop.people.staff), signedIn(server.url, shop.people.owner)]);
    });
    after(() => server.close());

    const patch = (id: string, body: unknown, as: TestClient = agent) => as.patch(conversationPath(shop.id, id), body);

    it('moves a conversation along the allowed moves: open → pending → waiting_merchant → open → resolved → open → closed', async () => {
      const { w, conversationId } = await customerChat(server, shop.id);
      for (const status of ['pending', 'waiting_merchant', 'open', 'resolved', 'open', 'closed'] as const) {
        const r = await patch(conversationId, { status });
        expect(r.status, `${status}: ${r.text}`).to.equal(200);
        expect(r.body.status).to.equal(status);
        expect(r.body.resolvedAt === null, status).to.equal(status !== 'resolved');
      }
      w.disconnect();
    });

    it('refuses a move the machine does not allow with 409 invalid_transition and leaves the status as it was', async () => {
      const { w, conversationId } = await customerChat(server, shop.id);
      await patch(conversationId, { status: 'resolved' });
      const r = await patch(conversationId, { status: 'pending' });
      expect(r.status).to.equal(409);
      expect(r.body.error.code).to.equal('invalid_transition');
      expect(r.body.error.details).to.include({ from: 'resolved', to: 'pending' });
      expect((await storedConversation(server.database.db, shop.id, conversationId)).status).to.equal('resolved');
      await patch(conversationId, { status: 'closed' });
      const reopen = await patch(conversationId, { status: 'open' });
      expect(reopen.status).to.equal(409);
      expect(reopen.body.error.code).to.equal('invalid_transition');
      w.disconnect();
    });

    it('when two agents resolve the same conversation at once with expectedStatus, one gets 200 and the other 409', async () => {
      const { w, conversationId } = await customerChat(server, shop.id);
      const answers = await Promise.all([agent, staff].map((c) => patch(conversationId, { status: 'resolved', expectedStatus: 'open' }, c)));
      expect(answers.map((a) => a.status).sort()).to.deep.equal([200, 409]);
      const loser = answers.find((a) => a.status === 409)!;
      expect(loser.body.error.code).to.equal('conflict');
      expect(loser.body.error.details).to.deep.equal({ status: 'resolved' });
      w.disconnect();
    });

    it('sets priority, tags (without duplicates) and the assignee, and clears the assignee with null', async () => {
      const { w, conversationId } = await customerChat(server, shop.id);
      const r = await patch(conversationId, { priority: 'urgent', tags: ['返品', '至急', '返品'], assigneeId: shop.people.staff.id });
      expect(r.status, r.text).to.equal(200);
      expect(r.body).to.deep.include({ priority: 'urgent', tags: ['返品', '至急'], assignee: { id: shop.people.staff.id, name: shop.people.staff.name }, awaitingAssignment: false });
      const cleared = await patch(conversationId, { assigneeId: null });
      expect(cleared.body.assignee).to.equal(null);
      w.disconnect();
    });

    it('refuses an assignee who is not a member of the shop (400, field named) and bad bodies, changing nothing', async () => {
      const { w, conversationId } = await customerChat(server, shop.id);
      const outsider = (await makeShop(server.database)).people.agent;
      const r = await patch(conversationId, { assigneeId: outsider.id, priority: 'high' });
      expect(r.status).to.equal(400);
      expect(r.body.error.details.map((d: { path: string }) => d.path)).to.include('assigneeId');
      for (const body of [{}, { expectedStatus: 'open' }, { status: 'snoozed' }, { snoozedUntil: new Date(Date.now() + 60_000).toISOString() }, { priority: 'asap' }, { tags: ['two words'] }]) {
        const bad = await patch(conversationId, body);
        expect(bad.status, JSON.stringify(body)).to.equal(400);
        expect(bad.body.error.code).to.equal('invalid_input');
      }
      const past = await patch(conversationId, { status: 'snoozed', snoozedUntil: new Date(Date.now() - 1000).toISOString() });
      expect(past.status).to.equal(400);
      const row = await storedConversation(server.database.db, shop.id, conversationId);
      expect(row).to.include({ status: 'open', priority: 'normal', assigneeId: null });
      w.disconnect();
    });

    it('snoozes until a time, and the timer (outbox → BullMQ → worker) wakes it to open', async function () {
      this.timeout(20_000);
      const { w, conversationId } = await customerChat(server, shop.id);
      const until = new Date(Date.now() + 1500).toISOString();
      const r = await patch(conversationId, { status: 'snoozed', snoozedUntil: until });
      expect(r.status, r.text).to.equal(200);
      expect(r.body).to.include({ status: 'snoozed', snoozedUntil: until });
      const woke = await eventually(async () => {
        const row = await storedConversation(server.database.db, shop.id, conversationId);
        return row.status === 'open' && row;
      }, 'the snooze timer to reopen the conversation', 15_000, 100);
      expect(woke.snoozedUntil).to.equal(null);
      w.disconnect();
    });

    it('a snooze someone ended by hand is not woken again by its stale timer', async function () {
      this.timeout(20_000);
      const { w, conversationId } = await customerChat(server, shop.id);
      // The timer still runs after the snooze is ended; it must see that and do nothing.
      const ran = nextJobResult(server, 'conversation.unsnooze', (d) => d.conversationId === conversationId);
      await patch(conversationId, { status: 'snoozed', snoozedUntil: new Date(Date.now() + 1000).toISOString() });
      await patch(conversationId, { status: 'pending' });
      expect(await ran).to.equal(false);
      expect((await storedConversation(server.database.db, shop.id, conversationId)).status).to.equal('pending');
      w.disconnect();
    });

    for (const status of ['pending', 'snoozed', 'resolved'] as const) {
      it(`a customer message to a ${status} conversation reopens it`, async () => {
        const chat = await customerChat(server, shop.id);
        const body = status === 'snoozed' ? { status, snoozedUntil: new Date(Date.now() + 3_600_000).toISOString() } : { status };
        expect((await patch(chat.conversationId, body)).status).to.equal(200);
        await customerSays(chat, 'まだ届いていません');
        const row = await storedConversation(server.database.db, shop.id, chat.conversationId);
        expect(row).to.include({ status: 'open', snoozedUntil: null, resolvedAt: null });
        chat.w.disconnect();
      });
    }

    it('a customer message to a closed conversation is refused and not stored', async () => {
      const chat = await customerChat(server, shop.id);
      await patch(chat.conversationId, { status: 'closed' });
      const r = await ask(chat.w, 'message:send', { conversationId: chat.conversationId, clientId: cid(), body: 'もしもし' });
      expect(r.error).to.equal('invalid_transition');
      // Only the close's own status event (internal) is in the history.
      expect((await storedConversation(server.database.db, shop.id, chat.conversationId)).lastSeq).to.equal(1);
      chat.w.disconnect();
    });

    it('records every change in the audit trail as conversation.updated, with who made it and what changed', async () => {
      const { w, conversationId } = await customerChat(server, shop.id);
      await patch(conversationId, { status: 'pending', priority: 'high' }, staff);
      const audit = await owner.get(`/api/shops/${shop.id}/audit?objectId=${conversationId}&action=conversation.updated`);
      expect(audit.status).to.equal(200);
      const [event] = audit.body.events;
      expect(event).to.include({ actorType: 'user', actorId: shop.people.staff.id, objectType: 'conversation' });
      expect(event.summary).to.include({ from: 'open', status: 'pending', priority: 'high' });
      w.disconnect();
    });
  });
}

import { expect } from 'chai';
import { startServer, type TestServer } from '../../helpers/app.ts';
import type { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import { eventually } from '../../helpers/eventually.ts';
import { agentClient, connected, waitFor, type AgentSocket } from '../../helpers/sockets.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { conversationPath, customerChat, customerSays, storedConversation } from './queue.helpers.ts';

for (const kind of dbKinds) {
  describe(`[${kind}] the conversations of a person who leaves the shop`, () => {
    let server: TestServer;
    let shop: TestShop;
    let owner: TestClient;
    const open: Array<{ disconnect(): unknown }> = [];

    before(async () => {
      server = await startServer(kind);
    });
    after(() => server.close());
    beforeEach(async () => {
      shop = await makeShop(server.database);
      owner = await signedIn(server.url, shop.people.owner);
    });
    afterEach(() => {
      for (const s of open.splice(0)) s.disconnect();
    });

    /** A customer's chat, given to the agent by hand and moved to `status`. */
    async function heldByAgent(status?: 'pending' | 'snoozed' | 'resolved') {
      const c = await customerChat(server, shop.id);
      open.push(c.w);
      const patch = { assigneeId: shop.people.agent.id, ...(status === 'snoozed' ? { snoozedUntil: new Date(Date.now() + 3_600_000).toISOString(), status } : status ? { status } : {}) };
      const r = await owner.patch(conversationPath(shop.id, c.conversationId), patch);
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      return c.conversationId;
    }
    async function consoleOf(role: 'owner' | 'staff'): Promise<AgentSocket> {
      const s = agentClient(server.url, shop.id, (await signedIn(server.url, shop.people[role])).cookie);
      open.push(s);
      await connected(s);
      return s;
    }
    const row = (id: string) => storedConversation(server.database.db, shop.id, id);

    it('go back to the queue, unassigned and waiting, audited, and the inbox hears of it; resolved ones keep them as the record', async () => {
      const [active, pending, snoozed, resolved] = [await heldByAgent(), await heldByAgent('pending'), await heldByAgent('snoozed'), await heldByAgent('resolved')];
      // The owner's console: owners are never handed conversations, so nothing is auto-assigned here.
      const inbox = await consoleOf('owner');
      const heard = waitFor<{ id: string; assignee: unknown; awaitingAssignment: boolean }>(inbox, 'conversation:updated', (c) => c.id === active && c.assignee === null);
      expect((await owner.delete(`/api/shops/${shop.id}/members/${shop.people.agent.id}`)).status).to.equal(204);
      expect(await heard).to.include({ awaitingAssignment: true });
      for (const id of [active, pending, snoozed]) expect(await row(id)).to.include({ assigneeId: null, awaitingAssignment: true });
      expect(await row(resolved)).to.include({ assigneeId: shop.people.agent.id });
      const audit = await owner.get(`/api/shops/${shop.id}/audit?objectId=${active}`);
      expect(audit.body.events[0]).to.include({ action: 'conversation.updated', actorId: shop.people.owner.id });
      expect(audit.body.events[0].summary).to.include({ assigneeId: null, previousAssigneeId: shop.people.agent.id, reason: 'member_removed' });
      const removed = await owner.get(`/api/shops/${shop.id}/audit?objectId=${shop.people.agent.id}`);
      expect(removed.body.events[0].summary).to.deep.equal({ role: 'agent', conversationsReleased: 3 });
    });

    it('a resolved one whose customer writes again goes back to the queue, not to the person who left', async () => {
      const c = await customerChat(server, shop.id);
      open.push(c.w);
      expect((await owner.patch(conversationPath(shop.id, c.conversationId), { assigneeId: shop.people.agent.id, status: 'resolved' })).status).to.equal(200);
      expect((await owner.delete(`/api/shops/${shop.id}/members/${shop.people.agent.id}`)).status).to.equal(204);
      expect(await row(c.conversationId)).to.include({ status: 'resolved', assigneeId: shop.people.agent.id });
      await customerSays(c, 'もう一度お願いします');
      expect(await row(c.conversationId)).to.include({ status: 'open', assigneeId: null, awaitingAssignment: true });
    });

    it('a resolved one an agent reopens goes back to the queue, not to the person who left', async () => {
      const resolved = await heldByAgent('resolved');
      expect((await owner.delete(`/api/shops/${shop.id}/members/${shop.people.agent.id}`)).status).to.equal(204);
      const r = await owner.patch(conversationPath(shop.id, resolved), { status: 'open' });
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      expect(r.body).to.include({ assignee: null, awaitingAssignment: true });
      expect(await row(resolved)).to.include({ status: 'open', assigneeId: null, awaitingAssignment: true });
    });

    it('a resolved one of someone still in the shop reopens with them', async () => {
      const c = await customerChat(server, shop.id);
      open.push(c.w);
      expect((await owner.patch(conversationPath(shop.id, c.conversationId), { assigneeId: shop.people.agent.id, status: 'resolved' })).status).to.equal(200);
      await customerSays(c, 'もう一度お願いします');
      expect(await row(c.conversationId)).to.include({ status: 'open', assigneeId: shop.people.agent.id, awaitingAssignment: false });
    });

    it('are handed at once to someone online with room', async () => {
      const active = await heldByAgent();
      await consoleOf('staff');
      expect((await owner.delete(`/api/shops/${shop.id}/members/${shop.people.agent.id}`)).status).to.equal(204);
      const assignee = await eventually(() => row(active).then((r) => r.assigneeId ?? undefined), 'the released conversation to be assigned');
      expect(assignee).to.equal(shop.people.staff.id);
    });
  });
}

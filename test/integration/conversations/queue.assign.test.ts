import { expect } from 'chai';
import { and, eq, inArray } from 'drizzle-orm';
import { assignWaiting } from '../../../server/domains/conversations/conversations.assign.ts';
import { memberships } from '../../../server/domains/shops/shops.tables.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { dbKinds } from '../../helpers/env.ts';
import { eventually } from '../../helpers/eventually.ts';
import { agentClient, ask, connected, type AgentSocket } from '../../helpers/sockets.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';
import type { Role } from '../../../server/domains/shops/shops.tables.ts';
import { conversationPath, customerChat, storedConversation, type CustomerChat } from './queue.helpers.ts';

const queueRoles = ['staff', 'agent', 'contractor'] as const;

for (const kind of dbKinds) {
  describe(`[${kind}] assigning new chats to agents who are online`, () => {
    let server: TestServer;
    let shop: TestShop;
    let sockets: Partial<Record<Role, AgentSocket>>;
    let chats: CustomerChat[];

    before(async () => {
      server = await startServer(kind);
    });
    after(() => server.close());

    // Every test gets a shop of its own: assignment depends on who is online and how loaded they are.
    beforeEach(async () => {
      shop = await makeShop(server.database);
      sockets = {};
      chats = [];
    });
    afterEach(() => {
      for (const s of Object.values(sockets)) s.disconnect();
      for (const c of chats) c.w.disconnect();
    });

    async function online(...roles: Role[]) {
      for (const role of roles) {
        const http = await signedIn(server.url, shop.people[role]);
        sockets[role] = agentClient(server.url, shop.id, http.cookie);
        await connected(sockets[role]);
      }
    }
    async function newChat() {
      const c = await customerChat(server, shop.id);
      chats.push(c);
      return c.conversationId;
    }
    const assigneeOf = async (id: string) => (await storedConversation(server.database.db, shop.id, id)).assigneeId;
    const assigned = (id: string) => eventually(() => assigneeOf(id).then((a) => a ?? undefined), `conversation ${id} to be assigned`);
    /** Waits out any run in flight (runs take the shop's lock in turn) and answers what a fresh run assigns. */
    const settle = () => assignWaiting(server.app.chat, shop.id);
    const roleOf = (userId: string) => queueRoles.find((r) => shop.people[r].id === userId) ?? 'owner';

    it('hands new chats round-robin to the agents who are online, two each for six chats', async () => {
      await online('owner', ...queueRoles);
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) ids.push(await newChat());
      const owners = await Promise.all(ids.map(assigned));
      const counts = new Map<string, number>();
      for (const u of owners) counts.set(roleOf(u), (counts.get(roleOf(u)) ?? 0) + 1);
      expect(Object.fromEntries(counts)).to.deep.equal({ staff: 2, agent: 2, contractor: 2 });
    });

    it('respects capacity: when everyone is full the chat waits, and goes to whoever resolves one of theirs', async () => {
      await server.database.db
        .update(memberships)
        .set({ capacity: 1 })
        .where(and(eq(memberships.shopId, shop.id), inArray(memberships.role, [...queueRoles])));
      await online(...queueRoles);
      const first = [await newChat(), await newChat(), await newChat()];
      const holders = await Promise.all(first.map(assigned));
      expect(new Set(holders).size).to.equal(3);
      const waiting = await newChat();
      await settle();
      const row = await storedConversation(server.database.db, shop.id, waiting);
      expect(row).to.include({ assigneeId: null, awaitingAssignment: true });
      const inbox = await (await signedIn(server.url, shop.people.agent)).get(conversationPath(shop.id, waiting));
      expect(inbox.body).to.include({ awaitingAssignment: true, assignee: null });

      const agentsChat = first[holders.indexOf(shop.people.agent.id)]!;
      const agentHttp = await signedIn(server.url, shop.people.agent);
      expect((await agentHttp.patch(conversationPath(shop.id, agentsChat), { status: 'resolved' })).status).to.equal(200);
      expect(await assigned(waiting)).to.equal(shop.people.agent.id);
      expect((await storedConversation(server.database.db, shop.id, waiting)).awaitingAssignment).to.equal(false);
    });

    it('gives no new chats to an agent who set themselves away', async () => {
      await online(...queueRoles);
      expect(await ask(sockets.staff!, 'presence:set', { status: 'away' })).to.deep.equal({ ok: true });
      expect(await ask(sockets.contractor!, 'presence:set', { status: 'away' })).to.deep.equal({ ok: true });
      const ids = [await newChat(), await newChat(), await newChat()];
      expect(await Promise.all(ids.map(assigned))).to.deep.equal(Array(3).fill(shop.people.agent.id));
    });

    it('an agent coming online, or back from away, picks up the chats that waited', async () => {
      const early = await newChat();
      await settle();
      expect(await assigneeOf(early)).to.equal(null);
      await online('agent');
      expect(await assigned(early)).to.equal(shop.people.agent.id);

      await ask(sockets.agent!, 'presence:set', { status: 'away' });
      const later = await newChat();
      await settle();
      expect(await assigneeOf(later)).to.equal(null);
      await ask(sockets.agent!, 'presence:set', { status: 'online' });
      expect(await assigned(later)).to.equal(shop.people.agent.id);
    });

    it('never auto-assigns the owner, even when the owner is the only one online', async () => {
      await online('owner');
      const id = await newChat();
      expect(await settle()).to.deep.equal([]);
      expect(await storedConversation(server.database.db, shop.id, id)).to.include({ assigneeId: null, awaitingAssignment: true });
    });

    it('leaves a conversation assigned by hand to its assignee', async () => {
      const id = await newChat();
      const staff = await signedIn(server.url, shop.people.staff);
      await staff.patch(conversationPath(shop.id, id), { assigneeId: shop.people.owner.id });
      await online('agent');
      await settle();
      expect(await storedConversation(server.database.db, shop.id, id)).to.include({ assigneeId: shop.people.owner.id, awaitingAssignment: false });
    });
  });
}

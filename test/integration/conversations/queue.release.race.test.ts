import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { assignWaiting, lockAssignments } from '../../../server/domains/conversations/conversations.assign.ts';
import { conversations } from '../../../server/domains/conversations/conversations.tables.ts';
import { insertMembership, insertUser } from '../../../server/domains/shops/shops.repository.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import type { TestClient } from '../../helpers/client.ts';
import { eventually } from '../../helpers/eventually.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { conversationPath, customerChat, customerSays, openTicket, storedConversation } from './queue.helpers.ts';

/**
 * A person removed from the shop while someone assigns them a conversation at the same moment
 * (by hand, or the auto-assigner): whichever commits first, the removed person never ends up
 * the assignee. Only real PostgreSQL runs transactions side by side (PGlite runs one at a time).
 */
describe('[postgres] removing a member while they are being assigned', function () {
  this.timeout(120_000);
  const ROUNDS = 25;
  let server: TestServer;
  let shop: TestShop;
  let owner: TestClient;

  before(async () => {
    server = await startServer('postgres');
    shop = await makeShop(server.database);
    owner = await signedIn(server.url, shop.people.owner);
  });
  after(() => server.close());

  async function newAgent() {
    const tag = randomBytes(4).toString('hex');
    const user = await insertUser(server.database.db, { email: `leaver-${tag}@test.madoguchi.test`, name: `leaver ${tag}`, passwordHash: 'x' });
    await insertMembership(server.database.db, shop.id, user.id, 'agent');
    return user.id;
  }
  async function newTicket() {
    const r = await openTicket(owner, shop.id);
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    return r.body.conversation?.id ?? r.body.id;
  }
  const remove = (userId: string) => owner.delete(`/api/shops/${shop.id}/members/${userId}`);

  it('a PATCH of the assignee that races the removal either loses with a 4xx or is released by it', async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const [userId, conversationId] = await Promise.all([newAgent(), newTicket()]);
      const [removed, patched] = await Promise.all([remove(userId), owner.patch(conversationPath(shop.id, conversationId), { assigneeId: userId })]);
      expect(removed.status, JSON.stringify(removed.body)).to.equal(204);
      expect(patched.status, JSON.stringify(patched.body)).to.be.oneOf([200, 400, 404, 409]);
      if (patched.status !== 200) expect(patched.body.error.details[0]).to.include({ path: 'assigneeId', message: 'not a member of this shop' });
      const row = await storedConversation(server.database.db, shop.id, conversationId);
      expect(row.assigneeId, `round ${i}: the removed person is still the assignee`).to.not.equal(userId);
      if (!row.assigneeId) expect(row.awaitingAssignment, `round ${i}`).to.equal(true);
    }
  });

  it('a customer who writes to a resolved conversation as its assignee is removed reopens it into the queue or has it released', async () => {
    for (let i = 0; i < 10; i++) {
      const userId = await newAgent();
      const chat = await customerChat(server, shop.id);
      try {
        const resolved = await owner.patch(conversationPath(shop.id, chat.conversationId), { assigneeId: userId, status: 'resolved' });
        expect(resolved.status, JSON.stringify(resolved.body)).to.equal(200);
        const [removed] = await Promise.all([remove(userId), customerSays(chat, `もう一度 ${i}`)]);
        expect(removed.status).to.equal(204);
        const row = await storedConversation(server.database.db, shop.id, chat.conversationId);
        expect(row.status, `round ${i}`).to.equal('open');
        expect(row.assigneeId, `round ${i}: the removed person is still the assignee`).to.not.equal(userId);
      } finally {
        chat.w.disconnect();
      }
    }
  });

  it('the auto-assigner that races the removal never hands the removed person a conversation', async () => {
    const chat = server.app.chat;
    for (let i = 0; i < ROUNDS; i++) {
      const [userId, conversationId] = await Promise.all([newAgent(), newTicket()]);
      // Online as far as presence knows (a console that has not yet been cut).
      await chat.presence.set(shop.id, userId, `race-${i}`, 'online');
      const [removed] = await Promise.all([remove(userId), assignWaiting(chat, shop.id)]);
      expect(removed.status, JSON.stringify(removed.body)).to.equal(204);
      // Whatever runs after (the removal's own hand-out) must not pick them either.
      await assignWaiting(chat, shop.id);
      const row = await storedConversation(server.database.db, shop.id, conversationId);
      expect(row.assigneeId, `round ${i}: the removed person is still the assignee`).to.not.equal(userId);
      await chat.presence.remove(shop.id, userId, `race-${i}`);
    }
  });

  it('the auto-assigner that waited for a manual assignment keeps it: it hands out only what still waits when it writes', async () => {
    const chat = server.app.chat;
    const [a, b] = (await Promise.all([newAgent(), newAgent()])).sort();
    const conversationId = await newTicket();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let assigned!: () => void;
    const done = new Promise<void>((r) => (assigned = r));
    // What a PATCH of the assignee does: the person's lock, then the row; held open here.
    const manual = server.database.db.transaction(async (tx) => {
      await lockAssignments(tx, shop.id, b);
      await tx.update(conversations).set({ assigneeId: b, awaitingAssignment: false }).where(eq(conversations.id, conversationId));
      assigned();
      await held;
    });
    await done;
    await chat.presence.set(shop.id, a, 'manual-a', 'online');
    await chat.presence.set(shop.id, b, 'manual-b', 'online');
    try {
      const auto = assignWaiting(chat, shop.id);
      // Barrier: the auto-assigner has read the conversation as waiting and now waits for b's lock.
      await eventually(async () => {
        const r = await server.database.db.execute(sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and wait_event = 'advisory'`);
        return ((r as unknown as { rows: Array<{ n: number }> }).rows[0]!.n > 0) || undefined;
      }, 'the auto-assigner waiting for the assignee lock');
      release();
      await manual;
      expect(await auto, 'nothing was handed out').to.not.include(conversationId);
      const row = await storedConversation(server.database.db, shop.id, conversationId);
      expect(row.assigneeId, 'the manual choice stands').to.equal(b);
    } finally {
      release();
      await chat.presence.remove(shop.id, a, 'manual-a');
      await chat.presence.remove(shop.id, b, 'manual-b');
    }
  });
});


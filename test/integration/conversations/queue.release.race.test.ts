import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { assignWaiting } from '../../../server/domains/conversations/conversations.assign.ts';
import { insertMembership, insertUser } from '../../../server/domains/shops/shops.repository.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import type { TestClient } from '../../helpers/client.ts';
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
});

import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { and, eq } from 'drizzle-orm';
import { Emitter } from '@socket.io/redis-emitter';
import type { Socket } from 'socket.io-client';
import { DomainBus } from '../../../server/core/bus.ts';
import { createLogger } from '../../../server/core/logger.ts';
import { broadcastChat, type Broadcaster } from '../../../server/domains/conversations/conversations.broadcast.ts';
import { PresenceStore } from '../../../server/domains/conversations/presence.ts';
import { sessions } from '../../../server/domains/auth/auth.tables.ts';
import { messages } from '../../../server/domains/conversations/conversations.tables.ts';
import { deleteMembership, insertMembership, setMemberRole } from '../../../server/domains/shops/shops.repository.ts';
import { users } from '../../../server/domains/shops/shops.tables.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import type { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import { testRedis } from '../../helpers/redis.ts';
import { agentClient, ask, cid, connected, waitFor, type AgentSocket } from '../../helpers/sockets.ts';
import { makeShop, signedIn, type TestPerson, type TestShop } from '../../fixtures/builders.ts';
import { conversationPath, customerChat, openTicket, type CustomerChat } from './queue.helpers.ts';

/** Resolves once the server said why (`access:changed`) and then ended the connection. */
function ended(s: Socket, ms = 5000): Promise<{ reason: string; disconnect: string }> {
  return new Promise((done, fail) => {
    let reason: string | undefined;
    const timer = setTimeout(() => fail(new Error(`the connection was not ended within ${ms} ms (access:changed: ${reason ?? 'none'})`)), ms);
    s.once('access:changed', (p: { reason: string }) => (reason = p.reason));
    s.once('disconnect', (disconnect: string) => {
      clearTimeout(timer);
      if (!reason) return fail(new Error(`disconnected (${disconnect}) without access:changed first`));
      done({ reason, disconnect });
    });
  });
}

/** The refused handshake's message and data (code, reason), or a failure if it connects. */
function refusedWith(s: Socket): Promise<{ message: string; data: { code?: string; reason?: string } }> {
  return new Promise((done, fail) => {
    s.once('connect', () => fail(new Error('connected, but should have been refused')));
    s.once('connect_error', (e: Error & { data?: { code?: string; reason?: string } }) => done({ message: e.message, data: e.data ?? {} }));
  });
}

/** A contractor's view of an address: "h***@e***.jp", never the address. */
function expectMasked(shown: string, address: string) {
  expect(shown).to.not.equal(address);
  expect(shown).to.include('***');
}

for (const kind of dbKinds) {
  describe(`[${kind}] a console connection holds only the access its person has now`, () => {
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

    async function consoleOf(person: TestPerson, http?: TestClient, shopId = shop.id): Promise<{ http: TestClient; socket: AgentSocket }> {
      const h = http ?? (await signedIn(server.url, person));
      const socket = agentClient(server.url, shopId, h.cookie);
      open.push(socket);
      await connected(socket);
      // The server re-reads the access once the connection is registered; a change the test
      // makes while that read is still under way would end the connection before the event
      // that is meant to find the change.
      await server.service.realtime.io.of('/agent').sockets.get(socket.id!)?.data.firstCheck;
      return { http: h, socket };
    }
    async function chat(): Promise<CustomerChat> {
      const c = await customerChat(server, shop.id, { email: `hanako-${cid().slice(0, 8)}@example.jp` });
      open.push(c.w);
      return c;
    }

    it('removing a person from the shop ends their connection at once ("removed"), and a reconnect is refused with that reason', async () => {
      const c = await chat();
      const agent = await consoleOf(shop.people.agent);
      expect((await ask(agent.socket, 'conversation:join', { conversationId: c.conversationId })).ok).to.equal(true);
      const end = ended(agent.socket);
      expect((await owner.delete(`/api/shops/${shop.id}/members/${shop.people.agent.id}`)).status).to.equal(204);
      expect(await end).to.deep.equal({ reason: 'removed', disconnect: 'io server disconnect' });
      const again = agentClient(server.url, shop.id, agent.http.cookie);
      open.push(again);
      expect((await refusedWith(again)).data).to.deep.equal({ code: 'unauthenticated', reason: 'removed' });
    });

    it('a removal made through another server process cuts the connection held by this one', async () => {
      // A second API process on the same database and the same Redis key space.
      const second = await startServer(kind, { database: server.database, config: { REDIS_KEY_PREFIX: server.config.REDIS_KEY_PREFIX, JOBS: 'off' } });
      try {
        const h = await signedIn(second.url, shop.people.contractor);
        const socket = agentClient(second.url, shop.id, h.cookie);
        open.push(socket);
        await connected(socket);
        const end = ended(socket);
        expect((await owner.delete(`/api/shops/${shop.id}/members/${shop.people.contractor.id}`)).status).to.equal(204);
        expect((await end).reason).to.equal('removed');
      } finally {
        await second.close();
      }
    });

    it('a change announced in a worker process (its broadcaster speaks through the Redis emitter) reaches the API process', async () => {
      const agent = await consoleOf(shop.people.agent);
      // What `npm run worker` wires: its own bus, and a broadcaster on a Redis emitter.
      const prefix = server.config.REDIS_KEY_PREFIX;
      const bus = new DomainBus();
      const emitter = new Emitter(testRedis(), { key: `${prefix}socket.io` });
      const stop = broadcastChat(bus, emitter as unknown as Broadcaster, { db: server.database.db, presence: new PresenceStore(testRedis(), prefix), logger: createLogger('silent') });
      try {
        await deleteMembership(server.database.db, shop.id, shop.people.agent.id);
        const end = ended(agent.socket);
        bus.publish('access.changed', { userId: shop.people.agent.id, shopId: shop.id });
        expect((await end).reason).to.equal('removed');
      } finally {
        stop();
      }
    });

    it('a demotion to contractor ends the connection ("role_changed"); the reconnected one gets masked contact data in joins and broadcasts', async () => {
      const c = await chat();
      const agent = await consoleOf(shop.people.agent);
      const unmasked = await ask(agent.socket, 'conversation:join', { conversationId: c.conversationId });
      expect(unmasked.conversation.customer.email).to.equal(c.email);
      const end = ended(agent.socket);
      const demoted = await owner.patch(`/api/shops/${shop.id}/members/${shop.people.agent.id}`, { role: 'contractor' });
      expect(demoted.status).to.equal(200);
      expect((await end).reason).to.equal('role_changed');

      const again = await consoleOf(shop.people.agent, agent.http);
      const joined = await ask(again.socket, 'conversation:join', { conversationId: c.conversationId });
      expectMasked(joined.conversation.customer.email, c.email);
      const update = waitFor<{ id: string; customer: { email: string } }>(again.socket, 'conversation:updated', (u) => u.id === c.conversationId);
      expect((await owner.patch(`/api/shops/${shop.id}/conversations/${c.conversationId}`, { priority: 'high' })).status).to.equal(200);
      expectMasked((await update).customer.email, c.email);
    });

    it("signing out ends that session's connections at once, and only that session's", async () => {
      const first = await consoleOf(shop.people.staff);
      const second = await consoleOf(shop.people.staff);
      const end = ended(first.socket);
      expect((await first.http.post('/api/auth/sign-out')).status).to.equal(204);
      expect((await end).reason).to.equal('session_ended');
      const c = await chat();
      expect((await ask(second.socket, 'conversation:join', { conversationId: c.conversationId })).ok).to.equal(true);
    });

    it("a password change cuts the person's other sessions' connections and keeps the one that changed it", async () => {
      const here = await consoleOf(shop.people.staff);
      const elsewhere = await consoleOf(shop.people.staff);
      const end = ended(elsewhere.socket);
      const changed = await here.http.post('/api/auth/password', { current: shop.people.staff.password, next: 'a much longer new password' });
      expect(changed.status).to.equal(204);
      expect((await end).reason).to.equal('session_ended');
      const c = await chat();
      expect((await ask(here.socket, 'conversation:join', { conversationId: c.conversationId })).ok).to.equal(true);
    });

    // The next three change the database behind the services' backs, as a lost signal (a
    // process that died between its commit and its broadcast) would leave things: the event
    // itself must find out.
    it('an event from a person no longer in the shop is refused (reason "removed"), stores nothing, and ends the connection', async () => {
      const c = await chat();
      const agent = await consoleOf(shop.people.agent);
      await deleteMembership(server.database.db, shop.id, shop.people.agent.id);
      const end = ended(agent.socket);
      const sent = await ask(agent.socket, 'message:send', { conversationId: c.conversationId, clientId: cid(), body: 'もう店員ではありません' });
      expect(sent).to.deep.include({ error: 'unauthenticated' });
      expect(sent.details).to.deep.equal({ reason: 'removed' });
      expect((await end).reason).to.equal('removed');
      const stored = await server.database.db.select().from(messages).where(eq(messages.conversationId, c.conversationId));
      expect(stored.map((m) => m.body)).to.not.include('もう店員ではありません');
    });

    it("an event after a demotion answers with the new role's view (masked), then ends the connection with role_changed", async () => {
      const c = await chat();
      const agent = await consoleOf(shop.people.agent);
      await setMemberRole(server.database.db, shop.id, shop.people.agent.id, 'contractor');
      const end = ended(agent.socket);
      const joined = await ask(agent.socket, 'conversation:join', { conversationId: c.conversationId });
      expect(joined.ok, JSON.stringify(joined)).to.equal(true);
      expectMasked(joined.conversation.customer.email, c.email);
      expect((await end).reason).to.equal('role_changed');
    });

    it("a disabled account's next event is refused (reason \"disabled\") and its connection ended", async () => {
      const c = await chat();
      const staff = await consoleOf(shop.people.staff);
      await server.database.db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, shop.people.staff.id));
      const end = ended(staff.socket);
      const synced = await ask(staff.socket, 'sync', { conversationId: c.conversationId, afterSeq: 0 });
      expect(synced).to.deep.include({ error: 'unauthenticated', details: { reason: 'disabled' } });
      expect((await end).reason).to.equal('disabled');
    });
  });

  describe(`[${kind}] mentions, which go to all of a person's connections`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(kind);
    });
    after(() => server.close());

    it('a mention in a shop the person has left does not reach their connection to another shop', async () => {
      const [left, stays] = [await makeShop(server.database), await makeShop(server.database)];
      const person = left.people.contractor;
      await insertMembership(server.database.db, stays.id, person.id, 'contractor');
      const socket = agentClient(server.url, stays.id, (await signedIn(server.url, person)).cookie);
      await connected(socket);
      try {
        const note = async (shop: TestShop, body: string) => {
          const staff = await signedIn(server.url, shop.people.staff);
          const t = await openTicket(staff, shop.id);
          const r = await staff.post(`${conversationPath(shop.id, t.body.id)}/messages`, { clientId: cid(), kind: 'note', body, mentions: [person.id] });
          expect(r.status, JSON.stringify(r.body)).to.equal(201);
          return { conversationId: t.body.id as string, messageId: r.body.message.id as string };
        };
        const heard: string[] = [];
        socket.on('mention', (m: { excerpt: string }) => heard.push(m.excerpt));
        const before = await note(left, '退店前のメモ');
        await waitFor(socket, 'mention', (m: { excerpt: string }) => m.excerpt === '退店前のメモ');
        const owner = await signedIn(server.url, left.people.owner);
        expect((await owner.delete(`/api/shops/${left.id}/members/${person.id}`)).status).to.equal(204);
        // The same mention broadcast again after the removal, as one still in flight would be.
        server.service.bus.publishEvent({ name: 'mention.created', id: randomUUID(), at: new Date().toISOString(), payload: { shopId: left.id, userId: person.id, ...before } });
        await note(stays, '残る店のメモ');
        await waitFor(socket, 'mention', (m: { excerpt: string }) => m.excerpt === '残る店のメモ');
        expect(heard).to.deep.equal(['退店前のメモ', '残る店のメモ']);
      } finally {
        socket.disconnect();
      }
    });
  });

  describe(`[${kind}] a console connection and its session's expiry`, () => {
    let server: TestServer;
    let shop: TestShop;
    const open: Array<{ disconnect(): unknown }> = [];
    // Sessions of 7.2 s, and connections that re-check every 100 ms.
    before(async () => {
      server = await startServer(kind, { config: { SESSION_TTL_HOURS: '0.002' }, socketRefreshMs: 100 });
      shop = await makeShop(server.database);
    });
    after(() => server.close());
    afterEach(() => {
      for (const s of open.splice(0)) s.disconnect();
    });

    const sessionOf = async (personId: string) => {
      const [row] = await server.database.db.select().from(sessions).where(eq(sessions.userId, personId));
      return row!;
    };
    /** As if the person's last request was ten minutes ago: a sliding check would extend the session now. */
    const idleFor10Minutes = (personId: string) =>
      server.database.db
        .update(sessions)
        .set({ lastSeenAt: new Date(Date.now() - 10 * 60_000) })
        .where(and(eq(sessions.userId, personId)));

    it('is cut when the session expires, without any event, and neither the connection nor its re-checks extend the session', async function () {
      this.timeout(30_000);
      const http = await signedIn(server.url, shop.people.agent);
      await idleFor10Minutes(shop.people.agent.id);
      const before = await sessionOf(shop.people.agent.id);
      const socket = agentClient(server.url, shop.id, http.cookie);
      open.push(socket);
      const end = ended(socket, 15_000);
      await connected(socket);
      expect(await end).to.deep.equal({ reason: 'expired', disconnect: 'io server disconnect' });
      expect((await sessionOf(shop.people.agent.id)).expiresAt.getTime()).to.equal(before.expiresAt.getTime());
      expect((await http.get('/api/auth/session')).status).to.equal(401);
    });

    it("follows the session when the console's own requests extend it: the cut moves with the expiry", async function () {
      this.timeout(30_000);
      const http = await signedIn(server.url, shop.people.staff);
      const socket = agentClient(server.url, shop.id, http.cookie);
      open.push(socket);
      await connected(socket);
      const firstExpiry = (await sessionOf(shop.people.staff.id)).expiresAt.getTime();
      await new Promise((r) => setTimeout(r, 3000));
      await idleFor10Minutes(shop.people.staff.id);
      // A request of the person slides the session (the HTTP API is where use happens).
      expect((await http.get('/api/auth/session')).status).to.equal(200);
      const slid = (await sessionOf(shop.people.staff.id)).expiresAt.getTime();
      expect(slid).to.be.greaterThan(firstExpiry);
      // Past the first expiry, well before the new one.
      await new Promise((r) => setTimeout(r, firstExpiry - Date.now() + 1000));
      expect(socket.connected).to.equal(true);
      const c = await customerChat(server, shop.id);
      open.push(c.w);
      expect((await ask(socket, 'conversation:join', { conversationId: c.conversationId })).ok).to.equal(true);
    });
  });
}

import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { MAX_PACKET_BYTES } from '../../../server/core/realtime.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import type { TestClient } from '../../helpers/client.ts';
import { dbKinds } from '../../helpers/env.ts';
import { agentClient, ask, cid, connected, waitFor, widgetClient, type AgentSocket } from '../../helpers/sockets.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { customerChat, openTicket, storedConversation } from './queue.helpers.ts';

/** Tight limits so a flood is a handful of events: 8 at once, 1 a second after that, cut after 5 refusals. */
const limits = { rate: 1, burst: 8, disconnectAfter: 5 };

const disconnected = (s: Socket) => new Promise<string>((done) => s.once('disconnect', (reason) => done(reason)));

for (const kind of dbKinds) {
  describe(`[${kind}] chat sockets under abuse`, () => {
    let server: TestServer;
    let shop: TestShop;
    let other: TestShop;
    let agentHttp: TestClient;
    let agent: AgentSocket;

    before(async () => {
      server = await startServer(kind, { socketLimits: limits });
      [shop, other] = await Promise.all([makeShop(server.database), makeShop(server.database)]);
      agentHttp = await signedIn(server.url, shop.people.agent);
      agent = agentClient(server.url, shop.id, agentHttp.cookie);
      await connected(agent);
    });
    after(async () => {
      agent.disconnect();
      await server.close();
    });

    it('answers a flood with rate_limited acks, and cuts a connection that keeps on', async () => {
      const { w, conversationId } = await customerChat(server, shop.id);
      const answers = await Promise.all(Array.from({ length: 10 }, () => ask(w, 'typing', { conversationId, typing: true })));
      const codes = answers.map((a) => (a.ok ? 'ok' : a.error));
      expect(codes.filter((c) => c === 'ok').length).to.be.within(1, limits.burst);
      expect(codes).to.include('rate_limited');
      expect(answers.find((a) => a.error)!.message).to.match(/slow down/);
      expect(w.connected).to.equal(true);
      const cut = disconnected(w);
      for (let i = 0; i < limits.disconnectAfter; i++) w.emit('typing', { conversationId, typing: false });
      expect(await cut).to.equal('io server disconnect');
    });

    it('drops a connection that sends a packet above the size limit, and stores nothing from it', async () => {
      const chat = await customerChat(server, shop.id);
      const cut = disconnected(chat.w);
      chat.w.emit('message:send', { conversationId: chat.conversationId, clientId: cid(), body: 'x'.repeat(MAX_PACKET_BYTES + 1024) }, () => undefined);
      await cut;
      expect((await storedConversation(server.database.db, shop.id, chat.conversationId)).lastSeq).to.equal(0);
      const again = widgetClient(server.url, shop.id, chat.customer.token);
      await connected(again);
      expect((await ask(again, 'sync', { conversationId: chat.conversationId, afterSeq: 0 })).messages).to.deep.equal([]);
      again.disconnect();
    });

    it("answers every event about another shop's conversation with not_found, from the widget and the console", async () => {
      const otherOwner = await signedIn(server.url, other.people.owner);
      const theirs = (await openTicket(otherOwner, other.id, { body: '他店の相談' })).body.id as string;
      const { w } = await customerChat(server, shop.id);
      const widgetEvents: Array<[string, unknown]> = [
        ['message:send', { conversationId: theirs, clientId: cid(), body: 'のぞき' }],
        ['sync', { conversationId: theirs, afterSeq: 0 }],
        ['typing', { conversationId: theirs, typing: true }],
        ['read', { conversationId: theirs, seq: 1 }],
      ];
      for (const [event, payload] of widgetEvents) expect((await ask(w, event, payload)).error, `widget ${event}`).to.equal('not_found');
      const agentEvents: Array<[string, unknown]> = [
        ['conversation:join', { conversationId: theirs }],
        ['message:send', { conversationId: theirs, clientId: cid(), body: 'のぞき' }],
        ['sync', { conversationId: theirs, afterSeq: 0 }],
        ['typing', { conversationId: theirs, typing: true }],
        ['read', { conversationId: theirs, seq: 1 }],
        ['work:heartbeat', { conversationId: theirs }],
      ];
      const probe = agentClient(server.url, shop.id, agentHttp.cookie);
      await connected(probe);
      for (const [event, payload] of agentEvents) expect((await ask(probe, event, payload)).error, `agent ${event}`).to.equal('not_found');
      expect(await storedConversation(server.database.db, other.id, theirs)).to.include({ lastSeq: 1, agentReadSeq: 0 });
      probe.disconnect();
      w.disconnect();
    });

    it("a customer typing or reading in someone else's conversation gets an error and nothing reaches the agent", async () => {
      const a = await customerChat(server, shop.id, { name: '客 A' });
      const b = await customerChat(server, shop.id, { name: '客 B' });
      await ask(a.w, 'message:send', { conversationId: a.conversationId, clientId: cid(), body: 'A です' });
      expect((await ask(agent, 'conversation:join', { conversationId: a.conversationId })).ok).to.equal(true);
      const firstTyping = waitFor<{ conversationId: string; name: string }>(agent, 'typing', (t) => t.conversationId === a.conversationId);
      const firstRead = waitFor<{ conversationId: string; seq: number }>(agent, 'read', (r) => r.conversationId === a.conversationId);
      expect((await ask(b.w, 'typing', { conversationId: a.conversationId, typing: true })).error).to.equal('not_found');
      expect((await ask(b.w, 'read', { conversationId: a.conversationId, seq: 1 })).error).to.equal('not_found');
      // Events reach the agent in order: had B's got through, they would arrive before A's own.
      await ask(agent, 'message:send', { conversationId: a.conversationId, clientId: cid(), body: '担当です' });
      await ask(a.w, 'typing', { conversationId: a.conversationId, typing: true });
      await ask(a.w, 'read', { conversationId: a.conversationId, seq: 2 });
      expect((await firstTyping).name).to.equal('客 A');
      expect((await firstRead).seq).to.equal(2);
      a.w.disconnect();
      b.w.disconnect();
    });

    it('answers events a console socket sends the moment it connects, even with many connecting at once', async () => {
      // Once, the handlers were registered only after a Redis round trip, and such events were dropped.
      const answers = await Promise.all(
        Array.from({ length: 60 }, async () => {
          const s = agentClient(server.url, shop.id, agentHttp.cookie);
          const r = await new Promise<{ error?: string } | 'lost'>((done) => s.once('connect', () => ask(s, 'sync', { conversationId: randomUUID(), afterSeq: 0 }, 5000).then(done, () => done('lost'))));
          s.disconnect();
          return r === 'lost' ? r : r.error;
        }),
      );
      expect(answers.filter((a) => a !== 'not_found')).to.deep.equal([]);
    });

    it("another shop's agent cannot type into our conversation; the customer sees only our agent typing", async () => {
      const chat = await customerChat(server, shop.id);
      const outsider = agentClient(server.url, other.id, (await signedIn(server.url, other.people.agent)).cookie);
      await connected(outsider);
      const firstTyping = waitFor(chat.w, 'typing');
      expect((await ask(outsider, 'typing', { conversationId: chat.conversationId, typing: true })).error).to.equal('not_found');
      await ask(agent, 'typing', { conversationId: chat.conversationId, typing: true });
      expect((await firstTyping).name).to.equal(shop.people.agent.name);
      outsider.disconnect();
      chat.w.disconnect();
    });
  });
}

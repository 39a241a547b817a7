import { IncomingMessage } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect } from 'chai';
import { Manager } from 'socket.io-client';
import { KEPT_HEADERS } from '../../../server/core/realtime.memory.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { ask, cid, connected } from '../../helpers/sockets.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { customerChat } from './queue.helpers.ts';

/**
 * What a connection keeps once it is up (core/realtime.memory.ts forgetRequests, the widget's
 * handshake): not engine.io's upgrade request, not the widget's session token; and what it
 * still needs, the headers, is there for a namespace joined later on the same connection.
 */
describe('what an open socket keeps', () => {
  let server: TestServer;
  let shop: TestShop;
  const managers: Manager[] = [];

  before(async () => {
    server = await startServer('postgres');
    shop = await makeShop(server.database);
  });
  after(async () => {
    for (const m of managers.splice(0)) m.engine?.close();
    await server.close();
  });

  /** The requests engine.io answered, held weakly: what is still alive after a collection is what the server keeps. */
  const answered: Array<{ url: string; ref: WeakRef<object> }> = [];
  before(() => {
    server.service.realtime.io.engine.on('headers', (_h: unknown, req: IncomingMessage) => answered.push({ url: req.url ?? '', ref: new WeakRef(req) }));
  });
  async function collected(): Promise<void> {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // WeakRefs made or read in a job keep their target until the job ends: collect on later turns.
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setImmediate(r));
      gc();
    }
  }

  /** engine.io's connections on the server, with what each keeps of the request that opened it. */
  const engineConnections = () => Object.values((server.service.realtime.io.engine as unknown as { clients: Record<string, { request: unknown }> }).clients);

  it('drops the upgrade request, and a console namespace joined later on the connection still signs in with its cookie', async () => {
    const { cookie } = await signedIn(server.url, shop.people.owner);
    if (!cookie) throw new Error('the owner did not get a session cookie');
    const manager = new Manager(server.url, { transports: ['websocket'], reconnection: false, extraHeaders: { cookie, 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X)', 'accept-language': 'ja-JP,ja;q=0.9' } });
    managers.push(manager);
    // The connection is made for the default namespace first; the console joins it afterwards.
    const first = manager.socket('/');
    await connected(first);
    const conns = engineConnections();
    expect(conns.length).to.be.greaterThan(0);
    for (const c of conns) {
      expect(c.request).to.not.be.an.instanceOf(IncomingMessage);
      // Only the headers madoguchi reads stay (a browser's user agent, languages and WebSocket keys go).
      expect(Object.keys((c.request as { headers: Record<string, string> }).headers)).to.satisfy((keys: string[]) => keys.every((k) => (KEPT_HEADERS as readonly string[]).includes(k)));
    }
    const console = manager.socket('/agent', { auth: { shopId: shop.id } });
    await connected(console);
    const listed = await ask(console, 'conversation:join', { conversationId: cid() });
    // Signed in: a conversation that does not exist is not_found, not a refusal of who is asking.
    expect(listed.error).to.equal('not_found');
  });

  it('keeps no request alive for a console that starts on polling and upgrades to WebSocket, and its namespace still has the cookie', async () => {
    const { cookie } = await signedIn(server.url, shop.people.owner);
    if (!cookie) throw new Error('the owner did not get a session cookie');
    answered.length = 0;
    // The console's own transports: long-polling first, then the upgrade.
    const manager = new Manager(server.url, { transports: ['polling', 'websocket'], reconnection: false, extraHeaders: { cookie } });
    managers.push(manager);
    const console = manager.socket('/agent', { auth: { shopId: shop.id } });
    await connected(console);
    const engine = manager.engine as unknown as { transport: { name: string }; once(e: string, f: () => void): void };
    if (engine.transport.name !== 'websocket') await new Promise<void>((r) => engine.once('upgrade', () => r()));
    const joined = await ask(console, 'conversation:join', { conversationId: cid() });
    expect(joined.error, 'signed in over the upgraded connection').to.equal('not_found');
    const upgrade = answered.find((a) => a.url.includes('transport=websocket'));
    expect(upgrade, 'the upgrade request was seen').to.not.equal(undefined);
    expect(answered.some((a) => a.url.includes('transport=polling')), 'it began on polling').to.equal(true);
    await collected();
    expect(answered.filter((a) => a.ref.deref()).map((a) => a.url)).to.deep.equal([]);
  });

  it('keeps no request alive for a widget on WebSocket', async () => {
    answered.length = 0;
    const chat = await customerChat(server, shop.id);
    expect(answered.length, 'its upgrade was seen').to.be.greaterThan(0);
    await collected();
    expect(answered.filter((a) => a.ref.deref()).map((a) => a.url)).to.deep.equal([]);
    chat.w.disconnect();
  });

  it('forgets the widget session token once the connection is authenticated, and the connection still works', async () => {
    const chat = await customerChat(server, shop.id);
    const onServer = server.service.realtime.io.of('/widget').sockets.get(chat.w.id!);
    expect(onServer, 'the widget socket on the server').to.not.equal(undefined);
    expect(JSON.stringify(onServer!.handshake.auth)).to.not.include(chat.customer.token);
    const sent = await ask(chat.w, 'message:send', { conversationId: chat.conversationId, clientId: cid(), body: 'まだ届きません' });
    expect(sent.ok, JSON.stringify(sent)).to.equal(true);
    expect(sent.message.authorName).to.equal('山田 花子');
    chat.w.disconnect();
  });

  it('empties the write buffer engine.io has sent over WebSocket, so the sent ack is not held by it (core/realtime.memory.ts emptySentBuffers)', async () => {
    const chat = await customerChat(server, shop.id);
    const onServer = server.service.realtime.io.of('/widget').sockets.get(chat.w.id!);
    const conn = onServer!.conn;
    expect(conn.transport.name).to.equal('websocket');
    // Registered after the server's own listener: it sees each buffer as it is flushed, before it is sent.
    const flushed: unknown[][] = [];
    const seen = (c: unknown, buffer: unknown[]) => {
      if (c === conn) flushed.push(buffer);
    };
    server.service.realtime.io.engine.on('flush', seen);
    try {
      const body = '返品の送り先を教えてください';
      const sent = await ask(chat.w, 'message:send', { conversationId: chat.conversationId, clientId: cid(), body });
      expect(sent.ok, JSON.stringify(sent)).to.equal(true);
      // The ack went out in one of these buffers, which each held a packet when flushed.
      expect(flushed.length, 'buffers flushed to the widget').to.be.greaterThan(0);
      expect(flushed.map((b) => b.length)).to.deep.equal(flushed.map(() => 0));
      // The connection still works after: its next buffer is a new one, and the next ack arrives.
      const again = await ask(chat.w, 'message:send', { conversationId: chat.conversationId, clientId: cid(), body: 'もう一通' });
      expect(again.ok, JSON.stringify(again)).to.equal(true);
      expect(again.message.body).to.equal('もう一通');
    } finally {
      server.service.realtime.io.engine.off('flush', seen);
      chat.w.disconnect();
    }
  });
});

import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Database } from '../../../server/core/db/client.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import type { TestClient } from '../../helpers/client.ts';
import { testDatabase } from '../../helpers/db.ts';
import { eventually } from '../../helpers/eventually.ts';
import { ask, cid, connected, widgetClient } from '../../helpers/sockets.ts';
import { newCustomer } from '../../fixtures/chat.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { Connection, type ConnectionState } from '../../../agent-console/widget/connection.ts';
import { Store } from '../../../agent-console/widget/store.ts';
import { CuttableProxy, postgresBehindProxy } from './resilience.setup.ts';
import { unavailableDependency } from '../../../server/core/unavailable.ts';
import { redisReplayCache, signIdentity, type IdentityReplayCache } from '../../../server/domains/conversations/widget.identity.ts';
import { rotateWidgetSecret, startWidgetSession } from '../../../server/domains/conversations/widget.service.ts';
import { dbKinds, redisPrefix } from '../../helpers/env.ts';
import { testRedis } from '../../helpers/redis.ts';

/**
 * The app reaches PostgreSQL through a TCP proxy the test cuts (every connection dropped, new
 * ones refused) and restores, as a database that goes down and comes back; the run's other
 * suites keep their own connections.
 */
(dbKinds.includes('postgres') ? describe : describe.skip)('[postgres] when the database goes away', function () {
  this.timeout(60_000);
  let proxy: CuttableProxy;
  let viaProxy: Database;
  let server: TestServer;
  let shop: TestShop;
  let agent: TestClient;

  before(async () => {
    ({ proxy, database: viaProxy } = await postgresBehindProxy());
    server = await startServer('postgres', { database: viaProxy });
    shop = await makeShop(await testDatabase('postgres'));
    agent = await signedIn(server.url, shop.people.agent);
  });
  after(async () => {
    await proxy?.restore();
    await server?.close();
    await viaProxy?.close();
  });

  it('answers reads, writes and chat with 503 unavailable and Retry-After, never 500 internal, and serves again once it is back', async () => {
    const customer = await newCustomer(server.url, shop.id);
    const w = widgetClient(server.url, shop.id, customer.token);
    await connected(w);
    const opened = await ask(w, 'conversation:open', {});
    const conversationId = opened.conversation.id as string;
    const path = `/api/shops/${shop.id}/conversations/${conversationId}`;

    await proxy.cut();

    const read = await agent.get(path);
    expect(read.status, read.text).to.equal(503);
    expect(read.headers.get('retry-after')).to.equal('5');
    expect(read.body.error).to.deep.include({ code: 'unavailable', details: { dependency: 'database', retryAfterSeconds: 5 } });
    const write = await agent.post(`${path}/messages`, { clientId: cid(), body: '少々お待ちください' });
    expect(write.status, write.text).to.equal(503);
    expect(write.body.error.code).to.equal('unavailable');
    const start = await fetch(`${server.url}/api/public/shops/${shop.id}/widget/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: '山田 花子', email: 'hanako@example.jp' }),
    });
    expect(start.status).to.equal(503);

    // The chat's ack says the same, with when to try again: the widget keeps the message and resends it.
    const clientId = cid();
    const sent = await ask(w, 'message:send', { conversationId, clientId, body: 'まだですか' });
    expect(sent).to.deep.include({ error: 'unavailable', retryAfter: 5 });
    // A widget connecting now is told to come back, not that its session is bad.
    const late = widgetClient(server.url, shop.id, customer.token);
    const refusal = await new Promise<Error & { data?: unknown }>((done) => late.once('connect_error', done));
    expect(refusal.data).to.deep.equal({ code: 'unavailable', retryAfter: 5 });

    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).to.equal(503);
    expect(await ready.json()).to.deep.include({ db: 'down', down: ['database'] });

    await proxy.restore();
    // The same message, resent with its client id, is stored once.
    const resent = await eventually(async () => {
      const r = await ask(w, 'message:send', { conversationId, clientId, body: 'まだですか' });
      return r.ok ? r : undefined;
    }, 'the resend to be stored', 20_000, 250);
    expect(resent.message.body).to.equal('まだですか');
    expect((await agent.get(path)).status).to.equal(200);
    w.disconnect();
  });

  it('an identity token taken just before the database went away is taken again on the retry, and only once', async () => {
    const ownerActor = { kind: 'user' as const, shopId: shop.id, userId: shop.people.owner.id, name: 'owner', role: 'owner' as const };
    const secret = (await rotateWidgetSecret((await testDatabase('postgres')).db, ownerActor)).secret;
    const token = signIdentity(secret, { sub: `cust-${cid()}`, name: '山田 花子', iat: Math.floor(Date.now() / 1000), jti: randomUUID() });
    // The real replay cache; the database goes away right after it took the token, before the session is written.
    const real = redisReplayCache(testRedis(), `${redisPrefix}replay:`);
    let cutAfterSpend = true;
    const replay: IdentityReplayCache = {
      async firstUse(...a) {
        const first = await real.firstUse(...a);
        if (cutAfterSpend) {
          cutAfterSpend = false;
          await proxy.cut();
        }
        return first;
      },
      forget: (shopId, jti) => real.forget(shopId, jti),
    };
    const deps = { db: viaProxy.db, replay };
    const failed = await startWidgetSession(deps, shop.id, { identityToken: token }).catch((e: unknown) => e);
    await proxy.restore();
    // What the route answers for it: 503, try again.
    expect(unavailableDependency(failed), String(failed)).to.equal('database');

    const started = await eventually(
      () => startWidgetSession(deps, shop.id, { identityToken: token }).catch((e: unknown) => {
        if (unavailableDependency(e)) return undefined;
        throw e;
      }),
      'the retry with the same token to start the session',
      20_000,
      250,
    );
    expect(started.customer.verified).to.equal(true);
    const replayed = await startWidgetSession(deps, shop.id, { identityToken: token }).catch((e: unknown) => e);
    expect(replayed).to.include({ code: 'unauthenticated' });
  });

  it("the widget keeps a message the server could not store, keeps its session through a refused reconnect, and delivers the message once when the database is back", async () => {
    const customer = await newCustomer(server.url, shop.id);
    // The widget's own store and connection, as the page runs them (no localStorage in Node: nothing is kept across reloads).
    const store = new Store(shop.id);
    store.setSession({ token: customer.token, expiresAt: new Date(Date.now() + 3_600_000).toISOString(), customer: { ...customer.customer, verified: false }, identitySub: null, orderNumber: null });
    const states: ConnectionState[] = [];
    let refusedSession = 0;
    const conn = new Connection(server.url, shop.id, customer.token, store, {
      state: (st) => states.push(st),
      refused: () => refusedSession++,
      typing: () => undefined,
      availability: () => undefined,
    });
    const socket = (conn as unknown as { socket: import('socket.io-client').Socket }).socket;
    const unavailableAcks: unknown[] = [];
    const handshakeRefusals: unknown[] = [];
    socket.io.on('packet', (p: { type: number; data?: Array<{ error?: string } | null> }) => {
      const answer = p.type === 3 ? p.data?.find((d) => d?.error) : undefined;
      if (answer?.error === 'unavailable') unavailableAcks.push(answer);
    });
    socket.on('connect_error', (e: Error & { data?: unknown }) => handshakeRefusals.push(e.data));
    try {
      await eventually(async () => states.includes('online'), 'the widget to connect');
      const conversationId = await conn.ensureConversation();

      await proxy.cut();
      const clientId = cid();
      void conn.send({ clientId, body: 'データベースが止まっている間に', attachments: [], createdAt: new Date().toISOString() });
      await eventually(async () => unavailableAcks.length > 0, 'the server to answer unavailable');
      expect(store.outbox.map((o) => [o.clientId, o.failed])).to.deep.equal([[clientId, undefined]]);

      // The connection drops while the database is still away: the handshake is refused as unavailable.
      // (Closed under Socket.IO, as a network drop does: a Socket.IO disconnect would tell the client not to come back.)
      for (const c of Object.values((server.service.realtime.io.engine as unknown as { clients: Record<string, { close(): void }> }).clients)) c.close();
      await eventually(async () => handshakeRefusals.length > 0, 'the reconnect to be refused');
      expect(handshakeRefusals[0]).to.deep.equal({ code: 'unavailable', retryAfter: 5 });
      expect(refusedSession, 'the session was not given up').to.equal(0);
      expect(store.session?.token).to.equal(customer.token);

      await proxy.restore();
      await eventually(async () => store.outbox.length === 0, 'the widget to reconnect and deliver the message', 45_000, 200);
      const stored = await agent.get(`/api/shops/${shop.id}/conversations/${conversationId}/messages`);
      expect(stored.body.messages.filter((m: { clientId: string }) => m.clientId === clientId)).to.have.length(1);
      expect(refusedSession).to.equal(0);
    } finally {
      conn.close();
    }
  });
});

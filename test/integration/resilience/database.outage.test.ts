import { expect } from 'chai';
import { openPostgres, type Database } from '../../../server/core/db/client.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import type { TestClient } from '../../helpers/client.ts';
import { testDatabase, testPostgresUrl } from '../../helpers/db.ts';
import { dbKinds } from '../../helpers/env.ts';
import { eventually } from '../../helpers/eventually.ts';
import { ask, cid, connected, widgetClient } from '../../helpers/sockets.ts';
import { newCustomer } from '../../fixtures/chat.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { CuttableProxy } from './resilience.setup.ts';

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
    const direct = new URL(await testPostgresUrl());
    proxy = await CuttableProxy.start({ host: direct.hostname, port: Number(direct.port || 5432) });
    direct.host = `127.0.0.1:${proxy.port}`;
    viaProxy = await openPostgres(direct.toString(), { max: 4 });
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
});

import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import type { Database } from '../../server/core/db/client.ts';
import { startServer, type TestServer } from '../helpers/app.ts';
import { launchBrowser, signInToConsole, watchedPage } from '../helpers/browser.ts';
import { testDatabase } from '../helpers/db.ts';
import { dbKinds } from '../helpers/env.ts';
import { eventually } from '../helpers/eventually.ts';
import { ask, connected, widgetClient } from '../helpers/sockets.ts';
import { newCustomer } from '../fixtures/chat.ts';
import { makeShop, signedIn } from '../fixtures/builders.ts';
import { CuttableProxy, postgresBehindProxy } from '../integration/resilience/resilience.setup.ts';

/**
 * The console's composer while PostgreSQL is away (the app reaches it through a TCP proxy the
 * test cuts): a reply the server could not store stays pending and goes out once it is back.
 */
(dbKinds.includes('postgres') ? describe : describe.skip)('[postgres] the console while the database is away', function () {
  this.timeout(90_000);
  let proxy: CuttableProxy;
  let viaProxy: Database;
  let server: TestServer;
  let browser: Browser;

  before(async () => {
    ({ proxy, database: viaProxy } = await postgresBehindProxy());
    server = await startServer('postgres', { database: viaProxy });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await proxy?.restore();
    await server?.close();
    await viaProxy?.close();
  });

  it('keeps a reply the server answered unavailable pending, never failed, reconnects by itself after a refused handshake, and sends the reply once the database is back', async () => {
    const shop = await makeShop(await testDatabase('postgres'));
    const c = await newCustomer(server.url, shop.id);
    const w = widgetClient(server.url, shop.id, c.token);
    await connected(w);
    const opened = await ask(w, 'conversation:open', {});
    const conversationId = opened.conversation.id as string;

    const { context, page } = await watchedPage(browser);
    try {
      // Every answer of `unavailable` the console's socket gets.
      let unavailable = 0;
      let refusedHandshakes = 0;
      page.on('websocket', (ws) =>
        ws.on('framereceived', (f) => {
          if (String(f.payload).includes('"error":"unavailable"')) unavailable++;
          if (String(f.payload).includes('"code":"unavailable"')) refusedHandshakes++;
        }),
      );
      // A reconnect starts over HTTP long-polling, where the refusal comes in a response.
      page.on('response', (r) => {
        if (!r.url().includes('/socket.io/')) return;
        void r.text().then((t) => void (t.includes('"code":"unavailable"') && refusedHandshakes++), () => undefined);
      });
      await signInToConsole(page, server.url, shop.people.agent, shop.id);
      await page.goto(`${server.url}/console/shops/${shop.id}/conversations/${conversationId}`);
      await page.getByTestId('composer-input').waitFor();

      await proxy.cut();
      await page.getByTestId('composer-input').fill('少々お待ちください。');
      await page.getByTestId('composer-send').click();
      const outgoing = page.getByTestId('message-outgoing').filter({ hasText: '少々お待ちください。' });
      await outgoing.waitFor();
      await eventually(async () => unavailable > 0, 'the server to answer unavailable');
      expect(await outgoing.getAttribute('data-state')).to.equal('pending');
      // The connection drops meanwhile (closed under Socket.IO, as a network drop does): the
      // server cannot check the session, and the console must knock again by itself.
      for (const c of Object.values((server.service.realtime.io.engine as unknown as { clients: Record<string, { close(): void }> }).clients)) c.close();
      await eventually(async () => refusedHandshakes > 0, 'the reconnect to be refused as unavailable');

      await proxy.restore();
      await outgoing.waitFor({ state: 'detached', timeout: 30_000 });
      await page.getByTestId('message').filter({ hasText: '少々お待ちください。' }).waitFor();
      const agent = await signedIn(server.url, shop.people.agent);
      const stored = await agent.get(`/api/shops/${shop.id}/conversations/${conversationId}/messages`);
      expect(stored.body.messages.filter((m: { body: string }) => m.body === '少々お待ちください。'), 'stored once').to.have.length(1);
    } finally {
      await context.close();
      w.disconnect();
    }
  });
});

import { expect } from 'chai';
import type { Database } from '../../../server/core/db/client.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { dbKinds } from '../../helpers/env.ts';
import { eventually } from '../../helpers/eventually.ts';
import { openDesk, pushOrder, type Desk } from '../returns/returns.helpers.ts';
import { signInToPortal } from '../returns/portal.visitor.ts';
import { CuttableProxy, postgresBehindProxy } from './resilience.setup.ts';

/**
 * The pages a customer's browser opens (the returns portal, the published terms page) while
 * PostgreSQL is away: an HTML page in Japanese and English with 503 and Retry-After, never the
 * API's JSON error body; and the pages again once the database is back.
 */
(dbKinds.includes('postgres') ? describe : describe.skip)('[postgres] the customer’s pages when the database goes away', function () {
  this.timeout(60_000);
  let proxy: CuttableProxy;
  let viaProxy: Database;
  let server: TestServer;
  let d: Desk;

  before(async () => {
    ({ proxy, database: viaProxy } = await postgresBehindProxy());
    server = await startServer('postgres', { database: viaProxy });
    d = await openDesk(server);
  });
  after(async () => {
    await proxy?.restore();
    await server?.close();
    await viaProxy?.close();
  });

  /** What a browser sends when it opens a page or posts a form. */
  const browser = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'accept-language': 'ja,en-US;q=0.9' };

  async function expectOutagePage(res: Response, what: string) {
    const html = await res.text();
    expect(res.status, `${what}: ${html.slice(0, 200)}`).to.equal(503);
    expect(res.headers.get('content-type'), what).to.match(/^text\/html/);
    expect(res.headers.get('retry-after'), what).to.equal('5');
    expect(html, what).to.match(/^<!doctype html>/i).and.include('<html lang="ja">');
    expect(html, what).to.include('ただいま表示できません').and.include('しばらくしてからもう一度お試しください').and.include('Please try again in a moment');
    expect(html, what).to.include('約5秒後');
    expect(html, what).not.to.include('"error"').and.not.include('unavailable');
  }

  it('answers the portal and the terms page with an HTML 503 page (ja/en, Retry-After), signed in or not, and serves them again once it is back', async () => {
    const order = await pushOrder(d);
    const visitor = await signInToPortal(server, d.shop.id, order);
    const cookie = visitor.cookieHeader;
    const portal = `${server.url}/returns/${d.shop.id}`;
    const pages: Array<[string, () => Promise<Response>]> = [
      ['the portal’s start', () => fetch(portal, { redirect: 'manual', headers: browser })],
      ['the terms page', () => fetch(`${server.url}/shops/${d.shop.id}/return-terms`, { headers: browser })],
      ['the terms page in English', () => fetch(`${server.url}/shops/${d.shop.id}/return-terms?lang=en`, { headers: browser })],
      ['the order page, signed in', () => fetch(`${portal}/order`, { redirect: 'manual', headers: { ...browser, cookie } })],
      [
        'the code form',
        () => fetch(`${portal}/code`, { method: 'POST', redirect: 'manual', headers: { ...browser, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ orderNumber: order.number, contact: order.email }).toString() }),
      ],
    ];

    await proxy.cut();
    for (const [what, open] of pages) await expectOutagePage(await open(), what);
    // The API keeps its JSON body, and so does a page asked for by a client that prefers JSON.
    for (const url of [`${server.url}/api/public/shops/${d.shop.id}/return-terms`, `${server.url}/shops/${d.shop.id}/return-terms`]) {
      const api = await fetch(url, { headers: { accept: 'application/json' } });
      expect(api.status, url).to.equal(503);
      expect(api.headers.get('retry-after')).to.equal('5');
      expect((await api.json()).error.code, url).to.equal('unavailable');
    }

    await proxy.restore();
    const back = await eventually(async () => {
      const r = await fetch(`${server.url}/shops/${d.shop.id}/return-terms`);
      return r.status === 200 ? r : undefined;
    }, 'the terms page to be served again', 20_000, 250);
    expect(await back.text()).to.include('返品');
    const orderPage = await fetch(`${portal}/order`, { redirect: 'manual', headers: { cookie } });
    expect(orderPage.status).to.equal(200);
    expect(await orderPage.text()).to.include(order.number);
  });
});

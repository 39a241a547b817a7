import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { makeShop, signedIn } from '../fixtures/builders.ts';
import { startServer, type TestServer } from '../helpers/app.ts';
import { launchBrowser, watchedPage } from '../helpers/browser.ts';
import { campaignBody, createAndPublish } from '../integration/notices/notices.helpers.ts';
import { eq } from 'drizzle-orm';
import { shops } from '../../server/domains/shops/shops.tables.ts';
import { shopSite, type ShopSite } from './widget.page.ts';

/** A shop's page on another origin with the one notices tag, in `lang`. */
async function embedSite(madoguchiUrl: string): Promise<{ origin: string; url: (shopId: string, lang?: string) => string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    const shop = (q.get('shop') ?? '').replace(/[^0-9a-f-]/gi, '');
    const lang = q.get('lang') === 'en' ? 'en' : 'ja';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>店</title>
<style>* { color: rgb(255, 0, 0) !important; font-size: 30px !important; }</style></head>
<body><h1>テスト商店</h1><script src="${madoguchiUrl}/notices.js?shop=${shop}" async></script></body></html>`);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, url: (shopId, lang = 'ja') => `${origin}/?shop=${shopId}&lang=${lang}`, close: () => new Promise<void>((d) => server.close(() => d())) };
}

describe('delay notices on a shop page in the browser', function () {
  this.timeout(90_000);
  let server: TestServer;
  let browser: Browser;
  let site: Awaited<ReturnType<typeof embedSite>>;
  let chatSite: ShopSite;

  before(async () => {
    server = await startServer('pglite');
    browser = await launchBrowser();
    site = await embedSite(server.url);
    chatSite = await shopSite(server.url);
  });
  after(async () => {
    await site?.close();
    await chatSite?.close();
    await browser?.close();
    await server?.close();
  });

  it('the one-tag embed shows the active notice in its own shadow root, in the page’s language; a closed notice stays closed for the session; the chat widget shows it too', async () => {
    const shop = await makeShop(server.database);
    // Both pages' origins from the start: the banner answer keeps the allowed origins it was made with for a few seconds.
    await server.database.db.update(shops).set({ allowedOrigins: [site.origin, chatSite.origin] }).where(eq(shops.id, shop.id));
    const owner = await signedIn(server.url, shop.people.owner);
    const c = await createAndPublish(owner, shop.id, campaignBody({}, { channels: { banner: true, mail: false, chat: false } }));
    const active = await owner.get(`/shops/${shop.id}/notices/active`);
    const notice = active.body.notices.find((n: { id: string }) => n.id === c.id);
    const { context, page, problems } = await watchedPage(browser);
    try {
      await page.goto(site.url(shop.id));
      const banner = page.locator('[data-madoguchi-notices] .n');
      await banner.waitFor();
      expect(await banner.innerText()).to.include(notice.ja.headline.slice(0, 20));
      // The page's hostile CSS does not reach into the shadow root.
      expect(await banner.evaluate((el) => getComputedStyle(el).fontSize)).to.equal('14px');
      await page.locator('[data-madoguchi-notices] button').click();
      expect(await page.locator('[data-madoguchi-notices]').count()).to.equal(0);
      await page.reload();
      await page.locator('h1').waitFor();
      await page.waitForLoadState('networkidle');
      expect(await page.locator('[data-madoguchi-notices]').count()).to.equal(0);

      const en = await context.newPage();
      await en.goto(site.url(shop.id, 'en'));
      // A session is a tab (sessionStorage): a new tab shows it again, here in the page's English.
      await en.locator('[data-madoguchi-notices] .n').waitFor();
      expect(await en.locator('[data-madoguchi-notices] .n').innerText()).to.include(notice.en.headline.slice(0, 20));

      const chat = await context.newPage();
      await chat.goto(chatSite.url(shop.id));
      await chat.getByTestId('launcher').click();
      await chat.getByTestId('shop-notice').waitFor();
      expect(await chat.getByTestId('shop-notice').innerText()).to.include(notice.ja.headline.slice(0, 20));
    } finally {
      await context.close();
    }
    expect(problems).to.deep.equal([]);
  });
});

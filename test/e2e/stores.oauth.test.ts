import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { Browser, Locator, Page } from 'playwright-core';
import { makeShop, type TestShop } from '../fixtures/builders.ts';
import { baseOrder } from '../fixtures/base/orders.ts';
import { startServer, type TestServer } from '../helpers/app.ts';
import { baseApiStandIn, type BaseApiStandIn } from '../helpers/base-api.ts';
import { launchBrowser, signInToConsole, WatchedPages } from '../helpers/browser.ts';
import { shopifyApiStandIn, type ShopifyApiStandIn } from '../helpers/shopify-api.ts';

/**
 * The OAuth ways in, in a real Chromium. "BASEと連携する": the button leaves for the BASE
 * stand-in's consent page through the real app, BASE sends the browser back to the app's
 * callback, and the console's store connections say it connected and show the shop's orders
 * arriving. Shopify's install (the deployment has a public app): the domain typed, the button
 * goes through Shopify's authorize page and back, and the store is connected. The deployment's
 * public address is a name the browser cannot reach, as in production behind a proxy: the
 * page routes it to the app under test (same path and query).
 */
const PUBLIC_URL = 'http://desk.example.test';
const CLIENT_ID = `e2e-${randomBytes(4).toString('hex')}`;
const CLIENT_SECRET = randomBytes(16).toString('hex');

describe('connecting stores through OAuth from the agent console', function () {
  this.timeout(120_000);

  let base: BaseApiStandIn;
  let shopify: ShopifyApiStandIn;
  let server: TestServer;
  let browser: Browser;
  const pages = new WatchedPages();

  before(async function () {
    this.timeout(90_000);
    base = await baseApiStandIn({ shop: { shopName: 'ベーステスト商店' } });
    base.addClient(CLIENT_ID, CLIENT_SECRET, `${PUBLIC_URL}/stores/base/callback`);
    shopify = await shopifyApiStandIn();
    shopify.addApp(CLIENT_ID, CLIENT_SECRET);
    browser = await launchBrowser();
    server = await startServer('pglite', {
      config: {
        BASE_CLIENT_ID: CLIENT_ID,
        BASE_CLIENT_SECRET: CLIENT_SECRET,
        BASE_API_URL: base.url,
        SHOPIFY_CLIENT_ID: CLIENT_ID,
        SHOPIFY_CLIENT_SECRET: CLIENT_SECRET,
        SHOPIFY_API_URL: shopify.apiUrl,
        PUBLIC_URL,
        SECRETS_KEYS: `e2e:${randomBytes(32).toString('base64')}`,
      },
    });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await base?.close();
    await shopify?.close();
  });
  afterEach(async () => {
    expect(await pages.closeAll(), 'errors in the page').to.deep.equal([]);
  });

  const textOf = async (l: Locator) => (await l.textContent())?.replace(/\s+/g, ' ').trim() ?? '';

  async function openStores(shop: TestShop): Promise<Page> {
    const page = await signInToConsole(await pages.page(browser), server.url, shop.people.owner, shop.id);
    // The public address is the app under test.
    await page.route(`${PUBLIC_URL}/**`, (route) => route.fulfill({ status: 302, headers: { location: `${server.url}${route.request().url().slice(PUBLIC_URL.length)}` } }));
    await page.goto(`${server.url}/console/shops/${shop.id}/settings/stores`);
    await page.getByTestId('store-base').waitFor();
    return page;
  }

  it('connects through BASE’s consent page and shows the shop’s orders arriving', async () => {
    const shop = await makeShop(server.database);
    base.clearOrders();
    const orders = [baseOrder(1), baseOrder(2)];
    for (const o of orders) base.putOrder(o);
    base.consent = 'allow';

    const page = await openStores(shop);
    expect(await page.getByTestId('base-not-configured').count()).to.equal(0);
    await page.getByTestId('base-install').click();
    // Back from BASE: the store connections say so, once, and the address is clean.
    await page.getByTestId('stores-notice').filter({ hasText: 'BASEと連携しました' }).waitFor();
    await page.waitForURL(new RegExp(`/console/shops/${shop.id}/settings/stores$`));
    const card = page.getByTestId('store-status-base');
    await card.waitFor();
    expect(await card.getAttribute('data-status')).to.equal('ok');
    expect(await textOf(page.getByTestId('store-account'))).to.contain('ベーステスト商店');
    expect(await textOf(card)).to.contain('アプリの承認（OAuth）');
    await page.locator('[data-testid="store-orders-received"][data-count="2"]').waitFor({ timeout: 60_000 });

    await page.getByTestId('nav-orders').click();
    for (const o of orders) await page.getByTestId('order-row').filter({ hasText: o.unique_key }).waitFor();
  });

  it('says so when the shop owner does not allow it on BASE’s page', async () => {
    const shop = await makeShop(server.database);
    base.consent = 'deny';
    const page = await openStores(shop);
    await page.getByTestId('base-install').click();
    await page.getByTestId('stores-notice').filter({ hasText: '連携が許可されませんでした' }).waitFor();
    expect(await page.getByTestId('store-base').getAttribute('data-state')).to.equal('none');
  });

  it('installs the deployment’s Shopify app on the store whose domain is typed, and shows it connected', async () => {
    const shop = await makeShop(server.database);
    const tag = randomBytes(3).toString('hex');
    const domain = `oauth-${tag}.myshopify.com`;
    shopify.addShop(domain, `shpat_${randomBytes(16).toString('hex')}`, { name: `インストール商店 ${tag}` });
    shopify.seedOrders(domain, 2);

    const page = await openStores(shop);
    // Without a domain there is nowhere to install: said at the field.
    await page.getByTestId('shopify-install').click();
    await page.getByTestId('shopify-error-shopDomain').waitFor();
    await page.getByTestId('shopify-shopDomain').fill(domain);
    await page.getByTestId('shopify-install').click();
    await page.getByTestId('stores-notice').filter({ hasText: 'Shopifyと連携しました' }).waitFor();
    await page.waitForURL(new RegExp(`/console/shops/${shop.id}/settings/stores$`));
    const card = page.getByTestId('store-status-shopify');
    await card.waitFor();
    expect(await textOf(page.getByTestId('store-account'))).to.contain(domain);
    expect(await textOf(card)).to.contain('アプリの承認（OAuth）');
    await page.locator('[data-testid="store-orders-received"][data-count="2"]').waitFor({ timeout: 60_000 });
  });
});

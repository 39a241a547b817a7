import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { Browser, Locator, Page } from 'playwright-core';
import { makeShop, signedIn, type TestPerson, type TestShop } from '../fixtures/builders.ts';
import { startServer, type TestServer } from '../helpers/app.ts';
import { launchBrowser, signInToConsole, WatchedPages } from '../helpers/browser.ts';
import { shopifyApiStandIn, type ShopifyApiStandIn } from '../helpers/shopify-api.ts';

/**
 * Settings → ストア連携 in a real Chromium against the real app (PGlite, its job worker running)
 * and the local stand-in for Shopify's Admin API: an owner connects a store with a custom app's
 * token (a token Shopify refuses is said at its field, in Japanese, and nothing is stored), the
 * backfill brings the store's orders in and the orders list shows them; "sync now" shows the
 * sync until its run ends; disconnecting asks first, says the orders stay, and they do. BASE,
 * without an app on this deployment, cannot be started and says why. An agent is not let in.
 */
describe('the store connections in the agent console', function () {
  this.timeout(120_000);

  let shopify: ShopifyApiStandIn;
  let server: TestServer;
  let browser: Browser;
  const pages = new WatchedPages();

  before(async function () {
    this.timeout(90_000);
    shopify = await shopifyApiStandIn();
    browser = await launchBrowser();
    server = await startServer('pglite', { config: { SHOPIFY_API_URL: shopify.apiUrl, SECRETS_KEYS: `e2e:${randomBytes(32).toString('base64')}` } });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await shopify?.close();
  });
  afterEach(async () => {
    expect(await pages.closeAll(), 'errors in the page').to.deep.equal([]);
  });

  const textOf = async (l: Locator) => (await l.textContent())?.replace(/\s+/g, ' ').trim() ?? '';

  async function openStores(shop: TestShop, who: TestPerson): Promise<Page> {
    const page = await signInToConsole(await pages.page(browser), server.url, who, shop.id);
    await page.getByTestId('nav-settings').click();
    await page.waitForURL(new RegExp(`/console/shops/${shop.id}/settings$`));
    await page.getByTestId('settings-stores-open').click();
    await page.waitForURL(new RegExp(`/console/shops/${shop.id}/settings/stores$`));
    await page.getByTestId('store-shopify').waitFor();
    return page;
  }

  const storesOf = async (shop: TestShop) => {
    const owner = await signedIn(server.url, shop.people.owner);
    const r = await owner.get(`/api/shops/${shop.id}/stores`);
    expect(r.status).to.equal(200);
    return { body: r.body as { stores: Array<{ id: string; platform: string; status: string; ordersReceived: number }> }, text: r.text };
  };

  it('connects a Shopify store with a token, brings its orders into the orders list, syncs on demand and disconnects keeping the orders', async () => {
    const shop = await makeShop(server.database);
    const tag = randomBytes(3).toString('hex');
    const domain = `e2e-${tag}.myshopify.com`;
    const token = `shpat_${randomBytes(16).toString('hex')}`;
    const apiSecret = randomBytes(16).toString('hex');
    shopify.addShop(domain, token, { name: `テストストア ${tag}` });
    shopify.seedOrders(domain, 3);

    const page = await openStores(shop, shop.people.owner);
    expect(await page.getByTestId('store-shopify').getAttribute('data-state')).to.equal('none');
    // No BASE app on this deployment: the button is there, disabled, and says why.
    expect(await page.getByTestId('base-install').isDisabled()).to.equal(true);
    expect(await textOf(page.getByTestId('base-not-configured'))).to.contain('BASE_CLIENT_ID');
    // No public Shopify app either: no install button, the token form only.
    expect(await page.getByTestId('shopify-install').count()).to.equal(0);
    expect(await page.getByTestId('shopify-backfillDays').inputValue()).to.equal('30');

    // A token Shopify does not know: refused at its field, in Japanese, and nothing is stored.
    await page.getByTestId('shopify-shopDomain').fill(domain);
    await page.getByTestId('shopify-accessToken').fill(`shpat_${randomBytes(16).toString('hex')}`);
    await page.getByTestId('shopify-apiSecret').fill(apiSecret);
    await page.getByTestId('shopify-backfillDays').fill('400');
    await page.getByTestId('shopify-connect-submit').click();
    // The days' range is the form's own check, said before anything is sent.
    expect(await textOf(page.getByTestId('shopify-error-backfillDays'))).to.contain('1〜365');
    await page.getByTestId('shopify-backfillDays').fill('60');
    await page.getByTestId('shopify-connect-submit').click();
    const tokenError = page.getByTestId('shopify-error-accessToken');
    await tokenError.waitFor();
    expect(await textOf(tokenError)).to.contain('アクセストークン');
    expect(await page.getByTestId('shopify-accessToken').getAttribute('aria-invalid')).to.equal('true');
    expect((await storesOf(shop)).body.stores).to.deep.equal([]);

    // The real token: connected, the backfill runs, and the card counts what arrived.
    await page.getByTestId('shopify-accessToken').fill(token);
    await page.getByTestId('shopify-connect-submit').click();
    await page.getByTestId('stores-notice').filter({ hasText: 'Shopifyと連携しました' }).waitFor();
    const card = page.getByTestId('store-status-shopify');
    await card.waitFor();
    expect(await card.getAttribute('data-status')).to.equal('ok');
    expect(await textOf(page.getByTestId('store-account'))).to.contain(domain);
    await page.locator('[data-testid="store-orders-received"][data-count="3"]').waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="store-run"][data-trigger="backfill"][data-finished="true"]').waitFor();
    expect(await page.getByTestId('shopify-connect-form').count(), 'the form is gone once connected').to.equal(0);
    const { text } = await storesOf(shop);
    expect(text, 'never the token').to.not.contain(token);
    expect(text, 'never the secret').to.not.contain(apiSecret);

    // The orders list shows the store's orders by their Shopify names.
    await page.getByTestId('nav-orders').click();
    await page.getByTestId('orders-page').waitFor();
    for (const n of ['#1001', '#1002', '#1003']) await page.getByTestId('order-row').filter({ hasText: n }).waitFor();

    // Sync now: the page shows it syncing until a manual run has ended.
    await page.goBack();
    await page.getByTestId('store-status-shopify').waitFor();
    await page.getByTestId('store-sync-now').click();
    await page.getByTestId('stores-notice').filter({ hasText: '同期を始めました' }).waitFor();
    await page.locator('[data-testid="store-run"][data-trigger="manual"][data-finished="true"]').waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="store-status-shopify"][data-syncing="false"]').waitFor();
    expect(await textOf(page.getByTestId('store-sync-now'))).to.equal('今すぐ同期');

    // Disconnect asks first, saying the orders stay; they do.
    await page.getByTestId('store-disconnect').click();
    expect(await textOf(page.getByTestId('store-disconnect-confirm-text'))).to.contain('注文はそのまま残ります');
    await page.getByTestId('store-confirm-disconnect').click();
    await page.locator('[data-testid="store-shopify"][data-state="none"]').waitFor();
    await page.getByTestId('stores-notice').filter({ hasText: '切断しました' }).waitFor();
    expect((await storesOf(shop)).body.stores).to.deep.equal([]);
    const owner = await signedIn(server.url, shop.people.owner);
    const orders = await owner.get(`/api/shops/${shop.id}/orders?q=${encodeURIComponent('#1002')}`);
    expect(orders.status).to.equal(200);
    expect((orders.body as { orders: Array<{ orderNumber: string }> }).orders.map((o) => o.orderNumber)).to.include('#1002');
  });

  it('shows a store whose token Shopify no longer takes as broken, says why, and reconnects it', async () => {
    const shop = await makeShop(server.database);
    const tag = randomBytes(3).toString('hex');
    const domain = `e2e-${tag}.myshopify.com`;
    const [token, fresh] = [`shpat_${randomBytes(16).toString('hex')}`, `shpat_${randomBytes(16).toString('hex')}`];
    shopify.addShop(domain, token, { name: `テストストア ${tag}` });
    shopify.seedOrders(domain, 1);
    const owner = await signedIn(server.url, shop.people.owner);
    expect((await owner.post(`/api/shops/${shop.id}/stores/shopify`, { shopDomain: domain, accessToken: token, apiSecret: randomBytes(16).toString('hex') })).status).to.equal(201);

    const page = await openStores(shop, shop.people.staff);
    await page.locator('[data-testid="store-orders-received"][data-count="1"]').waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="store-status-shopify"][data-syncing="false"]').waitFor();

    // The app's token revoked on Shopify's side: the next sync finds out, and the card says so in words.
    shopify.revoke(token);
    await page.getByTestId('store-sync-now').click();
    await page.locator('[data-testid="store-status-shopify"][data-status="broken"]').waitFor({ timeout: 60_000 });
    expect(await textOf(page.getByTestId('store-broken-reason'))).to.contain('Shopify がアクセストークンを受け付けませんでした');
    expect(await page.getByTestId('store-sync-now').count(), 'no sync while broken').to.equal(0);
    await page.locator('[data-testid="store-run"][data-error="auth"]').waitFor();
    // The way back is right there: the form again, the store's domain filled in.
    expect(await page.getByTestId('shopify-shopDomain').inputValue()).to.equal(domain);
    expect(await textOf(page.getByTestId('shopify-connect-submit'))).to.equal('再連携する');

    shopify.addShop(domain, fresh, { name: `テストストア ${tag}` });
    shopify.seedOrders(domain, 1, { startNumber: 1002 });
    await page.getByTestId('shopify-accessToken').fill(fresh);
    await page.getByTestId('shopify-apiSecret').fill(randomBytes(16).toString('hex'));
    await page.getByTestId('shopify-connect-submit').click();
    await page.locator('[data-testid="store-status-shopify"][data-status="ok"]').waitFor();
    expect(await page.getByTestId('store-broken').count()).to.equal(0);
    expect(await page.getByTestId('shopify-connect-form').count()).to.equal(0);
    // Syncing resumes: the new token's backfill brings the order made meanwhile.
    await page.locator('[data-testid="store-orders-received"][data-count="2"]').waitFor({ timeout: 60_000 });
  });

  it('says how an OAuth install came back, once, on the shop’s store connections', async () => {
    const shop = await makeShop(server.database);
    const page = await signInToConsole(await pages.page(browser), server.url, shop.people.owner, shop.id);
    await page.goto(`${server.url}/console/settings/stores?error=access_denied`);
    await page.waitForURL(new RegExp(`/console/shops/${shop.id}/settings/stores$`));
    expect(await textOf(page.getByTestId('stores-notice'))).to.equal('連携が許可されませんでした。');
    await page.reload();
    await page.getByTestId('store-shopify').waitFor();
    expect(await page.getByTestId('stores-notice').count(), 'said once').to.equal(0);
  });

  it('does not let an agent in', async () => {
    const shop = await makeShop(server.database);
    const page = await signInToConsole(await pages.page(browser), server.url, shop.people.agent, shop.id);
    await page.goto(`${server.url}/console/shops/${shop.id}/settings/stores`);
    await page.getByTestId('stores-not-allowed').waitFor();
    expect(await page.getByTestId('store-shopify').count()).to.equal(0);
  });
});

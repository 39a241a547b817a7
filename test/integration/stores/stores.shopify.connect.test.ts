import { expect } from 'chai';
import { unseal } from '../../../server/core/sealed.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import type { TestClient } from '../../helpers/client.ts';
import { oneDbKind } from '../../helpers/env.ts';
import { eventually } from '../../helpers/eventually.ts';
import { oauthHmac, shopifyApiStandIn, type ShopifyApiStandIn } from '../../helpers/shopify-api.ts';
import { makeShop, signedIn } from '../../fixtures/builders.ts';
import { aStore, connected, connectionOf, ordersOf, PUBLIC_URL, runsOf, tag } from './stores.shopify.helpers.ts';

const CLIENT_ID = 'shopify-client-id-of-the-test-app';
const CLIENT_SECRET = 'shopify-client-secret-of-the-test-app';

for (const kind of oneDbKind()) {
  describe(`[${kind}] connecting a Shopify store`, () => {
    let server: TestServer;
    let shopify: ShopifyApiStandIn;
    before(async () => {
      shopify = await shopifyApiStandIn();
      shopify.addApp(CLIENT_ID, CLIENT_SECRET);
      server = await startServer(kind, { config: { SHOPIFY_API_URL: shopify.apiUrl, PUBLIC_URL, SHOPIFY_CLIENT_ID: CLIENT_ID, SHOPIFY_CLIENT_SECRET: CLIENT_SECRET } });
    });
    after(async () => {
      await server.close();
      await shopify.close();
    });

    it('connects with a custom app’s token: checked with the shop query, stored sealed, the five topics and app/uninstalled registered to its receiver, and the backfill brings the orders in', async function () {
      // The backfill is a job: on a loaded machine, behind other suites' leftover work on the shared database, it may take a while.
      this.timeout(60_000);
      const { shop, owner, connectionId, domain, token, apiSecret, store } = await connected(server, shopify, 3);
      const row = (await connectionOf(server, shop.id))!;
      expect(row).to.deep.include({ id: connectionId, account: domain, accountName: store.name, via: 'token', status: 'ok', scopes: ['read_orders'] });
      expect(row.accessSealed).not.to.include(token);
      expect(unseal(server.app.slack.keyring, row.accessSealed, `store:access:${connectionId}`)).to.equal(token);
      expect(unseal(server.app.slack.keyring, row.webhookSecretSealed!, `store:webhook:${connectionId}`)).to.equal(apiSecret);
      expect(store.webhooks.map((w) => w.topic).sort()).to.deep.equal(['APP_UNINSTALLED', 'FULFILLMENTS_CREATE', 'FULFILLMENTS_UPDATE', 'ORDERS_CANCELLED', 'ORDERS_CREATE', 'ORDERS_UPDATED']);
      expect(new Set(store.webhooks.map((w) => w.uri))).to.deep.equal(new Set([`${PUBLIC_URL}/hooks/shopify/${connectionId}`]));

      const stored = await ordersOf(server, shop.id);
      expect(stored.map((o) => o.orderNumber)).to.deep.equal(['#1001', '#1002', '#1003']);
      expect(stored[0]).to.deep.include({ source: 'shopify', connectionId, externalId: '5960000001001', total: 2 * 1980 + 1080 + 550, prefecture: '東京都', paymentMethod: 'credit_card' });
      const view = await owner.get(`/api/shops/${shop.id}/orders/${encodeURIComponent('#1001')}`);
      expect(view.status, view.text).to.equal(200);
      expect(view.body.lines.map((l: { sku: string; taxRate: number }) => [l.sku, l.taxRate])).to.deep.equal([['TOTE-NAVY', 10], ['TEA-50', 8]]);

      const list = await owner.get(`/api/shops/${shop.id}/stores`);
      expect(list.status, list.text).to.equal(200);
      expect(list.text).not.to.include(token);
      expect(list.text).not.to.include(apiSecret);
    });

    it('takes the domain as merchants paste it (https://…/admin, upper case) and stores it as x.myshopify.com', async () => {
      const shop = await makeShop(server.database, undefined, ['owner']);
      const owner = await signedIn(server.url, shop.people.owner);
      const s = aStore(shopify);
      const r = await owner.post(`/api/shops/${shop.id}/stores/shopify`, { shopDomain: `https://${s.domain.toUpperCase()}/admin`, accessToken: s.token, apiSecret: s.apiSecret, backfillDays: 7 });
      expect(r.status, r.text).to.equal(201);
      expect(r.body).to.deep.include({ account: s.domain, backfillDays: 7, platform: 'shopify' });
    });

    it('refuses a token Shopify refuses, a store not in yen, a token without read_orders and a domain that is not a store: 400 at the field, nothing stored', async () => {
      const shop = await makeShop(server.database, undefined, ['owner']);
      const owner = await signedIn(server.url, shop.people.owner);
      const post = (body: Record<string, unknown>) => owner.post(`/api/shops/${shop.id}/stores/shopify`, body);
      const good = aStore(shopify);

      const badToken = await post({ shopDomain: good.domain, accessToken: 'shpat_not-a-token-it-knows', apiSecret: good.apiSecret });
      expect(badToken.status, badToken.text).to.equal(400);
      expect(badToken.body.error.details[0]).to.deep.include({ path: 'accessToken' });
      expect(badToken.body.error.details[0].ja).to.match(/アクセストークン/);

      const usd = aStore(shopify, { currency: 'USD' });
      const dollars = await post({ shopDomain: usd.domain, accessToken: usd.token, apiSecret: usd.apiSecret });
      expect(dollars.status, dollars.text).to.equal(400);
      expect(dollars.body.error.details[0]).to.deep.include({ path: 'shopDomain', message: 'the store’s currency is USD; madoguchi stores yen' });

      const blind = aStore(shopify, { scopes: ['read_products'] });
      const noOrders = await post({ shopDomain: blind.domain, accessToken: blind.token, apiSecret: blind.apiSecret });
      expect(noOrders.status, noOrders.text).to.equal(400);
      expect(noOrders.body.error.details[0].ja).to.match(/read_orders/);

      const notStore = await post({ shopDomain: 'example.com', accessToken: good.token, apiSecret: good.apiSecret });
      expect(notStore.status, notStore.text).to.equal(400);
      expect(notStore.body.error.details[0]).to.deep.include({ path: 'shopDomain' });

      expect(await connectionOf(server, shop.id)).to.equal(undefined);
      expect([usd, blind].every((s) => s.store.webhooks.length === 0)).to.equal(true);
    });

    it('answers 503 when Shopify cannot answer, and a contractor may not connect a store', async () => {
      const shop = await makeShop(server.database, undefined, ['owner', 'contractor']);
      const owner = await signedIn(server.url, shop.people.owner);
      const s = aStore(shopify);
      shopify.failNext({ status: 503 });
      const down = await owner.post(`/api/shops/${shop.id}/stores/shopify`, { shopDomain: s.domain, accessToken: s.token, apiSecret: s.apiSecret });
      expect(down.status, down.text).to.equal(503);
      const contractor = await signedIn(server.url, shop.people.contractor);
      const refused = await contractor.post(`/api/shops/${shop.id}/stores/shopify`, { shopDomain: s.domain, accessToken: s.token, apiSecret: s.apiSecret });
      expect(refused.status, refused.text).to.equal(403);
      expect(await connectionOf(server, shop.id)).to.equal(undefined);
    });

    describe('the public app’s install (OAuth)', () => {
      async function install(client: TestClient, shopId: string, domain: string) {
        const r = await client.get(`/api/shops/${shopId}/stores/shopify/install?shop=${domain}`);
        expect(r.status, r.text).to.equal(302);
        const location = new URL(r.headers.get('location')!);
        const cookie = r.headers.getSetCookie().find((c) => c.startsWith('mdg_shopify_state='))!;
        return { location, stateCookie: cookie.split(';')[0]! };
      }
      /** The browser at Shopify's authorize page (the stand-in approves at once), then back at our callback with its cookies. */
      async function approveAndReturn(client: TestClient, location: URL, cookies: string[]) {
        const atShopify = await fetch(location, { redirect: 'manual' });
        expect(atShopify.status).to.equal(302);
        const back = new URL(atShopify.headers.get('location')!);
        return { back, res: await comeBack(client, back.search, cookies) };
      }
      const comeBack = async (client: TestClient, search: string, cookies: string[]) => {
        const res = await fetch(`${server.url}/stores/shopify/callback${search}`, { headers: { cookie: [client.cookie, ...cookies].filter(Boolean).join('; ') }, redirect: 'manual' });
        return { status: res.status, location: res.headers.get('location') };
      };

      it('sends the owner to Shopify’s authorize page with a signed state, and on the way back exchanges the code and connects the store', async () => {
        const shop = await makeShop(server.database, undefined, ['owner']);
        const owner = await signedIn(server.url, shop.people.owner);
        const s = aStore(shopify);
        shopify.seedOrders(s.domain, 2);
        const { location, stateCookie } = await install(owner, shop.id, s.domain);
        expect(location.pathname).to.equal(`/${s.domain}/admin/oauth/authorize`);
        expect(location.searchParams.get('client_id')).to.equal(CLIENT_ID);
        expect(location.searchParams.get('scope')).to.equal('read_orders');
        expect(location.searchParams.get('redirect_uri')).to.equal(`${PUBLIC_URL}/stores/shopify/callback`);
        const { back, res } = await approveAndReturn(owner, location, [stateCookie]);
        expect(res, back.toString()).to.deep.equal({ status: 302, location: `/console/shops/${shop.id}/settings/stores?connected=shopify` });
        const row = (await connectionOf(server, shop.id))!;
        expect(row).to.deep.include({ account: s.domain, via: 'oauth', webhookSecretSealed: null });
        expect(unseal(server.app.slack.keyring, row.accessSealed, `store:access:${row.id}`)).to.equal(shopify.installToken(s.domain));
        await eventually(async () => (await ordersOf(server, shop.id)).length === 2, 'the backfill of the installed store');
      });

      it('refuses a forged signature, a state from another browser, and someone else signed in: nothing exchanged, nothing stored', async () => {
        const shop = await makeShop(server.database, undefined, ['owner', 'staff']);
        const owner = await signedIn(server.url, shop.people.owner);
        const s = aStore(shopify);
        const { location, stateCookie } = await install(owner, shop.id, s.domain);
        const atShopify = await fetch(location, { redirect: 'manual' });
        const back = new URL(atShopify.headers.get('location')!);
        const params = Object.fromEntries(back.searchParams);

        const forged = new URLSearchParams({ ...params, hmac: oauthHmac({ ...params }, 'not-the-secret') });
        expect(await comeBack(owner, `?${forged}`, [stateCookie])).to.deep.include({ location: '/console/settings/stores?error=invalid_signature&platform=shopify' });
        expect(await comeBack(owner, back.search, [])).to.deep.include({ location: '/console/settings/stores?error=invalid_state&platform=shopify' });
        const staff = await signedIn(server.url, shop.people.staff);
        expect(await comeBack(staff, back.search, [stateCookie])).to.deep.include({ location: `/console/shops/${shop.id}/settings/stores?error=forbidden&platform=shopify` });
        expect(await connectionOf(server, shop.id)).to.equal(undefined);
        expect(shopify.calls.filter((c) => c.shop === s.domain)).to.have.length(0);
      });

      it('is not offered to a shop whose deployment has no app: the install answers 404', async () => {
        const bare = await startServer(kind, { config: { SHOPIFY_API_URL: shopify.apiUrl, PUBLIC_URL } });
        try {
          const shop = await makeShop(bare.database, undefined, ['owner']);
          const owner = await signedIn(bare.url, shop.people.owner);
          expect((await owner.get(`/api/shops/${shop.id}/stores/shopify/install?shop=shop-${tag()}.myshopify.com`)).status).to.equal(404);
        } finally {
          await bare.close();
        }
      });
    });

    it('disconnecting removes the webhooks pointing at the connection from the store; the orders stay', async () => {
      const { shop, owner, connectionId, store } = await connected(server, shopify, 2);
      const foreign = { id: 'gid://shopify/WebhookSubscription/999999', topic: 'ORDERS_CREATE', uri: 'https://elsewhere.example.jp/hook' };
      store.webhooks.push(foreign);
      const r = await owner.delete(`/api/shops/${shop.id}/stores/${connectionId}`);
      expect(r.status, r.text).to.equal(204);
      expect(store.webhooks).to.deep.equal([foreign]);
      expect(await connectionOf(server, shop.id)).to.equal(undefined);
      expect((await ordersOf(server, shop.id)).length).to.equal(2);
    });

    it('a connection’s first run is a backfill, recorded with what it received', async () => {
      const { connectionId } = await connected(server, shopify, 4);
      const [run] = await runsOf(server, connectionId);
      expect(run).to.deep.include({ trigger: 'backfill', received: 4, created: 4, rejected: 0, error: null });
    });
  });
}

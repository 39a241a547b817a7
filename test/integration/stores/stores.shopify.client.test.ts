import { expect } from 'chai';
import { ShopifyClient } from '../../../server/domains/stores/shopify/shopify.client.ts';
import { ORDERS_QUERY, SHOP_QUERY, updatedSince } from '../../../server/domains/stores/shopify/shopify.queries.ts';
import { StoreApiError } from '../../../server/domains/stores/stores.port.ts';
import { aStore, shopifyApiStandIn, type ShopifyApiStandIn } from '../../helpers/shopify-api.ts';

describe('the Shopify GraphQL client against the stand-in', () => {
  let shopify: ShopifyApiStandIn;
  before(async () => {
    shopify = await shopifyApiStandIn();
    Object.assign(shopify.throttle, { maximumAvailable: 100, restoreRate: 200, orderCost: 4 });
  });
  after(() => shopify.close());

  const clientOf = (shop: string, token: string) => new ShopifyClient({ apiUrl: shopify.apiUrl, version: '2025-10', shop, token });
  const refusal = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      expect(e).to.be.instanceOf(StoreApiError);
      return e as StoreApiError;
    }
    throw new Error('expected a refusal');
  };

  it('reads the shop with the access token', async () => {
    const s = aStore(shopify);
    const data = await clientOf(s.domain, s.token).query<{ shop: { myshopifyDomain: string; currencyCode: string } }>(SHOP_QUERY);
    expect(data.shop).to.deep.include({ myshopifyDomain: s.domain, currencyCode: 'JPY' });
  });

  it('waits for the bucket before a query that would not fit, so none is throttled', async () => {
    const s = aStore(shopify);
    shopify.seedOrders(s.domain, 10);
    const client = clientOf(s.domain, s.token);
    for (let i = 0; i < 6; i++) await client.query(ORDERS_QUERY, { query: updatedSince(new Date(0)), after: null });
    const calls = shopify.calls.filter((c) => c.shop === s.domain && c.operation === 'OrdersSince');
    expect(calls).to.have.length(6);
    expect(calls.filter((c) => c.throttled)).to.have.length(0);
  });

  it('waits out THROTTLED and sends again', async () => {
    const s = aStore(shopify);
    shopify.spend(s.domain, 100);
    await clientOf(s.domain, s.token).query(ORDERS_QUERY, { query: updatedSince(new Date(0)), after: null });
    expect(shopify.calls.filter((c) => c.shop === s.domain).map((c) => c.throttled)).to.deep.equal([true, false]);
  });

  it('says what Shopify’s refusals mean: 401 auth, 5xx unavailable, a long 429 rate_limited with its Retry-After; a short 429 is waited out', async () => {
    const s = aStore(shopify);
    expect((await refusal(clientOf(s.domain, 'shpat_unknown').query(SHOP_QUERY))).kind).to.equal('auth');
    shopify.failNext({ status: 500 });
    expect(await refusal(clientOf(s.domain, s.token).query(SHOP_QUERY))).to.deep.include({ kind: 'unavailable' });
    shopify.failNext({ status: 429, retryAfter: 600 });
    const limited = await refusal(clientOf(s.domain, s.token).query(SHOP_QUERY));
    expect(limited.kind).to.equal('rate_limited');
    expect(limited.opts.retryAfterMs).to.equal(600_000);
    shopify.failNext({ status: 429, retryAfter: 1 });
    expect((await clientOf(s.domain, s.token).query<{ shop: unknown }>(SHOP_QUERY)).shop).to.not.equal(undefined);
    shopify.revoke(s.token);
    expect((await refusal(clientOf(s.domain, s.token).query(SHOP_QUERY))).kind).to.equal('auth');
  });

  it('a store that is not there is unavailable at the socket, not a crash', async () => {
    const client = new ShopifyClient({ apiUrl: 'http://127.0.0.1:9/{shop}', version: '2025-10', shop: 'x.myshopify.com', token: 't' });
    expect((await refusal(client.query(SHOP_QUERY))).kind).to.equal('unavailable');
  });
});

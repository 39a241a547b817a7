import { expect } from 'chai';
import { runSync } from '../../../server/domains/stores/stores.service.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { oneDbKind } from '../../helpers/env.ts';
import { makeOrderNode, shopifyApiStandIn, type ShopifyApiStandIn } from '../../helpers/shopify-api.ts';
import { connected, connectionOf, ordersOf, PUBLIC_URL, runsOf } from './stores.shopify.helpers.ts';

for (const kind of oneDbKind()) {
  describe(`[${kind}] Shopify sync runs against the Admin API’s cost limit`, () => {
    let server: TestServer;
    let shopify: ShopifyApiStandIn;
    before(async () => {
      shopify = await shopifyApiStandIn();
      // A small bucket, so a few hundred orders meet the limit: a page of 10 asks for 2 + 10 × 4 = 42 of 100 points, restored at 100 a second.
      Object.assign(shopify.throttle, { maximumAvailable: 100, restoreRate: 100, orderCost: 4 });
      server = await startServer(kind, { config: { SHOPIFY_API_URL: shopify.apiUrl, PUBLIC_URL } });
    });
    after(async () => {
      await server.close();
      await shopify.close();
    });

    it('backfills 300 orders page by page, waiting for the bucket instead of being throttled', async function () {
      this.timeout(90_000);
      const { shop, connectionId, domain } = await connected(server, shopify, 300);
      const pages = shopify.calls.filter((c) => c.shop === domain && c.operation === 'OrdersSince');
      // The backfill starts while connecting still registers its webhooks on the same bucket, so the client's reading of
      // the bucket may be stale until the page after the connect's last call: that page alone may meet THROTTLED, and is
      // sent again. After it the client is alone on the bucket, reads throttleStatus and waits (cost − available) ÷
      // restoreRate before a page that would not fit: nothing more is throttled.
      const lastOther = Math.max(...shopify.calls.filter((c) => c.shop === domain && c.operation !== 'OrdersSince').map((c) => c.at));
      const alone = pages.filter((c) => c.at > lastOther);
      expect(alone.slice(1).filter((c) => c.throttled)).to.have.length(0);
      expect(alone.length).to.be.greaterThan(20);
      const answered = pages.filter((c) => !c.throttled);
      expect(answered).to.have.length(30);
      expect(answered.every((c) => c.requestedCost <= c.available)).to.equal(true);
      expect((await ordersOf(server, shop.id)).length).to.equal(300);
      const [run] = await runsOf(server, connectionId);
      expect(run).to.deep.include({ trigger: 'backfill', received: 300, created: 300, error: null });
      const row = (await connectionOf(server, shop.id))!;
      expect(row.ordersReceived).to.equal(300);
      expect(Date.parse(String((row.state as { since?: string }).since))).to.be.a('number').and.not.NaN;
    });

    it('waits out a THROTTLED answer and asks again', async () => {
      const { shop, connectionId, domain } = await connected(server, shopify, 1);
      shopify.seedOrders(domain, 2);
      // Another app of the store used the bucket up: the first page is refused, read its throttleStatus, waited for, sent again.
      shopify.spend(domain, 100);
      const before = shopify.calls.length;
      expect(await runSync(server.app.stores, connectionId, 'manual')).to.deep.equal({ ran: true, ok: true });
      const pages = shopify.calls.slice(before).filter((c) => c.operation === 'OrdersSince');
      expect(pages.map((c) => c.throttled)).to.deep.equal([true, false]);
      expect((await ordersOf(server, shop.id)).length).to.equal(3);
    });

    it('an order with more lines than a page holds is read again on its own, with all its lines; one with more than that is refused, not cut', async () => {
      const { shop, connectionId, domain } = await connected(server, shopify, 0);
      const withLines = (number: number, n: number) => {
        const node = makeOrderNode(number, new Date());
        const line = node.lineItems.nodes[0]!;
        node.lineItems = { pageInfo: { hasNextPage: false }, nodes: Array.from({ length: n }, (_, i) => ({ ...line, id: `gid://shopify/LineItem/${number}${i}`, sku: `SKU-${i}`, quantity: 1 })) };
        shopify.putOrder(domain, node);
        return node;
      };
      const big = withLines(5001, 8);
      const huge = withLines(5002, 85);
      expect(await runSync(server.app.stores, connectionId, 'manual')).to.deep.equal({ ran: true, ok: true });
      const stored = await ordersOf(server, shop.id);
      expect(stored.map((o) => [o.orderNumber, o.total])).to.deep.equal([['#5001', 8 * 1980 + 550]]);
      expect(shopify.calls.filter((c) => c.shop === domain && c.operation === 'OrderById' && !c.throttled).map((c) => c.variables.id)).to.deep.equal([big.id, huge.id]);
      const run = (await runsOf(server, connectionId)).at(-1)!;
      expect(run).to.deep.include({ received: 2, created: 1, rejected: 1 });
      expect(run.rejections).to.deep.equal([{ orderNumber: '#5002', reason: 'the order has more than 80 lines; madoguchi reads at most 80', ja: '明細が 80 行を超える注文は取り込めません。' }]);
    });

    it('an order whose text holds a NUL character (PostgreSQL stores none) is saved without it, the run and the page’s other orders with it', async () => {
      const { shop, connectionId, domain } = await connected(server, shopify, 0);
      const odd = makeOrderNode(8001, new Date());
      odd.lineItems.nodes[0]!.name = 'トート\u0000バッグ';
      shopify.putOrder(domain, odd);
      shopify.putOrder(domain, makeOrderNode(8002, new Date()));
      expect(await runSync(server.app.stores, connectionId, 'manual')).to.deep.equal({ ran: true, ok: true });
      const stored = await ordersOf(server, shop.id);
      expect(stored.map((o) => o.orderNumber)).to.deep.equal(['#8001', '#8002']);
    });

    it('a reconcile reads from where the last good run started, a few minutes over, and updates what changed', async () => {
      const { shop, connectionId, domain } = await connected(server, shopify, 2);
      const before = shopify.calls.length;
      const changed = makeOrderNode(1001, new Date(), { cancelledAt: new Date().toISOString() });
      shopify.putOrder(domain, changed);
      const r = await runSync(server.app.stores, connectionId, 'reconcile');
      expect(r).to.deep.equal({ ran: true, ok: true });
      const page = shopify.calls.slice(before).find((c) => c.operation === 'OrdersSince')!;
      const since = Date.parse(/'(.+)'/.exec(String(page.variables.query))![1]!);
      const row = (await connectionOf(server, shop.id))!;
      expect(since).to.be.below(Date.now() - 4 * 60_000);
      expect(since).to.be.above(Date.now() - 10 * 60_000);
      const runs = await runsOf(server, connectionId);
      expect(runs.at(-1)).to.deep.include({ trigger: 'reconcile', received: 2, updated: 1, unchanged: 1 });
      const [order] = (await ordersOf(server, shop.id)).filter((o) => o.orderNumber === '#1001');
      expect(order!.cancelledAt).to.be.instanceOf(Date);
      expect(row.status).to.equal('ok');
    });

    it('a token revoked on Shopify’s side breaks the connection with the reason, and the schedule leaves it alone', async () => {
      const { shop, connectionId, token } = await connected(server, shopify, 1);
      shopify.revoke(token);
      expect(await runSync(server.app.stores, connectionId, 'reconcile')).to.deep.equal({ ran: true, ok: false });
      const row = (await connectionOf(server, shop.id))!;
      expect(row).to.deep.include({ status: 'broken', nextSyncAt: null });
      expect(row.lastError).to.deep.include({ code: 'auth' });
      expect(row.lastError!.ja).to.match(/アクセストークン/);
      expect(await runSync(server.app.stores, connectionId, 'reconcile')).to.deep.equal({ ran: false });
    });

    it('a backfill cut short (Shopify away after some pages) keeps what it saved and where it got to: the next run goes on from there, not from the window’s start', async () => {
      const { shop, connectionId, domain } = await connected(server, shopify, 0);
      const made = shopify.seedOrders(domain, 30, { endingAt: new Date(Date.now() - 86_400_000) });
      // The third page's query fails (its second `after` cursor; a throttled page asked again is the same page): Shopify goes away after two pages of ten.
      const afters = new Set<string>();
      const cut: typeof fetch = async (input, init) => {
        const body = JSON.parse(String(init?.body ?? '{}')) as { query?: string; variables?: { after?: string | null } };
        if (body.query?.includes('OrdersSince') && body.variables?.after) afters.add(body.variables.after);
        if (afters.size >= 2) return new Response('{"errors":"Internal Server Error"}', { status: 500 });
        return fetch(input, init);
      };
      expect(await runSync({ ...server.app.stores, fetch: cut }, connectionId, 'backfill')).to.deep.equal({ ran: true, ok: false });
      expect(await ordersOf(server, shop.id)).to.have.length(20);
      const row = (await connectionOf(server, shop.id))!;
      expect((row.state as { since?: string }).since).to.equal(made[19]!.updatedAt);
      const before = shopify.calls.length;
      expect(await runSync(server.app.stores, connectionId, 'reconcile')).to.deep.equal({ ran: true, ok: true });
      expect(await ordersOf(server, shop.id)).to.have.length(30);
      // It read from the 20th order's change (less the overlap), not the whole window again.
      const next = shopify.calls.slice(before).find((c) => c.operation === 'OrdersSince')!;
      expect(String(next.variables.query)).to.not.include(new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10));
    });

    for (const failure of [{ status: 500 as const }, { status: 429 as const, retryAfter: 120 }]) {
      it(`Shopify answering ${failure.status}: the run is recorded with the error and the next one backs off`, async () => {
        const { shop, connectionId } = await connected(server, shopify, 1);
        shopify.failNext(failure, 1);
        const started = Date.now();
        expect(await runSync(server.app.stores, connectionId, 'reconcile')).to.deep.equal({ ran: true, ok: false });
        const row = (await connectionOf(server, shop.id))!;
        expect(row).to.deep.include({ status: 'ok', failures: 1 });
        expect(row.lastError!.code).to.equal(failure.status === 429 ? 'rate_limited' : 'unavailable');
        expect(row.nextSyncAt!.getTime()).to.be.at.least(started + (failure.status === 429 ? 120_000 : 60_000));
        const runs = await runsOf(server, connectionId);
        expect(runs.at(-1)!.error).to.deep.include({ code: row.lastError!.code });
      });
    }
  });
}

import { expect } from 'chai';
import { and, eq } from 'drizzle-orm';
import type { Actor } from '../../../server/core/actor.ts';
import { unseal } from '../../../server/core/sealed.ts';
import { orders } from '../../../server/domains/orders/orders.tables.ts';
import { createConnection, runSync } from '../../../server/domains/stores/stores.service.ts';
import { storeConnections, storeSyncRuns } from '../../../server/domains/stores/stores.tables.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { forgetStoresSince } from './stores.cleanup.ts';
import { baseApiStandIn, type BaseApiStandIn } from '../../helpers/base-api.ts';
import { dbKinds } from '../../helpers/env.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { baseFixture, baseOrder } from '../../fixtures/base/orders.ts';

const CLIENT_ID = 'base-client-of-the-test-app';
const CLIENT_SECRET = 'base-secret-of-the-test-app';

/**
 * BASE polling through the real app: core's sync runner (stores.service.ts) with the BASE
 * adapter against the BASE stand-in, orders stored in the real database. Jobs are off, so each
 * run is the test's own (runSync, as the store.sync job calls it).
 */
for (const kind of dbKinds) {
  describe(`[${kind}] BASE: polling orders through core's sync runner`, () => {
    let server: TestServer;
    let base: BaseApiStandIn;
    before(async () => {
      base = await baseApiStandIn();
      base.addClient(CLIENT_ID, CLIENT_SECRET, 'https://desk.example.jp/stores/base/callback');
      server = await startServer(kind, { config: { JOBS: 'off', BASE_CLIENT_ID: CLIENT_ID, BASE_CLIENT_SECRET: CLIENT_SECRET, BASE_API_URL: base.url, PUBLIC_URL: 'https://desk.example.jp' } });
    });
    const began = new Date();
    after(async () => {
      await forgetStoresSince(server.database.db, began);
      await server.close();
      await base.close();
    });

    beforeEach(() => base.clearOrders());

    const db = () => server.database.db;
    const deps = () => server.app.stores;
    const ownerOf = (shop: TestShop): Actor => ({ kind: 'user', shopId: shop.id, userId: shop.people.owner.id, name: 'owner', role: 'owner' });
    const row = async (id: string) => (await db().select().from(storeConnections).where(eq(storeConnections.id, id)))[0]!;
    const runsOf = async (id: string) => (await db().select().from(storeSyncRuns).where(eq(storeSyncRuns.connectionId, id))).sort((a, b) => a.id - b.id);
    const ordersOf = (shopId: string) => db().select().from(orders).where(eq(orders.shopId, shopId));
    const orderOf = async (shopId: string, n: string) => (await db().select().from(orders).where(and(eq(orders.shopId, shopId), eq(orders.orderNumber, n))))[0];

    /** A shop connected to BASE as the OAuth callback leaves it, with tokens the stand-in issued. */
    async function connected(expiresAt: Date | null = new Date(Date.now() + 3_600_000)) {
      const shop = await makeShop(server.database, undefined, ['owner']);
      const tokens = base.issueTokens({ clientId: CLIENT_ID });
      const view = await createConnection(deps(), { shopId: shop.id, platform: 'base', account: base.shop.shopId, accountName: base.shop.shopName, via: 'oauth', access: tokens.access, refresh: tokens.refresh, expiresAt, scopes: ['read_users', 'read_orders'], actor: ownerOf(shop) });
      return { shop, id: view.id, tokens };
    }
    const unsealed = (c: Awaited<ReturnType<typeof row>>) => ({
      access: unseal(server.app.stores.keyring, c.accessSealed, `store:access:${c.id}`),
      refresh: c.refreshSealed ? unseal(server.app.stores.keyring, c.refreshSealed, `store:refresh:${c.id}`) : null,
    });

    it('a backfill that needs a token refresh first: the orders arrive, and the new tokens BASE issued are stored sealed', async () => {
      const { unique_key: _k, ordered: _o, modified: _m, ...codOrder } = baseFixture('cod');
      const placed = [baseOrder(2), baseOrder(1, codOrder), baseOrder(0.5)];
      for (const o of placed) base.putOrder(o);
      const { shop, id, tokens } = await connected(new Date(Date.now() - 60_000));
      const before = base.callsTo('/1/oauth/token').length;

      expect(await runSync(deps(), id, 'backfill')).to.deep.equal({ ran: true, ok: true });
      const stored = await ordersOf(shop.id);
      expect(stored.map((o) => o.orderNumber).sort()).to.deep.equal(placed.map((o) => o.unique_key).sort());
      expect(stored.every((o) => o.source === 'base' && o.connectionId === id && o.externalId === o.orderNumber)).to.equal(true);
      const cod = stored.find((o) => o.paymentMethod === 'cod')!;
      expect([cod.codFee, cod.total]).to.deep.equal([330, 4430]);

      expect(base.callsTo('/1/oauth/token').length - before).to.equal(1);
      const c = await row(id);
      const now = unsealed(c);
      expect(now.access).to.not.equal(tokens.access);
      expect(now.refresh).to.be.a('string');
      expect(now.refresh).to.not.equal(tokens.refresh);
      expect(c.accessSealed).to.not.include(now.access);
      expect(c.refreshSealed).to.not.include(now.refresh!);
      expect(c.tokenExpiresAt!.getTime()).to.be.greaterThan(Date.now());
      expect(c).to.include({ status: 'ok', ordersReceived: 3, failures: 0 });
      const [run] = await runsOf(id);
      expect(run).to.include({ trigger: 'backfill', received: 3, created: 3, updated: 0, rejected: 0 });
      expect(c.nextSyncAt!.getTime() - run!.finishedAt!.getTime()).to.equal(10 * 60_000);
    });

    it('an order dispatched later in BASE is updated by the next poll; nothing is imported twice', async () => {
      const o = baseOrder(3);
      base.putOrder(o);
      const { shop, id } = await connected();
      await runSync(deps(), id, 'backfill');
      expect((await orderOf(shop.id, o.unique_key))!.shippedAt).to.equal(null);

      const dispatched = Math.floor(Date.now() / 1000);
      base.updateOrder(o.unique_key, { dispatched, dispatch_status: 'dispatched', delivery_company_id: 1, tracking_number: '4455-6677-8899' });
      const details = base.callsTo('/1/orders/detail').length;
      await runSync(deps(), id, 'poll');
      const after = (await orderOf(shop.id, o.unique_key))!;
      expect(after.shippedAt!.getTime()).to.equal(dispatched * 1000);
      expect(after).to.include({ carrier: 'ヤマト運輸', trackingNumber: '4455-6677-8899' });
      expect(after.deliveredAt).to.equal(null);
      expect(base.callsTo('/1/orders/detail').slice(details).map((c) => c.path), JSON.stringify(base.calls.slice(-8).map((c) => [c.path, c.query]))).to.have.length(1);

      await runSync(deps(), id, 'poll');
      expect(await ordersOf(shop.id)).to.have.length(1);
      const runs = await runsOf(id);
      expect(runs.map((r) => [r.trigger, r.created, r.updated, r.received])).to.deep.equal([
        ['backfill', 1, 0, 1],
        ['poll', 0, 1, 1],
        ['poll', 0, 0, 0],
      ]);
    });

    it('a cancellation in BASE reaches the order', async () => {
      const o = baseOrder(1);
      base.putOrder(o);
      const { shop, id } = await connected();
      await runSync(deps(), id, 'backfill');
      const cancelled = Math.floor(Date.now() / 1000);
      base.updateOrder(o.unique_key, { cancelled, dispatch_status: 'cancelled', order_items: (o.order_items as Array<Record<string, unknown>>).map((i) => ({ ...i, status: 'cancelled' })) });
      await runSync(deps(), id, 'poll');
      expect((await orderOf(shop.id, o.unique_key))!.cancelledAt!.getTime()).to.equal(cancelled * 1000);
    });

    it('BASE refusing the refresh (the app removed on BASE’s side): the connection is broken with its reason, shown in the console', async () => {
      base.putOrder(baseOrder(1));
      const { shop, id } = await connected();
      base.revokeAll();
      expect(await runSync(deps(), id, 'poll')).to.deep.equal({ ran: true, ok: false });
      const c = await row(id);
      expect(c).to.include({ status: 'broken', brokenReason: 'refresh_refused' });
      expect(c.lastError!.ja).to.include('BASE との接続をやり直してください');
      expect(c.nextSyncAt).to.equal(null);
      const owner = await signedIn(server.url, shop.people.owner);
      const list = await owner.get(`/api/shops/${shop.id}/stores`);
      expect(list.body.stores[0]).to.deep.include({ platform: 'base', status: 'broken', brokenReason: 'refresh_refused' });
      expect(list.text).to.not.include(c.accessSealed);
      // Broken: no more runs until the shop connects again.
      expect(await runSync(deps(), id, 'poll')).to.deep.equal({ ran: false });
    });

    it('429 and 500 from BASE: the run is recorded with the error and the next run backs off (Retry-After honoured); then it recovers', async () => {
      base.putOrder(baseOrder(1));
      const { id } = await connected();
      base.failNext('/1/orders', { status: 429, retryAfter: 300 });
      expect(await runSync(deps(), id, 'poll')).to.deep.equal({ ran: true, ok: false });
      let c = await row(id);
      let runs = await runsOf(id);
      expect(runs.at(-1)!.error).to.deep.include({ code: 'too_many_requests' });
      expect(c).to.include({ status: 'ok', failures: 1 });
      expect(c.nextSyncAt!.getTime() - runs.at(-1)!.finishedAt!.getTime()).to.equal(300_000);

      base.failNext('/1/orders', { status: 500 });
      await runSync(deps(), id, 'poll');
      c = await row(id);
      runs = await runsOf(id);
      expect(runs.at(-1)!.error).to.deep.include({ code: 'http_500' });
      expect(runs.at(-1)!.error!.ja).to.include('BASE が応答できませんでした');
      expect(c.failures).to.equal(2);
      expect(c.nextSyncAt!.getTime() - runs.at(-1)!.finishedAt!.getTime()).to.equal(2 * 60_000);

      base.failNext('/1/orders', { limit: 'hour' });
      await runSync(deps(), id, 'poll');
      expect((await runsOf(id)).at(-1)!.error).to.deep.include({ code: 'hour_api_limit' });

      expect(await runSync(deps(), id, 'poll')).to.deep.equal({ ran: true, ok: true });
      c = await row(id);
      expect(c).to.include({ failures: 0, lastError: null, ordersReceived: 1 });
    });

    it('an order whose parts do not add up to BASE’s total is rejected with its reason; the others are stored', async () => {
      const good = baseOrder(1);
      const odd = baseOrder(1, { total: 12_345 });
      base.putOrder(good);
      base.putOrder(odd);
      const { shop, id } = await connected();
      await runSync(deps(), id, 'backfill');
      expect((await ordersOf(shop.id)).map((o) => o.orderNumber)).to.deep.equal([good.unique_key]);
      const [run] = await runsOf(id);
      expect(run).to.include({ received: 2, created: 1, rejected: 1 });
      expect(run!.rejections[0]).to.deep.include({ orderNumber: odd.unique_key });
      expect(run!.rejections[0]!.ja).to.include('12345円');
    });
  });
}

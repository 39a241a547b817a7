import { expect } from 'chai';
import { and, eq } from 'drizzle-orm';
import type { Actor } from '../../../server/core/actor.ts';
import { outbox } from '../../../server/core/outbox.tables.ts';
import { orders } from '../../../server/domains/orders/orders.tables.ts';
import { StoreApiError } from '../../../server/domains/stores/stores.port.ts';
import {
  createConnection,
  queueDueSyncs,
  runSync,
  runWebhook,
  storeWebhook,
  STORE_SYNC_TOPIC,
  STORE_WEBHOOK_TOPIC,
  type StoreDeps,
} from '../../../server/domains/stores/stores.service.ts';
import { storeConnections, storeSyncRuns, storeWebhooks } from '../../../server/domains/stores/stores.tables.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { listAdapter, snapshot, type ListPlatform } from './stores.platform.ts';
import { forgetStoresSince } from './stores.cleanup.ts';
import { eventually } from '../../helpers/eventually.ts';
import { dbKinds } from '../../helpers/env.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';

for (const kind of dbKinds) {
  describe(`[${kind}] store connections: the core (runs, schedule, inbox)`, () => {
    let server: TestServer;
    let platform: ListPlatform;
    let deps: StoreDeps;
    before(async () => {
      server = await startServer(kind, { config: { JOBS: 'off' } });
    });
    const began = new Date();
    after(async () => {
      await forgetStoresSince(server.database.db, began);
      await server.close();
    });
    beforeEach(() => {
      platform = { pages: [], hooks: [] };
      deps = { ...server.app.stores, adapters: { shopify: listAdapter(platform) } };
    });

    const db = () => server.database.db;
    const ownerOf = (shop: TestShop): Actor => ({ kind: 'user', shopId: shop.id, userId: shop.people.owner.id, name: 'owner', role: 'owner' });
    async function connected(shop?: TestShop) {
      shop ??= await makeShop(server.database);
      const view = await createConnection(deps, { shopId: shop.id, platform: 'shopify', account: `s${shop.id.slice(0, 8)}.myshopify.com`, via: 'token', access: 'shpat_secret', webhookSecret: 'whsec', actor: ownerOf(shop) });
      return { shop, view };
    }
    const row = async (id: string) => (await db().select().from(storeConnections).where(eq(storeConnections.id, id)))[0]!;
    const runsOf = (id: string) => db().select().from(storeSyncRuns).where(eq(storeSyncRuns.connectionId, id));

    it('connecting stores the tokens sealed and queues a backfill; a run saves good orders, rejects bad ones with reasons in both languages, and keeps the cursor', async () => {
      const { shop, view } = await connected();
      const stored = await row(view.id);
      expect(stored.accessSealed).to.not.include('shpat_secret');
      const queued = await db().select().from(outbox).where(and(eq(outbox.shopId, shop.id), eq(outbox.topic, STORE_SYNC_TOPIC)));
      expect(queued.map((q) => q.payload)).to.deep.equal([{ connectionId: view.id, trigger: 'backfill' }]);

      platform.pages = [
        [snapshot('#1001', '2026-11-20T01:00:00Z'), snapshot('#1002', '2026-11-20T02:00:00Z', { cancelledAt: '2026-11-21T10:00:00+09:00' })],
        [snapshot('#1003', '2026-11-20T03:00:00Z', { lines: [] }), snapshot('bad number!', '2026-11-20T03:00:00Z')],
      ];
      expect(await runSync(deps, view.id, 'backfill')).to.deep.equal({ ran: true, ok: true });

      const saved = await db().select().from(orders).where(eq(orders.shopId, shop.id));
      expect(saved.map((o) => o.orderNumber).sort()).to.deep.equal(['#1001', '#1002']);
      expect(saved.every((o) => o.source === 'shopify' && o.connectionId === view.id)).to.equal(true);
      expect(saved.find((o) => o.orderNumber === '#1002')!.cancelledAt).to.be.instanceOf(Date);

      const [run] = await runsOf(view.id);
      expect(run).to.deep.include({ trigger: 'backfill', received: 4, created: 2, rejected: 2, error: null });
      expect(run!.rejections.map((r) => r.orderNumber)).to.deep.equal(['#1003', 'bad number!']);
      expect(run!.rejections[0]!.reason).to.match(/^lines: /);
      expect(run!.rejections[0]!.ja).to.include('明細');
      const after = await row(view.id);
      expect(after).to.deep.include({ ordersReceived: 2, failures: 0, lastError: null, state: { since: '2026-11-30T00:00:00Z' }, syncStartedAt: null });
      expect(after.nextSyncAt!.getTime() - after.lastSuccessAt!.getTime()).to.equal(3_600_000);

      // The same pages again write nothing.
      platform.pages = [[snapshot('#1001', '2026-11-20T01:00:00Z')]];
      await runSync(deps, view.id, 'reconcile');
      expect((await row(view.id)).ordersReceived).to.equal(2);
    });

    it('connecting again: the same store keeps its cursor and count and reconciles; another store starts over with a backfill and unlinks the old store’s orders', async () => {
      const { shop, view } = await connected();
      platform.pages = [[snapshot('#1501', '2026-11-20T01:00:00Z')]];
      await runSync(deps, view.id, 'backfill');
      const again = await createConnection(deps, { shopId: shop.id, platform: 'shopify', account: view.account, via: 'token', access: 'shpat_new', actor: ownerOf(shop) });
      expect(again).to.deep.include({ id: view.id, ordersReceived: 1, status: 'ok' });
      expect((await row(view.id)).state).to.deep.equal({ since: '2026-11-30T00:00:00Z' });
      const other = await createConnection(deps, { shopId: shop.id, platform: 'shopify', account: 'another-shop.myshopify.com', via: 'token', access: 'shpat_other', actor: ownerOf(shop) });
      expect(other).to.deep.include({ id: view.id, ordersReceived: 0, account: 'another-shop.myshopify.com' });
      expect((await row(view.id)).state).to.deep.equal({});
      const triggers = (await db().select().from(outbox).where(and(eq(outbox.shopId, shop.id), eq(outbox.topic, STORE_SYNC_TOPIC))).orderBy(outbox.id)).map((q) => (q.payload as { trigger: string }).trigger);
      expect(triggers).to.deep.equal(['backfill', 'reconcile', 'backfill']);
      const [order] = await db().select().from(orders).where(and(eq(orders.shopId, shop.id), eq(orders.orderNumber, '#1501')));
      expect(order!.connectionId).to.equal(null);
    });

    it('an older snapshot (a late webhook) never overwrites a newer one; a newer one does', async () => {
      const { shop, view } = await connected();
      platform.pages = [[snapshot('#2001', '2026-11-20T05:00:00Z', { carrier: '佐川急便' })]];
      await runSync(deps, view.id, 'backfill');
      platform.pages = [[snapshot('#2001', '2026-11-20T04:00:00Z', { carrier: 'ヤマト運輸' })]];
      await runSync(deps, view.id, 'reconcile');
      const carrier = async () => (await db().select().from(orders).where(and(eq(orders.shopId, shop.id), eq(orders.orderNumber, '#2001'))))[0]!.carrier;
      expect(await carrier()).to.equal('佐川急便');
      platform.pages = [[snapshot('#2001', '2026-11-20T06:00:00Z', { carrier: '日本郵便' })]];
      await runSync(deps, view.id, 'reconcile');
      expect(await carrier()).to.equal('日本郵便');
    });

    it('a refused token breaks the connection: no schedule, sync now is a 409 in both languages, and the console says why', async () => {
      const { shop, view } = await connected();
      platform.failWith = new StoreApiError('auth', 'the access token was revoked', 'アクセストークンが取り消されています', { status: 401, code: 'token_revoked' });
      expect(await runSync(deps, view.id, 'reconcile')).to.deep.equal({ ran: true, ok: false });
      const broken = await row(view.id);
      expect(broken).to.deep.include({ status: 'broken', brokenReason: 'token_revoked', nextSyncAt: null, syncStartedAt: null });
      expect(broken.lastError).to.deep.include({ code: 'token_revoked', ja: 'アクセストークンが取り消されています' });
      expect(await runSync(deps, view.id, 'manual')).to.deep.equal({ ran: false });

      const owner = await signedIn(server.url, shop.people.owner);
      const r = await owner.post(`/api/shops/${shop.id}/stores/${view.id}/sync`);
      expect(r.status, r.text).to.equal(409);
      expect(r.body.error.details[0].ja).to.include('連携が切れています');
      const list = await owner.get(`/api/shops/${shop.id}/stores`);
      expect(list.body.stores[0]).to.deep.include({ status: 'broken', brokenReason: 'token_revoked' });
      // A broken store brings no orders: the checklist's platform step is not done by it.
      const setup = await owner.get(`/api/shops/${shop.id}/setup`);
      expect(setup.body.platform.stores).to.deep.equal([{ platform: 'shopify', status: 'broken' }]);
      expect(setup.body.steps.find((s: { id: string }) => s.id === 'platform').done).to.equal(false);
    });

    it('a working store connection does the checklist’s platform step before its first order arrives', async () => {
      const { shop } = await connected();
      const owner = await signedIn(server.url, shop.people.owner);
      const setup = await owner.get(`/api/shops/${shop.id}/setup`);
      expect(setup.status, setup.text).to.equal(200);
      expect(setup.body.platform).to.deep.include({ newestOrder: null, stores: [{ platform: 'shopify', status: 'ok' }] });
      expect(setup.body.steps.find((s: { id: string }) => s.id === 'platform').done).to.equal(true);
    });

    it('a platform that is down or limiting backs off (its Retry-After when longer); what was saved before the failure stays; a good run resets it', async () => {
      const { shop, view } = await connected();
      platform.pages = [[snapshot('#3001', '2026-11-20T01:00:00Z')]];
      platform.failWith = new StoreApiError('rate_limited', 'throttled', '呼び出し回数の上限です', { status: 429, retryAfterMs: 30 * 60_000 });
      const t0 = Date.now();
      await runSync(deps, view.id, 'backfill');
      let c = await row(view.id);
      expect(c).to.deep.include({ status: 'ok', failures: 1, state: {} });
      expect(c.lastError).to.deep.include({ code: 'rate_limited', ja: '呼び出し回数の上限です' });
      expect(c.nextSyncAt!.getTime() - t0).to.be.within(30 * 60_000 - 1000, 30 * 60_000 + 5000);
      expect(await db().select().from(orders).where(eq(orders.shopId, shop.id))).to.have.length(1);

      platform.failWith = new TypeError('fetch failed');
      await runSync(deps, view.id, 'manual');
      c = await row(view.id);
      expect(c.failures).to.equal(2);
      expect(c.lastError).to.deep.include({ code: 'unreachable' });
      expect(c.nextSyncAt!.getTime() - c.lastSyncAt!.getTime()).to.equal(2 * 60_000);
      const [last] = (await runsOf(view.id)).sort((a, b) => b.id - a.id);
      expect(last!.error).to.deep.include({ code: 'unreachable' });

      platform.failWith = undefined;
      await runSync(deps, view.id, 'manual');
      c = await row(view.id);
      expect(c).to.deep.include({ failures: 0, lastError: null });
    });

    it('one run at a time per connection: a second one while the first holds the lease does nothing', async () => {
      const { view } = await connected();
      let second: Awaited<ReturnType<typeof runSync>> | undefined;
      platform.during = async () => {
        platform.during = undefined;
        second = await runSync(deps, view.id, 'manual');
      };
      expect(await runSync(deps, view.id, 'reconcile')).to.deep.equal({ ran: true, ok: true });
      expect(second).to.deep.equal({ ran: false });
      expect(await runsOf(view.id)).to.have.length(1);
    });

    it('two runs at most go at once in a job worker: a third waits its turn, queued again a few seconds later with its trigger, so mail and alerts keep their share of the worker', async () => {
      const [a, b, third] = await Promise.all([connected(), connected(), connected()]);
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let entered = 0;
      platform.during = async () => {
        entered++;
        await gate;
      };
      const first = [runSync(deps, a.view.id, 'reconcile'), runSync(deps, b.view.id, 'reconcile')];
      await eventually(async () => entered === 2 || undefined, 'two runs going');
      const before = Date.now();
      expect(await runSync(deps, third.view.id, 'backfill')).to.deep.equal({ ran: false });
      expect(await runsOf(third.view.id)).to.have.length(0);
      const again = (await db().select().from(outbox).where(and(eq(outbox.shopId, third.shop.id), eq(outbox.topic, STORE_SYNC_TOPIC))).orderBy(outbox.id)).at(-1)!;
      expect(again.payload).to.deep.equal({ connectionId: third.view.id, trigger: 'backfill' });
      expect(again.runAt!.getTime() - before).to.be.within(4_000, 10_000);
      release();
      expect(await Promise.all(first)).to.deep.equal([{ ran: true, ok: true }, { ran: true, ok: true }]);
      platform.during = undefined;
      expect(await runSync(deps, third.view.id, 'backfill')).to.deep.equal({ ran: true, ok: true });
    });

    it('the schedule queues each due, healthy connection once, not while its run is queued', async () => {
      const { shop, view } = await connected();
      await db().update(storeConnections).set({ nextSyncAt: new Date(Date.now() - 1000) }).where(eq(storeConnections.id, view.id));
      const syncJobs = async () => (await db().select().from(outbox).where(and(eq(outbox.shopId, shop.id), eq(outbox.topic, STORE_SYNC_TOPIC)))).map((q) => q.payload);
      expect(await queueDueSyncs(db())).to.be.at.least(1);
      expect(await syncJobs()).to.deep.include({ connectionId: view.id, trigger: 'reconcile' });
      const n = (await syncJobs()).length;
      await queueDueSyncs(db());
      expect(await syncJobs()).to.have.length(n);
    });

    it('a webhook is stored once with its job; worked, it saves the order; a delivery seen before is a no-op', async () => {
      const { shop, view } = await connected();
      const c = await row(view.id);
      const hook = { webhookId: 'wh-1', topic: 'orders/create', payload: snapshot('#4001', '2026-11-20T01:00:00Z') };
      expect(await storeWebhook(db(), c, hook)).to.equal('stored');
      expect(await storeWebhook(db(), c, hook)).to.equal('duplicate');
      const jobs = await db().select().from(outbox).where(and(eq(outbox.shopId, shop.id), eq(outbox.topic, STORE_WEBHOOK_TOPIC)));
      expect(jobs).to.have.length(1);
      await runWebhook(deps, (jobs[0]!.payload as { webhookId: number }).webhookId);
      await runWebhook(deps, (jobs[0]!.payload as { webhookId: number }).webhookId);
      expect(platform.hooks).to.have.length(1);
      const [saved] = await db().select().from(orders).where(and(eq(orders.shopId, shop.id), eq(orders.orderNumber, '#4001')));
      expect(saved).to.deep.include({ source: 'shopify', externalId: 'gid-#4001' });
      const [stored] = await db().select().from(storeWebhooks).where(eq(storeWebhooks.connectionId, view.id));
      expect(stored!.processedAt).to.be.instanceOf(Date);
      expect((await row(view.id)).ordersReceived).to.equal(1);
    });

    it('a webhook the platform fails on is kept and thrown for a retry; an auth refusal breaks the connection and ends it', async () => {
      const { view } = await connected();
      const c = await row(view.id);
      await storeWebhook(db(), c, { webhookId: 'wh-2', topic: 'orders/updated', payload: snapshot('#5001', '2026-11-20T01:00:00Z') });
      const [stored] = await db().select().from(storeWebhooks).where(eq(storeWebhooks.connectionId, view.id));
      platform.failWith = new StoreApiError('unavailable', 'HTTP 503', '一時的に応答がありません', { status: 503 });
      let thrown: unknown;
      await runWebhook(deps, stored!.id).catch((e: unknown) => (thrown = e));
      expect(thrown).to.be.instanceOf(StoreApiError);
      expect((await db().select().from(storeWebhooks).where(eq(storeWebhooks.id, stored!.id)))[0]).to.deep.include({ processedAt: null, error: 'HTTP 503' });
      platform.failWith = new StoreApiError('auth', 'uninstalled', 'アプリが削除されました', { code: 'app_uninstalled' });
      await runWebhook(deps, stored!.id);
      expect(await row(view.id)).to.deep.include({ status: 'broken', brokenReason: 'app_uninstalled' });
      expect((await db().select().from(storeWebhooks).where(eq(storeWebhooks.id, stored!.id)))[0]!.processedAt).to.be.instanceOf(Date);
    });

    it('the console: owner and staff see and manage connections (never a token); an agent or contractor gets 403; disconnect keeps the orders', async () => {
      const { shop, view } = await connected();
      platform.pages = [[snapshot('#6001', '2026-11-20T01:00:00Z')]];
      await runSync(deps, view.id, 'backfill');
      const owner = await signedIn(server.url, shop.people.owner);
      const list = await owner.get(`/api/shops/${shop.id}/stores`);
      expect(list.status, list.text).to.equal(200);
      expect(list.body.available).to.deep.equal({ shopify: { token: true, oauth: false }, base: { oauth: false } });
      expect(list.body.stores[0]).to.deep.include({ id: view.id, platform: 'shopify', status: 'ok', ordersReceived: 1, syncing: false });
      expect(list.text).to.not.include('shpat_secret').and.not.include('Sealed');
      const detail = await owner.get(`/api/shops/${shop.id}/stores/${view.id}`);
      expect(detail.body.runs[0]).to.deep.include({ trigger: 'backfill', created: 1 });
      for (const who of [shop.people.agent, shop.people.contractor]) {
        const c = await signedIn(server.url, who);
        expect((await c.get(`/api/shops/${shop.id}/stores`)).status).to.equal(403);
        expect((await c.post(`/api/shops/${shop.id}/stores/${view.id}/sync`)).status).to.equal(403);
      }
      const staff = await signedIn(server.url, shop.people.staff);
      const sync = await staff.post(`/api/shops/${shop.id}/stores/${view.id}/sync`);
      expect(sync.status, sync.text).to.equal(202);
      // Another shop's connection is not found, not forbidden.
      const other = await makeShop(server.database);
      const stranger = await signedIn(server.url, other.people.owner);
      expect((await stranger.get(`/api/shops/${other.id}/stores/${view.id}`)).status).to.equal(404);
      expect((await owner.get(`/api/shops/${shop.id}/stores/not-a-uuid`)).status).to.equal(400);

      const gone = await owner.delete(`/api/shops/${shop.id}/stores/${view.id}`);
      expect(gone.status, gone.text).to.equal(204);
      const [order] = await db().select().from(orders).where(and(eq(orders.shopId, shop.id), eq(orders.orderNumber, '#6001')));
      expect(order).to.deep.include({ connectionId: null, source: 'shopify' });
      expect((await owner.get(`/api/shops/${shop.id}/stores`)).body.stores).to.deep.equal([]);
    });
  });
}

import { expect } from 'chai';
import { and, eq, sql } from 'drizzle-orm';
import type { Actor } from '../../../server/core/actor.ts';
import { outbox } from '../../../server/core/outbox.tables.ts';
import { orders } from '../../../server/domains/orders/orders.tables.ts';
import { StoreApiError } from '../../../server/domains/stores/stores.port.ts';
import { createConnection, pruneStoreHistory, STORE_SYNC_TOPIC, queueDueSyncs, runSync, runWebhook, storeWebhook, type StoreDeps } from '../../../server/domains/stores/stores.service.ts';
import { storeConnections, storeSyncRuns, storeWebhooks } from '../../../server/domains/stores/stores.tables.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { listAdapter, snapshot, type ListPlatform } from './stores.platform.ts';
import { forgetStoresSince } from './stores.cleanup.ts';
import { dbKinds } from '../../helpers/env.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';

for (const kind of dbKinds) {
  describe(`[${kind}] store connections: races and odd answers`, () => {
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
      platform = { pages: [] };
      deps = { ...server.app.stores, adapters: { shopify: listAdapter(platform) } };
    });

    const db = () => server.database.db;
    const ownerOf = (shop: TestShop): Actor => ({ kind: 'user', shopId: shop.id, userId: shop.people.owner.id, name: 'owner', role: 'owner' });
    const connect = (shop: TestShop, account: string, access = 'shpat_secret') => {
      return createConnection(deps, { shopId: shop.id, platform: 'shopify', account, via: 'token', access, webhookSecret: 'whsec', actor: ownerOf(shop) });
    };
    const row = async (id: string) => (await db().select().from(storeConnections).where(eq(storeConnections.id, id)))[0]!;
    const runsOf = (id: string) => db().select().from(storeSyncRuns).where(eq(storeSyncRuns.connectionId, id)).orderBy(storeSyncRuns.id);
    const orderOf = async (shop: TestShop, n: string) => (await db().select().from(orders).where(and(eq(orders.shopId, shop.id), eq(orders.orderNumber, n))))[0];

    it('a Retry-After nobody can read (NaN) or absurdly long still ends the run: the connection is not left syncing, the run is finished, the next try is at most a day away', async () => {
      for (const retryAfterMs of [Number.NaN, 1e17]) {
        const shop = await makeShop(server.database);
        const view = await connect(shop, `r${shop.id.slice(0, 8)}.myshopify.com`);
        platform.failWith = new StoreApiError('rate_limited', 'throttled', '呼び出し回数の上限です', { status: 429, retryAfterMs });
        const t0 = Date.now();
        expect(await runSync(deps, view.id, 'backfill')).to.deep.equal({ ran: true, ok: false });
        const c = await row(view.id);
        expect(c.syncStartedAt).to.equal(null);
        expect(c.failures).to.equal(1);
        expect(c.nextSyncAt!.getTime() - t0).to.be.within(60_000 - 1000, 24 * 3_600_000 + 5000);
        const [run] = await runsOf(view.id);
        expect(run!.finishedAt).to.be.instanceOf(Date);
        expect(run!.error).to.deep.include({ code: 'rate_limited' });
      }
    });

    it('an order whose updated time is not a date is rejected with its reason; the rest of its page is saved', async () => {
      const shop = await makeShop(server.database);
      const view = await connect(shop, `u${shop.id.slice(0, 8)}.myshopify.com`);
      platform.pages = [[snapshot('#8001', '2026-11-20T01:00:00Z'), snapshot('#8002', 'not a date')]];
      expect(await runSync(deps, view.id, 'backfill')).to.deep.equal({ ran: true, ok: true });
      expect(await orderOf(shop, '#8001')).to.not.equal(undefined);
      expect(await orderOf(shop, '#8002')).to.equal(undefined);
      const [run] = await runsOf(view.id);
      expect(run).to.deep.include({ received: 2, created: 1, rejected: 1 });
      expect(run!.rejections[0]).to.deep.include({ orderNumber: '#8002' });
      expect(run!.rejections[0]!.ja).to.include('更新日時');
    });

    it('an order holding a NUL character (which PostgreSQL text refuses) is rejected with its reason; the rest of its page is saved and the run goes on', async () => {
      const shop = await makeShop(server.database);
      const view = await connect(shop, `z${shop.id.slice(0, 8)}.myshopify.com`);
      const nul = snapshot('#8102', '2026-11-20T01:00:00Z');
      nul.input = { ...nul.input, customer: { ...nul.input.customer, address: '渋谷区\u00001-2-3' } };
      platform.pages = [[snapshot('#8101', '2026-11-20T01:00:00Z'), nul]];
      expect(await runSync(deps, view.id, 'backfill')).to.deep.equal({ ran: true, ok: true });
      expect(await orderOf(shop, '#8101')).to.not.equal(undefined);
      const [run] = await runsOf(view.id);
      expect(run).to.deep.include({ received: 2, created: 1, rejected: 1, error: null });
      expect(run!.rejections[0]).to.deep.include({ orderNumber: '#8102' });
      expect(JSON.stringify(run)).to.not.include('渋谷区');
    });

    it('a webhook whose payload holds a NUL character is still stored (jsonb refuses NUL): the platform is not answered a 500 for it', async () => {
      const shop = await makeShop(server.database);
      const view = await connect(shop, `w${shop.id.slice(0, 8)}.myshopify.com`);
      const payload = { ...snapshot('#8201', '2026-11-20T01:00:00Z'), note: 'お届けは午後\u0000に' };
      expect(await storeWebhook(db(), await row(view.id), { webhookId: 'nul-1', topic: 'orders/create', payload })).to.equal('stored');
      const [hook] = await db().select().from(storeWebhooks).where(eq(storeWebhooks.connectionId, view.id));
      expect((hook!.payload as { note: string }).note).to.equal('お届けは午後に');
    });

    it('another store connected during a run: the old run stops at its next page, its orders and cursor never land on the new store, and the new store’s run is not blocked', async () => {
      const shop = await makeShop(server.database);
      const view = await connect(shop, `old${shop.id.slice(0, 8)}.myshopify.com`);
      platform.state = { since: 'the old store’s cursor' };
      platform.pages = [[snapshot('#9001', '2026-11-20T01:00:00Z')]];
      platform.during = async () => {
        platform.during = undefined;
        await connect(shop, `new${shop.id.slice(0, 8)}.myshopify.com`, 'shpat_new');
      };
      expect(await runSync(deps, view.id, 'reconcile')).to.deep.include({ ran: true, ok: false });
      const c = await row(view.id);
      expect(c).to.deep.include({ account: `new${shop.id.slice(0, 8)}.myshopify.com`, state: {}, ordersReceived: 0, failures: 0, lastError: null, syncStartedAt: null });
      expect(await orderOf(shop, '#9001')).to.equal(undefined);
      const [old] = await runsOf(view.id);
      expect(old!.finishedAt).to.be.instanceOf(Date);
      expect(old!.error).to.deep.include({ code: 'superseded' });
      // The new store's own run goes ahead.
      platform.pages = [[snapshot('#1001', '2026-11-21T01:00:00Z')]];
      platform.state = { since: 'the new store’s cursor' };
      expect(await runSync(deps, view.id, 'backfill')).to.deep.equal({ ran: true, ok: true });
      expect((await row(view.id)).state).to.deep.equal({ since: 'the new store’s cursor' });
    });

    it('the same store connected again with a new token during a run: the old token’s refusal does not break the fresh connection', async () => {
      const shop = await makeShop(server.database);
      const account = `rot${shop.id.slice(0, 8)}.myshopify.com`;
      const view = await connect(shop, account);
      platform.during = async () => {
        platform.during = undefined;
        await connect(shop, account, 'shpat_rotated');
      };
      platform.failWith = new StoreApiError('auth', 'the access token was revoked', 'アクセストークンが取り消されています', { status: 401, code: 'token_revoked' });
      await runSync(deps, view.id, 'reconcile');
      expect(await row(view.id)).to.deep.include({ status: 'ok', brokenReason: null, lastError: null, syncStartedAt: null });
    });

    it('webhooks of the store that was replaced, still in the inbox, are not worked against the new store', async () => {
      const shop = await makeShop(server.database);
      const view = await connect(shop, `a${shop.id.slice(0, 8)}.myshopify.com`);
      await storeWebhook(db(), await row(view.id), { webhookId: 'old-1', topic: 'orders/create', payload: snapshot('#1001', '2026-11-20T01:00:00Z') });
      const [hook] = await db().select().from(storeWebhooks).where(eq(storeWebhooks.connectionId, view.id));
      await connect(shop, `b${shop.id.slice(0, 8)}.myshopify.com`);
      await runWebhook(deps, hook!.id);
      expect(await orderOf(shop, '#1001')).to.equal(undefined);
      expect((await row(view.id)).ordersReceived).to.equal(0);
    });

    it('a connection whose first run never happened (its job lost) is picked up by the schedule after the lease', async () => {
      const shop = await makeShop(server.database);
      const view = await connect(shop, `l${shop.id.slice(0, 8)}.myshopify.com`);
      const later = new Date(Date.now() + 16 * 60_000);
      await queueDueSyncs(db(), later);
      const c = await row(view.id);
      expect(c.nextSyncAt!.getTime()).to.be.greaterThan(later.getTime());
    });

    it('another store’s order at the same number is not "older" or "newer": the snapshot rule compares one platform order with itself only', async () => {
      const shop = await makeShop(server.database);
      const view = await connect(shop, `x${shop.id.slice(0, 8)}.myshopify.com`);
      platform.pages = [[{ ...snapshot('#1001', '2026-11-25T01:00:00Z', { carrier: '佐川急便' }), externalId: 'gid://shopify/Order/1' }]];
      await runSync(deps, view.id, 'backfill');
      // The shop moves from its test store to its real one, whose numbering starts at #1001 too.
      await connect(shop, `y${shop.id.slice(0, 8)}.myshopify.com`);
      platform.pages = [[{ ...snapshot('#1001', '2026-11-20T01:00:00Z', { carrier: '日本郵便' }), externalId: 'gid://shopify/Order/900' }]];
      await runSync(deps, view.id, 'backfill');
      const order = await orderOf(shop, '#1001');
      expect(order).to.deep.include({ carrier: '日本郵便', externalId: 'gid://shopify/Order/900', connectionId: view.id });
      const [, run] = await runsOf(view.id);
      expect(run).to.deep.include({ updated: 1, unchanged: 0 });
    });

    it('"sync now" pressed again while a run is still queued adds no second run (the outbox does not pile up)', async () => {
      const shop = await makeShop(server.database);
      const view = await connect(shop, `n${shop.id.slice(0, 8)}.myshopify.com`);
      const owner = await signedIn(server.url, shop.people.owner);
      for (let i = 0; i < 3; i++) expect((await owner.post(`/api/shops/${shop.id}/stores/${view.id}/sync`)).status).to.equal(202);
      const queued = await db().select().from(outbox).where(and(eq(outbox.shopId, shop.id), eq(outbox.topic, STORE_SYNC_TOPIC)));
      expect(queued.map((q) => (q.payload as { trigger: string }).trigger)).to.deep.equal(['backfill']);
      // Once that run's job is done, sync now queues one again.
      await db().update(outbox).set({ completedAt: new Date(), dispatchedAt: new Date() }).where(eq(outbox.id, queued[0]!.id));
      expect((await owner.post(`/api/shops/${shop.id}/stores/${view.id}/sync`)).status).to.equal(202);
      expect(await db().select().from(outbox).where(and(eq(outbox.shopId, shop.id), eq(outbox.topic, STORE_SYNC_TOPIC)))).to.have.length(2);
    });

    it('a newer snapshot that changed nothing madoguchi keeps still makes the older ones stale (a late webhook with other data does not win)', async () => {
      const shop = await makeShop(server.database);
      const view = await connect(shop, `s${shop.id.slice(0, 8)}.myshopify.com`);
      platform.pages = [[snapshot('#2101', '2026-11-20T01:00:00Z', { carrier: '佐川急便' })]];
      await runSync(deps, view.id, 'backfill');
      // 03:00: the platform changed something madoguchi does not keep (a tag, a note).
      platform.pages = [[snapshot('#2101', '2026-11-20T03:00:00Z', { carrier: '佐川急便' })]];
      await runSync(deps, view.id, 'reconcile');
      // 02:00, late: a snapshot from before that.
      platform.pages = [[snapshot('#2101', '2026-11-20T02:00:00Z', { carrier: 'ヤマト運輸' })]];
      await runSync(deps, view.id, 'reconcile');
      expect(await orderOf(shop, '#2101')).to.deep.include({ carrier: '佐川急便' });
      expect((await orderOf(shop, '#2101'))!.externalUpdatedAt!.toISOString()).to.equal('2026-11-20T03:00:00.000Z');
    });

    it('"sync now" while a run is going is not lost: the connection is due again when that run ends, and the schedule queues it', async () => {
      const shop = await makeShop(server.database);
      const view = await connect(shop, `m${shop.id.slice(0, 8)}.myshopify.com`);
      let during: Awaited<ReturnType<typeof runSync>> | undefined;
      platform.during = async () => {
        platform.during = undefined;
        during = await runSync(deps, view.id, 'manual');
      };
      expect(await runSync(deps, view.id, 'reconcile')).to.deep.equal({ ran: true, ok: true });
      expect(during).to.deep.equal({ ran: false });
      const c = await row(view.id);
      expect(c.nextSyncAt!.getTime()).to.be.at.most(Date.now());
      const before = (await db().select().from(outbox).where(and(eq(outbox.shopId, shop.id), eq(outbox.topic, STORE_SYNC_TOPIC)))).length;
      await queueDueSyncs(db());
      expect(await db().select().from(outbox).where(and(eq(outbox.shopId, shop.id), eq(outbox.topic, STORE_SYNC_TOPIC)))).to.have.length(before + 1);
    });

    it('"sync now" in the first millisecond of a run is not lost either: stamped with the run’s own start, the connection is still due again', async () => {
      const shop = await makeShop(server.database);
      const view = await connect(shop, `f${shop.id.slice(0, 8)}.myshopify.com`);
      // What a person's "sync now" writes (dueAfterRun) when it lands in the millisecond the run took its lease: the same time.
      platform.during = async () => {
        platform.during = undefined;
        await db().update(storeConnections).set({ nextSyncAt: sql`${storeConnections.syncStartedAt}` }).where(eq(storeConnections.id, view.id));
      };
      expect(await runSync(deps, view.id, 'reconcile')).to.deep.equal({ ran: true, ok: true });
      expect((await row(view.id)).nextSyncAt!.getTime()).to.be.at.most(Date.now());
    });

    it('"sync now" while the run of a queued job is going adds no job but still makes the connection due again after that run', async () => {
      const shop = await makeShop(server.database);
      const view = await connect(shop, `q${shop.id.slice(0, 8)}.myshopify.com`);
      // The backfill's job is handed over and its run holds the connection.
      await db().update(outbox).set({ dispatchedAt: new Date() }).where(and(eq(outbox.shopId, shop.id), eq(outbox.topic, STORE_SYNC_TOPIC)));
      await db().update(storeConnections).set({ syncStartedAt: new Date(Date.now() - 1000) }).where(eq(storeConnections.id, view.id));
      const owner = await signedIn(server.url, shop.people.owner);
      expect((await owner.post(`/api/shops/${shop.id}/stores/${view.id}/sync`)).status).to.equal(202);
      expect(await db().select().from(outbox).where(and(eq(outbox.shopId, shop.id), eq(outbox.topic, STORE_SYNC_TOPIC)))).to.have.length(1);
      expect((await row(view.id)).nextSyncAt!.getTime()).to.be.at.most(Date.now());
    });

    it('the prune keeps the last 100 runs of each connection and answers how many went, on this database', async () => {
      const shop = await makeShop(server.database);
      const view = await connect(shop, `p${shop.id.slice(0, 8)}.myshopify.com`);
      const t = Date.now() - 86_400_000;
      await db()
        .insert(storeSyncRuns)
        .values(Array.from({ length: 105 }, (_, i) => ({ connectionId: view.id, shopId: shop.id, trigger: 'poll' as const, startedAt: new Date(t + i * 1000) })));
      const pruned = await pruneStoreHistory(db());
      expect(pruned.runs).to.be.at.least(5);
      const left = await db().select({ n: sql<number>`count(*)::int` }).from(storeSyncRuns).where(eq(storeSyncRuns.connectionId, view.id));
      expect(left[0]!.n).to.equal(100);
    });
  });
}

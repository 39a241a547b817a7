import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { storeConnections } from '../../../server/domains/stores/stores.tables.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { oneDbKind } from '../../helpers/env.ts';
import { eventually } from '../../helpers/eventually.ts';
import { deliverWebhook, makeOrderNode, restPayloadOf, shopifyApiStandIn, type ShopifyApiStandIn } from '../../helpers/shopify-api.ts';
import { connected, connectionOf, ordersOf, PUBLIC_URL, webhooksOf } from './stores.shopify.helpers.ts';

const CLIENT_ID = 'public-app-client-id';
const CLIENT_SECRET = 'shpss_public-app-client-secret';

for (const kind of oneDbKind()) {
  describe(`[${kind}] Shopify webhooks to the real receiver`, () => {
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

    const hookUrl = (connectionId: string) => `${server.url}/hooks/shopify/${connectionId}`;
    const orderOf = async (shopId: string, number: string) => (await ordersOf(server, shopId)).find((o) => o.orderNumber === number);

    it('orders/create, orders/updated and orders/cancelled, signed with the app’s secret, create, update and cancel the order; each answered 200 before the work', async () => {
      const { shop, connectionId, domain, apiSecret } = await connected(server, shopify, 0);
      const send = (topic: string, payload: unknown) => deliverWebhook(hookUrl(connectionId), { topic, payload, secret: apiSecret, shop: domain });

      const placed = makeOrderNode(2001, new Date(Date.now() - 60_000));
      const created = await send('orders/create', restPayloadOf(placed));
      expect(created.status).to.equal(200);
      expect(await created.json()).to.deep.equal({ received: 'stored' });
      const order = await eventually(() => orderOf(shop.id, '#2001'), 'the created order');
      expect(order).to.deep.include({ source: 'shopify', connectionId, total: 2 * 1980 + 1080 + 550, cancelledAt: null, shippedAt: null });

      const shipped = makeOrderNode(2001, new Date(Date.now() - 30_000), {
        fulfillments: [{ createdAt: new Date(Date.now() - 40_000).toISOString(), deliveredAt: null, status: 'SUCCESS', trackingInfo: [{ company: 'Sagawa (JA)', number: '4000-1111-2222' }] }],
      });
      expect((await send('orders/updated', restPayloadOf(shipped))).status).to.equal(200);
      const shippedOrder = async () => {
        const o = await orderOf(shop.id, '#2001');
        return o?.shippedAt ? o : undefined;
      };
      const updated = await eventually(shippedOrder, 'the shipped order');
      expect(updated).to.deep.include({ carrier: '佐川急便', trackingNumber: '4000-1111-2222', deliveredAt: null });

      const cancelled = makeOrderNode(2001, new Date(), { cancelledAt: new Date().toISOString(), fulfillments: shipped.fulfillments });
      expect((await send('orders/cancelled', restPayloadOf(cancelled))).status).to.equal(200);
      await eventually(async () => (await orderOf(shop.id, '#2001'))?.cancelledAt ?? undefined, 'the cancellation');

      // A late delivery of the first snapshot does not undo the later ones.
      expect((await send('orders/updated', restPayloadOf(placed))).status).to.equal(200);
      await eventually(async () => (await webhooksOf(server, connectionId)).every((w) => w.processedAt), 'every webhook worked');
      expect(await orderOf(shop.id, '#2001')).to.deep.include({ carrier: '佐川急便' });
      expect((await orderOf(shop.id, '#2001'))!.cancelledAt).to.be.instanceOf(Date);
    });

    it('through a public app (one secret signs every store’s webhooks), an order webhook is read from the connected store, not taken from the body: a body replayed from another store stores nothing, and an edited one stores what the store says', async () => {
      const { shop, connectionId, domain } = await connected(server, shopify, 0);
      // As the install from Shopify leaves it: no secret of its own, the app's client secret signs.
      await server.database.db.update(storeConnections).set({ webhookSecretSealed: null }).where(eq(storeConnections.id, connectionId));
      const send = (payload: unknown) => deliverWebhook(hookUrl(connectionId), { topic: 'orders/create', payload, secret: CLIENT_SECRET, shop: domain });

      const elsewhere = makeOrderNode(2601, new Date(Date.now() - 60_000));
      expect((await send(restPayloadOf(elsewhere))).status).to.equal(200);
      const here = makeOrderNode(2602, new Date(Date.now() - 60_000));
      shopify.putOrder(domain, here);
      const edited = { ...restPayloadOf(here), email: 'attacker@example.com' };
      expect((await send(edited)).status).to.equal(200);
      await eventually(async () => (await webhooksOf(server, connectionId)).length === 2 && (await webhooksOf(server, connectionId)).every((w) => w.processedAt), 'both webhooks worked');
      expect(await orderOf(shop.id, '#2601')).to.equal(undefined);
      const stored = await orderOf(shop.id, '#2602');
      expect(stored!.customerEmail).to.not.equal('attacker@example.com');
      expect(stored!.customerEmail).to.equal(here.email);
    });

    it('a fulfillment webhook reads the order again through GraphQL (its delivery time included)', async () => {
      const { shop, connectionId, domain, apiSecret } = await connected(server, shopify, 1);
      const delivered = makeOrderNode(1001, new Date(), {
        fulfillments: [{ createdAt: new Date(Date.now() - 1_800_000).toISOString(), deliveredAt: new Date(Date.now() - 600_000).toISOString(), status: 'SUCCESS', trackingInfo: [{ company: 'Yamato (JA)', number: '5555-6666-7777' }] }],
      });
      shopify.putOrder(domain, delivered);
      const r = await deliverWebhook(hookUrl(connectionId), { topic: 'fulfillments/update', payload: { id: 1, order_id: Number(delivered.legacyResourceId), status: 'success', shipment_status: 'delivered' }, secret: apiSecret, shop: domain });
      expect(r.status).to.equal(200);
      const order = await eventually(async () => {
        const o = await orderOf(shop.id, '#1001');
        return o?.deliveredAt ? o : undefined;
      }, 'the delivered order');
      expect(order).to.deep.include({ carrier: 'ヤマト運輸', trackingNumber: '5555-6666-7777' });
      expect(shopify.calls.filter((c) => c.shop === domain && c.operation === 'OrderById').map((c) => c.variables.id)).to.deep.equal([delivered.id]);
    });

    it('a fulfillment webhook for an order of more lines than madoguchi reads refuses it by name, not stored without some lines', async () => {
      const { shop, connectionId, domain, apiSecret } = await connected(server, shopify, 0);
      const huge = makeOrderNode(1101, new Date(), {
        fulfillments: [{ createdAt: new Date(Date.now() - 60_000).toISOString(), deliveredAt: null, status: 'SUCCESS', trackingInfo: [{ company: 'Yamato (JA)', number: '1234-5678-9012' }] }],
      });
      const line = huge.lineItems.nodes[0]!;
      huge.lineItems = { pageInfo: { hasNextPage: false }, nodes: Array.from({ length: 85 }, (_, i) => ({ ...line, id: `gid://shopify/LineItem/1101${i}`, sku: `SKU-${i}`, quantity: 1 })) };
      shopify.putOrder(domain, huge);
      const r = await deliverWebhook(hookUrl(connectionId), { topic: 'fulfillments/create', payload: { id: 2, order_id: Number(huge.legacyResourceId), status: 'success' }, secret: apiSecret, shop: domain });
      expect(r.status).to.equal(200);
      const [hook] = await eventually(async () => {
        const rows = await webhooksOf(server, connectionId);
        return rows[0]?.processedAt ? rows : undefined;
      }, 'the webhook worked');
      expect(hook!.error).to.equal('#1101: the order has more than 80 lines; madoguchi reads at most 80');
      expect(await ordersOf(server, shop.id)).to.have.length(0);
    });

    it('refuses a forged or unsigned webhook with 401 and stores nothing; an unknown connection is 404, a body over 1 MiB 413', async () => {
      const { shop, connectionId, domain, apiSecret } = await connected(server, shopify, 0);
      const payload = restPayloadOf(makeOrderNode(3001, new Date()));
      const forged = await deliverWebhook(hookUrl(connectionId), { topic: 'orders/create', payload, secret: 'shpss_not-the-secret-of-this-app', shop: domain });
      expect(forged.status).to.equal(401);
      expect((await forged.json()).error.code).to.equal('unauthenticated');
      const unsigned = await deliverWebhook(hookUrl(connectionId), { topic: 'orders/create', payload, secret: apiSecret, shop: domain, hmac: '' });
      expect(unsigned.status).to.equal(401);
      // The right signature over other bytes than those sent.
      const body = JSON.stringify(payload);
      const tampered = await deliverWebhook(hookUrl(connectionId), { topic: 'orders/create', payload, secret: apiSecret, shop: domain, body: body.replace('#3001', '#3002'), hmac: (await import('node:crypto')).createHmac('sha256', apiSecret).update(body).digest('base64') });
      expect(tampered.status).to.equal(401);
      const otherStore = await deliverWebhook(hookUrl(connectionId), { topic: 'orders/create', payload, secret: apiSecret, shop: 'someone-else.myshopify.com' });
      expect(otherStore.status).to.equal(401);
      expect(await webhooksOf(server, connectionId)).to.have.length(0);

      expect((await deliverWebhook(hookUrl(randomUUID()), { topic: 'orders/create', payload, secret: apiSecret, shop: domain })).status).to.equal(404);
      const huge = JSON.stringify({ ...payload, note: 'x'.repeat(1024 * 1024) });
      expect((await deliverWebhook(hookUrl(connectionId), { topic: 'orders/create', payload, secret: apiSecret, shop: domain, body: huge })).status).to.equal(413);
      expect(await webhooksOf(server, connectionId)).to.have.length(0);
      expect(await ordersOf(server, shop.id)).to.have.length(0);
    });

    it('a signed order whose text holds a NUL character (which PostgreSQL cannot store) is taken without it, not answered 500', async () => {
      const { shop, connectionId, domain, apiSecret } = await connected(server, shopify, 0);
      const payload = restPayloadOf(makeOrderNode(4101, new Date())) as Record<string, unknown>;
      payload.note = 'gift\u0000wrap';
      (payload.line_items as Array<{ name: string }>)[0]!.name += '\u0000';
      const r = await deliverWebhook(hookUrl(connectionId), { topic: 'orders/create', payload, secret: apiSecret, shop: domain });
      expect(r.status).to.equal(200);
      await eventually(async () => (await ordersOf(server, shop.id)).find((o) => o.orderNumber === '#4101'), 'the order');
      expect((await webhooksOf(server, connectionId))[0]!.payload).to.deep.include({ note: 'giftwrap' });
    });

    it('a webhook delivered twice (Shopify’s retry, or a replay) is stored and worked once', async () => {
      const { shop, connectionId, domain, apiSecret } = await connected(server, shopify, 0);
      const webhookId = randomBytes(16).toString('hex');
      const payload = restPayloadOf(makeOrderNode(4001, new Date()));
      const answers = await Promise.all([1, 2, 3].map(() => deliverWebhook(hookUrl(connectionId), { topic: 'orders/create', payload, secret: apiSecret, shop: domain, webhookId })));
      expect(answers.map((a) => a.status)).to.deep.equal([200, 200, 200]);
      const said = await Promise.all(answers.map(async (a) => ((await a.json()) as { received: string }).received));
      expect(said.sort()).to.deep.equal(['duplicate', 'duplicate', 'stored']);
      await eventually(async () => (await webhooksOf(server, connectionId)).every((w) => w.processedAt), 'the webhook worked');
      expect(await webhooksOf(server, connectionId)).to.have.length(1);
      expect((await ordersOf(server, shop.id)).map((o) => o.orderNumber)).to.deep.equal(['#4001']);
      expect((await connectionOf(server, shop.id))!.ordersReceived).to.equal(1);
    });

    it('an order madoguchi cannot take (not in yen) is recorded as rejected with the reason, nothing half-written', async () => {
      const { shop, connectionId, domain, apiSecret } = await connected(server, shopify, 0);
      const node = makeOrderNode(6001, new Date());
      const dollars: Record<string, unknown> = { ...restPayloadOf(node), currency: 'USD', current_total_price: '41.0' };
      (dollars.current_total_price_set as { shop_money: { currency_code: string } }).shop_money.currency_code = 'USD';
      const r = await deliverWebhook(hookUrl(connectionId), { topic: 'orders/create', payload: dollars, secret: apiSecret, shop: domain });
      expect(r.status).to.equal(200);
      const [hook] = await eventually(async () => {
        const rows = await webhooksOf(server, connectionId);
        return rows[0]?.processedAt ? rows : undefined;
      }, 'the webhook worked');
      expect(hook!.error).to.equal("#6001: the shop's currency is USD; madoguchi stores yen");
      expect(await ordersOf(server, shop.id)).to.have.length(0);
    });

    it('a signed order body re-sent as app/uninstalled (the topic header is not signed) does not break the connection', async () => {
      const { shop, connectionId, domain, apiSecret } = await connected(server, shopify, 0);
      const captured = restPayloadOf(makeOrderNode(7001, new Date()));
      const swapped = await deliverWebhook(hookUrl(connectionId), { topic: 'app/uninstalled', payload: captured, secret: apiSecret, shop: domain });
      expect(swapped.status).to.equal(400);
      expect((await swapped.json()).error.details[0]).to.deep.include({ path: 'myshopify_domain' });
      const another = await deliverWebhook(hookUrl(connectionId), { topic: 'app/uninstalled', payload: { id: 2, myshopify_domain: 'other-shop.myshopify.com' }, secret: apiSecret, shop: domain });
      expect(another.status).to.equal(400);
      expect((await connectionOf(server, shop.id))!).to.deep.include({ status: 'ok', brokenReason: null });
    });

    it('app/uninstalled breaks the connection with its reason; a topic madoguchi does not keep is answered and ignored', async () => {
      const { shop, connectionId, domain, apiSecret } = await connected(server, shopify, 0);
      const ignored = await deliverWebhook(hookUrl(connectionId), { topic: 'products/update', payload: { id: 1 }, secret: apiSecret, shop: domain });
      expect(await ignored.json()).to.deep.equal({ received: 'ignored' });
      const gone = await deliverWebhook(hookUrl(connectionId), { topic: 'app/uninstalled', payload: { id: 1, name: 'shop', domain: 'shop.example.jp', myshopify_domain: domain }, secret: apiSecret, shop: domain });
      expect(gone.status).to.equal(200);
      const row = (await connectionOf(server, shop.id))!;
      expect(row).to.deep.include({ status: 'broken', brokenReason: 'app_uninstalled' });
      expect(row.lastError!.ja).to.match(/アンインストール/);
    });
  });
}

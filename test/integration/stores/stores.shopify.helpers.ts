import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { and, eq } from 'drizzle-orm';
import { orders } from '../../../server/domains/orders/orders.tables.ts';
import { storeConnections, storeSyncRuns, storeWebhooks } from '../../../server/domains/stores/stores.tables.ts';
import type { TestServer } from '../../helpers/app.ts';
import type { TestClient } from '../../helpers/client.ts';
import { eventually } from '../../helpers/eventually.ts';
import { aStore, type ShopifyApiStandIn } from '../../helpers/shopify-api.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';

export const PUBLIC_URL = 'https://desk.example.jp';
export const tag = () => randomBytes(4).toString('hex');

export { aStore };

export const db = (server: TestServer) => server.database.db;

export async function connectionOf(server: TestServer, shopId: string) {
  const [row] = await db(server).select().from(storeConnections).where(and(eq(storeConnections.shopId, shopId), eq(storeConnections.platform, 'shopify')));
  return row;
}

export const runsOf = (server: TestServer, connectionId: string) => db(server).select().from(storeSyncRuns).where(eq(storeSyncRuns.connectionId, connectionId)).orderBy(storeSyncRuns.id);
export const webhooksOf = (server: TestServer, connectionId: string) => db(server).select().from(storeWebhooks).where(eq(storeWebhooks.connectionId, connectionId)).orderBy(storeWebhooks.id);
export const ordersOf = (server: TestServer, shopId: string) => db(server).select().from(orders).where(eq(orders.shopId, shopId)).orderBy(orders.orderNumber);

/** A shop connected to a fresh store with `n` orders, its backfill run finished. */
export async function connected(server: TestServer, shopify: ShopifyApiStandIn, n = 3, opts: { backfillDone?: boolean } = {}): Promise<{ shop: TestShop; owner: TestClient; connectionId: string } & ReturnType<typeof aStore>> {
  const shop = await makeShop(server.database, undefined, ['owner', 'staff', 'contractor']);
  const owner = await signedIn(server.url, shop.people.owner);
  const s = aStore(shopify);
  if (n) shopify.seedOrders(s.domain, n);
  const r = await owner.post(`/api/shops/${shop.id}/stores/shopify`, { shopDomain: s.domain, accessToken: s.token, apiSecret: s.apiSecret });
  expect(r.status, r.text).to.equal(201);
  const connectionId = r.body.id as string;
  if (opts.backfillDone !== false) {
    await eventually(async () => (await runsOf(server, connectionId)).find((run) => run.trigger === 'backfill' && run.finishedAt), 'the backfill run', 30_000);
  }
  return { shop, owner, connectionId, ...s };
}

import type { Config } from '../../../config.ts';
import type { StoreAdapter, StoreOrder, SyncContext, SyncTrigger } from '../stores.port.ts';
import { ShopifyClient } from './shopify.client.ts';
import { mapGraphqlOrder, MappingError, webhookAction } from './shopify.map.ts';
import { LINES_ALONE, ORDER_QUERY, ORDERS_QUERY, orderGid, updatedSince, WEBHOOK_DELETE, WEBHOOKS_QUERY } from './shopify.queries.ts';

/**
 * Shopify through its Admin GraphQL API. A backfill reads the orders changed in the last
 * `backfill_days`; a reconcile (hourly, STORE_RECONCILE_MINUTES) reads those changed since the
 * last good run, a few minutes over, to catch the webhooks Shopify gave up on. Orders come
 * oldest change first, a page at a time, each page saved before the next is asked for. Webhooks
 * carry the order itself (`orders/*`), or only its id (`fulfillments/*`: the order is read again).
 */

/** A reconcile reads this far before the last good run: an order changed while that run read its last page is not missed. */
const OVERLAP_MS = 5 * 60_000;

interface ShopifyState {
  /** Orders changed from this time on are read by the next reconcile. */
  since?: string;
}

export const receiverPath = (connectionId: string) => `/hooks/shopify/${connectionId}`;

export function clientFor(ctx: SyncContext): ShopifyClient {
  return new ShopifyClient({
    apiUrl: ctx.config.SHOPIFY_API_URL,
    version: ctx.config.SHOPIFY_API_VERSION,
    shop: ctx.connection.account,
    token: ctx.secrets().access,
    fetch: ctx.fetch,
    signal: ctx.signal,
    logger: ctx.logger,
  });
}

interface OrdersPage {
  orders: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: unknown[] };
}

/** A mapped order, or the reason it cannot be one counted as rejected (a shop not in yen, a shape Shopify does not send). */
function mapOrReject(ctx: SyncContext, node: unknown): StoreOrder | undefined {
  try {
    return mapGraphqlOrder(node);
  } catch (e) {
    if (!(e instanceof MappingError)) throw e;
    ctx.reject(e.orderNumber, e.reason, e.ja);
    return undefined;
  }
}

const moreLines = (node: unknown) => Boolean((node as { lineItems?: { pageInfo?: { hasNextPage?: boolean } } } | null)?.lineItems?.pageInfo?.hasNextPage);

/**
 * An order with more lines than a page asks for is read again on its own, with all its lines;
 * one with more than even that holds is refused rather than stored without some of its lines.
 */
async function complete(ctx: SyncContext, client: ShopifyClient, node: unknown): Promise<unknown> {
  if (!moreLines(node)) return node;
  const { order } = await client.query<{ order: unknown }>(ORDER_QUERY, { id: (node as { id: string }).id });
  // Deleted on Shopify since the page was read: nothing to store.
  if (!order) return undefined;
  return readAlone(ctx, order);
}

/** An order read on its own (ORDER_QUERY): itself, or refused by name when even that did not hold all its lines. */
function readAlone(ctx: SyncContext, order: unknown): unknown {
  if (!moreLines(order)) return order;
  const name = String((order as { name?: unknown }).name ?? '?');
  ctx.reject(name, `the order has more than ${LINES_ALONE} lines; madoguchi reads at most ${LINES_ALONE}`, `明細が ${LINES_ALONE} 行を超える注文は取り込めません。`);
  return undefined;
}

async function pull(ctx: SyncContext, trigger: SyncTrigger): Promise<void> {
  const started = new Date();
  const state = ctx.connection.state as ShopifyState;
  const backfill = trigger === 'backfill' || !state.since;
  const since = backfill ? new Date(started.getTime() - ctx.connection.backfillDays * 86_400_000) : new Date(Date.parse(state.since!) - OVERLAP_MS);
  const client = clientFor(ctx);
  let after: string | null = null;
  for (;;) {
    const page: OrdersPage = await client.query<OrdersPage>(ORDERS_QUERY, { query: updatedSince(since), after });
    const mapped: StoreOrder[] = [];
    for (const node of page.orders.nodes) {
      const whole = await complete(ctx, client, node);
      const order = whole === undefined ? undefined : mapOrReject(ctx, whole);
      if (order) mapped.push(order);
    }
    if (mapped.length) await ctx.save(mapped);
    // Pages come oldest change first: all changed before the page's last one is saved, so a run cut short (its deadline,
    // Shopify away) leaves the next one to go on from there rather than start the window over.
    const last = (page.orders.nodes.at(-1) as { updatedAt?: unknown } | undefined)?.updatedAt;
    if (typeof last === 'string' && !Number.isNaN(Date.parse(last))) ctx.setState({ since: last } satisfies ShopifyState);
    if (!page.orders.pageInfo.hasNextPage || !page.orders.pageInfo.endCursor) break;
    after = page.orders.pageInfo.endCursor;
  }
  // The whole window was read: the next reconcile starts where this run did.
  ctx.setState({ since: started.toISOString() } satisfies ShopifyState);
}

async function handleWebhook(ctx: SyncContext, hook: { topic: string; payload: unknown }): Promise<void> {
  let action: ReturnType<typeof webhookAction>;
  try {
    action = webhookAction(hook.topic, hook.payload);
  } catch (e) {
    if (!(e instanceof MappingError)) throw e;
    ctx.reject(e.orderNumber, e.reason, e.ja);
    return;
  }
  if (action.kind === 'ignore') return;
  // A public app signs every store's webhooks with one secret, and the store's domain header is not signed: a body
  // captured from one store could be replayed to another's connection. Its order is read from this store instead (not
  // there: nothing stored). A custom app's secret is this store's alone, so its body is taken as it is.
  if (action.kind === 'order' && ctx.connection.webhookSecretSealed !== null) return ctx.save([action.order]);
  const orderId = action.kind === 'order' ? action.order.externalId : action.orderId;
  const { order } = await clientFor(ctx).query<{ order: unknown }>(ORDER_QUERY, { id: orderGid(orderId) });
  // An order deleted on Shopify since: nothing to update.
  if (!order) return;
  const whole = readAlone(ctx, order);
  const mapped = whole === undefined ? undefined : mapOrReject(ctx, whole);
  if (mapped) await ctx.save([mapped]);
}

/** Removes the subscriptions pointing at this connection's receiver; the token itself is the merchant's to revoke (a custom app) or goes with the uninstall. */
async function disconnect(ctx: SyncContext): Promise<void> {
  try {
    const client = clientFor(ctx);
    const { webhookSubscriptions } = await client.query<{ webhookSubscriptions: { nodes: Array<{ id: string; uri?: string | null }> } }>(WEBHOOKS_QUERY);
    const ours = webhookSubscriptions.nodes.filter((w) => (w.uri ?? '').endsWith(receiverPath(ctx.connection.id)));
    for (const w of ours) await client.query(WEBHOOK_DELETE, { id: w.id });
  } catch (e) {
    ctx.logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'shopify: webhooks not removed at disconnect');
  }
}

export const shopifyAdapter: StoreAdapter = {
  platform: 'shopify',
  sync: pull,
  nextSyncAfterMs: (config: Config) => config.STORE_RECONCILE_MINUTES * 60_000,
  handleWebhook,
  disconnect,
};

import { z } from 'zod';
import { publicUrl, type Config } from '../../../config.ts';
import { requireRole, type Actor } from '../../../core/actor.ts';
import { DomainError, invalidInput } from '../../../core/errors.ts';
import { said } from '../../../core/messages.ts';
import { createConnection, type StoreDeps } from '../stores.service.ts';
import { StoreApiError } from '../stores.port.ts';
import { receiverPath } from './shopify.adapter.ts';
import { ShopifyClient } from './shopify.client.ts';
import { SHOP_QUERY, WEBHOOK_CREATE, webhookTopics } from './shopify.queries.ts';

/**
 * Connecting a Shopify store: with the Admin API access token of a custom app the merchant made
 * (and its API secret, which signs the webhooks), or through the public app's OAuth install
 * (shopify.oauth.ts). Either way the token is tried first (the `shop` query: the store, its
 * currency, the token's scopes), the connection stored by core (sealed, backfill queued), and
 * Shopify asked to send the order and fulfillment webhooks to this connection's receiver.
 */

const DOMAIN = /^[a-z0-9][a-z0-9-]{0,60}\.myshopify\.com$/;

/** The store's admin as Shopify shows it now: `https://admin.shopify.com/store/<handle>/…`. */
const ADMIN = /^admin\.shopify\.com\/store\/([^/?#]+)/;

/** `https://x.myshopify.com/admin`, `X.myshopify.com`, `x`, `https://admin.shopify.com/store/x/orders` → `x.myshopify.com`. */
export const shopDomain = z
  .string()
  .trim()
  .max(200)
  .transform((v) => {
    const url = v.toLowerCase().replace(/^https?:\/\//, '');
    const handle = ADMIN.exec(url)?.[1];
    if (handle) return `${handle}.myshopify.com`;
    const host = url.split(/[/?#]/)[0]!;
    return host.includes('.') ? host : `${host}.myshopify.com`;
  })
  .pipe(z.string().regex(DOMAIN, said('ストアのドメインは my-shop.myshopify.com の形で入力してください', 'expected the store’s domain, such as my-shop.myshopify.com')));

export const tokenBody = z.strictObject({
  shopDomain,
  accessToken: z.string().trim().min(10).max(200).describe('Admin API access token of the custom app (shpat_…)'),
  apiSecret: z.string().trim().min(10).max(200).describe('the custom app’s API secret key: Shopify signs the webhooks with it'),
  backfillDays: z.number().int().min(1).max(365).optional().describe('how many days of orders to read at first (30 by default; Shopify gives 60 without read_all_orders)'),
});
export type TokenBody = z.output<typeof tokenBody>;

export const say = {
  tokenRefused: { ja: 'Shopify がこのアクセストークンを受け付けませんでした。アプリの Admin API アクセストークンを確認してください。', en: 'Shopify refused this access token; check the app’s Admin API access token' },
  noStore: { ja: 'このドメインの Shopify ストアが見つかりません。', en: 'no Shopify store answers at this domain' },
  noReadOrders: { ja: 'このトークンには注文を読む権限（read_orders）がありません。アプリの Admin API の権限に read_orders を加えてください。', en: 'the token may not read orders; give the app the read_orders scope' },
  notYen: (c: string) => ({ ja: `このストアの通貨は ${c} です。madoguchi は円（JPY）のストアだけを扱います。`, en: `the store’s currency is ${c}; madoguchi stores yen` }),
  shopifyDown: { ja: 'Shopify に接続できませんでした。しばらくしてからもう一度お試しください。', en: 'Shopify cannot be reached just now; try again in a moment' },
};

const fieldError = (path: string, m: { ja: string; en: string }) => invalidInput('body is not valid', [{ in: 'body', path, message: m.en, ja: m.ja }]);
const shopifyDown = (retryAfterSeconds = 5) =>
  new DomainError('unavailable', say.shopifyDown.en, { dependency: 'shopify', retryAfterSeconds, say: say.shopifyDown }, { 'Retry-After': String(retryAfterSeconds) });

export interface ShopInfo {
  name: string;
  domain: string;
  currency: string;
  scopes: string[];
}

interface ShopAnswer {
  shop: { name: string; myshopifyDomain: string; currencyCode: string };
  currentAppInstallation?: { accessScopes: Array<{ handle: string }> } | null;
}

const apiOf = (config: Config) => ({ apiUrl: config.SHOPIFY_API_URL, version: config.SHOPIFY_API_VERSION });

/**
 * The store a token opens, refused as the merchant should hear it: a token Shopify does not
 * take (400 at `tokenField`), no such store (400 at shopDomain), not in yen or no read_orders
 * (400), Shopify away (503).
 */
export async function verifyShop(deps: StoreDeps, shop: string, token: string, tokenField = 'accessToken'): Promise<ShopInfo> {
  let answer: ShopAnswer;
  try {
    answer = await new ShopifyClient({ ...apiOf(deps.config), shop, token, fetch: deps.fetch, maxWaitMs: 5_000, signal: AbortSignal.timeout(20_000) }).query<ShopAnswer>(SHOP_QUERY);
  } catch (e) {
    if (!(e instanceof StoreApiError)) throw shopifyDown();
    if (e.kind === 'auth') throw fieldError(tokenField, e.opts.code === 'ACCESS_DENIED' ? say.noReadOrders : say.tokenRefused);
    if (e.kind === 'not_found') throw fieldError('shopDomain', say.noStore);
    throw shopifyDown(e.opts.retryAfterMs ? Math.ceil(e.opts.retryAfterMs / 1000) : 5);
  }
  const info = { name: answer.shop.name, domain: answer.shop.myshopifyDomain, currency: answer.shop.currencyCode, scopes: (answer.currentAppInstallation?.accessScopes ?? []).map((s) => s.handle) };
  if (info.currency !== 'JPY') throw fieldError('shopDomain', say.notYen(info.currency));
  if (!info.scopes.includes('read_orders') && !info.scopes.includes('write_orders')) throw fieldError(tokenField, say.noReadOrders);
  return info;
}

/**
 * Asks Shopify to send the topics to `uri`. One already there is fine (a reconnect); any other
 * refusal is logged and left: the hourly reconcile still brings the orders in, only later.
 */
export async function registerWebhooks(deps: StoreDeps, shop: string, token: string, uri: string): Promise<{ registered: string[]; failed: string[] }> {
  const client = new ShopifyClient({ ...apiOf(deps.config), shop, token, fetch: deps.fetch, maxWaitMs: 5_000, signal: AbortSignal.timeout(30_000) });
  const registered: string[] = [];
  const failed: string[] = [];
  for (const topic of Object.keys(webhookTopics)) {
    try {
      const { webhookSubscriptionCreate: r } = await client.query<{ webhookSubscriptionCreate: { userErrors: Array<{ message: string }> } }>(WEBHOOK_CREATE, { topic, uri });
      const refused = r.userErrors.filter((e) => !/already been taken/i.test(e.message));
      (refused.length ? failed : registered).push(topic);
      if (refused.length) deps.logger.warn({ shop, topic, errors: refused.map((e) => e.message) }, 'shopify: a webhook was not registered');
    } catch (e) {
      failed.push(topic);
      deps.logger.warn({ shop, topic, err: e instanceof Error ? e.message : String(e) }, 'shopify: a webhook was not registered');
    }
  }
  return { registered, failed };
}

export const receiverUrl = (config: Config, connectionId: string) => `${publicUrl(config)}${receiverPath(connectionId)}`;

/** Stores the connection of a verified store and points its webhooks at us. */
export async function saveShopifyConnection(
  deps: StoreDeps,
  actor: Extract<Actor, { kind: 'user' }>,
  input: { info: ShopInfo; token: string; via: 'token' | 'oauth'; webhookSecret: string | null; backfillDays?: number },
  requestId?: string,
) {
  const view = await createConnection(deps, {
    shopId: actor.shopId,
    platform: 'shopify',
    account: input.info.domain,
    accountName: input.info.name,
    via: input.via,
    access: input.token,
    webhookSecret: input.webhookSecret,
    scopes: input.info.scopes,
    ...(input.backfillDays ? { backfillDays: input.backfillDays } : {}),
    actor,
    requestId,
  });
  await registerWebhooks(deps, input.info.domain, input.token, receiverUrl(deps.config, view.id));
  return view;
}

/** `POST /api/shops/:shopId/stores/shopify`: a custom app's token and API secret (owner, staff). */
export async function connectWithToken(deps: StoreDeps, actor: Actor, body: TokenBody, requestId?: string) {
  requireRole(actor, 'owner', 'staff');
  const info = await verifyShop(deps, body.shopDomain, body.accessToken);
  return saveShopifyConnection(deps, actor, { info, token: body.accessToken, via: 'token', webhookSecret: body.apiSecret, backfillDays: body.backfillDays }, requestId);
}

import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { legacyId } from '../../server/domains/stores/shopify/shopify.shapes.ts';
import { makeOrderNode, type OrderNode } from '../fixtures/shopify/builders.ts';

export { makeOrderNode, restPayloadOf, type OrderNode } from '../fixtures/shopify/builders.ts';

/**
 * A local stand-in for Shopify's Admin API, for tests: point SHOPIFY_API_URL at `apiUrl`
 * (`http://127.0.0.1:PORT/{shop}`). It answers `POST /{shop}/admin/api/{version}/graphql.json`
 * by the operation name of the document (ShopInfo, OrdersSince, OrderById, WebhookCreate,
 * WebhookDelete, Webhooks) with `X-Shopify-Access-Token` checked (401 with Shopify's body for a
 * token it does not know or that was revoked), and keeps Shopify's cost-based limit: a bucket of
 * points (1000, restoring 50 a second unless a test makes it smaller) that a query's requested
 * cost must fit, every answer carrying `extensions.cost`, a query over what is left answered
 * `Throttled` (THROTTLED). A test can make the next calls answer 429 or 5xx, and plays the
 * OAuth install (`/admin/oauth/authorize` redirects back signed, `/admin/oauth/access_token`).
 */
export interface ShopifyCall {
  shop: string;
  operation: string;
  variables: Record<string, unknown>;
  token: string | undefined;
  status: number;
  throttled: boolean;
  requestedCost: number;
  available: number;
  at: number;
}

export interface StandInShop {
  domain: string;
  name: string;
  currency: string;
  /** What its tokens may do (currentAppInstallation.accessScopes). */
  scopes: string[];
  orders: OrderNode[];
  webhooks: Array<{ id: string; topic: string; uri: string }>;
}

export type Failure = { status: 429; retryAfter: number } | { status: 500 | 502 | 503 };

export interface ThrottleSettings {
  maximumAvailable: number;
  restoreRate: number;
  /** What one order of a page asks for (its lines, shipping lines, fulfillments). */
  orderCost: number;
}

export interface ShopifyApiStandIn {
  /** The server's root, `http://127.0.0.1:PORT`. */
  url: string;
  /** SHOPIFY_API_URL for the app: `http://127.0.0.1:PORT/{shop}`. */
  apiUrl: string;
  calls: ShopifyCall[];
  addShop(domain: string, token: string, opts?: { name?: string; currency?: string; scopes?: string[] }): StandInShop;
  shop(domain: string): StandInShop;
  /** Adds `n` orders #1001… changed one minute apart, the last `endingAt` (now by default). */
  seedOrders(domain: string, n: number, opts?: { endingAt?: Date; startNumber?: number }): OrderNode[];
  /** Puts one order in (replacing the one with its id), its updatedAt as given. */
  putOrder(domain: string, node: OrderNode): void;
  revoke(token: string): void;
  failNext(failure: Failure, times?: number): void;
  throttle: ThrottleSettings;
  /** Takes points out of the store's bucket, as another app's queries would. */
  spend(domain: string, points: number): void;
  /** Fills the bucket (between tests). */
  refill(domain: string): void;
  /** A public app for the OAuth install. */
  addApp(clientId: string, clientSecret: string, scopes?: string): void;
  /** The token an install of the app on `domain` is given (it works as any token). */
  installToken(domain: string): string;
  close(): Promise<void>;
}

const invalidToken = { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' };

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const cursorOf = (o: OrderNode) => Buffer.from(JSON.stringify([o.updatedAt, o.id])).toString('base64url');
const byChange = (a: OrderNode, b: OrderNode) => Date.parse(a.updatedAt) - Date.parse(b.updatedAt) || a.id.localeCompare(b.id);

/** An order as a query asks for it: at most `lineItems(first: N)` lines, pageInfo saying whether there are more. */
function shaped(node: OrderNode, query: string): OrderNode {
  const first = Number(/lineItems\(first: (\d+)/.exec(query)?.[1] ?? 250);
  const lines = node.lineItems.nodes;
  return { ...node, lineItems: { pageInfo: { hasNextPage: lines.length > first }, nodes: lines.slice(0, first) } };
}

/** Shopify's search value `updated_at:>='2026-…'` (quotes optional). */
function sinceOf(query: unknown): number {
  const m = /updated_at:>=?'?([^' ]+)'?/.exec(String(query ?? ''));
  return m ? Date.parse(m[1]!) : 0;
}

export async function shopifyApiStandIn(): Promise<ShopifyApiStandIn> {
  const shops = new Map<string, StandInShop>();
  const tokens = new Map<string, { domain: string; revoked: boolean }>();
  const buckets = new Map<string, { available: number; at: number }>();
  const apps = new Map<string, { secret: string; scopes: string }>();
  const codes = new Map<string, { domain: string; clientId: string }>();
  const failures: Array<{ failure: Failure; left: number }> = [];
  const calls: ShopifyCall[] = [];
  const throttle: ThrottleSettings = { maximumAvailable: 1000, restoreRate: 50, orderCost: 80 };
  let seq = 0;

  const bucketOf = (domain: string) => {
    const now = Date.now();
    const b = buckets.get(domain) ?? { available: throttle.maximumAvailable, at: now };
    b.available = Math.min(throttle.maximumAvailable, b.available + ((now - b.at) / 1000) * throttle.restoreRate);
    b.at = now;
    buckets.set(domain, b);
    return b;
  };
  const status = (b: { available: number }) => ({ maximumAvailable: throttle.maximumAvailable, currentlyAvailable: Math.floor(b.available), restoreRate: throttle.restoreRate });

  const shopOf = (domain: string) => {
    const s = shops.get(domain);
    if (!s) throw new Error(`the stand-in has no shop ${domain}`);
    return s;
  };

  /** The requested cost of an operation, roughly as Shopify counts it. */
  const requestedCost = (operation: string, query: string) => {
    if (operation === 'OrdersSince') return 2 + Number(/orders\(first: (\d+)/.exec(query)?.[1] ?? 50) * throttle.orderCost;
    if (operation === 'OrderById') return Math.min(1000, 1 + throttle.orderCost * 10);
    if (operation.startsWith('Webhook')) return 10;
    return 1;
  };

  const run = (s: StandInShop, operation: string, v: Record<string, unknown>, query: string): { data: unknown; actual: (requested: number) => number } => {
    switch (operation) {
      case 'ShopInfo':
        return { data: { shop: { name: s.name, myshopifyDomain: s.domain, currencyCode: s.currency }, currentAppInstallation: { accessScopes: s.scopes.map((handle) => ({ handle })) } }, actual: () => 2 };
      case 'OrdersSince': {
        const since = sinceOf(v.query);
        const sorted = s.orders.filter((o) => Date.parse(o.updatedAt) >= since).sort(byChange);
        const start = v.after ? sorted.findIndex((o) => cursorOf(o) === v.after) + 1 : 0;
        const page = sorted.slice(start, start + Number(/orders\(first: (\d+)/.exec(query)?.[1] ?? 50));
        const hasNextPage = start + page.length < sorted.length;
        return {
          data: { orders: { pageInfo: { hasNextPage, endCursor: page.length ? cursorOf(page[page.length - 1]!) : null }, nodes: page.map((o) => shaped(o, query)) } },
          actual: () => 2 + page.length * throttle.orderCost,
        };
      }
      case 'OrderById': {
        const id = legacyId(String(v.id));
        const found = s.orders.find((o) => legacyId(o.id) === id);
        return { data: { order: found ? shaped(found, query) : null }, actual: () => throttle.orderCost };
      }
      case 'WebhookCreate': {
        const hook = { id: `gid://shopify/WebhookSubscription/${++seq}`, topic: String(v.topic), uri: String(v.uri) };
        if (s.webhooks.some((w) => w.topic === hook.topic && w.uri === hook.uri)) {
          return { data: { webhookSubscriptionCreate: { webhookSubscription: null, userErrors: [{ field: ['webhookSubscription', 'callbackUrl'], message: 'Address for this topic has already been taken' }] } }, actual: () => 10 };
        }
        s.webhooks.push(hook);
        return { data: { webhookSubscriptionCreate: { webhookSubscription: { id: hook.id, topic: hook.topic }, userErrors: [] } }, actual: () => 10 };
      }
      case 'WebhookDelete': {
        const at = s.webhooks.findIndex((w) => w.id === v.id);
        if (at < 0) return { data: { webhookSubscriptionDelete: { deletedWebhookSubscriptionId: null, userErrors: [{ field: ['id'], message: 'Webhook subscription does not exist' }] } }, actual: () => 10 };
        s.webhooks.splice(at, 1);
        return { data: { webhookSubscriptionDelete: { deletedWebhookSubscriptionId: v.id, userErrors: [] } }, actual: () => 10 };
      }
      case 'Webhooks':
        return { data: { webhookSubscriptions: { nodes: s.webhooks.map((w) => ({ ...w })) } }, actual: () => 2 + s.webhooks.length };
      default:
        return { data: null, actual: () => 1 };
    }
  };

  const json = (res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}) =>
    void res.writeHead(code, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));

  const graphql = async (req: IncomingMessage, res: ServerResponse, domain: string) => {
    const raw = await readBody(req);
    let doc: { query?: string; variables?: Record<string, unknown> } = {};
    try {
      doc = JSON.parse(raw) as typeof doc;
    } catch {
      return json(res, 400, { errors: { query: 'Required parameter missing or invalid' } });
    }
    const query = String(doc.query ?? '');
    const operation = /^\s*(?:query|mutation)\s+(\w+)/.exec(query)?.[1] ?? '(anonymous)';
    const variables = doc.variables ?? {};
    const token = req.headers['x-shopify-access-token'] as string | undefined;
    const call: ShopifyCall = { shop: domain, operation, variables, token, status: 200, throttled: false, requestedCost: 0, available: 0, at: Date.now() };
    calls.push(call);
    const failure = failures.find((f) => f.left > 0);
    if (failure) {
      failure.left -= 1;
      call.status = failure.failure.status;
      if (failure.failure.status === 429) return json(res, 429, { errors: 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.' }, { 'retry-after': String(failure.failure.retryAfter) });
      return json(res, failure.failure.status, { errors: 'Internal Server Error' });
    }
    const known = token ? tokens.get(token) : undefined;
    if (!known || known.revoked || known.domain !== domain || !shops.has(domain)) {
      call.status = 401;
      return json(res, 401, invalidToken);
    }
    const s = shopOf(domain);
    const b = bucketOf(domain);
    const requested = requestedCost(operation, query);
    call.requestedCost = requested;
    call.available = Math.floor(b.available);
    if (requested > b.available) {
      call.throttled = true;
      return json(res, 200, {
        errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }],
        extensions: { cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: status(b) } },
      });
    }
    const { data, actual } = run(s, operation, variables, query);
    const cost = Math.min(requested, actual(requested));
    b.available -= cost;
    json(res, 200, { data, extensions: { cost: { requestedQueryCost: requested, actualQueryCost: cost, throttleStatus: status(b) } } });
  };

  const oauth = async (req: IncomingMessage, res: ServerResponse, domain: string, path: string, url: URL) => {
    if (path === '/admin/oauth/authorize') {
      const clientId = url.searchParams.get('client_id') ?? '';
      const app = apps.get(clientId);
      if (!app) return json(res, 400, { errors: 'Oauth error invalid_request: The client_id is invalid' });
      // The merchant approves at once: back to the app with a code, signed as Shopify signs it.
      const code = randomBytes(12).toString('hex');
      codes.set(code, { domain, clientId });
      const back = new URL(url.searchParams.get('redirect_uri') ?? '');
      const params: Record<string, string> = { code, host: Buffer.from(`admin.shopify.com/store/${domain.split('.')[0]}`).toString('base64url'), shop: domain, state: url.searchParams.get('state') ?? '', timestamp: String(Math.floor(Date.now() / 1000)) };
      for (const [k, v] of Object.entries(params)) back.searchParams.set(k, v);
      back.searchParams.set('hmac', oauthHmac(params, app.secret));
      return void res.writeHead(302, { location: back.toString() }).end();
    }
    if (path === '/admin/oauth/access_token' && req.method === 'POST') {
      const body = JSON.parse((await readBody(req)) || '{}') as { client_id?: string; client_secret?: string; code?: string };
      const c = body.code ? codes.get(body.code) : undefined;
      const app = body.client_id ? apps.get(body.client_id) : undefined;
      if (!c || !app || app.secret !== body.client_secret || c.domain !== domain || c.clientId !== body.client_id) return json(res, 400, { error: 'invalid_request', error_description: 'The authorization code was not found or was already used' });
      codes.delete(body.code!);
      const token = installToken(domain);
      tokens.set(token, { domain, revoked: false });
      return json(res, 200, { access_token: token, scope: app.scopes });
    }
    json(res, 404, { errors: 'Not Found' });
  };

  const installToken = (domain: string) => `shpca_${createHmac('sha256', 'install').update(domain).digest('hex').slice(0, 32)}`;

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const [, domain = '', ...rest] = url.pathname.split('/');
    const path = `/${rest.join('/')}`;
    const done = /^\/admin\/api\/[\w-]+\/graphql\.json$/.test(path) && req.method === 'POST' ? graphql(req, res, domain) : oauth(req, res, domain, path, url);
    done.catch((e: unknown) => json(res, 500, { errors: String(e) }));
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    apiUrl: `http://127.0.0.1:${port}/{shop}`,
    calls,
    throttle,
    addShop: (domain, token, opts = {}) => {
      const s: StandInShop = { domain, name: opts.name ?? 'テストショップ', currency: opts.currency ?? 'JPY', scopes: opts.scopes ?? ['read_orders'], orders: [], webhooks: [] };
      shops.set(domain, s);
      tokens.set(token, { domain, revoked: false });
      return s;
    },
    shop: shopOf,
    seedOrders: (domain, n, opts = {}) => {
      const s = shopOf(domain);
      const end = (opts.endingAt ?? new Date()).getTime();
      const first = opts.startNumber ?? 1001 + s.orders.length;
      const made = Array.from({ length: n }, (_, i) => makeOrderNode(first + i, new Date(end - (n - 1 - i) * 60_000)));
      s.orders.push(...made);
      return made;
    },
    putOrder: (domain, node) => {
      const s = shopOf(domain);
      const at = s.orders.findIndex((o) => o.id === node.id);
      if (at >= 0) s.orders[at] = node;
      else s.orders.push(node);
    },
    revoke: (token) => {
      const t = tokens.get(token);
      if (t) t.revoked = true;
    },
    failNext: (failure, times = 1) => void failures.push({ failure, left: times }),
    spend: (domain, points) => {
      const b = bucketOf(domain);
      b.available = Math.max(0, b.available - points);
    },
    refill: (domain) => void buckets.delete(domain),
    addApp: (clientId, clientSecret, scopes = 'read_orders') => void apps.set(clientId, { secret: clientSecret, scopes }),
    installToken,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Shopify's OAuth signature: the query's other parameters sorted and written as a query string (as Shopify's libraries do), HMAC-SHA256 hex with the app's secret. */
export function oauthHmac(params: Record<string, string>, secret: string): string {
  const message = Object.keys(params)
    .filter((k) => k !== 'hmac' && k !== 'signature')
    .sort()
    .map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(params[k]!)}`)
    .join('&');
  return createHmac('sha256', secret).update(message).digest('hex');
}

/** A webhook as Shopify delivers it to `url`: the JSON body signed (base64 HMAC-SHA256 of the raw bytes) with `secret`. */
export async function deliverWebhook(
  url: string,
  opts: { topic: string; payload: unknown; secret: string; shop: string; webhookId?: string; hmac?: string; body?: string },
): Promise<Response> {
  const body = opts.body ?? JSON.stringify(opts.payload);
  const hmac = opts.hmac ?? createHmac('sha256', opts.secret).update(body, 'utf8').digest('base64');
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': opts.topic,
      'x-shopify-hmac-sha256': hmac,
      'x-shopify-shop-domain': opts.shop,
      'x-shopify-api-version': '2025-10',
      'x-shopify-webhook-id': opts.webhookId ?? randomBytes(16).toString('hex'),
      'x-shopify-triggered-at': new Date().toISOString(),
    },
    body,
  });
}

/** A store the stand-in knows, with a custom app's Admin API token and API secret, its domain unique to the call. */
export function aStore(shopify: ShopifyApiStandIn, opts: { currency?: string; scopes?: string[] } = {}) {
  const t = randomBytes(4).toString('hex');
  const domain = `shop-${t}.myshopify.com`;
  const token = `shpat_${randomBytes(16).toString('hex')}`;
  const apiSecret = `shpss_${randomBytes(16).toString('hex')}`;
  const store = shopify.addShop(domain, token, { name: `ショップ ${t}`, ...opts });
  return { domain, token, apiSecret, store };
}

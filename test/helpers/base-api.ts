import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the BASE API v1 (`https://api.thebase.in`), for tests: point BASE_API_URL
 * at `url`. It answers as BASE documents (docs.thebase.in, github.com/baseinc/api-docs):
 *
 * - `GET /1/oauth/authorize`: the consent page, decided by `consent` ('allow' sends the browser
 *   back to the redirect URI with `code` and `state`, 'deny' with `error=access_denied`);
 * - `POST /1/oauth/token`: `authorization_code` and `refresh_token` grants (form body, or the
 *   client in Basic auth). Access tokens live `accessTtlSeconds` (BASE: 3600), refresh tokens
 *   30 days; a refresh token is used up when it is exchanged (the answer carries a new one);
 *   a bad, used or expired one answers 400 `invalid_request` 「不正なリフレッシュトークンです。」 as
 *   BASE's documentation lists it;
 * - `GET /1/users/me`, `GET /1/orders` (start_ordered / end_ordered in Japan time, `limit` ≤ 100,
 *   `offset`; newest order first), `GET /1/orders/detail/:unique_key`, `GET /1/delivery_companies`,
 *   each with `Authorization: Bearer`. A missing, unknown, expired or revoked access token answers
 *   `tokenErrorStatus` (401 by default; BASE's documentation says 400) with
 *   `{ error: 'invalid_request', error_description: 'アクセストークンが無効です。' }`.
 *
 * A test makes the next calls fail: `{ limit: 'hour' | 'day' }` (BASE's 400 hour_api_limit /
 * day_api_limit), `{ status: 429, retryAfter }`, `{ status: 500 | 502 | 503 }`, or a hang-up.
 * Every call is recorded (path, query, token).
 */
export interface BaseCall {
  method: string;
  path: string;
  query: Record<string, string>;
  token: string | undefined;
  form: Record<string, string>;
  at: number;
}

export type BaseFailure = { limit: 'hour' | 'day' } | { status: 429; retryAfter: number } | { status: 500 | 502 | 503 } | { hangUp: true };

export interface BaseShopAccount {
  shopId: string;
  shopName: string;
}

/** An order as orders/detail answers it (the `order` object); the list shows a summary of it. */
export type BaseOrderPayload = Record<string, unknown> & { unique_key: string; ordered: number; modified?: number | null };

export interface BaseApiStandIn {
  url: string;
  calls: BaseCall[];
  /** What the shop owner does on BASE's consent page. */
  consent: 'allow' | 'deny';
  /** Lifetime of the access tokens issued from now on (BASE: 3600 s). */
  accessTtlSeconds: number;
  /** The status a bad access token answers (see above). */
  tokenErrorStatus: 400 | 401;
  /** The app registered with BASE Developers. */
  addClient(clientId: string, clientSecret: string, redirectUri: string): void;
  /** The shop that signs in on the consent page (one per stand-in; orders are its). */
  shop: BaseShopAccount;
  /** Tokens for the shop without the browser round trip (a connection made in a test's setup), for the first client added unless named. */
  issueTokens(opts?: { clientId?: string; scopes?: string[] }): { access: string; refresh: string; expiresIn: number };
  /** Adds or replaces an order (by unique_key). */
  putOrder(order: BaseOrderPayload): void;
  /** Changes an order as the shop's admin would (bumps `modified`). */
  updateOrder(uniqueKey: string, patch: Record<string, unknown>): void;
  orders(): BaseOrderPayload[];
  /** The shop's orders gone (a test's own start). */
  clearOrders(): void;
  /** The order stays in the list but its detail answers no_order (deleted between the two calls). */
  hideDetail(uniqueKey: string): void;
  /** Every access token issued so far stops working (BASE's clock moved past them). */
  expireAccessTokens(): void;
  /** The shop removed the app on BASE's side: every token, access and refresh, is refused. */
  revokeAll(): void;
  failNext(path: string, failure: BaseFailure, times?: number): void;
  callsTo(path: string): BaseCall[];
  close(): Promise<void>;
}

const REFRESH_TTL_SECONDS = 30 * 24 * 3600;
const CODE_TTL_SECONDS = 600;
const tokenOf = () => randomBytes(16).toString('hex');

/** `yyyy-mm-dd` or `yyyy-mm-dd hh:mm:ss` in Japan time → unix seconds (end of day for a bare end date). */
function jstSeconds(v: string | undefined, end: boolean): number | undefined {
  if (!v) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})(?: (\d{2}:\d{2}:\d{2}))?$/.exec(v.trim());
  if (!m) return Number.NaN;
  const time = m[2] ?? (end ? '23:59:59' : '00:00:00');
  return Date.parse(`${m[1]}T${time}+09:00`) / 1000;
}

async function readForm(req: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  if (!raw) return {};
  if (String(req.headers['content-type'] ?? '').includes('application/json')) return JSON.parse(raw) as Record<string, string>;
  return Object.fromEntries(new URLSearchParams(raw));
}

const summaryKeys = ['unique_key', 'ordered', 'cancelled', 'dispatched', 'payment', 'first_name', 'last_name', 'total', 'delivery_date', 'delivery_time_zone', 'terminated', 'dispatch_status', 'modified', 'subscription'];

export async function baseApiStandIn(opts: { shop?: Partial<BaseShopAccount> } = {}): Promise<BaseApiStandIn> {
  const clients = new Map<string, { secret: string; redirectUri: string }>();
  const codes = new Map<string, { clientId: string; redirectUri: string; scopes: string[]; expires: number }>();
  const access = new Map<string, { scopes: string[]; expires: number; clientId: string }>();
  const refresh = new Map<string, { scopes: string[]; expires: number; clientId: string; used: boolean }>();
  const orders = new Map<string, BaseOrderPayload>();
  const hidden = new Set<string>();
  const failures: Array<{ path: string; failure: BaseFailure; left: number }> = [];
  const calls: BaseCall[] = [];
  const shop: BaseShopAccount = { shopId: 'madoguchi_test', shopName: 'テストショップ', ...opts.shop };
  const now = () => Math.floor(Date.now() / 1000);

  const self = {
    consent: 'allow' as 'allow' | 'deny',
    accessTtlSeconds: 3600,
    tokenErrorStatus: 401 as 400 | 401,
  };

  const issue = (clientId: string, scopes: string[]) => {
    const a = tokenOf();
    const r = tokenOf();
    access.set(a, { scopes, expires: now() + self.accessTtlSeconds, clientId });
    refresh.set(r, { scopes, expires: now() + REFRESH_TTL_SECONDS, clientId, used: false });
    return { access_token: a, token_type: 'bearer', expires_in: self.accessTtlSeconds, refresh_token: r };
  };

  const takeFailure = (path: string): BaseFailure | undefined => {
    const f = failures.find((x) => x.left > 0 && (path.startsWith(x.path) || x.path === '*'));
    if (!f) return undefined;
    f.left -= 1;
    return f.failure;
  };

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
    void res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
  const refuse = (res: ServerResponse, error: string, description: string, status = 400) => json(res, status, { error, error_description: description });

  const authorize = (res: ServerResponse, q: URLSearchParams) => {
    const client = clients.get(q.get('client_id') ?? '');
    if (q.get('response_type') !== 'code' || !client) return refuse(res, 'invalid_request', 'クライアントが見つかりませんでした。');
    if (q.get('redirect_uri') !== client.redirectUri) return refuse(res, 'invalid_request', 'redirect_uriが不正です。');
    const back = new URL(client.redirectUri);
    const state = q.get('state');
    if (self.consent === 'deny') back.searchParams.set('error', 'access_denied');
    else {
      const code = tokenOf();
      const scopes = (q.get('scope') ?? 'read_users').split(/[ +]/).filter(Boolean);
      codes.set(code, { clientId: q.get('client_id')!, redirectUri: client.redirectUri, scopes, expires: now() + CODE_TTL_SECONDS });
      back.searchParams.set('code', code);
    }
    if (state !== null) back.searchParams.set('state', state);
    res.writeHead(302, { location: back.toString() }).end();
  };

  const token = (res: ServerResponse, req: IncomingMessage, form: Record<string, string>) => {
    if (req.method !== 'POST') return refuse(res, 'access_denied', 'POSTで送信してください。');
    let clientId = form.client_id;
    let secret = form.client_secret;
    const basic = String(req.headers.authorization ?? '');
    if (basic.startsWith('Basic ')) [clientId, secret] = Buffer.from(basic.slice(6), 'base64').toString('utf8').split(':');
    if (!clientId || !secret) return refuse(res, 'invalid_request', 'client_idもしくはclient_secretがありません。');
    const client = clients.get(clientId);
    if (!client || client.secret !== secret) return refuse(res, 'unauthorized_client', 'クライアントが見つかりませんでした。');
    if (form.grant_type === 'authorization_code') {
      const c = codes.get(form.code ?? '');
      if (!c || c.clientId !== clientId || c.redirectUri !== form.redirect_uri) return refuse(res, 'invalid_request', '不正な認可コードです。');
      codes.delete(form.code!);
      if (c.expires < now()) return refuse(res, 'invalid_request', '認可コードの有効期限が切れています。');
      return json(res, 200, issue(clientId, c.scopes));
    }
    if (form.grant_type === 'refresh_token') {
      const r = refresh.get(form.refresh_token ?? '');
      if (!r || r.used || r.clientId !== clientId) return refuse(res, 'invalid_request', '不正なリフレッシュトークンです。');
      if (r.expires < now()) return refuse(res, 'invalid_request', 'リフレッシュトークンの有効期限が切れています。');
      r.used = true;
      return json(res, 200, issue(clientId, r.scopes));
    }
    return refuse(res, 'invalid_request', '不正なgrant_typeです。');
  };

  const api = (res: ServerResponse, path: string, q: URLSearchParams, bearer: string | undefined) => {
    const t = bearer ? access.get(bearer) : undefined;
    if (!t || t.expires <= now()) return refuse(res, 'invalid_request', 'アクセストークンが無効です。', self.tokenErrorStatus);
    const needs = (scope: string) => (t.scopes.includes(scope) ? false : (refuse(res, 'invalid_scope', 'スコープが無効です。'), true));
    if (path === '/1/users/me') {
      if (needs('read_users')) return;
      return json(res, 200, { user: { shop_id: shop.shopId, shop_name: shop.shopName, shop_introduction: '', shop_url: `https://${shop.shopId}.thebase.in`, logo: null } });
    }
    if (path === '/1/delivery_companies') {
      return json(res, 200, { delivery_companies: [{ delivery_company_id: 1, name: 'クロネコヤマト' }, { delivery_company_id: 2, name: '佐川急便' }, { delivery_company_id: 3, name: '日本郵便' }] });
    }
    if (path === '/1/orders') {
      if (needs('read_orders')) return;
      const from = jstSeconds(q.get('start_ordered') ?? undefined, false);
      const to = jstSeconds(q.get('end_ordered') ?? undefined, true);
      if (Number.isNaN(from) || Number.isNaN(to)) return refuse(res, 'invalid_request', '不正なパラメーターです。');
      const limit = Number(q.get('limit') ?? 20);
      const offset = Number(q.get('offset') ?? 0);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100 || !Number.isInteger(offset) || offset < 0) return refuse(res, 'invalid_request', '不正なパラメーターです。');
      const found = [...orders.values()]
        .filter((o) => (from === undefined || o.ordered >= from) && (to === undefined || o.ordered <= to))
        .sort((a, b) => b.ordered - a.ordered || (a.unique_key < b.unique_key ? -1 : 1))
        .slice(offset, offset + limit)
        .map((o) => Object.fromEntries(summaryKeys.filter((k) => k in o).map((k) => [k, o[k]])));
      return json(res, 200, { orders: found });
    }
    const detail = /^\/1\/orders\/detail\/([^/]*)$/.exec(path);
    if (detail) {
      if (needs('read_orders')) return;
      const key = decodeURIComponent(detail[1]!);
      if (!key) return refuse(res, 'no_unique_key', 'unique_keyは必須です。');
      const o = hidden.has(key) ? undefined : orders.get(key);
      if (!o) return refuse(res, 'no_order', '注文情報が見つかりませんでした。');
      return json(res, 200, { order: o });
    }
    return refuse(res, 'invalid_request', '不正なURLです。', 404);
  };

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const form = await readForm(req).catch(() => ({}) as Record<string, string>);
    const auth = String(req.headers.authorization ?? '');
    const bearer = auth.startsWith('Bearer ') ? auth.slice(7) : undefined;
    calls.push({ method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), token: bearer, form, at: Date.now() });
    if (url.pathname === '/1/oauth/authorize') return authorize(res, url.searchParams);
    const failure = takeFailure(url.pathname);
    if (failure && 'hangUp' in failure) return void req.socket.destroy();
    if (failure && 'limit' in failure) {
      return failure.limit === 'hour'
        ? refuse(res, 'hour_api_limit', '1時間のAPIの利用上限を超えました。時間が変わってからもう一度アクセスしてください。')
        : refuse(res, 'day_api_limit', '1日のAPIの利用上限を超えました。日付が変わってからもう一度アクセスしてください。');
    }
    if (failure && 'status' in failure) {
      if (failure.status === 429) return json(res, 429, { error: 'too_many_requests', error_description: 'しばらく時間をおいてからアクセスしてください。' }, { 'retry-after': String(failure.retryAfter) });
      return void res.writeHead(failure.status, { 'content-type': 'text/html' }).end('<html><body>Service Unavailable</body></html>');
    }
    if (url.pathname === '/1/oauth/token') return token(res, req, form);
    return api(res, url.pathname, url.searchParams, bearer);
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;

  return Object.assign(self, {
    url: `http://127.0.0.1:${port}`,
    calls,
    shop,
    addClient: (clientId: string, clientSecret: string, redirectUri: string) => void clients.set(clientId, { secret: clientSecret, redirectUri }),
    issueTokens: ({ clientId = [...clients.keys()][0] ?? 'stand-in', scopes = ['read_users', 'read_orders'] }: { clientId?: string; scopes?: string[] } = {}) => {
      const t = issue(clientId, scopes);
      return { access: t.access_token, refresh: t.refresh_token, expiresIn: t.expires_in };
    },
    putOrder: (order: BaseOrderPayload) => void orders.set(order.unique_key, structuredClone(order)),
    updateOrder: (uniqueKey: string, patch: Record<string, unknown>) => {
      const o = orders.get(uniqueKey);
      if (!o) throw new Error(`no order ${uniqueKey}`);
      orders.set(uniqueKey, { ...o, ...structuredClone(patch), modified: Math.max(now(), Number(o.modified ?? 0) + 1) });
    },
    orders: () => [...orders.values()],
    clearOrders: () => orders.clear(),
    hideDetail: (uniqueKey: string) => void hidden.add(uniqueKey),
    expireAccessTokens: () => {
      for (const t of access.values()) t.expires = 0;
    },
    revokeAll: () => {
      access.clear();
      refresh.clear();
    },
    failNext: (path: string, failure: BaseFailure, times = 1) => void failures.push({ path, failure, left: times }),
    callsTo: (path: string) => calls.filter((c) => c.path.startsWith(path)),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  });
}

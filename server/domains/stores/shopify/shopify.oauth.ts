import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { storesLanding } from '../stores.routes.ts';
import { z } from 'zod';
import { publicUrl } from '../../../config.ts';
import type { Actor } from '../../../core/actor.ts';
import { DomainError, isDomainError } from '../../../core/errors.ts';
import type { Keyring } from '../../../core/sealed.ts';
import { SESSION_COOKIE, type CookieOptions } from '../../auth/auth.cookie.ts';
import { resolveSession, type AuthDeps } from '../../auth/auth.service.ts';
import { memberActor } from '../../slack/slack.connect.repository.ts';
import type { StoreDeps } from '../stores.service.ts';
import { shopUrl } from './shopify.client.ts';
import { saveShopifyConnection, shopDomain, verifyShop } from './shopify.connect.ts';

/**
 * The public app's install (SHOPIFY_CLIENT_ID / SECRET): `GET …/stores/shopify/install?shop=`
 * sends a signed-in owner or staff to Shopify's authorize page with a state signed for the
 * madoguchi shop, the person and the store, and bound to the browser by a cookie; Shopify sends
 * them back to `GET /stores/shopify/callback` with a code, the query signed with the app's
 * secret. The callback checks the signature, the state, the cookie and that the same person is
 * still signed in and may manage stores, exchanges the code, and connects as a pasted token
 * would. The browser lands on the console's settings with `?store=connected` or
 * `?store=error&reason=…`.
 */
export const OAUTH_SCOPES = 'read_orders';
export const CALLBACK_PATH = '/stores/shopify/callback';
const STATE_COOKIE = 'mdg_shopify_state';
const STATE_SECONDS = 600;

export interface OAuthDeps extends StoreDeps {
  authDeps: AuthDeps;
  cookie: CookieOptions;
}

const stateKey = (keyring: Keyring) => createHmac('sha256', keyring.current.key).update('shopify-oauth-state').digest();
const sign = (keyring: Keyring, body: string) => createHmac('sha256', stateKey(keyring)).update(body).digest('base64url');

const stateBody = z.object({ s: z.uuid(), u: z.uuid(), d: z.string(), n: z.string(), e: z.number() });

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Shopify's signature of a redirect's query: the other parameters sorted, encoded as a query string, HMAC-SHA256 hex with the app's secret. */
export function queryHmac(query: Record<string, string>, secret: string): string {
  const message = Object.keys(query)
    .filter((k) => k !== 'hmac' && k !== 'signature')
    .sort()
    .map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(query[k]!)}`)
    .join('&');
  return createHmac('sha256', secret).update(message).digest('hex');
}

/** Where Shopify's authorize page is for `shop`, with a fresh state (its nonce goes in the browser's cookie). */
export function startInstall(deps: OAuthDeps, ctx: Context, actor: Extract<Actor, { kind: 'user' }>, shop: string): string {
  const clientId = deps.config.SHOPIFY_CLIENT_ID;
  if (!clientId || !deps.config.SHOPIFY_CLIENT_SECRET) throw new DomainError('not_found', 'this deployment has no Shopify app; connect with a custom app’s token');
  const nonce = randomBytes(16).toString('base64url');
  const body = Buffer.from(JSON.stringify({ s: actor.shopId, u: actor.userId, d: shop, n: nonce, e: Math.floor(Date.now() / 1000) + STATE_SECONDS })).toString('base64url');
  const state = `${body}.${sign(deps.keyring, body)}`;
  if (deps.cookie.secure) ctx.cookies.secure = true;
  ctx.cookies.set(STATE_COOKIE, nonce, { httpOnly: true, sameSite: 'lax', secure: deps.cookie.secure, path: CALLBACK_PATH, maxAge: STATE_SECONDS * 1000 });
  const url = new URL(`${shopUrl({ apiUrl: deps.config.SHOPIFY_API_URL, version: deps.config.SHOPIFY_API_VERSION }, shop)}/admin/oauth/authorize`);
  url.searchParams.set('client_id', clientId);
  url.searchParams.set('scope', OAUTH_SCOPES);
  url.searchParams.set('redirect_uri', `${publicUrl(deps.config)}${CALLBACK_PATH}`);
  url.searchParams.set('state', state);
  return url.toString();
}

class Refused extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** The state's content when it is ours, unexpired, for `shop` and this browser. */
function checkState(deps: OAuthDeps, ctx: Context, state: string, shop: string): z.output<typeof stateBody> {
  const [body = '', mac = ''] = state.split('.');
  if (!body || !sameText(mac, sign(deps.keyring, body))) throw new Refused('invalid_state');
  let parsed: z.output<typeof stateBody>;
  try {
    parsed = stateBody.parse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
  } catch {
    throw new Refused('invalid_state');
  }
  if (parsed.e < Date.now() / 1000) throw new Refused('expired');
  if (parsed.d !== shop) throw new Refused('invalid_state');
  const nonce = ctx.cookies.get(STATE_COOKIE);
  if (!nonce || !sameText(nonce, parsed.n)) throw new Refused('invalid_state');
  return parsed;
}

async function exchangeCode(deps: OAuthDeps, shop: string, code: string): Promise<{ token: string }> {
  const url = `${shopUrl({ apiUrl: deps.config.SHOPIFY_API_URL, version: deps.config.SHOPIFY_API_VERSION }, shop)}/admin/oauth/access_token`;
  let res: Response;
  try {
    res = await (deps.fetch ?? fetch)(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ client_id: deps.config.SHOPIFY_CLIENT_ID, client_secret: deps.config.SHOPIFY_CLIENT_SECRET, code }),
      signal: AbortSignal.timeout(20_000),
    });
  } catch {
    throw new Refused('shopify_unavailable');
  }
  if (res.status >= 500) throw new Refused('shopify_unavailable');
  const answer = (await res.json().catch(() => ({}))) as { access_token?: unknown };
  if (res.status !== 200 || typeof answer.access_token !== 'string') throw new Refused('code_refused');
  return { token: answer.access_token };
}

async function callback(deps: OAuthDeps, ctx: Context): Promise<void> {
  const secret = deps.config.SHOPIFY_CLIENT_SECRET!;
  const query = Object.fromEntries(Object.entries(ctx.query).filter((e): e is [string, string] => typeof e[1] === 'string'));
  if (!query.hmac || !sameText(query.hmac, queryHmac(query, secret))) throw new Refused('invalid_signature');
  const shop = shopDomain.safeParse(query.shop ?? '');
  if (!shop.success || shop.data !== query.shop) throw new Refused('invalid_shop');
  if (!query.code) throw new Refused('access_denied');
  const state = checkState(deps, ctx, query.state ?? '', shop.data);
  // From here the shop is known: the browser lands on that shop's page, not on whichever shop the console opened last.
  ctx.state.storeShopId = state.s;
  ctx.cookies.set(STATE_COOKIE, null, { path: CALLBACK_PATH });
  const principal = await resolveSession(deps.authDeps, ctx.cookies.get(SESSION_COOKIE)).catch(() => undefined);
  if (!principal) throw new Refused('signed_out');
  const actor = await memberActor(deps.db, state.s, state.u);
  if (principal.user.id !== state.u || !actor || (actor.role !== 'owner' && actor.role !== 'staff')) throw new Refused('forbidden');
  const { token } = await exchangeCode(deps, shop.data, query.code);
  const info = await verifyShop(deps, shop.data, token).catch((e: unknown) => {
    const details = isDomainError(e) ? (e.details as Array<{ message?: string }> | undefined) : undefined;
    throw new Refused(isDomainError(e) && e.code === 'unavailable' ? 'shopify_unavailable' : /yen/.test(details?.[0]?.message ?? '') ? 'not_yen' : 'token_refused');
  });
  // The public app's webhooks are signed with its client secret (kept in configuration, not per connection).
  await saveShopifyConnection(deps, actor, { info, token, via: 'oauth', webhookSecret: null }, String(ctx.state.requestId ?? ''));
}

export function shopifyOAuthCallback(router: Router, deps: OAuthDeps): void {
  // The same landing as BASE's (base.routes.ts): the console's store connections say how it went.
  const settings = (ctx: Context, q: string) => storesLanding(ctx.state.storeShopId as string | undefined, q);
  router.get(CALLBACK_PATH, async (ctx: Context) => {
    if (!deps.config.SHOPIFY_CLIENT_ID || !deps.config.SHOPIFY_CLIENT_SECRET) throw new DomainError('not_found', 'this deployment has no Shopify app');
    try {
      await callback(deps, ctx);
      ctx.redirect(settings(ctx, 'connected=shopify'));
    } catch (e) {
      if (!(e instanceof Refused)) throw e;
      deps.logger.warn({ module: 'shopify-oauth', reason: e.reason }, 'shopify install refused');
      ctx.redirect(settings(ctx, `error=${e.reason}&platform=shopify`));
    }
  });
}
